//! The embedded store: one SQLite file in WAL mode, durable commits, versioned migrations, and
//! an FTS5 index over the sanitised text.

mod alerts;
mod fragments;
mod ledger;
mod queue;
mod summary;

pub use alerts::{AlertFiring, AlertRow, AttemptResult, AttemptRow, DeliveryRow};
pub use ledger::{Reserve, SqliteLedger};
pub use queue::{QueueDepth, QueueEntry, QueuedTrace, QueuedVersion};

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use sha2::{Digest, Sha256};

use crate::codec::{modules_of, pack, severity_rank, unpack};
use crate::{AuditEntry, Filter, Store, StoreError, StoredRecord, StoredRow, StoredTrace};

const AUDIT: &str = "INSERT INTO audit_log (key, evaluated_at, verdict, decided_by, domain, provenance, \
    models, judges, result_sha256, prev_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/// The schema, one migration per version; a database records the last it applied in
/// `PRAGMA user_version`. Migrations are only ever appended.
const MIGRATIONS: &[&str] = &[
    // 1: results by key, with the columns filters use, and full-text search over the text.
    r#"
    CREATE TABLE results (
        -- An explicit rowid: the FTS index refers to it, and VACUUM keeps it.
        id             INTEGER PRIMARY KEY,
        key            TEXT NOT NULL UNIQUE,
        trace_id       TEXT,
        domain         TEXT,
        verdict        TEXT NOT NULL,
        decided_by     TEXT,
        max_severity   INTEGER,
        application    TEXT,
        organisation   TEXT,
        model          TEXT,
        evaluated_at   INTEGER NOT NULL,
        latency_ns     INTEGER NOT NULL,
        cost_picos     INTEGER NOT NULL,
        result         BLOB NOT NULL,
        trace          TEXT,
        input          TEXT NOT NULL DEFAULT '',
        output         TEXT NOT NULL DEFAULT '',
        issues_text    TEXT NOT NULL DEFAULT '',
        indexed        INTEGER NOT NULL DEFAULT 0
    );
    -- Few indexes, since each costs every write: lookups by trace go through the key
    -- (`id:<trace id>`), lists by time, with or without a domain.
    CREATE INDEX results_domain_time ON results(domain, evaluated_at);
    CREATE INDEX results_time ON results(evaluated_at);
    -- Full-text search over the sanitised text: a contentless index (the text is in
    -- `results`) that allows deletes by rowid. It is brought up to date after a run's batches
    -- are committed (`index_text`), not row by row inside them, so writes stay fast; a search
    -- first indexes whatever is pending, so it always sees every stored result.
    CREATE VIRTUAL TABLE results_fts USING fts5(
        input, output, issues_text, content = '', contentless_delete = 1
    );
    INSERT INTO results_fts(results_fts, rank) VALUES ('automerge', 16);
    -- Whether or not the row was indexed since its last rewrite: an earlier version may be.
    CREATE TRIGGER results_ad AFTER DELETE ON results BEGIN
        DELETE FROM results_fts WHERE rowid = old.id;
    END;
    "#,
    // 2: the append-only audit log: every verdict written, with what produced it.
    r#"
    CREATE TABLE provenance (
        id             INTEGER PRIMARY KEY,
        spec_hash      TEXT NOT NULL,
        domain_version TEXT NOT NULL,
        aegis_version  TEXT NOT NULL,
        UNIQUE (spec_hash, domain_version, aegis_version)
    );
    CREATE TABLE audit_log (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        key            TEXT NOT NULL,
        evaluated_at   INTEGER NOT NULL,
        verdict        TEXT NOT NULL,
        decided_by     TEXT,
        domain         TEXT,
        provenance     INTEGER REFERENCES provenance(id),
        models         TEXT NOT NULL,
        judges         TEXT NOT NULL,
        result_sha256  BLOB NOT NULL
    );
    CREATE INDEX audit_log_key ON audit_log(key);
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
    END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
    END;
    "#,
    // 3: Tier 4, expert review: the queue and the labels.
    r#"
    CREATE TABLE review_tasks (
        key            TEXT PRIMARY KEY,
        severity       INTEGER NOT NULL,
        uncertainty    REAL NOT NULL,
        reason         TEXT NOT NULL,
        queued_at      INTEGER NOT NULL,
        open           INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX review_tasks_order ON review_tasks(open, severity DESC, uncertainty DESC, queued_at);
    CREATE TABLE review_labels (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        key            TEXT NOT NULL,
        verdict        TEXT NOT NULL,
        severity       TEXT,
        notes          TEXT NOT NULL,
        reviewer       TEXT NOT NULL,
        accepted       INTEGER NOT NULL,
        labelled_at    INTEGER NOT NULL
    );
    CREATE INDEX review_labels_key ON review_labels(key);
    -- A deleted result leaves the queue (its labels stay: they are the experts' record).
    CREATE TRIGGER results_ad_review AFTER DELETE ON results BEGIN
        DELETE FROM review_tasks WHERE key = old.key;
    END;
    "#,
    summary::MIGRATION,
    queue::MIGRATION,
    ledger::MIGRATION,
    queue::MIGRATION_GENERATION,
    AUDIT_CHAIN,
    fragments::MIGRATION,
    alerts::MIGRATION,
    summary::ROLLUP_MIGRATION,
];

/// 8: the audit log without an index by key. An index keyed by the record key takes an insert
/// at a random place for every entry, and at a service's rate each of those dirties a page of
/// its own that the commit writes whole to the WAL (profiled: with `results.key` the largest
/// part of a write, growing with the store). Instead each entry names the one before it for
/// the same key (`prev_seq`), and the chain's head is the result's `audit_seq`, or, once the
/// result is deleted, its row in `audit_heads` (deletes are rare). A trail is read by walking
/// the chain through the log's own rowid. Filled in for the entries already written, while the
/// old index still exists; the append-only trigger is lifted for that one update.
const AUDIT_CHAIN: &str = r#"
    ALTER TABLE results ADD COLUMN audit_seq INTEGER;
    ALTER TABLE audit_log ADD COLUMN prev_seq INTEGER;
    CREATE TABLE audit_heads (
        key            TEXT PRIMARY KEY,
        seq            INTEGER NOT NULL
    ) WITHOUT ROWID;
    DROP TRIGGER audit_log_no_update;
    UPDATE audit_log SET prev_seq = (
        SELECT max(a.seq) FROM audit_log AS a WHERE a.key = audit_log.key AND a.seq < audit_log.seq
    );
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
    END;
    UPDATE results SET audit_seq = (SELECT max(seq) FROM audit_log WHERE audit_log.key = results.key);
    INSERT INTO audit_heads (key, seq)
        SELECT key, max(seq) FROM audit_log WHERE key NOT IN (SELECT key FROM results) GROUP BY key;
    DROP INDEX audit_log_key;
    -- A deleted result leaves its trail's head behind (the log itself is never deleted from).
    CREATE TRIGGER results_ad_audit AFTER DELETE ON results WHEN old.audit_seq IS NOT NULL BEGIN
        INSERT OR REPLACE INTO audit_heads (key, seq) VALUES (old.key, old.audit_seq);
    END;
"#;

/// Results and sanitised traces in one SQLite file.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    /// Ids of the provenance rows written so far, so that each is looked up once.
    provenance_ids: std::collections::HashMap<crate::Provenance, i64>,
}

const UPSERT: &str = "INSERT INTO results (key, trace_id, domain, verdict, decided_by, max_severity, \
    application, organisation, model, evaluated_at, latency_ns, cost_picos, result, trace, input, output, issues_text, \
    audit_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18) \
    ON CONFLICT(key) DO UPDATE SET trace_id = excluded.trace_id, domain = excluded.domain, \
    verdict = excluded.verdict, decided_by = excluded.decided_by, max_severity = excluded.max_severity, \
    application = excluded.application, organisation = excluded.organisation, model = excluded.model, \
    evaluated_at = excluded.evaluated_at, latency_ns = excluded.latency_ns, cost_picos = excluded.cost_picos, \
    result = excluded.result, trace = excluded.trace, input = excluded.input, output = excluded.output, \
    issues_text = excluded.issues_text, audit_seq = excluded.audit_seq, indexed = 0";

const COLUMNS: &str = "results.key, results.result, results.trace, results.evaluated_at, results.input, results.output";

/// A stored trace without its input and output (which are columns of their own).
#[derive(serde::Serialize)]
struct TraceRest<'a> {
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    context: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    domain_data: Option<&'a serde_json::Value>,
    #[serde(skip_serializing_if = "aegis_core::Metadata::is_empty")]
    metadata: &'a aegis_core::Metadata,
    #[serde(skip_serializing_if = "Option::is_none")]
    episode: Option<&'a aegis_core::Episode>,
    #[serde(skip_serializing_if = "<[aegis_core::AgentStep]>::is_empty")]
    steps: &'a [aegis_core::AgentStep],
}

