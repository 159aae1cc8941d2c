//! The server store: a PostgreSQL schema per store (an organisation's, in a service), shared by
//! every API and worker process. The same [`Store`] as the embedded SQLite file: versioned
//! migrations, upserts by key, full-text search over a `tsvector` with a GIN index, an audit log
//! that the database itself keeps append-only, statistics aggregated in SQL, and Tier 4's review
//! queue, which reviewers claim with `SELECT … FOR UPDATE SKIP LOCKED`.

mod summary;
mod tenants;

pub use tenants::PostgresTenants;

use std::cell::RefCell;

use postgres::types::ToSql;
use postgres::{Client, NoTls, Row};
use sha2::{Digest, Sha256};

use crate::codec::{modules_of, pack, severity_rank, unpack};
use crate::{
    AuditEntry, Filter, Provenance, ReviewLabel, ReviewTask, Store, StoreError, StoredRecord,
    StoredRow, StoredTrace,
};

/// The schema, one migration per version; a schema records those it applied in
/// `schema_migrations`. Migrations are only ever appended.
const MIGRATIONS: &[&str] = &[
    // 1: results, their side tables, the audit log, review.
    r#"
    CREATE TABLE results (
        key            TEXT PRIMARY KEY,
        trace_id       TEXT,
        domain         TEXT,
        verdict        TEXT NOT NULL,
        decided_by     TEXT,
        max_severity   INTEGER,
        application    TEXT,
        organisation   TEXT,
        model          TEXT,
        evaluated_at   BIGINT NOT NULL,
        latency_ns     BIGINT NOT NULL,
        cost_picos     BIGINT NOT NULL,
        -- The result's JSON and the stored trace's JSON, LZ4-compressed: bytes, not text,
        -- since a trace may hold characters a PostgreSQL text cannot (NUL).
        result         BYTEA NOT NULL,
        trace          BYTEA,
        tags           TEXT[] NOT NULL DEFAULT '{}',
        search         TSVECTOR NOT NULL
    );
    CREATE INDEX results_time ON results (evaluated_at DESC, key);
    CREATE INDEX results_domain_time ON results (domain, evaluated_at DESC, key);
    CREATE INDEX results_search ON results USING GIN (search);
    CREATE TABLE result_issues (
        key            TEXT NOT NULL REFERENCES results (key) ON DELETE CASCADE,
        n              INTEGER NOT NULL,
        validator      TEXT NOT NULL,
        severity       INTEGER NOT NULL,
        PRIMARY KEY (key, n)
    );
    CREATE INDEX result_issues_validator ON result_issues (validator);
    CREATE TABLE result_tier_costs (
        key            TEXT NOT NULL REFERENCES results (key) ON DELETE CASCADE,
        tier           TEXT NOT NULL,
        cost_picos     BIGINT NOT NULL,
        PRIMARY KEY (key, tier)
    );
    CREATE TABLE provenance (
        id             BIGSERIAL PRIMARY KEY,
        spec_hash      TEXT NOT NULL,
        domain_version TEXT NOT NULL,
        aegis_version  TEXT NOT NULL,
        UNIQUE (spec_hash, domain_version, aegis_version)
    );
    CREATE TABLE audit_log (
        seq            BIGSERIAL PRIMARY KEY,
        key            TEXT NOT NULL,
        evaluated_at   BIGINT NOT NULL,
        verdict        TEXT NOT NULL,
        decided_by     TEXT,
        domain         TEXT,
        provenance     BIGINT REFERENCES provenance (id),
        models         TEXT NOT NULL,
        judges         TEXT NOT NULL,
        result_sha256  BYTEA NOT NULL
    );
    CREATE INDEX audit_log_key ON audit_log (key, seq);
    -- Append-only, whoever connects: no row is changed or deleted, and the table is not
    -- emptied.
    CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the audit log is append-only';
    END
    $$;
    CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
    CREATE TABLE review_tasks (
        key            TEXT PRIMARY KEY,
        severity       INTEGER NOT NULL,
        uncertainty    DOUBLE PRECISION NOT NULL,
        reason         TEXT NOT NULL,
        queued_at      BIGINT NOT NULL,
        open           BOOLEAN NOT NULL DEFAULT TRUE,
        claimed_by     TEXT,
        claimed_until  BIGINT
    );
    CREATE INDEX review_tasks_order ON review_tasks (severity DESC, uncertainty DESC, queued_at)
        WHERE open;
    CREATE TABLE review_labels (
        seq            BIGSERIAL PRIMARY KEY,
        key            TEXT NOT NULL,
        verdict        TEXT NOT NULL,
        severity       TEXT,
        notes          TEXT NOT NULL,
        reviewer       TEXT NOT NULL,
        accepted       BOOLEAN NOT NULL,
        labelled_at    BIGINT NOT NULL
    );
    CREATE INDEX review_labels_key ON review_labels (key, seq);
    "#,
];

/// The columns a [`StoredRow`] is read from.
const COLUMNS: &str = "results.key, results.result, results.trace, results.evaluated_at";

/// Results and sanitised traces in one schema of a PostgreSQL database.
pub struct PostgresStore {
    client: RefCell<Client>,
    /// What it was opened with, to connect again after the server went away.
    url: String,
    schema: String,
    /// Where it is, for messages: the URL without its password, and the schema.
    target: String,
    /// Ids of the provenance rows written so far, so that each is looked up once.
    provenance_ids: std::collections::HashMap<Provenance, i64>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

/// A PostgreSQL error as a [`StoreError`]: its SQLSTATE and primary message only (the detail
/// of a constraint error quotes the row's values, which could be PHI).
pub(crate) fn pg_error(target: &str, what: &'static str, e: &postgres::Error) -> StoreError {
    let message = match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None if e.is_closed() => "the connection is closed".to_owned(),
        // The cause (connection refused, a TLS or authentication failure) says what to fix.
        None => match std::error::Error::source(e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        },
    };
    StoreError::Postgres {
        target: target.to_owned(),
        what,
        message,
    }
}

