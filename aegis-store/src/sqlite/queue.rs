//! The durable ingest queue: sanitised traces a service accepted, waiting for a worker to
//! evaluate them. A worker claims the oldest pending rows for a lease, evaluates them, and
//! [`complete`](SqliteStore::complete)s them: their results are written and their rows removed
//! in one transaction, so after a crash either both happened or neither (and a claim whose
//! lease ran out is pending again).

use std::time::Duration;

use aegis_core::{EvaluationResult, Sanitized, Trace};
use rusqlite::{TransactionBehavior, params};

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

/// A queued trace a worker claimed.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedTrace {
    /// Its place in the queue: what [`SqliteStore::complete`] and [`SqliteStore::release`]
    /// take.
    pub seq: i64,
    /// The key its result is to be stored under.
    pub key: String,
    /// The trace, as it was queued (it went through Tier 0 before it was queued).
    pub trace: Sanitized<Trace>,
    /// When it was queued (ms since the epoch).
    pub enqueued_at_ms: i64,
    /// How many times it has been claimed, this claim included (a trace claimed again and
    /// again may be what stops its workers).
    pub attempts: u32,
}

/// How many traces wait in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct QueueDepth {
    /// Waiting for a worker: never claimed, released, or claimed under a lease that ran out.
    pub pending: u64,
    /// Claimed by a worker whose lease still runs.
    pub claimed: u64,
    /// When the oldest row, pending or claimed, was queued (ms since the epoch); `None` when
    /// the queue is empty.
    pub oldest_enqueued_at_ms: Option<i64>,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl SqliteStore {
    fn sqlite_err(&self, what: &'static str) -> impl Fn(rusqlite::Error) -> StoreError + use<> {
        let path = self.path.display().to_string();
        move |source| StoreError::Sqlite {
            path: path.clone(),
            what,
            source,
        }
    }

    /// Queues sanitised traces, each under the key its result will have, in one durable
    /// transaction (it returns once committed). For each item, `true` if it was queued now,
    /// `false` if a trace with that key was already waiting (queued, or claimed and not yet
    /// completed): that row stays as it was, and is not queued again. A key that already has
    /// a stored result is queued: its new result will replace the old.
    ///
    /// (Not `enqueue`: that is [`Store::enqueue`](crate::Store::enqueue), Tier 4's queue.)
    pub fn enqueue_traces(
        &mut self,
        items: &[(String, &Sanitized<Trace>)],
    ) -> Result<Vec<bool>, StoreError> {
        let e = self.sqlite_err("cannot queue traces");
        let path = self.path.display().to_string();
        let encoded = items
            .iter()
            .map(|(key, trace)| {
                serde_json::to_string(&***trace)
                    .map(|json| (key.as_str(), json))
                    .map_err(|_| StoreError::Unencodable {
                        path: path.clone(),
                        what: "a trace to queue",
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let now = now_ms();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        let mut queued = Vec::with_capacity(encoded.len());
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO ingest_queue (key, trace, enqueued_at) VALUES (?1, ?2, ?3) \
                     ON CONFLICT(key) DO NOTHING",
                )
                .map_err(&e)?;
            for (key, json) in &encoded {
                queued.push(insert.execute(params![key, json, now]).map_err(&e)? == 1);
            }
        }
        tx.commit().map_err(&e)?;
        Ok(queued)
    }

    /// Claims up to `limit` of the oldest pending traces (never claimed, released, or whose
    /// lease ran out) for `lease`: each is marked claimed until now + `lease` and its attempts
    /// counted, in one transaction, so two workers never claim the same row under a live
    /// lease. A worker that neither completes nor releases a row in time loses it to the next
    /// claim.
    ///
    /// A row whose trace no longer reads back (the file was altered, or a trace queued by an
    /// older Aegis is refused by this one) must not block the queue, and its trace must not be
    /// silently lost: it is not returned; an `error` result saying so is stored under its key
    /// and the row removed, in the same transaction, and a warning names its `seq` (nothing of
    /// its content).
    pub fn claim(&mut self, limit: usize, lease: Duration) -> Result<Vec<QueuedTrace>, StoreError> {
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
        let rows: Vec<(i64, String, String, i64, i64)> = {
            let mut select = tx
                .prepare_cached(
                    "SELECT seq, key, trace, enqueued_at, attempts FROM ingest_queue \
                     WHERE claimed_until IS NULL OR claimed_until <= ?1 ORDER BY seq LIMIT ?2",
                )
                .map_err(&e)?;
            select
                .query_map(
                    params![now, i64::try_from(limit).unwrap_or(i64::MAX)],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
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
            for (seq, key, json, enqueued_at_ms, attempts) in rows {
                match serde_json::from_str::<Trace>(&json) {
                    Ok(trace) => {
                        mark.execute(params![seq, until]).map_err(&e)?;
                        claimed.push(QueuedTrace {
                            seq,
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

    /// Writes `records` exactly as [`Store::write`](crate::Store::write) does (upserts by key,
    /// side tables, audit log, Tier 4's queue) and removes the queue rows `done` (by
    /// [`QueuedTrace::seq`]), in one durable transaction: after a crash either both happened or
    /// neither. A `seq` no longer queued (completed by a worker that claimed it after this
    /// one's lease ran out) is ignored: its result was written twice, under the same key.
    pub fn complete(&mut self, records: &[StoredRecord], done: &[i64]) -> Result<(), StoreError> {
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
        let new_ids = write_records(&tx, provenance_ids, records, &path)?;
        {
            let mut delete = tx
                .prepare_cached("DELETE FROM ingest_queue WHERE seq = ?1")
                .map_err(&e)?;
            for seq in done {
                delete.execute([seq]).map_err(&e)?;
            }
        }
        tx.commit().map_err(&e)?;
        provenance_ids.extend(new_ids);
        Ok(())
    }

    /// Makes claimed rows pending again at once (a worker shutting down gracefully hands back
    /// what it will not evaluate), undoing the claim's count of attempts. Returns how many rows
    /// were released; a `seq` no longer queued is ignored.
    pub fn release(&mut self, seqs: &[i64]) -> Result<usize, StoreError> {
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
                     WHERE seq = ?1 AND claimed_until IS NOT NULL",
                )
                .map_err(&e)?;
            for seq in seqs {
                n += release.execute([seq]).map_err(&e)?;
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
