//! The durable ingest queue: sanitised traces a service accepted, waiting for a worker to
//! evaluate them. A worker claims the oldest pending rows for a lease, evaluates them, and
//! [`complete`](SqliteStore::complete)s them: their results are written and their rows removed
//! in one transaction, so after a crash either both happened or neither (and a claim whose
//! lease ran out is pending again).
//!
//! One row per key, and the last version accepted wins. A row carries a `generation`, the
//! version of its text: a different trace queued under a waiting key replaces the row's text
//! and bumps it. A result is written only for the version it answers: a completion names the
//! row's `seq` and `generation` ([`QueuedVersion`]), and writes its result only if it removes
//! exactly that version. So a worker that evaluated an older version (the text was replaced
//! meanwhile), a row deleted meanwhile ([`delete_traces`](SqliteStore::delete_traces)), or a
//! second worker completing a row another already completed, writes nothing. A result
//! evaluated outside the queue ([`store_evaluated`](SqliteStore::store_evaluated)) removes the
//! version that was waiting when it was accepted, and no newer one.

use std::borrow::Borrow;
use std::time::Duration;

use aegis_core::{EvaluationResult, Sanitized, Trace};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::{SqliteStore, write_records};
use crate::{StoreError, StoredRecord};

/// 5: the ingest queue. `key` is the record key the result will have
/// ([`record_key`](crate::record_key)); `trace` the sanitised trace as JSON, whole (id,
/// metadata, domain data, episode, unknown fields); `claimed_until` is `NULL` for a pending
/// row, else the end of a worker's lease (ms since the epoch), after which it is pending again.
/// Claims scan in `seq` order from the oldest row, so no index besides the keys.
pub(super) const MIGRATION: &str = r#"
    CREATE TABLE ingest_queue (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        key            TEXT NOT NULL UNIQUE,
        trace          TEXT NOT NULL,
        enqueued_at    INTEGER NOT NULL,
        claimed_until  INTEGER,
        attempts       INTEGER NOT NULL DEFAULT 0
    );
"#;

/// 7: the version of a queued row's text, bumped each time a different trace replaces it
/// under the same key. Rows queued before are version 0.
pub(super) const MIGRATION_GENERATION: &str = r#"
    ALTER TABLE ingest_queue ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
"#;

/// One version of one queued row: what a result written from the queue answers, and what
/// [`SqliteStore::complete`], [`SqliteStore::release`] and [`SqliteStore::store_evaluated`]
/// take. A newer version of the same row has the same `seq` and a greater `generation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct QueuedVersion {
    /// The row's place in the queue (kept when its text is replaced).
    pub seq: i64,
    /// The version of its text (0 when first queued, one more at each replacement).
    pub generation: i64,
}

/// A sanitised trace encoded for the queue, under the key its result will have
/// ([`SqliteStore::enqueue_entries`]). Encoding is the part of queueing that needs no
/// connection: a service does it before it takes the one that writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    key: String,
    json: String,
    /// Assembled from OpenTelemetry spans: the fragments kept under its key go as it is queued.
    assembled: bool,
}

impl QueueEntry {
    /// Encodes `trace` (whole: id, metadata, domain data, episode, steps, unknown fields) to
    /// be queued under `key`.
    pub fn new(key: String, trace: &Sanitized<Trace>) -> Result<Self, serde_json::Error> {
        Ok(Self {
            key,
            json: serde_json::to_string(&**trace)?,
            assembled: false,
        })
    }

    /// The same entry for a trace assembled from OpenTelemetry spans: queueing it drops the
    /// fragments kept under its key ([`SqliteStore::add_fragments`]) in the same transaction.
    pub fn assembled(mut self) -> Self {
        self.assembled = true;
        self
    }

    /// The key the trace is queued under.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The trace's JSON.
    pub(crate) fn json(&self) -> &str {
        &self.json
    }
}