/// `url` without the password of its user, for messages.
pub(crate) fn shown_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let user = &url[s + 3..at];
            match user.split_once(':') {
                Some((name, _)) => format!("{}{name}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Whether `schema` can name a store's schema: 1 to 63 of `a-z`, `0-9` and `_`, not starting
/// with a digit or `pg_`.
pub fn valid_schema(schema: &str) -> bool {
    !schema.is_empty()
        && schema.len() <= 63
        && !schema.starts_with("pg_")
        && !schema.starts_with(|c: char| c.is_ascii_digit())
        && schema
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Text as a PostgreSQL `text` can hold it: without NUL.
fn no_nul(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('\0') {
        std::borrow::Cow::Owned(s.replace('\0', " "))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// A query under construction: its `WHERE` condition and the values it binds.
#[derive(Default)]
pub(crate) struct Query {
    pub(crate) params: Vec<Box<dyn ToSql + Sync>>,
}

impl Query {
    /// Binds `value`; returns its placeholder.
    pub(crate) fn bind(&mut self, value: impl ToSql + Sync + 'static) -> String {
        self.params.push(Box::new(value));
        format!("${}", self.params.len())
    }

    /// The values, as the client takes them.
    pub(crate) fn values(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params.iter().map(|p| p.as_ref() as _).collect()
    }

    /// The condition selecting the records `filter` selects (its limit aside).
    pub(crate) fn condition(&mut self, filter: &Filter) -> String {
        let mut clauses = Vec::new();
        if let Some(d) = &filter.domain {
            clauses.push(format!("results.domain = {}", self.bind(d.clone())));
        }
        if let Some(v) = filter.verdict {
            clauses.push(format!("results.verdict = {}", self.bind(v.as_str())));
        }
        if let Some(s) = filter.min_severity {
            let p = self.bind(severity_rank(s) as i32);
            clauses.push(format!("results.max_severity >= {p}"));
        }
        if let Some(a) = &filter.application {
            clauses.push(format!("results.application = {}", self.bind(a.clone())));
        }
        if let Some(m) = &filter.model {
            clauses.push(format!("results.model = {}", self.bind(m.clone())));
        }
        if let Some(v) = &filter.validator {
            let p = self.bind(v.clone());
            clauses.push(format!(
                "EXISTS (SELECT 1 FROM result_issues WHERE result_issues.key = results.key \
                 AND result_issues.validator = {p})"
            ));
        }
        if let Some(t) = &filter.tag {
            let p = self.bind(no_nul(t).into_owned());
            clauses.push(format!("{p} = ANY (results.tags)"));
        }
        if let Some(c) = &filter.after {
            let at = self.bind(c.evaluated_at_ms);
            let key = self.bind(c.key.clone());
            clauses.push(format!(
                "(results.evaluated_at < {at} OR (results.evaluated_at = {at} AND results.key > {key}))"
            ));
        }
        if let Some(t) = filter.since_ms {
            clauses.push(format!("results.evaluated_at >= {}", self.bind(t)));
        }
        if let Some(t) = filter.until_ms {
            clauses.push(format!("results.evaluated_at < {}", self.bind(t)));
        }
        if clauses.is_empty() {
            "TRUE".to_owned()
        } else {
            clauses.join(" AND ")
        }
    }

    /// The condition selecting exactly the records `list` returns for `filter`, its limit
    /// included (the newest `limit`, ties by key).
    pub(crate) fn selection(&mut self, filter: &Filter) -> String {
        let w = self.condition(filter);
        match filter.limit {
            None => w,
            Some(n) => format!(
                "results.key IN (SELECT results.key FROM results WHERE {w} \
                 ORDER BY results.evaluated_at DESC, results.key LIMIT {})",
                i64::try_from(n).unwrap_or(i64::MAX)
            ),
        }
    }
}

fn limit_of(filter: &Filter) -> String {
    filter.limit.map_or_else(
        || "ALL".to_owned(),
        |l| i64::try_from(l).unwrap_or(i64::MAX).to_string(),
    )
}

impl PostgresStore {
    /// Connects to the database at `url` (a `postgres://` URL) and opens the store in `schema`,
    /// creating it and bringing it up to date. Processes opening the same schema at once
    /// migrate it once (under an advisory lock).
    pub fn open(url: &str, schema: &str) -> Result<PostgresStore, StoreError> {
        let (client, target) = open_schema(url, schema, MIGRATIONS)?;
        Ok(PostgresStore {
            client: RefCell::new(client),
            url: url.to_owned(),
            schema: schema.to_owned(),
            target,
            provenance_ids: std::collections::HashMap::new(),
        })
    }

    /// Whether the database at `url` can be reached and answers a query (a worker's
    /// readiness, with no organisation's schema at hand).
    pub fn ping(url: &str) -> Result<(), StoreError> {
        let target = shown_url(url);
        let mut client = connect(url, &target)?;
        client
            .simple_query("SELECT 1")
            .map_err(|e| pg_error(&target, "cannot query", &e))?;
        Ok(())
    }

    /// The schema version this build writes.
    pub fn schema_version() -> i64 {
        MIGRATIONS.len() as i64
    }

    /// Connects again if the connection was lost (the server restarted, a network cut): a
    /// long-lived process calls it before using the store, so that one failed request is all
    /// an outage costs it.
    pub fn reconnect_if_closed(&mut self) -> Result<(), StoreError> {
        if self.client.get_mut().is_closed() {
            *self.client.get_mut() = connect_in(&self.url, &self.schema, &self.target)?;
        }
        Ok(())
    }

    /// Where the store is: its URL without password, and its schema.
    pub fn target(&self) -> &str {
        &self.target
    }

    fn err(&self, what: &'static str) -> impl Fn(postgres::Error) -> StoreError + '_ {
        move |e| pg_error(&self.target, what, &e)
    }

    fn rows(&self, sql: &str, q: &Query) -> Result<Vec<StoredRow>, StoreError> {
        let raw = self
            .client
            .borrow_mut()
            .query(sql, &q.values())
            .map_err(self.err("cannot query"))?;
        // A row that cannot be read is named (by key) and left out: one bad row must not
        // hide the rest.
        Ok(raw
            .iter()
            .filter_map(|r| match self.row(r, 0) {
                Ok(row) => Some(row),
                Err(e) => {
                    let key: Option<String> = r.try_get(0).ok();
                    tracing::warn!(key = ?key, error = %e, "a stored result cannot be read; left out");
                    None
                }
            })
            .collect())
    }

    /// The [`StoredRow`] in `r`'s columns from `at` on (as [`COLUMNS`] lists them).
    fn row(&self, r: &Row, at: usize) -> Result<StoredRow, StoreError> {
        let corrupt = |message: String| StoreError::Corrupt {
            path: self.target.clone(),
            message,
        };
        let get = |e: postgres::Error| corrupt(e.to_string());
        let result: Vec<u8> = r.try_get(at + 1).map_err(get)?;
        let trace: Option<Vec<u8>> = r.try_get(at + 2).map_err(get)?;
        Ok(StoredRow {
            key: r.try_get(at).map_err(get)?,
            result: serde_json::from_str(&unpack(&result).map_err(corrupt)?)
                .map_err(|e| corrupt(e.to_string()))?,
            trace: trace
                .map(|t| {
                    let json = unpack(&t).map_err(corrupt)?;
                    serde_json::from_str::<StoredTrace>(&json).map_err(|e| corrupt(e.to_string()))
                })
                .transpose()?,
            evaluated_at_ms: r.try_get(at + 3).map_err(get)?,
        })
    }

    /// Claims up to `limit` open review tasks for `reviewer` for `lease_ms`, in priority order,
    /// skipping those another claim is taking (`FOR UPDATE SKIP LOCKED`) and those held under
    /// a lease that has not ended, so that reviewers working the queue at once never get the
    /// same task. A label closes the task; a task left unlabelled is handed out again once its
    /// lease ends.
    pub fn claim_tasks(
        &mut self,
        reviewer: &str,
        limit: usize,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<Vec<(ReviewTask, StoredRow)>, StoreError> {
        let sql = "WITH chosen AS ( \
                SELECT key FROM review_tasks \
                WHERE open AND (claimed_until IS NULL OR claimed_until <= $1) \
                ORDER BY severity DESC, uncertainty DESC, queued_at LIMIT $3 \
                FOR UPDATE SKIP LOCKED) \
             UPDATE review_tasks SET claimed_by = $2, claimed_until = $4 \
             FROM chosen WHERE review_tasks.key = chosen.key RETURNING review_tasks.key";
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let until = now_ms.saturating_add(lease_ms);
        let keys: Vec<String> = self
            .client
            .get_mut()
            .query(sql, &[&now_ms, &reviewer, &limit, &until])
            .map_err(self.err("cannot claim review tasks"))?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut tasks = self.tasks_where("review_tasks.key = ANY ($1)", "", &[&keys])?;
        tasks.retain(|(t, _)| keys.contains(&t.key));
        Ok(tasks)
    }

    fn tasks_where(
        &self,
        condition: &str,
        limit: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<(ReviewTask, StoredRow)>, StoreError> {
        let sql = format!(
            "SELECT review_tasks.severity, review_tasks.uncertainty, review_tasks.reason, {COLUMNS} \
             FROM review_tasks JOIN results ON results.key = review_tasks.key \
             WHERE review_tasks.open AND {condition} \
             ORDER BY review_tasks.severity DESC, review_tasks.uncertainty DESC, review_tasks.queued_at {limit}"
        );
        let rows = self
            .client
            .borrow_mut()
            .query(&sql, params)
            .map_err(self.err("cannot read the review queue"))?;
        rows.iter()
            .map(|r| {
                let sev: i32 = r.get(0);
                let row = self.row(r, 3)?;
                Ok((
                    ReviewTask {
                        key: row.key.clone(),
                        severity: crate::codec::severity_of_rank(i64::from(sev)),
                        uncertainty: r.get(1),
                        reason: r.get(2),
                    },
                    row,
                ))
            })
            .collect()
    }
}

/// Connects to `url`. A URL without a password takes libpq's `PGPASSWORD`, else the first line
/// of the file `PGPASSWORD_FILE` names (a mounted secret, as the official PostgreSQL image's
/// `_FILE` variables). With `sslmode=require` the connection is TLS (rustls), the server's
/// certificate verified against the public web roots and, as libpq does, the PEM file that
/// `sslrootcert=` in the URL or `PGSSLROOTCERT` names (a private CA's, a managed service's);
/// otherwise it is plain TCP.
fn connect(url: &str, target: &str) -> Result<Client, StoreError> {
    let (url, root_cert) = take_query_param(url, "sslrootcert");
    let mut config: postgres::Config = url
        .parse()
        .map_err(|e| pg_error(target, "cannot read the URL", &e))?;
    if config.get_password().is_none() {
        if let Some(password) = std::env::var_os("PGPASSWORD").filter(|p| !p.is_empty()) {
            config.password(password.as_encoded_bytes());
        } else if let Some(file) = std::env::var_os("PGPASSWORD_FILE").filter(|p| !p.is_empty()) {
            let text = std::fs::read_to_string(&file).map_err(|e| StoreError::Postgres {
                target: target.to_owned(),
                what: "cannot read PGPASSWORD_FILE",
                message: format!("{}: {e}", std::path::Path::new(&file).display()),
            })?;
            config.password(text.lines().next().unwrap_or_default());
        }
    }
    match config.get_ssl_mode() {
        postgres::config::SslMode::Require => {
            let root_cert = root_cert.or_else(|| {
                std::env::var("PGSSLROOTCERT")
                    .ok()
                    .filter(|p| !p.is_empty())
            });
            let tls = tls_connector(root_cert.as_deref(), target)?;
            config
                .connect(tls)
                .map_err(|e| pg_error(target, "cannot connect (TLS)", &e))
        }
        _ => config
            .connect(NoTls)
            .map_err(|e| pg_error(target, "cannot connect", &e)),
    }
}

/// `url` without its query parameter `name`, and that parameter's value (percent-decoding is
/// not needed for a file path without `&` or `%`).
fn take_query_param(url: &str, name: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), None);
    };
    let mut value = None;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.split_once('=') {
            Some((k, v)) if k == name => {
                value = Some(v.to_owned());
                false
            }
            _ => true,
        })
        .collect();
    if kept.is_empty() {
        (base.to_owned(), value)
    } else {
        (format!("{base}?{}", kept.join("&")), value)
    }
}

/// A rustls connector trusting the public web roots and the certificates of `root_cert`.
fn tls_connector(
    root_cert: Option<&str>,
    target: &str,
) -> Result<tokio_postgres_rustls::MakeRustlsConnect, StoreError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let bad = |what: &'static str, message: String| StoreError::Postgres {
        target: target.to_owned(),
        what,
        message,
    };
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = root_cert {
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| bad("cannot read sslrootcert", format!("{path}: {e}")))?;
        let mut added = 0;
        for cert in certs {
            let cert = cert.map_err(|e| bad("cannot read sslrootcert", format!("{path}: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| bad("cannot use sslrootcert", format!("{path}: {e}")))?;
            added += 1;
        }
        if added == 0 {
            return Err(bad(
                "cannot use sslrootcert",
                format!("{path}: no PEM certificate in it"),
            ));
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad("cannot set up TLS", e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// Connects to `url` and brings `schema` up to date with `migrations`: the connection, working
/// in the schema, and the target messages name (the URL without its password, the schema).
pub(crate) fn open_schema(
    url: &str,
    schema: &str,
    migrations: &[&str],
) -> Result<(Client, String), StoreError> {
    let target = format!("{} schema {schema}", shown_url(url));
    if !valid_schema(schema) {
        return Err(StoreError::Postgres {
            target,
            what: "cannot open",
            message: "a schema name is 1 to 63 of a-z, 0-9 and _, not starting with a digit or pg_"
                .to_owned(),
        });
    }
    let mut client = connect(url, &target)?;
    migrate_schema(&mut client, schema, migrations, &target)?;
    Ok((client, target))
}

/// A new connection to `url` working in `schema` (already migrated).
pub(crate) fn connect_in(url: &str, schema: &str, target: &str) -> Result<Client, StoreError> {
    let mut client = connect(url, target)?;
    client
        .batch_execute(&format!("SET search_path TO {schema}"))
        .map_err(|e| pg_error(target, "cannot choose the schema", &e))?;
    Ok(client)
}

/// Creates `schema` if needed and applies the `migrations` it has not, in one transaction,
/// under an advisory lock on the schema's name; leaves the connection's `search_path` on it.
pub(crate) fn migrate_schema(
    client: &mut Client,
    schema: &str,
    migrations: &[&str],
    target: &str,
) -> Result<(), StoreError> {
    let e = |what: &'static str| move |err: postgres::Error| pg_error(target, what, &err);
    // The schema name was checked to be a plain identifier.
    client
        .batch_execute(&format!("SET search_path TO {schema}"))
        .map_err(e("cannot choose the schema"))?;
    let mut tx = client.transaction().map_err(e("cannot migrate"))?;
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext('aegis-store:' || $1::text))",
        &[&schema],
    )
    .map_err(e("cannot lock the schema for migration"))?;
    tx.batch_execute(&format!(
        "CREATE SCHEMA IF NOT EXISTS {schema}; \
         CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (\
            version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    ))
    .map_err(e("cannot create the schema"))?;
    let version: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )
        .map_err(e("cannot read the schema version"))?
        .get(0);
    let known = migrations.len() as i64;
    if i64::from(version) > known {
        return Err(StoreError::TooNew {
            path: target.to_owned(),
            found: i64::from(version),
            known,
        });
    }
    for (i, sql) in migrations.iter().enumerate().skip(version as usize) {
        tx.batch_execute(sql)
            .map_err(e("cannot migrate the schema"))?;
        let v = i32::try_from(i + 1).unwrap_or(i32::MAX);
        tx.execute("INSERT INTO schema_migrations (version) VALUES ($1)", &[&v])
            .map_err(e("cannot migrate the schema"))?;
    }
    tx.commit().map_err(e("cannot migrate the schema"))
}

/// The text a result is found by: its trace's input and output, and its issues.
fn search_text(r: &StoredRecord) -> String {
    let mut text = String::new();
    if let Some(t) = &r.trace {
        text.push_str(&t.input);
        text.push('\n');
        text.push_str(&t.output);
    }
    for i in &r.result.issues {
        text.push('\n');
        text.push_str(&i.validator);
        text.push(' ');
        text.push_str(&i.message);
    }
    no_nul(&text).into_owned()
}

/// A run of records with distinct keys, column by column: each table is written by one
/// statement over `unnest` of these arrays.
#[derive(Default)]
struct Columns {
    keys: Vec<String>,
    trace_ids: Vec<Option<String>>,
    domains: Vec<Option<String>>,
    verdicts: Vec<&'static str>,
    decided_by: Vec<Option<&'static str>>,
    max_severity: Vec<Option<i32>>,
    applications: Vec<Option<String>>,
    organisations: Vec<Option<String>>,
    models: Vec<Option<String>>,
    evaluated_at: Vec<i64>,
    latency_ns: Vec<i64>,
    cost_picos: Vec<i64>,
    results: Vec<Vec<u8>>,
    traces: Vec<Option<Vec<u8>>>,
    /// Each record's tags joined by U+001F (arrays of arrays cannot be unnested by row).
    tags: Vec<String>,
    search: Vec<String>,
    audit_provenance: Vec<Option<i64>>,
    audit_models: Vec<String>,
    audit_judges: Vec<String>,
    audit_sha256: Vec<Vec<u8>>,
    issue_keys: Vec<String>,
    issue_n: Vec<i32>,
    issue_validators: Vec<String>,
    issue_severities: Vec<i32>,
    cost_keys: Vec<String>,
    cost_tiers: Vec<&'static str>,
    cost_values: Vec<i64>,
    review_keys: Vec<String>,
    review_severities: Vec<i32>,
    review_uncertainties: Vec<f64>,
    review_at: Vec<i64>,
    settled_keys: Vec<String>,
}

impl Columns {
    fn of(
        records: &[StoredRecord],
        provenance_of: &dyn Fn(&Provenance) -> Option<i64>,
        target: &str,
    ) -> Result<Columns, StoreError> {
        let mut c = Columns::default();
        for r in records {
            let res = &r.result;
            let result_json = serde_json::to_string(res).map_err(|_| StoreError::Unencodable {
                path: target.to_owned(),
                what: "a result",
            })?;
            let trace_json = r
                .trace
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(|_| StoreError::Unencodable {
                    path: target.to_owned(),
                    what: "a trace",
                })?;
            let (models, judges) = modules_of(res);
            let t = r.trace.as_ref();
            c.keys.push(r.key.clone());
            c.trace_ids.push(res.trace_id.clone());
            c.domains.push(res.domain.clone());
            c.verdicts.push(res.verdict.as_str());
            c.decided_by.push(res.decided_by.map(|d| d.as_str()));
            c.max_severity.push(
                res.issues
                    .iter()
                    .map(|i| severity_rank(i.severity) as i32)
                    .max(),
            );
            c.applications
                .push(t.and_then(StoredTrace::application).map(str::to_owned));
            c.organisations
                .push(t.and_then(StoredTrace::organisation).map(str::to_owned));
            c.models.push(t.and_then(|t| t.model.clone()));
            c.evaluated_at.push(r.evaluated_at_ms);
            c.latency_ns
                .push(i64::try_from(res.latency_ns).unwrap_or(i64::MAX));
            c.cost_picos
                .push(i64::try_from(res.cost_usd.picos()).unwrap_or(i64::MAX));
            c.audit_sha256
                .push(Sha256::digest(result_json.as_bytes()).to_vec());
            c.results.push(pack(&result_json));
            c.traces.push(trace_json.as_deref().map(pack));
            c.tags.push(
                t.map(|t| {
                    t.metadata
                        .tags
                        .iter()
                        .map(|s| no_nul(s).replace('\u{1f}', " "))
                        .collect::<Vec<_>>()
                        .join("\u{1f}")
                })
                .unwrap_or_default(),
            );
            c.search.push(search_text(r));
            c.audit_provenance
                .push(r.provenance.as_ref().and_then(provenance_of));
            c.audit_models.push(models.to_string());
            c.audit_judges.push(judges.to_string());
            for (n, issue) in res.issues.iter().enumerate() {
                c.issue_keys.push(r.key.clone());
                c.issue_n.push(i32::try_from(n).unwrap_or(i32::MAX));
                c.issue_validators.push(issue.validator.clone());
                c.issue_severities
                    .push(severity_rank(issue.severity) as i32);
            }
            let mut costs = [aegis_core::UsdCost::ZERO; aegis_core::Tier::ALL.len()];
            for tier in &res.tiers {
                costs[usize::from(tier.tier.number())] += tier.cost_usd;
            }
            for (tier, cost) in aegis_core::Tier::ALL.iter().zip(costs) {
                if cost > aegis_core::UsdCost::ZERO {
                    c.cost_keys.push(r.key.clone());
                    c.cost_tiers.push(tier.as_str());
                    c.cost_values
                        .push(i64::try_from(cost.picos()).unwrap_or(i64::MAX));
                }
            }
            // Tier 4: a result no machine tier was sure of waits for an expert; one that no
            // longer needs review leaves the queue it was put in for that reason.
            if res.verdict == aegis_core::Verdict::NeedsReview {
                let task = ReviewTask::of(&r.key, res, "needs_review");
                c.review_keys.push(task.key);
                c.review_severities
                    .push(task.severity.map_or(-1, severity_rank) as i32);
                c.review_uncertainties.push(task.uncertainty);
                c.review_at.push(r.evaluated_at_ms);
            } else {
                c.settled_keys.push(r.key.clone());
            }
        }
        Ok(c)
    }

    fn write(&self, tx: &mut postgres::Transaction<'_>, target: &str) -> Result<(), StoreError> {
        let e = |what: &'static str| move |err: postgres::Error| pg_error(target, what, &err);
        tx.execute(
            "INSERT INTO audit_log (key, evaluated_at, verdict, decided_by, domain, provenance, \
             models, judges, result_sha256) \
             SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], \
             $6::bigint[], $7::text[], $8::text[], $9::bytea[])",
            &[
                &self.keys,
                &self.evaluated_at,
                &self.verdicts,
                &self.decided_by,
                &self.domains,
                &self.audit_provenance,
                &self.audit_models,
                &self.audit_judges,
                &self.audit_sha256,
            ],
        )
        .map_err(e("cannot append to the audit log"))?;
        tx.execute(
            "INSERT INTO results (key, trace_id, domain, verdict, decided_by, max_severity, \
             application, organisation, model, evaluated_at, latency_ns, cost_picos, result, trace, \
             tags, search) \
             SELECT k, tid, d, v, db, ms, app, org, m, at, lat, cost, res, tr, \
             coalesce(string_to_array(tg, chr(31)), '{}'), to_tsvector('simple', st) \
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], \
             $7::text[], $8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::bigint[], \
             $13::bytea[], $14::bytea[], $15::text[], $16::text[]) \
             AS u(k, tid, d, v, db, ms, app, org, m, at, lat, cost, res, tr, tg, st) \
             ON CONFLICT (key) DO UPDATE SET trace_id = excluded.trace_id, domain = excluded.domain, \
             verdict = excluded.verdict, decided_by = excluded.decided_by, \
             max_severity = excluded.max_severity, application = excluded.application, \
             organisation = excluded.organisation, model = excluded.model, \
             evaluated_at = excluded.evaluated_at, latency_ns = excluded.latency_ns, \
             cost_picos = excluded.cost_picos, result = excluded.result, trace = excluded.trace, \
             tags = excluded.tags, search = excluded.search",
            &[
                &self.keys,
                &self.trace_ids,
                &self.domains,
                &self.verdicts,
                &self.decided_by,
                &self.max_severity,
                &self.applications,
                &self.organisations,
                &self.models,
                &self.evaluated_at,
                &self.latency_ns,
                &self.cost_picos,
                &self.results,
                &self.traces,
                &self.tags,
                &self.search,
            ],
        )
        .map_err(e("cannot write a result"))?;
        tx.execute(
            "DELETE FROM result_issues WHERE key = ANY ($1)",
            &[&self.keys],
        )
        .map_err(e("cannot write a result"))?;
        tx.execute(
            "DELETE FROM result_tier_costs WHERE key = ANY ($1)",
            &[&self.keys],
        )
        .map_err(e("cannot write a result"))?;
        if !self.issue_keys.is_empty() {
            tx.execute(
                "INSERT INTO result_issues (key, n, validator, severity) \
                 SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::int[])",
                &[
                    &self.issue_keys,
                    &self.issue_n,
                    &self.issue_validators,
                    &self.issue_severities,
                ],
            )
            .map_err(e("cannot write a result"))?;
        }
        if !self.cost_keys.is_empty() {
            tx.execute(
                "INSERT INTO result_tier_costs (key, tier, cost_picos) \
                 SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])",
                &[&self.cost_keys, &self.cost_tiers, &self.cost_values],
            )
            .map_err(e("cannot write a result"))?;
        }
        if !self.review_keys.is_empty() {
            tx.execute(
                "INSERT INTO review_tasks (key, severity, uncertainty, reason, queued_at) \
                 SELECT k, s, u, 'needs_review', at \
                 FROM unnest($1::text[], $2::int[], $3::float8[], $4::bigint[]) AS x(k, s, u, at) \
                 ON CONFLICT (key) DO NOTHING",
                &[
                    &self.review_keys,
                    &self.review_severities,
                    &self.review_uncertainties,
                    &self.review_at,
                ],
            )
            .map_err(e("cannot queue for review"))?;
        }
        if !self.settled_keys.is_empty() {
            tx.execute(
                "UPDATE review_tasks SET open = FALSE \
                 WHERE key = ANY ($1) AND open AND reason = 'needs_review'",
                &[&self.settled_keys],
            )
            .map_err(e("cannot update the review queue"))?;
        }
        Ok(())
    }
}

impl Store for PostgresStore {
    fn write(&mut self, records: &[StoredRecord]) -> Result<(), StoreError> {
        let target = self.target.clone();
        let e = |what: &'static str| {
            let target = target.clone();
            move |err: postgres::Error| pg_error(&target, what, &err)
        };
        let PostgresStore {
            client,
            provenance_ids,
            ..
        } = self;
        let mut tx = client
            .get_mut()
            .transaction()
            .map_err(e("cannot begin a write"))?;
        // A provenance row per spec and version, not one per result.
        let mut new_ids: Vec<(Provenance, i64)> = Vec::new();
        for p in records.iter().filter_map(|r| r.provenance.as_ref()) {
            if provenance_ids.contains_key(p) || new_ids.iter().any(|(q, _)| q == p) {
                continue;
            }
            let id: i64 = tx
                .query_one(
                    "WITH added AS (INSERT INTO provenance (spec_hash, domain_version, aegis_version) \
                     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id) \
                     SELECT id FROM added UNION ALL SELECT id FROM provenance \
                     WHERE spec_hash = $1 AND domain_version = $2 AND aegis_version = $3 LIMIT 1",
                    &[&p.spec_hash, &p.domain_version, &p.aegis_version],
                )
                .map_err(e("cannot write provenance"))?
                .get(0);
            new_ids.push((p.clone(), id));
        }
        let provenance_of = |p: &Provenance| {
            provenance_ids
                .get(p)
                .copied()
                .or_else(|| new_ids.iter().find(|(q, _)| q == p).map(|(_, id)| *id))
        };
        // Each table written by one statement per run of distinct keys (a key written twice in
        // a batch starts a new run, so that the later write wins, as it would one by one).
        let mut start = 0;
        while start < records.len() {
            let mut seen = std::collections::HashSet::new();
            let mut end = start;
            while end < records.len() && seen.insert(records[end].key.as_str()) {
                end += 1;
            }
            let run = Columns::of(&records[start..end], &provenance_of, &target)?;
            run.write(&mut tx, &target)?;
            start = end;
        }
        tx.commit().map_err(e("cannot commit"))?;
        provenance_ids.extend(new_ids);
        Ok(())
    }

    fn get(&self, key_or_trace_id: &str) -> Result<Option<StoredRow>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM results WHERE key = $1 OR key = 'id:' || $1 \
             ORDER BY key = $1 DESC LIMIT 1"
        );
        let found = self
            .client
            .borrow_mut()
            .query_opt(&sql, &[&key_or_trace_id])
            .map_err(self.err("cannot read a result"))?;
        found.map(|r| self.row(&r, 0)).transpose()
    }

    fn list(&self, filter: &Filter) -> Result<Vec<StoredRow>, StoreError> {
        let mut q = Query::default();
        let w = q.condition(filter);
        let sql = format!(
            "SELECT {COLUMNS} FROM results WHERE {w} \
             ORDER BY results.evaluated_at DESC, results.key LIMIT {}",
            limit_of(filter)
        );
        self.rows(&sql, &q)
    }

    fn search(&self, query: &str, filter: &Filter) -> Result<Vec<StoredRow>, StoreError> {
        // `websearch_to_tsquery` reads anything; a phrase left open is refused, as the SQLite
        // store's query syntax refuses it, rather than searched for as something else.
        if query.matches('"').count() % 2 == 1 {
            return Err(StoreError::Postgres {
                target: self.target.clone(),
                what: "cannot search",
                message: "the query opens a quoted phrase it does not close".to_owned(),
            });
        }
        let mut q = Query::default();
        let text = q.bind(no_nul(query).into_owned());
        let w = q.condition(filter);
        let sql = format!(
            "SELECT {COLUMNS} FROM results, websearch_to_tsquery('simple', {text}) AS query \
             WHERE results.search @@ query AND {w} \
             ORDER BY ts_rank(results.search, query) DESC, results.evaluated_at DESC, results.key \
             LIMIT {}",
            limit_of(filter)
        );
        self.rows(&sql, &q)
    }

    fn delete(&mut self, filter: &Filter, key: Option<&str>) -> Result<usize, StoreError> {
        let mut q = Query::default();
        let mut w = q.condition(filter);
        if let Some(k) = key {
            // The record `get` shows for this id, and only that one.
            let Some(row) = self.get(k)? else {
                return Ok(0);
            };
            w = format!("({w}) AND results.key = {}", q.bind(row.key));
        }
        // A deleted result leaves the review queue (its labels stay: they are the experts'
        // record) and its side tables (by cascade); its audit trail stays.
        let sql = format!(
            "WITH gone AS (DELETE FROM results WHERE {w} RETURNING key), \
             untasked AS (DELETE FROM review_tasks WHERE key IN (SELECT key FROM gone)) \
             SELECT count(*) FROM gone"
        );
        let n: i64 = self
            .client
            .get_mut()
            .query_one(&sql, &q.values())
            .map_err(self.err("cannot delete"))?
            .get(0);
        Ok(usize::try_from(n).unwrap_or(0))
    }

    fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .client
            .borrow_mut()
            .query_one("SELECT count(*) FROM results", &[])
            .map_err(self.err("cannot count"))?
            .get(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn audit_trail(&self, key_or_trace_id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let by_id = format!("id:{key_or_trace_id}");
        let rows = self
            .client
            .borrow_mut()
            .query(
                "WITH chosen AS (SELECT CASE WHEN EXISTS (SELECT 1 FROM audit_log WHERE key = $1) \
                 THEN $1 ELSE $2 END AS key) \
                 SELECT seq, audit_log.key, evaluated_at, verdict, decided_by, domain, \
                 provenance.spec_hash, provenance.domain_version, provenance.aegis_version, \
                 models, judges, result_sha256 \
                 FROM audit_log JOIN chosen ON chosen.key = audit_log.key \
                 LEFT JOIN provenance ON provenance.id = audit_log.provenance ORDER BY seq",
                &[&key_or_trace_id, &by_id],
            )
            .map_err(self.err("cannot read the audit log"))?;
        Ok(rows
            .iter()
            .map(|r| {
                let json = |i: usize| -> serde_json::Value {
                    serde_json::from_str(&r.get::<_, String>(i)).unwrap_or_default()
                };
                AuditEntry {
                    seq: r.get(0),
                    key: r.get(1),
                    evaluated_at_ms: r.get(2),
                    verdict: r.get(3),
                    decided_by: r.get(4),
                    domain: r.get(5),
                    provenance: match (r.get(6), r.get(7), r.get(8)) {
                        (Some(spec_hash), Some(domain_version), Some(aegis_version)) => {
                            Some(Provenance {
                                spec_hash,
                                domain_version,
                                aegis_version,
                            })
                        }
                        _ => None,
                    },
                    models: json(9),
                    judges: json(10),
                    result_sha256: aegis_core::digest::hex(&r.get::<_, Vec<u8>>(11)),
                }
            })
            .collect())
    }

    fn enqueue(&mut self, tasks: &[ReviewTask]) -> Result<usize, StoreError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let target = self.target.clone();
        let e = move |err: postgres::Error| pg_error(&target, "cannot queue for review", &err);
        let mut tx = self.client.get_mut().transaction().map_err(&e)?;
        let stmt = tx
            .prepare(
                "INSERT INTO review_tasks (key, severity, uncertainty, reason, queued_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING",
            )
            .map_err(&e)?;
        let mut n = 0;
        for t in tasks {
            n += tx
                .execute(
                    &stmt,
                    &[
                        &t.key,
                        &(t.severity.map_or(-1, severity_rank) as i32),
                        &t.uncertainty,
                        &t.reason,
                        &now,
                    ],
                )
                .map_err(&e)?;
        }
        tx.commit().map_err(&e)?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    fn open_tasks(&self, limit: usize) -> Result<Vec<(ReviewTask, StoredRow)>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.tasks_where("TRUE", "LIMIT $1", &[&limit])
    }

    fn add_label(&mut self, label: &ReviewLabel) -> Result<(), StoreError> {
        let target = self.target.clone();
        let e = move |err: postgres::Error| pg_error(&target, "cannot record a label", &err);
        let mut tx = self.client.get_mut().transaction().map_err(&e)?;
        tx.execute(
            "INSERT INTO review_labels (key, verdict, severity, notes, reviewer, accepted, labelled_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &label.key,
                &label.verdict.as_str(),
                &label.severity.map(|s| s.as_str()),
                &no_nul(label.notes.as_str()).as_ref(),
                &label.reviewer,
                &label.accepted,
                &label.labelled_at_ms,
            ],
        )
        .map_err(&e)?;
        tx.execute(
            "UPDATE review_tasks SET open = FALSE WHERE key = $1",
            &[&label.key],
        )
        .map_err(&e)?;
        tx.commit().map_err(&e)
    }

    fn labels(&self) -> Result<Vec<ReviewLabel>, StoreError> {
        let rows = self
            .client
            .borrow_mut()
            .query(
                "SELECT key, verdict, severity, notes, reviewer, accepted, labelled_at \
                 FROM review_labels ORDER BY seq",
                &[],
            )
            .map_err(self.err("cannot read labels"))?;
        Ok(rows
            .iter()
            .map(|r| {
                let verdict: String = r.get(1);
                let severity: Option<String> = r.get(2);
                ReviewLabel {
                    key: r.get(0),
                    verdict: crate::codec::verdict_of(&verdict)
                        .unwrap_or(aegis_core::Verdict::NeedsReview),
                    severity: severity.and_then(|s| {
                        aegis_core::Severity::ALL
                            .iter()
                            .copied()
                            .find(|x| x.as_str() == s)
                    }),
                    notes: crate::kept_notes(r.get(3)),
                    reviewer: r.get(4),
                    accepted: r.get(5),
                    labelled_at_ms: r.get(6),
                }
            })
            .collect())
    }

    fn summarize(&self, filter: &Filter) -> Result<crate::StoreSummary, StoreError> {
        summary::summarize(self, filter)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tls_tests {
    use super::{connect, take_query_param};

    #[test]
    fn the_root_certificate_parameter_is_taken_out_of_the_url() {
        assert_eq!(
            take_query_param(
                "postgres://a@h/db?sslmode=require&sslrootcert=/ca.pem",
                "sslrootcert"
            ),
            (
                "postgres://a@h/db?sslmode=require".to_owned(),
                Some("/ca.pem".to_owned())
            )
        );
        assert_eq!(
            take_query_param("postgres://a@h/db?sslrootcert=/ca.pem", "sslrootcert"),
            ("postgres://a@h/db".to_owned(), Some("/ca.pem".to_owned()))
        );
        assert_eq!(
            take_query_param("postgres://a@h/db", "sslrootcert"),
            ("postgres://a@h/db".to_owned(), None)
        );
    }

    /// Whether the connection is encrypted, as the server sees it.
    fn uses_tls(client: &mut postgres::Client) -> bool {
        client
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .unwrap()
            .get(0)
    }

    /// `sslmode=require` connects over TLS, the server's certificate verified against the CA
    /// `sslrootcert` names; without that CA the certificate is refused (the public roots do not
    /// vouch for it); without `sslmode` the connection is plain. Needs the servers of
    /// `scripts/scale/servers.sh`, whose PostgreSQL has a certificate from a CA of its own.
    #[test]
    fn sslmode_require_connects_over_verified_tls() {
        let (Ok(url), Ok(ca)) = (
            std::env::var("AEGIS_TEST_POSTGRES"),
            std::env::var("AEGIS_TEST_PG_CA"),
        ) else {
            assert!(
                std::env::var("AEGIS_REQUIRE_POSTGRES").is_err(),
                "AEGIS_REQUIRE_POSTGRES is set but AEGIS_TEST_POSTGRES or AEGIS_TEST_PG_CA is not"
            );
            eprintln!("SKIPPED: no PostgreSQL with TLS (scripts/scale/servers.sh)");
            return;
        };
        let sep = if url.contains('?') { '&' } else { '?' };
        let mut verified = connect(
            &format!("{url}{sep}sslmode=require&sslrootcert={ca}"),
            "test",
        )
        .unwrap();
        assert!(uses_tls(&mut verified));
        let refused = connect(&format!("{url}{sep}sslmode=require"), "test")
            .err()
            .unwrap()
            .to_string();
        assert!(refused.contains("cannot connect (TLS)"), "{refused}");
        assert!(refused.contains("certificate"), "{refused}");
        let mut plain = connect(&url, "test").unwrap();
        assert!(!uses_tls(&mut plain));
    }
}
