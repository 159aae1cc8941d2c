//! The shared ingest queue of a scaled-out service: a Redis stream read by a consumer group.
//!
//! API processes add sanitised traces (`XADD … MAXLEN ~`); any number of workers read them
//! (`XREADGROUP`), store each result, and only then acknowledge and delete the entry (`XACK`,
//! `XDEL`, in one `MULTI`), so the stream's length is the backlog. An entry a worker took and
//! did not finish — the worker crashed, or its store was down — stays pending in the group; once
//! it has been idle for [`RedisQueueConfig::claim_idle`] another worker takes it over
//! (`XAUTOCLAIM`). An entry delivered [`RedisQueueConfig::max_deliveries`] times without a
//! result is moved, with its error, to the dead-letter stream. Delivery is at least once; the
//! stores' writes are upserts by key, so a redelivery never makes a second result.

use std::collections::HashMap;
use std::time::Duration;

use aegis_core::{Sanitized, Trace};
use redis::streams::{StreamAutoClaimReply, StreamId, StreamPendingCountReply, StreamReadReply};
use redis::{Commands, Value};

use crate::{OrgId, QueueEntry, StoreError};

/// Names and limits of a queue. The defaults suit one deployment per Redis database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisQueueConfig {
    /// The stream of traces waiting.
    pub stream: String,
    /// The workers' consumer group.
    pub group: String,
    /// The stream of traces given up on, with their errors.
    pub dead_letters: String,
    /// Ingest is refused (back-pressure) while the backlog is at least this long.
    pub max_backlog: u64,
    /// How long a taken entry may sit unfinished before another worker takes it over.
    pub claim_idle: Duration,
    /// Deliveries after which an entry that never got a result is a dead letter.
    pub max_deliveries: u64,
}

impl Default for RedisQueueConfig {
    fn default() -> Self {
        RedisQueueConfig {
            stream: "aegis:traces".to_owned(),
            group: "aegis-workers".to_owned(),
            dead_letters: "aegis:dead-letters".to_owned(),
            max_backlog: 1_000_000,
            claim_idle: Duration::from_secs(60),
            max_deliveries: 5,
        }
    }
}

/// A trace a worker took from the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct TakenTrace {
    /// The stream entry's id: what [`RedisQueue::finish`] takes.
    pub entry: String,
    /// The organisation it belongs to.
    pub org: OrgId,
    /// The key its result is stored under.
    pub key: String,
    /// The trace, as Tier 0 left it when it was accepted.
    pub trace: Sanitized<Trace>,
    /// How many times it has been delivered, this time included.
    pub deliveries: u64,
}

/// An entry that could not be read as a trace, or was given up on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeadLetter {
    /// Its id in the dead-letter stream.
    pub id: String,
    /// The organisation (empty if the entry named none).
    pub org: String,
    /// The key its result would have had.
    pub key: String,
    /// Why it was given up (never the trace's text).
    pub error: String,
    /// How many times it was delivered.
    pub deliveries: u64,
}

/// How long the queue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct RedisQueueDepth {
    /// Entries in the stream: accepted and not yet finished (waiting or being worked).
    pub backlog: u64,
    /// Of those, taken by a worker and not finished.
    pub pending: u64,
    /// Dead letters kept.
    pub dead_letters: u64,
    /// When the oldest entry in the stream was added, in milliseconds since the Unix epoch
    /// (from its id; `None` when the stream is empty).
    pub oldest_added_ms: Option<i64>,
}

/// Why traces were not queued.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The backlog is at its bound: send again later.
    #[error("the queue is full ({backlog} traces waiting); send again later")]
    Full {
        /// The backlog when refused.
        backlog: u64,
    },
    /// Redis could not be reached or refused.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A connection to the shared queue.
pub struct RedisQueue {
    conn: redis::Connection,
    target: String,
    config: RedisQueueConfig,
}

impl std::fmt::Debug for RedisQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisQueue")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

fn field(id: &StreamId, name: &str) -> Option<String> {
    match id.map.get(name)? {
        Value::BulkString(b) => String::from_utf8(b.clone()).ok(),
        Value::SimpleString(s) => Some(s.clone()),
        _ => None,
    }
}

impl RedisQueue {
    /// Connects to the Redis server at `url` (`redis://…`, or `rediss://…` for TLS, verified
    /// against the public web roots and the CA file `AEGIS_QUEUE_CA_FILE` names, if any) and
    /// makes sure the stream and its consumer group exist.
    pub fn connect(url: &str, config: RedisQueueConfig) -> Result<RedisQueue, StoreError> {
        let ca = std::env::var_os("AEGIS_QUEUE_CA_FILE").filter(|f| !f.is_empty());
        RedisQueue::connect_with_ca(url, config, ca.as_deref().map(std::path::Path::new))
    }