/// A queued trace a worker claimed.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedTrace {
    /// Its place in the queue.
    pub seq: i64,
    /// The version of its text that was claimed (see [`QueuedVersion`]).
    pub generation: i64,
    /// The key its result is to be stored under.
    pub key: String,
    /// The trace, as it was queued (it went through Tier 0 before it was queued).
    pub trace: Sanitized<Trace>,
    /// When its key was first queued (ms since the epoch; a replacement of its text keeps it).
    pub enqueued_at_ms: i64,
    /// How many times this version has been claimed, this claim included (a trace claimed
    /// again and again may be what stops its workers).
    pub attempts: u32,
}

impl QueuedTrace {
    /// The version claimed: what [`SqliteStore::complete`] and [`SqliteStore::release`] take.
    pub fn version(&self) -> QueuedVersion {
        QueuedVersion {
            seq: self.seq,
            generation: self.generation,
        }
    }
}

/// How many traces wait in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct QueueDepth {
    /// Waiting for a worker: never claimed, released, replaced by a newer version, or claimed
    /// under a lease that ran out.
    pub pending: u64,
    /// Claimed by a worker whose lease still runs.
    pub claimed: u64,
    /// When the oldest row, pending or claimed, was queued (ms since the epoch); `None` when
    /// the queue is empty.
    pub oldest_enqueued_at_ms: Option<i64>,
}