/// One row as read: key, result (compressed JSON), trace JSON, time, input, output.
type RawRow = (String, Vec<u8>, Option<String>, i64, String, String);

fn raw_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

impl SqliteStore {
    /// Opens (or creates) the store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let shown = path.display().to_string();
        let err = |what: &'static str| {
            let shown = shown.clone();
            move |source| StoreError::Sqlite {
                path: shown,
                what,
                source,
            }
        };
        let conn = Connection::open(path).map_err(err("cannot open"))?;
        // 16 KiB pages (for a new file): results are a few hundred bytes to a few KiB, and bigger
        // pages mean fewer page writes and splits per batch.
        conn.pragma_update(None, "page_size", 16_384)
            .map_err(err("cannot set the page size"))?;
        // WAL: readers never block the writer; synchronous=FULL: a commit is on disk when it
        // returns (the audit trail survives a crash or SIGKILL).
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err("cannot set WAL mode"))?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(err("cannot set synchronous=FULL"))?;
        // Checkpoint the WAL into the database every ~40 MiB rather than every 4 MiB: fewer,
        // larger copies while a run writes batch after batch.
        conn.pragma_update(None, "wal_autocheckpoint", 10_000)
            .map_err(err("cannot set the WAL checkpoint"))?;
        // A 64 MiB page cache: batched writes touch the same index pages again and again.
        conn.pragma_update(None, "cache_size", -65_536)
            .map_err(err("cannot set the cache size"))?;
        // Reads through a memory map (up to 4 GiB of the file) rather than read(2) into the
        // page cache: once a store outgrows the cache, every index seek of a write would copy
        // pages from the kernel (profiled: the largest cost of a service's writes at 500,000
        // results, and growing with the store). Mapped pages are the kernel's file cache,
        // shared and reclaimable, not the process's own memory.
        conn.pragma_update(None, "mmap_size", 4_i64 << 30)
            .map_err(err("cannot set the memory map size"))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err("cannot set the busy timeout"))?;
        // Every statement a write, a claim or a queue insert runs stays prepared: with
        // rusqlite's default of 16 a worker's pass (claim, results, issues, costs, roll-ups,
        // audit log, review queue, alerts) evicted and parsed statements again on every
        // batch (profiled: a twentieth of a worker's time under the OTLP benchmark).
        conn.set_prepared_statement_cache_capacity(256);
        let mut store = SqliteStore {
            conn,
            path: path.to_path_buf(),
            provenance_ids: std::collections::HashMap::new(),
        };
        store.migrate()?;
        Ok(store)
    }

    /// The schema version this build writes.
    pub fn schema_version() -> i64 {
        MIGRATIONS.len() as i64
    }

    fn err(&self, what: &'static str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |source| StoreError::Sqlite {
            path: self.path.display().to_string(),
            what,
            source,
        }
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let known = Self::schema_version();
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(self.err("cannot read the schema version"))?;
        if version > known || version < 0 {
            return Err(StoreError::TooNew {
                path: self.path.display().to_string(),
                found: version,
                known,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let path = self.path.display().to_string();
            let e = move |source| StoreError::Sqlite {
                path: path.clone(),
                what: "cannot migrate the schema",
                source,
            };
            let tx = self.conn.transaction().map_err(&e)?;
            if *sql == summary::ROLLUP_MIGRATION {
                tx.execute_batch(&summary::rollup_migration()).map_err(&e)?;
            } else {
                tx.execute_batch(sql).map_err(&e)?;
            }
            if i + 1 == summary::VERSION {
                summary::backfill(&tx, &self.path).map_err(&e)?;
            }
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .map_err(&e)?;
            tx.commit().map_err(&e)?;
        }
        Ok(())
    }

    /// Findings at or above `min_severity` over the records `filter` selects, grouped by
    /// domain and validator, newest group first: what an operator is alerted to.
    pub fn findings(
        &self,
        filter: &Filter,
        min_severity: aegis_core::Severity,
    ) -> Result<Vec<crate::FindingGroup>, StoreError> {
        summary::findings(self, filter, min_severity)
    }

    /// Adds every result written since the last call to the full-text index, in one
    /// transaction; returns how many. `search` calls it first; `aegis-eval run` after its last
    /// batch.
    pub fn index_text(&self) -> Result<usize, StoreError> {
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(self.err("cannot begin indexing"))?;
        // A rewritten result keeps its rowid: its old entry goes first.
        tx.execute(
            "DELETE FROM results_fts WHERE rowid IN (SELECT rowid FROM results WHERE indexed = 0)",
            [],
        )
        .map_err(self.err("cannot index text"))?;
        tx.execute(
            "INSERT INTO results_fts(rowid, input, output, issues_text) \
             SELECT rowid, input, output, issues_text FROM results WHERE indexed = 0",
            [],
        )
        .map_err(self.err("cannot index text"))?;
        let n = tx
            .execute("UPDATE results SET indexed = 1 WHERE indexed = 0", [])
            .map_err(self.err("cannot index text"))?;
        tx.commit().map_err(self.err("cannot commit the index"))?;
        Ok(n)
    }

    fn where_clause(filter: &Filter, params: &mut Vec<rusqlite::types::Value>) -> String {
        use rusqlite::types::Value as V;
        let mut clauses = Vec::new();
        if let Some(d) = &filter.domain {
            clauses.push("results.domain = ?");
            params.push(V::Text(d.clone()));
        }
        if let Some(v) = filter.verdict {
            clauses.push("results.verdict = ?");
            params.push(V::Text(v.as_str().to_owned()));
        }
        if let Some(s) = filter.min_severity {
            clauses.push("results.max_severity >= ?");
            params.push(V::Integer(severity_rank(s)));
        }
        if let Some(a) = &filter.application {
            clauses.push("results.application = ?");
            params.push(V::Text(a.clone()));
        }
        if let Some(m) = &filter.model {
            clauses.push("results.model = ?");
            params.push(V::Text(m.clone()));
        }
        if let Some(v) = &filter.validator {
            clauses.push(
                "EXISTS (SELECT 1 FROM result_issues WHERE result_issues.result_id = results.id AND result_issues.validator = ?)",
            );
            params.push(V::Text(v.clone()));
        }
        if let Some(t) = &filter.tag {
            clauses.push(
                "EXISTS (SELECT 1 FROM json_each(results.trace, '$.metadata.tags') WHERE json_each.value = ?)",
            );
            params.push(V::Text(t.clone()));
        }
        if let Some(c) = &filter.after {
            clauses.push(
                "(results.evaluated_at < ? OR (results.evaluated_at = ? AND results.key > ?))",
            );
            params.push(V::Integer(c.evaluated_at_ms));
            params.push(V::Integer(c.evaluated_at_ms));
            params.push(V::Text(c.key.clone()));
        }
        if let Some(t) = filter.since_ms {
            clauses.push("results.evaluated_at >= ?");
            params.push(V::Integer(t));
        }
        if let Some(t) = filter.until_ms {
            clauses.push("results.evaluated_at < ?");
            params.push(V::Integer(t));
        }
        if clauses.is_empty() {
            "1".to_owned()
        } else {
            clauses.join(" AND ")
        }
    }

    fn rows(
        &self,
        sql: &str,
        params: Vec<rusqlite::types::Value>,
    ) -> Result<Vec<StoredRow>, StoreError> {
        let mut stmt = self.conn.prepare(sql).map_err(self.err("cannot query"))?;
        let raw = stmt
            .query_map(params_from_iter(params), raw_row)
            .map_err(self.err("cannot query"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(self.err("cannot read a row"))?;
        // A row that cannot be read is named (by key) and left out: one bad row must not
        // hide the rest.
        Ok(raw
            .into_iter()
            .filter_map(|row| {
                let key = row.0.clone();
                match self.row(row) {
                    Ok(r) => Some(r),
                    Err(e) => {
                        tracing::warn!(key = %key, error = %e, "a stored result cannot be read; left out");
                        None
                    }
                }
            })
            .collect())
    }

    fn row(
        &self,
        (key, result, trace, at, input, output): RawRow,
    ) -> Result<StoredRow, StoreError> {
        let corrupt = |e: serde_json::Error| StoreError::Corrupt {
            path: self.path.display().to_string(),
            message: e.to_string(),
        };
        Ok(StoredRow {
            key,
            result: serde_json::from_str(&unpack(&result).map_err(|message| {
                StoreError::Corrupt {
                    path: self.path.display().to_string(),
                    message,
                }
            })?)
            .map_err(corrupt)?,
            trace: trace
                .as_deref()
                .map(serde_json::from_str::<StoredTrace>)
                .transpose()
                .map_err(corrupt)?
                .map(|t| StoredTrace { input, output, ..t }),
            evaluated_at_ms: at,
        })
    }
}

/// Queues tasks (with the time each was queued); a record already queued keeps its place.
fn queue_tasks(
    tx: &rusqlite::Transaction<'_>,
    tasks: impl Iterator<Item = (crate::ReviewTask, i64)>,
) -> rusqlite::Result<usize> {
    let mut stmt = tx.prepare_cached(
        "INSERT OR IGNORE INTO review_tasks (key, severity, uncertainty, reason, queued_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut n = 0;
    for (t, at) in tasks {
        n += stmt.execute(params![
            t.key,
            t.severity.map_or(-1, severity_rank),
            t.uncertainty,
            t.reason,
            at
        ])?;
    }
    Ok(n)
}

/// Writes `records` inside the open transaction `tx` — each result upserted by key with its
/// side tables and an audit-log entry, a provenance row per new spec and version, results that
/// need review queued for Tier 4 and those that no longer do taken off — and returns the
/// provenance rows it added, for the caller to remember once `tx` commits. The one write path:
/// [`Store::write`], [`SqliteStore::complete`] and [`SqliteStore::store_evaluated`] all go
/// through it.
fn write_records<R: std::borrow::Borrow<StoredRecord>>(
    tx: &rusqlite::Transaction<'_>,
    provenance_ids: &std::collections::HashMap<crate::Provenance, i64>,
    records: &[R],
    path: &str,
) -> Result<Vec<(crate::Provenance, i64)>, StoreError> {
    let records: Vec<&StoredRecord> = records.iter().map(std::borrow::Borrow::borrow).collect();
    let e = |what: &'static str| {
        let path = path.to_owned();
        move |source| StoreError::Sqlite { path, what, source }
    };
    // A provenance row per spec and version, not one per result.
    let mut new_ids = Vec::new();
    for p in records.iter().filter_map(|r| r.provenance.as_ref()) {
        if provenance_ids.contains_key(p) || new_ids.iter().any(|(q, _)| q == p) {
            continue;
        }
        tx.execute(
            "INSERT OR IGNORE INTO provenance (spec_hash, domain_version, aegis_version) VALUES (?1, ?2, ?3)",
            params![p.spec_hash, p.domain_version, p.aegis_version],
        )
        .map_err(e("cannot write provenance"))?;
        let id: i64 = tx
            .query_row(
                "SELECT id FROM provenance WHERE spec_hash = ?1 AND domain_version = ?2 AND aegis_version = ?3",
                params![p.spec_hash, p.domain_version, p.aegis_version],
                |r| r.get(0),
            )
            .map_err(e("cannot write provenance"))?;
        new_ids.push((p.clone(), id));
    }
    let mut rollup = summary::Rollup::default();
    {
        let mut stmt = tx
            .prepare_cached(UPSERT)
            .map_err(e("cannot prepare a write"))?;
        let mut audit = tx
            .prepare_cached(AUDIT)
            .map_err(e("cannot prepare a write"))?;
        // The head of the key's audit chain: its result's last entry, or a deleted result's.
        // The head of the key's audit chain, and what the hourly roll-ups counted for the
        // result it replaces.
        let mut current_head = tx
            .prepare_cached(
                "SELECT audit_seq, evaluated_at, domain, verdict, decided_by, model, application, \
                 cost_picos, latency_ns FROM results WHERE key = ?1",
            )
            .map_err(e("cannot prepare a write"))?;
        let mut deleted_head = tx
            .prepare_cached("DELETE FROM audit_heads WHERE key = ?1 RETURNING seq")
            .map_err(e("cannot prepare a write"))?;
        for r in &records {
            let res = &r.result;
            let result_json = serde_json::to_string(res).unwrap_or_default();
            let current = current_head
                .query_row([&r.key], |row| {
                    Ok((
                        row.get::<_, Option<i64>>(0)?,
                        summary::RolledUp {
                            evaluated_at_ms: row.get(1)?,
                            domain: row.get(2)?,
                            verdict: row.get(3)?,
                            decided_by: row.get(4)?,
                            model: row.get(5)?,
                            application: row.get(6)?,
                            cost_picos: row.get(7)?,
                            latency_ns: row.get(8)?,
                        },
                    ))
                })
                .optional()
                .map_err(e("cannot read the audit log"))?;
            let prev_seq: Option<i64> = match current {
                Some((head, old)) => {
                    rollup.remove(&old);
                    head
                }
                None => deleted_head
                    .query_row([&r.key], |row| row.get(0))
                    .optional()
                    .map_err(e("cannot read the audit log"))?,
            };
            let (models, judges) = modules_of(res);
            let digest = Sha256::digest(result_json.as_bytes());
            audit
                .execute(params![
                    r.key,
                    r.evaluated_at_ms,
                    res.verdict.as_str(),
                    res.decided_by.map(|d| d.as_str()),
                    res.domain,
                    r.provenance.as_ref().and_then(|p| provenance_ids
                        .get(p)
                        .copied()
                        .or_else(|| new_ids.iter().find(|(q, _)| q == p).map(|(_, id)| *id))),
                    models.to_string(),
                    judges.to_string(),
                    digest.as_slice(),
                    prev_seq,
                ])
                .map_err(e("cannot append to the audit log"))?;
            let audit_seq = tx.last_insert_rowid();
            // The trace's input and output have columns of their own (for search): its JSON
            // holds the rest.
            let trace_json = r.trace.as_ref().map(|t| {
                serde_json::to_string(&TraceRest {
                    context: &t.context,
                    model: t.model.as_deref(),
                    domain_data: t.domain_data.as_ref(),
                    metadata: &t.metadata,
                    episode: t.episode.as_ref(),
                    steps: &t.steps,
                })
                .unwrap_or_default()
            });
            let issues_text = res
                .issues
                .iter()
                .map(|i| format!("{} {}", i.validator, i.message))
                .collect::<Vec<_>>()
                .join("\n");
            let max_severity = res.issues.iter().map(|i| severity_rank(i.severity)).max();
            let t = r.trace.as_ref();
            stmt.execute(params![
                r.key,
                res.trace_id,
                res.domain,
                res.verdict.as_str(),
                res.decided_by.map(|d| d.as_str()),
                max_severity,
                t.and_then(StoredTrace::application),
                t.and_then(StoredTrace::organisation),
                t.and_then(|t| t.model.as_deref()),
                r.evaluated_at_ms,
                i64::try_from(res.latency_ns).unwrap_or(i64::MAX),
                i64::try_from(res.cost_usd.picos()).unwrap_or(i64::MAX),
                pack(&result_json),
                trace_json,
                t.map_or("", |t| t.input.as_str()),
                t.map_or("", |t| t.output.as_str()),
                issues_text,
                audit_seq,
            ])
            .map_err(e("cannot write a result"))?;
            rollup.add(&summary::RolledUp {
                evaluated_at_ms: r.evaluated_at_ms,
                domain: res.domain.clone(),
                verdict: res.verdict.as_str().to_owned(),
                decided_by: res.decided_by.map(|d| d.as_str().to_owned()),
                model: t.and_then(|t| t.model.clone()),
                application: t.and_then(StoredTrace::application).map(str::to_owned),
                cost_picos: i64::try_from(res.cost_usd.picos()).unwrap_or(i64::MAX),
                latency_ns: i64::try_from(res.latency_ns).unwrap_or(i64::MAX),
            });
            summary::write_facts(tx, &r.key, res).map_err(e("cannot write a result"))?;
        }
    }
    rollup
        .apply(tx)
        .map_err(e("cannot update the hourly roll-ups"))?;
    // Tier 4: every result that no machine tier was sure of waits for an expert.
    queue_tasks(
        tx,
        records
            .iter()
            .filter(|r| r.result.verdict == aegis_core::Verdict::NeedsReview)
            .map(|r| {
                (
                    crate::ReviewTask::of(&r.key, &r.result, "needs_review"),
                    r.evaluated_at_ms,
                )
            }),
    )
    .map_err(e("cannot queue for review"))?;
    // A result that no longer needs review leaves the queue it was put in for that reason. Only
    // this batch's keys can have changed: one lookup by key each (a scan of every open task per
    // batch grew with the queue, and slowed a service's writes as its store grew).
    {
        let mut close = tx
            .prepare_cached(
                "UPDATE review_tasks SET open = 0 WHERE key = ?1 AND open = 1 AND reason = 'needs_review'",
            )
            .map_err(e("cannot update the review queue"))?;
        for r in records
            .iter()
            .filter(|r| r.result.verdict != aegis_core::Verdict::NeedsReview)
        {
            close
                .execute([&r.key])
                .map_err(e("cannot update the review queue"))?;
        }
    }
    Ok(new_ids)
}

/// An audit entry from a row whose first twelve columns are those `audit_trail` selects.
fn audit_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    let json = |i: usize| -> rusqlite::Result<serde_json::Value> {
        Ok(serde_json::from_str(&r.get::<_, String>(i)?).unwrap_or_default())
    };
    Ok(AuditEntry {
        seq: r.get(0)?,
        key: r.get(1)?,
        evaluated_at_ms: r.get(2)?,
        verdict: r.get(3)?,
        decided_by: r.get(4)?,
        domain: r.get(5)?,
        provenance: match (
            r.get::<_, Option<String>>(6)?,
            r.get::<_, Option<String>>(7)?,
            r.get::<_, Option<String>>(8)?,
        ) {
            (Some(spec_hash), Some(domain_version), Some(aegis_version)) => {
                Some(crate::Provenance {
                    spec_hash,
                    domain_version,
                    aegis_version,
                })
            }
            _ => None,
        },
        models: json(9)?,
        judges: json(10)?,
        result_sha256: aegis_core::digest::hex(&r.get::<_, Vec<u8>>(11)?),
    })
}

impl Store for SqliteStore {
    fn write(&mut self, records: &[StoredRecord]) -> Result<(), StoreError> {
        let path = self.path.display().to_string();
        let e = |what: &'static str| {
            let path = path.clone();
            move |source| StoreError::Sqlite { path, what, source }
        };
        let SqliteStore {
            conn,
            provenance_ids,
            ..
        } = self;
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(e("cannot begin a write"))?;
        let new_ids = write_records(&tx, provenance_ids, records, &path)?;
        tx.commit().map_err(e("cannot commit"))?;
        provenance_ids.extend(new_ids);
        Ok(())
    }

    fn get(&self, key_or_trace_id: &str) -> Result<Option<StoredRow>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM results WHERE key = ?1 OR key = 'id:' || ?1 ORDER BY key = ?1 DESC LIMIT 1"
        );
        let found = self
            .conn
            .query_row(&sql, [key_or_trace_id], raw_row)
            .optional()
            .map_err(self.err("cannot read a result"))?;
        found.map(|row| self.row(row)).transpose()
    }

    fn list(&self, filter: &Filter) -> Result<Vec<StoredRow>, StoreError> {
        let mut params = Vec::new();
        let w = Self::where_clause(filter, &mut params);
        let limit = filter.limit.map_or(-1, |l| l as i64);
        let sql = format!(
            "SELECT {COLUMNS} FROM results WHERE {w} ORDER BY results.evaluated_at DESC, results.key LIMIT {limit}"
        );
        self.rows(&sql, params)
    }

    fn search(&self, query: &str, filter: &Filter) -> Result<Vec<StoredRow>, StoreError> {
        self.index_text()?;
        let mut params = vec![rusqlite::types::Value::Text(query.to_owned())];
        let w = Self::where_clause(filter, &mut params);
        let limit = filter.limit.map_or(-1, |l| l as i64);
        let sql = format!(
            "SELECT {COLUMNS} FROM results_fts JOIN results ON results.rowid = results_fts.rowid \
             WHERE results_fts MATCH ? AND {w} ORDER BY results_fts.rank LIMIT {limit}"
        );
        self.rows(&sql, params)
    }

    fn delete(&mut self, filter: &Filter, key: Option<&str>) -> Result<usize, StoreError> {
        let mut params = Vec::new();
        let mut w = Self::where_clause(filter, &mut params);
        if let Some(k) = key {
            // The record `get` shows for this id, and only that one.
            let Some(row) = self.get(k)? else {
                return Ok(0);
            };
            w = format!("({w}) AND key = ?");
            params.push(rusqlite::types::Value::Text(row.key));
        }
        let sql = format!("DELETE FROM results WHERE {w}");
        self.conn
            .execute(&sql, params_from_iter(params))
            .map_err(self.err("cannot delete"))
    }

    fn audit_trail(&self, key_or_trace_id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        // The chain's head: under the key as given, else under the trace id's key.
        let head = |key: &str| -> Result<Option<i64>, StoreError> {
            self.conn
                .prepare_cached(
                    "SELECT audit_seq FROM results WHERE key = ?1 AND audit_seq IS NOT NULL \
                     UNION ALL SELECT seq FROM audit_heads WHERE key = ?1 LIMIT 1",
                )
                .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
                .map_err(self.err("cannot read the audit log"))
        };
        let by_id = format!("id:{key_or_trace_id}");
        let (key, mut next) = match head(key_or_trace_id)? {
            Some(seq) => (key_or_trace_id, Some(seq)),
            None => (by_id.as_str(), head(&by_id)?),
        };
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT seq, key, evaluated_at, verdict, decided_by, domain, \
                 provenance.spec_hash, provenance.domain_version, provenance.aegis_version, \
                 models, judges, result_sha256, prev_seq \
                 FROM audit_log LEFT JOIN provenance ON provenance.id = audit_log.provenance \
                 WHERE seq = ?1 AND key = ?2",
            )
            .map_err(self.err("cannot read the audit log"))?;
        let mut trail = Vec::new();
        while let Some(seq) = next {
            let Some((entry, prev)) = stmt
                .query_row(params![seq, key], |r| {
                    Ok((audit_entry(r)?, r.get::<_, Option<i64>>(12)?))
                })
                .optional()
                .map_err(self.err("cannot read the audit log"))?
            else {
                break;
            };
            trail.push(entry);
            // Each link points back: a loop would be a corrupt log, not a longer trail.
            next = prev.filter(|p: &i64| *p < seq);
        }
        trail.reverse();
        Ok(trail)
    }

    fn enqueue(&mut self, tasks: &[crate::ReviewTask]) -> Result<usize, StoreError> {
        let path = self.path.display().to_string();
        let e = |source| StoreError::Sqlite {
            path: path.clone(),
            what: "cannot queue for review",
            source,
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let tx = self.conn.transaction().map_err(e)?;
        let n = queue_tasks(&tx, tasks.iter().map(|t| (t.clone(), now))).map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(n)
    }

    fn open_tasks(&self, limit: usize) -> Result<Vec<(crate::ReviewTask, StoredRow)>, StoreError> {
        let sql = format!(
            "SELECT review_tasks.severity, review_tasks.uncertainty, review_tasks.reason, {COLUMNS} \
             FROM review_tasks JOIN results ON results.key = review_tasks.key \
             WHERE review_tasks.open = 1 \
             ORDER BY review_tasks.severity DESC, review_tasks.uncertainty DESC, review_tasks.queued_at \
             LIMIT {}",
            i64::try_from(limit).unwrap_or(i64::MAX)
        );
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(self.err("cannot read the review queue"))?;
        let raw = stmt
            .query_map([], |r| {
                let sev: i64 = r.get(0)?;
                let unc: f64 = r.get(1)?;
                let reason: String = r.get(2)?;
                let row = (
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                );
                Ok((sev, unc, reason, row))
            })
            .map_err(self.err("cannot read the review queue"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(self.err("cannot read the review queue"))?;
        raw.into_iter()
            .map(|(sev, uncertainty, reason, row)| {
                let row = self.row(row)?;
                Ok((
                    crate::ReviewTask {
                        key: row.key.clone(),
                        severity: crate::codec::severity_of_rank(sev),
                        uncertainty,
                        reason,
                    },
                    row,
                ))
            })
            .collect()
    }

    fn add_label(&mut self, label: &crate::ReviewLabel) -> Result<(), StoreError> {
        let e = |source| StoreError::Sqlite {
            path: self.path.display().to_string(),
            what: "cannot record a label",
            source,
        };
        let tx = self.conn.unchecked_transaction().map_err(e)?;
        tx.execute(
            "INSERT INTO review_labels (key, verdict, severity, notes, reviewer, accepted, labelled_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                label.key,
                label.verdict.as_str(),
                label.severity.map(|s| s.as_str()),
                label.notes.as_str(),
                label.reviewer,
                label.accepted,
                label.labelled_at_ms
            ],
        )
        .map_err(e)?;
        tx.execute(
            "UPDATE review_tasks SET open = 0 WHERE key = ?1",
            [&label.key],
        )
        .map_err(e)?;
        tx.commit().map_err(e)
    }

    fn labels(&self) -> Result<Vec<crate::ReviewLabel>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT key, verdict, severity, notes, reviewer, accepted, labelled_at FROM review_labels ORDER BY seq")
            .map_err(self.err("cannot read labels"))?;
        let rows = stmt
            .query_map([], |r| {
                let verdict: String = r.get(1)?;
                let severity: Option<String> = r.get(2)?;
                Ok(crate::ReviewLabel {
                    key: r.get(0)?,
                    verdict: match verdict.as_str() {
                        "pass" => aegis_core::Verdict::Pass,
                        "fail" => aegis_core::Verdict::Fail,
                        "error" => aegis_core::Verdict::Error,
                        _ => aegis_core::Verdict::NeedsReview,
                    },
                    severity: severity.and_then(|s| {
                        aegis_core::Severity::ALL
                            .iter()
                            .copied()
                            .find(|x| x.as_str() == s)
                    }),
                    notes: crate::kept_notes(r.get(3)?),
                    reviewer: r.get(4)?,
                    accepted: r.get(5)?,
                    labelled_at_ms: r.get(6)?,
                })
            })
            .map_err(self.err("cannot read labels"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(self.err("cannot read labels"))
    }

    fn summarize(&self, filter: &Filter) -> Result<crate::StoreSummary, StoreError> {
        summary::summarize(self, filter)
    }

    fn index_text(&self) -> Result<usize, StoreError> {
        SqliteStore::index_text(self)
    }

    fn count(&self) -> Result<u64, StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM results", [], |r| r.get::<_, i64>(0))
            .map(|n| n.max(0) as u64)
            .map_err(self.err("cannot count"))
    }
}
