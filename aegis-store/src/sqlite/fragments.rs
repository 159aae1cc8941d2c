//! Parts of traces that arrive span by span (OpenTelemetry): each part sanitised and kept
//! until the trace's root span arrives or the trace has been quiet long enough, then queued
//! as one trace ([`SqliteStore::enqueue_assembled`]).

use aegis_core::{Sanitized, Trace};
use rusqlite::{OptionalExtension, params};

use super::SqliteStore;
use super::queue::now_ms;
use crate::StoreError;

/// 9: the fragments. `key` is the record key the assembled trace will have; `fragment` a
/// sanitised partial trace as JSON (its steps and what they say of the trace; its
/// `metadata.domain` names the domain that will evaluate it).
pub(super) const MIGRATION: &str = r#"
    CREATE TABLE otlp_fragments (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        key            TEXT NOT NULL,
        received_at    INTEGER NOT NULL,
        fragment       TEXT NOT NULL
    );
    CREATE INDEX otlp_fragments_key ON otlp_fragments(key);
"#;

impl SqliteStore {
    /// Keeps sanitised partial traces, each under the key its trace will have, in one durable
    /// transaction.
    pub fn add_fragments(
        &mut self,
        items: &[(String, &Sanitized<Trace>)],
    ) -> Result<(), StoreError> {
        let e = self.sqlite_err("cannot keep trace fragments");
        let path = self.path.display().to_string();
        let now = now_ms();
        let tx = self.conn.transaction().map_err(&e)?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO otlp_fragments (key, received_at, fragment) VALUES (?1, ?2, ?3)",
                )
                .map_err(&e)?;
            for (key, trace) in items {
                let json =
                    serde_json::to_string(&***trace).map_err(|_| StoreError::Unencodable {
                        path: path.clone(),
                        what: "a trace fragment",
                    })?;
                insert.execute(params![key, now, json]).map_err(&e)?;
            }
        }
        tx.commit().map_err(&e)
    }

    /// The fragments kept under `key`, oldest first.
    pub fn fragments(&self, key: &str) -> Result<Vec<Sanitized<Trace>>, StoreError> {
        let e = self.sqlite_err("cannot read trace fragments");
        let mut stmt = self
            .conn
            .prepare_cached("SELECT fragment FROM otlp_fragments WHERE key = ?1 ORDER BY seq")
            .map_err(&e)?;
        let rows = stmt
            .query_map([key], |r| r.get::<_, String>(0))
            .map_err(&e)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(&e)?;
        Ok(rows
            .iter()
            .filter_map(|json| serde_json::from_str::<Trace>(json).ok())
            .map(crate::kept_trace)
            .collect())
    }

    /// Keys whose last fragment arrived before `before_ms` (ms since the epoch), oldest first:
    /// traces whose root span has not come and that have been quiet since.
    pub fn quiet_fragments(&self, before_ms: i64, limit: usize) -> Result<Vec<String>, StoreError> {
        let e = self.sqlite_err("cannot read trace fragments");
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT key FROM otlp_fragments GROUP BY key HAVING max(received_at) < ?1 \
                 ORDER BY min(seq) LIMIT ?2",
            )
            .map_err(&e)?;
        stmt.query_map(params![before_ms, limit as i64], |r| r.get(0))
            .map_err(&e)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(&e)
    }

    /// Drops the fragments kept under `key` (a trace that cannot be assembled).
    pub fn drop_fragments(&mut self, key: &str) -> Result<usize, StoreError> {
        self.conn
            .execute("DELETE FROM otlp_fragments WHERE key = ?1", [key])
            .map_err(self.sqlite_err("cannot drop trace fragments"))
    }

    /// Whether `key` has a result or waits in the queue: a trace already assembled.
    pub fn has_key(&self, key: &str) -> Result<bool, StoreError> {
        let e = self.sqlite_err("cannot read the store");
        let found: Option<i64> = self
            .conn
            .query_row(
                "SELECT 1 FROM results WHERE key = ?1 UNION ALL SELECT 1 FROM ingest_queue WHERE key = ?1 LIMIT 1",
                [key],
                |r| r.get(0),
            )
            .optional()
            .map_err(&e)?;
        Ok(found.is_some())
    }
}