    /// [`connect`](Self::connect), with TLS (`rediss://`) verified against the PEM
    /// certificates of `ca_file` (a private CA's, a managed service's) besides the public roots.
    pub fn connect_with_ca(
        url: &str,
        config: RedisQueueConfig,
        ca_file: Option<&std::path::Path>,
    ) -> Result<RedisQueue, StoreError> {
        let target = crate::postgres::shown_url(url);
        let e = |what: &'static str| {
            let target = target.clone();
            move |err: redis::RedisError| StoreError::Redis {
                target,
                what,
                message: err.to_string(),
            }
        };
        let client = match ca_file {
            Some(file) if url.starts_with("rediss://") => {
                let root_cert = std::fs::read(file).map_err(|err| StoreError::Redis {
                    target: target.clone(),
                    what: "cannot read the CA file",
                    message: format!("{}: {err}", file.display()),
                })?;
                redis::Client::build_with_tls(
                    url,
                    redis::TlsCertificates {
                        client_tls: None,
                        root_cert: Some(root_cert),
                    },
                )
                .map_err(e("cannot set up TLS"))?
            }
            _ => redis::Client::open(url).map_err(e("cannot read the URL"))?,
        };
        let mut conn = client
            .get_connection_with_timeout(Duration::from_secs(5))
            .map_err(e("cannot connect"))?;
        let created: redis::RedisResult<()> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(&config.stream)
            .arg(&config.group)
            .arg("0")
            .arg("MKSTREAM")
            .query(&mut conn);
        match created {
            Ok(()) => {}
            Err(err) if err.code() == Some("BUSYGROUP") => {}
            Err(err) => return Err(e("cannot create the consumer group")(err)),
        }
        Ok(RedisQueue {
            conn,
            target,
            config,
        })
    }

    fn err(&self, what: &'static str) -> impl Fn(redis::RedisError) -> StoreError + '_ {
        move |err| StoreError::Redis {
            target: self.target.clone(),
            what,
            message: err.to_string(),
        }
    }

    /// The queue's names and limits.
    pub fn config(&self) -> &RedisQueueConfig {
        &self.config
    }

    /// Adds `entries` of `org` in one round trip (all or, on an error, possibly some: each
    /// added entry is durable as Redis's append-only file is, and a repeat is harmless), unless
    /// the backlog is at its bound.
    pub fn push(&mut self, org: &OrgId, entries: &[QueueEntry]) -> Result<(), PushError> {
        let backlog: u64 = self
            .conn
            .xlen(&self.config.stream)
            .map_err(self.err("cannot read the backlog"))?;
        if backlog >= self.config.max_backlog {
            return Err(PushError::Full { backlog });
        }
        // Trimming is a safety net far above the bound: back-pressure keeps the backlog below
        // it, and finished entries are deleted, so it never removes an unfinished one.
        let cap = self.config.max_backlog.saturating_mul(2).max(1_000);
        let mut pipe = redis::pipe();
        for entry in entries {
            pipe.cmd("XADD")
                .arg(&self.config.stream)
                .arg("MAXLEN")
                .arg("~")
                .arg(cap)
                .arg("*")
                .arg("org")
                .arg(org.as_str())
                .arg("key")
                .arg(entry.key())
                .arg("trace")
                .arg(entry.json())
                .ignore();
        }
        let () = pipe
            .query(&mut self.conn)
            .map_err(self.err("cannot add traces"))?;
        Ok(())
    }

    /// Takes up to `count` traces for `consumer`: first entries other workers left unfinished
    /// past [`RedisQueueConfig::claim_idle`], then new ones, waiting up to `block` for any.
    /// Entries delivered too often without a result, and entries that are not traces, are moved
    /// to the dead letters on the way.
    pub fn take(
        &mut self,
        consumer: &str,
        count: usize,
        block: Duration,
    ) -> Result<Vec<TakenTrace>, StoreError> {
        let count = count.max(1);
        let idle = u64::try_from(self.config.claim_idle.as_millis()).unwrap_or(u64::MAX);
        let claimed: StreamAutoClaimReply = redis::cmd("XAUTOCLAIM")
            .arg(&self.config.stream)
            .arg(&self.config.group)
            .arg(consumer)
            .arg(idle)
            .arg("0-0")
            .arg("COUNT")
            .arg(count)
            .query(&mut self.conn)
            .map_err(self.err("cannot take over unfinished traces"))?;
        let mut ids = claimed.claimed;
        let mut fresh = false;
        if ids.is_empty() {
            let block_ms = u64::try_from(block.as_millis()).unwrap_or(u64::MAX);
            let read: Option<StreamReadReply> = redis::cmd("XREADGROUP")
                .arg("GROUP")
                .arg(&self.config.group)
                .arg(consumer)
                .arg("COUNT")
                .arg(count)
                .arg("BLOCK")
                .arg(block_ms)
                .arg("STREAMS")
                .arg(&self.config.stream)
                .arg(">")
                .query(&mut self.conn)
                .map_err(self.err("cannot read traces"))?;
            ids = read
                .map(|r| r.keys.into_iter().flat_map(|k| k.ids).collect())
                .unwrap_or_default();
            fresh = true;
        }
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // How often each was delivered: 1 for a new entry; for one taken over, the group's
        // count (XAUTOCLAIM has just added this delivery).
        let deliveries: HashMap<String, u64> = if fresh {
            HashMap::new()
        } else {
            let first = ids.first().map(|i| i.id.clone()).unwrap_or_default();
            let last = ids.last().map(|i| i.id.clone()).unwrap_or_default();
            let pending: StreamPendingCountReply = redis::cmd("XPENDING")
                .arg(&self.config.stream)
                .arg(&self.config.group)
                .arg(&first)
                .arg(&last)
                .arg(ids.len())
                .query(&mut self.conn)
                .map_err(self.err("cannot read delivery counts"))?;
            pending
                .ids
                .into_iter()
                .map(|p| (p.id, u64::try_from(p.times_delivered).unwrap_or(u64::MAX)))
                .collect()
        };
        let mut taken = Vec::with_capacity(ids.len());
        for id in ids {
            let deliveries = deliveries.get(&id.id).copied().unwrap_or(1);
            let org = field(&id, "org").unwrap_or_default();
            let key = field(&id, "key").unwrap_or_default();
            let trace = field(&id, "trace").and_then(|j| serde_json::from_str::<Trace>(&j).ok());
            let (Ok(org_id), Some(trace)) = (OrgId::parse(&org), trace) else {
                self.bury(
                    &id.id,
                    &org,
                    &key,
                    "the entry is not a queued trace",
                    deliveries,
                )?;
                continue;
            };
            if deliveries > self.config.max_deliveries {
                self.bury(
                    &id.id,
                    &org,
                    &key,
                    &format!(
                        "delivered {deliveries} times without a result (each worker that took it \
                         stopped or failed before storing one)"
                    ),
                    deliveries,
                )?;
                continue;
            }
            taken.push(TakenTrace {
                entry: id.id,
                org: org_id,
                key,
                trace: crate::kept_trace(trace),
                deliveries,
            });
        }
        Ok(taken)
    }

    /// Acknowledges and deletes entries whose results are stored: they are done.
    pub fn finish(&mut self, entries: &[&str]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let () = redis::pipe()
            .atomic()
            .cmd("XACK")
            .arg(&self.config.stream)
            .arg(&self.config.group)
            .arg(entries)
            .ignore()
            .cmd("XDEL")
            .arg(&self.config.stream)
            .arg(entries)
            .ignore()
            .query(&mut self.conn)
            .map_err(self.err("cannot finish traces"))?;
        Ok(())
    }

    /// Keeps `entries` taken by `consumer` from being taken over while it still works on them
    /// (its store is down and it waits to write their results): their idle time starts again
    /// (`XCLAIM … JUSTID`, which counts no delivery).
    pub fn hold(&mut self, consumer: &str, entries: &[&str]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let _: Vec<String> = redis::cmd("XCLAIM")
            .arg(&self.config.stream)
            .arg(&self.config.group)
            .arg(consumer)
            .arg(0)
            .arg(entries)
            .arg("JUSTID")
            .query(&mut self.conn)
            .map_err(self.err("cannot hold traces"))?;
        Ok(())
    }

    /// Gives up on a taken trace whose evaluation or storing failed with `error` if it has
    /// been delivered as often as allowed (it becomes a dead letter); otherwise leaves it
    /// pending, for a worker to take over once it is idle. Returns whether it was given up.
    pub fn failed(&mut self, taken: &TakenTrace, error: &str) -> Result<bool, StoreError> {
        if taken.deliveries < self.config.max_deliveries {
            return Ok(false);
        }
        self.bury(
            &taken.entry,
            taken.org.as_str(),
            &taken.key,
            error,
            taken.deliveries,
        )?;
        Ok(true)
    }

    /// Moves an entry to the dead letters (with what went wrong, not its text) and finishes it.
    fn bury(
        &mut self,
        entry: &str,
        org: &str,
        key: &str,
        error: &str,
        deliveries: u64,
    ) -> Result<(), StoreError> {
        tracing::warn!(
            org,
            key,
            deliveries,
            error,
            "a queued trace is a dead letter"
        );
        let () = redis::pipe()
            .atomic()
            .cmd("XADD")
            .arg(&self.config.dead_letters)
            .arg("MAXLEN")
            .arg("~")
            .arg(100_000)
            .arg("*")
            .arg("org")
            .arg(org)
            .arg("key")
            .arg(key)
            .arg("error")
            .arg(error)
            .arg("deliveries")
            .arg(deliveries)
            .arg("entry")
            .arg(entry)
            .ignore()
            .cmd("XACK")
            .arg(&self.config.stream)
            .arg(&self.config.group)
            .arg(entry)
            .ignore()
            .cmd("XDEL")
            .arg(&self.config.stream)
            .arg(entry)
            .ignore()
            .query(&mut self.conn)
            .map_err(self.err("cannot move a trace to the dead letters"))?;
        Ok(())
    }

    /// The newest dead letters of `org` (of every organisation with `None`), newest first.
    pub fn dead_letters(
        &mut self,
        org: Option<&OrgId>,
        limit: usize,
    ) -> Result<Vec<DeadLetter>, StoreError> {
        // Newest first, a page at a time, until `limit` of `org`'s are found or the stream ends
        // (rather than the whole stream read for each call).
        const PAGE: usize = 1_000;
        let mut found = Vec::new();
        let mut end = "+".to_owned();
        while found.len() < limit {
            let page: redis::streams::StreamRangeReply = self
                .conn
                .xrevrange_count(&self.config.dead_letters, &end, "-", PAGE)
                .map_err(self.err("cannot read the dead letters"))?;
            let n = page.ids.len();
            for id in &page.ids {
                let letter = DeadLetter {
                    id: id.id.clone(),
                    org: field(id, "org").unwrap_or_default(),
                    key: field(id, "key").unwrap_or_default(),
                    error: field(id, "error").unwrap_or_default(),
                    deliveries: field(id, "deliveries")
                        .and_then(|d| d.parse().ok())
                        .unwrap_or(0),
                };
                if org.is_none_or(|o| letter.org == o.as_str()) && found.len() < limit {
                    found.push(letter);
                }
            }
            match page.ids.last() {
                // The next page ends just before this one's oldest (an exclusive bound).
                Some(last) if n == PAGE => end = format!("({}", last.id),
                _ => break,
            }
        }
        Ok(found)
    }

    /// How long the queue is.
    pub fn depth(&mut self) -> Result<RedisQueueDepth, StoreError> {
        let (backlog, dead_letters): (u64, u64) = redis::pipe()
            .xlen(&self.config.stream)
            .xlen(&self.config.dead_letters)
            .query(&mut self.conn)
            .map_err(self.err("cannot read the queue's length"))?;
        let summary: Value = redis::cmd("XPENDING")
            .arg(&self.config.stream)
            .arg(&self.config.group)
            .query(&mut self.conn)
            .map_err(self.err("cannot read the pending entries"))?;
        let pending = match summary {
            Value::Array(items) => match items.first() {
                Some(Value::Int(n)) => u64::try_from(*n).unwrap_or(0),
                _ => 0,
            },
            _ => 0,
        };
        // Finished entries are deleted, so the first entry is the oldest not finished; its id
        // starts with the time it was added.
        let first: Value = redis::cmd("XRANGE")
            .arg(&self.config.stream)
            .arg("-")
            .arg("+")
            .arg("COUNT")
            .arg(1)
            .query(&mut self.conn)
            .map_err(self.err("cannot read the oldest entry"))?;
        Ok(RedisQueueDepth {
            backlog,
            pending,
            dead_letters,
            oldest_added_ms: first_entry_ms(&first),
        })
    }
}

/// The time in an `XRANGE` reply's first entry id (`<ms>-<seq>`).
fn first_entry_ms(reply: &Value) -> Option<i64> {
    let Value::Array(entries) = reply else {
        return None;
    };
    let Some(Value::Array(entry)) = entries.first() else {
        return None;
    };
    let id = match entry.first()? {
        Value::BulkString(b) => std::str::from_utf8(b).ok()?,
        Value::SimpleString(s) => s.as_str(),
        _ => return None,
    };
    id.split('-').next()?.parse().ok()
}