pub(super) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl SqliteStore {
    pub(super) fn sqlite_err(
        &self,
        what: &'static str,
    ) -> impl Fn(rusqlite::Error) -> StoreError + use<> {
        let path = self.path.display().to_string();
        move |source| StoreError::Sqlite {
            path: path.clone(),
            what,
            source,
        }
    }

    /// Queues sanitised traces, each under the key its result will have, in one durable
    /// transaction (it returns once committed). For each item, `true` if it was queued now:
    ///
    /// * a key not waiting is queued at the end of the queue;
    /// * a key waiting (pending, or claimed and not yet completed) with a different trace is
    ///   replaced by this one: the last version accepted is the one evaluated. The row keeps
    ///   its place (`seq`) and the time its key was first queued (so the queue's age still
    ///   says how long the key has waited), its [`QueuedVersion::generation`] goes up by one,
    ///   it is pending again (a worker evaluating the older version will not store that
    ///   result: see [`complete`](Self::complete)) and its attempts start again from 0;
    /// * a key waiting with the same trace (same sanitised JSON) is `false`: nothing changes.
    ///
    /// Items of one call are applied in order, so of two versions of a key in one call the
    /// second is the one that waits. A key that already has a stored result is queued: its new
    /// result will replace the old.
    ///
    /// (Not `enqueue`: that is [`Store::enqueue`](crate::Store::enqueue), Tier 4's queue.)
    pub fn enqueue_traces(
        &mut self,
        items: &[(String, &Sanitized<Trace>)],
    ) -> Result<Vec<bool>, StoreError> {
        let entries = self.entries(items)?;
        self.enqueue_entries(&entries)
    }

    /// Queues traces already encoded ([`QueueEntry::new`]) as
    /// [`enqueue_traces`](Self::enqueue_traces) does. A service encodes before it takes the
    /// writing connection, and commits what several requests brought in one transaction.
    pub fn enqueue_entries(&mut self, entries: &[QueueEntry]) -> Result<Vec<bool>, StoreError> {
        self.enqueue_now(entries)
    }

    /// Queues traces assembled from OpenTelemetry spans as [`enqueue_traces`](Self::enqueue_traces)
    /// does, and in the same transaction drops the fragments they were assembled from
    /// ([`add_fragments`](Self::add_fragments)): a trace is queued and its fragments gone, or
    /// neither.
    pub fn enqueue_assembled(
        &mut self,
        items: &[(String, &Sanitized<Trace>)],
    ) -> Result<Vec<bool>, StoreError> {
        let entries: Vec<QueueEntry> = self
            .entries(items)?
            .into_iter()
            .map(QueueEntry::assembled)
            .collect();
        self.enqueue_now(&entries)
    }

    fn entries(
        &self,
        items: &[(String, &Sanitized<Trace>)],
    ) -> Result<Vec<QueueEntry>, StoreError> {
        items
            .iter()
            .map(|(key, trace)| {
                QueueEntry::new(key.clone(), trace).map_err(|_| StoreError::Unencodable {
                    path: self.path.display().to_string(),
                    what: "a trace to queue",
                })
            })
            .collect()
    }

    /// Queues `entries` in one transaction, dropping the trace fragments of those assembled
    /// from spans.
    fn enqueue_now(&mut self, entries: &[QueueEntry]) -> Result<Vec<bool>, StoreError> {
        let e = self.sqlite_err("cannot queue traces");
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        let now = now_ms();
        let mut queued = Vec::with_capacity(entries.len());
        {
            // An upsert whose update is skipped (the same text) changes no row.
            let mut upsert = tx
                .prepare_cached(
                    "INSERT INTO ingest_queue (key, trace, enqueued_at) VALUES (?1, ?2, ?3) \
                     ON CONFLICT(key) DO UPDATE SET trace = excluded.trace, \
                     generation = generation + 1, claimed_until = NULL, attempts = 0 \
                     WHERE trace IS NOT excluded.trace",
                )
                .map_err(&e)?;
            for entry in entries {
                queued.push(
                    upsert
                        .execute(params![entry.key, entry.json, now])
                        .map_err(&e)?
                        == 1,
                );
            }
        }
        if entries.iter().any(|entry| entry.assembled) {
            let mut drop = tx
                .prepare_cached("DELETE FROM otlp_fragments WHERE key = ?1")
                .map_err(&e)?;
            for entry in entries.iter().filter(|entry| entry.assembled) {
                drop.execute([&entry.key]).map_err(&e)?;
            }
        }
        tx.commit().map_err(&e)?;
        Ok(queued)
    }

    /// The version of `key` waiting in the queue (pending or claimed), if any. A service
    /// evaluating a trace outside the queue reads it when it accepts the trace, and hands it
    /// to [`store_evaluated`](Self::store_evaluated) with the result.
    pub fn queued_version(&self, key: &str) -> Result<Option<QueuedVersion>, StoreError> {
        self.conn
            .prepare_cached("SELECT seq, generation FROM ingest_queue WHERE key = ?1")
            .and_then(|mut s| {
                s.query_row([key], |r| {
                    Ok(QueuedVersion {
                        seq: r.get(0)?,
                        generation: r.get(1)?,
                    })
                })
                .optional()
            })
            .map_err(self.sqlite_err("cannot read the queue"))
    }

    /// Claims up to `limit` of the oldest pending traces (never claimed, released, replaced by
    /// a newer version, or whose lease ran out) for `lease`: each is marked claimed until now +
    /// `lease` and its attempts counted, in one transaction, so two workers never claim the
    /// same row under a live lease. A worker that neither completes nor releases a row in time
    /// loses it to the next claim.
    ///
    /// The claim's commit does not wait for the disk ([`relaxed`](Self::relaxed)).
    ///
    /// A row whose trace no longer reads back (the file was altered, or a trace queued by an
    /// older Aegis is refused by this one) must not block the queue, and its trace must not be
    /// silently lost: it is not returned; an `error` result saying so is stored under its key
    /// and the row removed, in the same transaction, and a warning names its `seq` (nothing of
    /// its content).
    pub fn claim(&mut self, limit: usize, lease: Duration) -> Result<Vec<QueuedTrace>, StoreError> {
        self.relaxed(|s| s.claim_now(limit, lease))
    }

    fn claim_now(&mut self, limit: usize, lease: Duration) -> Result<Vec<QueuedTrace>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let e = self.sqlite_err("cannot claim queued traces");
        let path = self.path.display().to_string();
        let now = now_ms();
        let until = now.saturating_add(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX));
        let SqliteStore {
            conn,
            provenance_ids,
            ..
        } = self;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        type Row = (i64, i64, String, String, i64, i64);
        let rows: Vec<Row> = {
            let mut select = tx
                .prepare_cached(
                    "SELECT seq, generation, key, trace, enqueued_at, attempts FROM ingest_queue \
                     WHERE claimed_until IS NULL OR claimed_until <= ?1 ORDER BY seq LIMIT ?2",
                )
                .map_err(&e)?;
            select
                .query_map(
                    params![now, i64::try_from(limit).unwrap_or(i64::MAX)],
                    |r| {
                        Ok((
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                        ))
                    },
                )
                .map_err(&e)?
                .collect::<Result<_, _>>()
                .map_err(&e)?
        };
        let mut claimed = Vec::with_capacity(rows.len());
        let mut unreadable = Vec::new();
        {
            let mut mark = tx
                .prepare_cached(
                    "UPDATE ingest_queue SET claimed_until = ?2, attempts = attempts + 1 WHERE seq = ?1",
                )
                .map_err(&e)?;
            for (seq, generation, key, json, enqueued_at_ms, attempts) in rows {
                match serde_json::from_str::<Trace>(&json) {
                    Ok(trace) => {
                        mark.execute(params![seq, until]).map_err(&e)?;
                        claimed.push(QueuedTrace {
                            seq,
                            generation,
                            key,
                            trace: crate::kept_trace(trace),
                            enqueued_at_ms,
                            attempts: u32::try_from(attempts.saturating_add(1)).unwrap_or(u32::MAX),
                        });
                    }
                    Err(_) => {
                        tracing::warn!(
                            seq,
                            "a queued trace cannot be read back; stored as an error result and removed from the queue"
                        );
                        unreadable.push((seq, key));
                    }
                }
            }
        }
        if !unreadable.is_empty() {
            let records: Vec<StoredRecord> = unreadable
                .iter()
                .map(|(_, key)| StoredRecord {
                    key: key.clone(),
                    result: EvaluationResult::error(
                        None,
                        key.strip_prefix("id:").map(str::to_owned),
                        "the queued trace could not be read back from the store, so it was not evaluated",
                    ),
                    trace: None,
                    evaluated_at_ms: now,
                    provenance: None,
                })
                .collect();
            write_records(&tx, provenance_ids, &records, &path)?;
            let mut delete = tx
                .prepare_cached("DELETE FROM ingest_queue WHERE seq = ?1")
                .map_err(&e)?;
            for (seq, _) in &unreadable {
                delete.execute([seq]).map_err(&e)?;
            }
        }
        tx.commit().map_err(&e)?;
        Ok(claimed)
    }

    /// Completes claimed traces: each pair is the version a worker claimed
    /// ([`QueuedTrace::version`]) and the record of its result. In one durable transaction,
    /// each version's row is removed if it still holds that version, and its record is then
    /// written exactly as [`Store::write`](crate::Store::write) writes (upsert by key, side
    /// tables, audit log, Tier 4's queue); after a crash either both happened or neither.
    ///
    /// A record whose version is no longer queued is not written, and its row is left as it
    /// is: a newer version of the trace arrived while it was evaluated (the row waits, pending,
    /// for that one), the trace was deleted ([`delete_traces`](Self::delete_traces)), a result
    /// evaluated in a request superseded it ([`store_evaluated`](Self::store_evaluated)), or
    /// another worker (whose claim followed this one's expired lease, or another process)
    /// completed it first. So a row gets one result and one audit entry, however many workers
    /// evaluated it.
    ///
    /// The commit does not wait for the disk ([`relaxed`](Self::relaxed)).
    ///
    /// Returns, for each pair, whether its record was written.
    pub fn complete(
        &mut self,
        done: &[(QueuedVersion, StoredRecord)],
    ) -> Result<Vec<bool>, StoreError> {
        self.relaxed(|s| s.complete_now(done))
    }

    /// Runs `f` with commits that return before the disk has them (`synchronous=NORMAL`),
    /// then makes commits durable again (`FULL`). For claims and completions only: each moves
    /// a trace that is already durably queued, and what such a commit writes is lost only to
    /// a power cut (never to a crash of the process, since the WAL is in the kernel's cache),
    /// which leaves the trace queued to be evaluated again, never lost. The next durable
    /// commit (an ingest) makes it durable too: the WAL is written in order. Waiting for the
    /// disk at each of them was the largest part of the writer's time under load.
    fn relaxed<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let e = self.sqlite_err("cannot set how commits are synchronised");
        self.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(&e)?;
        // Durable again even if `f` panics (the connection outlives a worker that did).
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(self)));
        let restored = self
            .conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(&e);
        let out = match out {
            Ok(out) => out?,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        restored?;
        Ok(out)
    }

    fn complete_now(
        &mut self,
        done: &[(QueuedVersion, StoredRecord)],
    ) -> Result<Vec<bool>, StoreError> {
        let e = self.sqlite_err("cannot complete queued traces");
        let path = self.path.display().to_string();
        let SqliteStore {
            conn,
            provenance_ids,
            ..
        } = self;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        let written = remove_versions(&tx, done.iter().map(|(v, _)| v), &e)?;
        let records: Vec<&StoredRecord> = done
            .iter()
            .zip(&written)
            .filter(|(_, w)| **w)
            .map(|((_, r), _)| r)
            .collect();
        let new_ids = write_records(&tx, provenance_ids, &records, &path)?;
        tx.commit().map_err(&e)?;
        provenance_ids.extend(new_ids);
        Ok(written)
    }

    /// Stores results evaluated outside the queue (in a request) and, in the same durable
    /// transaction, removes the queue rows they supersede: `superseded` names, by `seq` and
    /// `generation` exactly, the versions that were waiting when those traces were accepted
    /// ([`queued_version`](Self::queued_version)), which are older than them. A version
    /// accepted after (a newer generation of the row) is left queued: it is evaluated and its
    /// result replaces these. A worker evaluating a removed version writes nothing when it
    /// completes. `records` are written whatever the queue holds. Returns how many rows were
    /// removed.
    pub fn store_evaluated(
        &mut self,
        records: &[StoredRecord],
        superseded: &[QueuedVersion],
    ) -> Result<usize, StoreError> {
        let e = self.sqlite_err("cannot store evaluated results");
        let path = self.path.display().to_string();
        let SqliteStore {
            conn,
            provenance_ids,
            ..
        } = self;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        let removed = remove_versions(&tx, superseded, &e)?;
        let new_ids = write_records(&tx, provenance_ids, records, &path)?;
        tx.commit().map_err(&e)?;
        provenance_ids.extend(new_ids);
        Ok(removed.into_iter().filter(|r| *r).count())
    }

    /// Makes claimed versions pending again at once (a worker shutting down gracefully hands
    /// back what it will not evaluate), undoing the claim's count of attempts. Returns how many
    /// rows were released; a version no longer queued (completed, deleted, or replaced by a
    /// newer one, which may be another worker's claim now) is ignored.
    pub fn release(&mut self, versions: &[QueuedVersion]) -> Result<usize, StoreError> {
        let e = self.sqlite_err("cannot release queued traces");
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        let mut n = 0;
        {
            let mut release = tx
                .prepare_cached(
                    "UPDATE ingest_queue SET claimed_until = NULL, attempts = max(attempts - 1, 0) \
                     WHERE seq = ?1 AND generation = ?2 AND claimed_until IS NOT NULL",
                )
                .map_err(&e)?;
            for v in versions {
                n += release.execute([v.seq, v.generation]).map_err(&e)?;
            }
        }
        tx.commit().map_err(&e)?;
        Ok(n)
    }

    /// Makes every claimed row pending again, whatever its lease. For a process that is the
    /// only one working this store (the embedded service), at start: what a killed process
    /// had claimed is taken again at once rather than when its lease runs out. Returns how
    /// many rows were released.
    pub fn release_all_claims(&mut self) -> Result<usize, StoreError> {
        let e = self.sqlite_err("cannot release queued traces");
        self.conn
            .execute(
                "UPDATE ingest_queue SET claimed_until = NULL WHERE claimed_until IS NOT NULL",
                [],
            )
            .map_err(e)
    }

    /// Removes the queued traces `keys_or_ids` name, pending or claimed, in one transaction
    /// (a worker evaluating one writes nothing when it completes). Each names a record key or
    /// a trace id, resolved as [`delete_traces`](Self::delete_traces) resolves it. Returns how
    /// many rows were removed. Stored results are left as they are.
    pub fn dequeue_keys(&mut self, keys_or_ids: &[&str]) -> Result<usize, StoreError> {
        let e = self.sqlite_err("cannot remove queued traces");
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        let mut n = 0;
        for k in keys_or_ids {
            let key = resolve_key(&tx, k).map_err(&e)?;
            n += tx
                .execute("DELETE FROM ingest_queue WHERE key = ?1", [&key])
                .map_err(&e)?;
        }
        tx.commit().map_err(&e)?;
        Ok(n)
    }

    /// Deletes traces wherever they are, in one durable transaction: for each of
    /// `keys_or_ids`, its stored result (as [`Store::delete`](crate::Store::delete) deletes it:
    /// side tables and review task with it, the audit log kept) and its queued version, pending
    /// or claimed (a worker evaluating it writes nothing when it completes). Each names a
    /// record key or a trace id: the key itself if a stored result or a queued trace has it,
    /// else `id:<it>` (the precedence [`Store::get`](crate::Store::get) gives). Returns how many
    /// of them named a trace that was stored, queued or both (each counts once).
    pub fn delete_traces(&mut self, keys_or_ids: &[&str]) -> Result<usize, StoreError> {
        let e = self.sqlite_err("cannot delete traces");
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        let mut n = 0;
        for k in keys_or_ids {
            let key = resolve_key(&tx, k).map_err(&e)?;
            let results = tx
                .execute("DELETE FROM results WHERE key = ?1", [&key])
                .map_err(&e)?;
            let queued = tx
                .execute("DELETE FROM ingest_queue WHERE key = ?1", [&key])
                .map_err(&e)?;
            if results + queued > 0 {
                n += 1;
            }
        }
        tx.commit().map_err(&e)?;
        Ok(n)
    }

    /// How many traces wait, pending and claimed, and since when.
    pub fn queue_depth(&self) -> Result<QueueDepth, StoreError> {
        let now = now_ms();
        self.conn
            .prepare_cached(
                "SELECT \
                   coalesce(sum(claimed_until IS NULL OR claimed_until <= ?1), 0), \
                   coalesce(sum(claimed_until > ?1), 0), \
                   min(enqueued_at) \
                 FROM ingest_queue",
            )
            .and_then(|mut s| {
                s.query_row([now], |r| {
                    Ok(QueueDepth {
                        pending: r.get::<_, i64>(0)?.max(0) as u64,
                        claimed: r.get::<_, i64>(1)?.max(0) as u64,
                        oldest_enqueued_at_ms: r.get(2)?,
                    })
                })
            })
            .map_err(self.sqlite_err("cannot read the queue's depth"))
    }
}

/// Removes each version's row if it still holds exactly that version; for each, whether it
/// did.
fn remove_versions<V: Borrow<QueuedVersion>>(
    tx: &Transaction<'_>,
    versions: impl IntoIterator<Item = V>,
    e: &impl Fn(rusqlite::Error) -> StoreError,
) -> Result<Vec<bool>, StoreError> {
    let mut delete = tx
        .prepare_cached("DELETE FROM ingest_queue WHERE seq = ?1 AND generation = ?2")
        .map_err(e)?;
    versions
        .into_iter()
        .map(|v| {
            let v = v.borrow();
            Ok(delete.execute([v.seq, v.generation]).map_err(e)? == 1)
        })
        .collect()
}

/// The key a caller's key or trace id names: itself if a stored result or a queued trace has
/// it, else `id:<it>`.
fn resolve_key(tx: &Transaction<'_>, key_or_id: &str) -> rusqlite::Result<String> {
    let exact: bool = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM results WHERE key = ?1) \
             OR EXISTS (SELECT 1 FROM ingest_queue WHERE key = ?1)",
        )?
        .query_row([key_or_id], |r| r.get(0))?;
    Ok(if exact {
        key_or_id.to_owned()
    } else {
        format!("id:{key_or_id}")
    })
}
