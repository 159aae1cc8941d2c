//! A scaled-out service on engines its users already run: the ingest queue is a Redis stream
//! read by a consumer group ([`aegis_store::redis_queue`]), results live in PostgreSQL, one
//! schema per organisation ([`org_schema`]). Any number of API processes (`aegis-eval serve
//! --queue redis://… --store postgres://…`) add sanitised traces; any number of workers
//! ([`SharedWorker`], `aegis-eval worker`) evaluate them.
//!
//! Delivery is at least once: a worker acknowledges an entry only after its result is
//! committed, and a worker that dies leaves its entries pending for another to take over. The
//! result is exactly one per trace: a store write is an upsert by the trace's key, so a
//! redelivered trace replaces its result with the same one rather than adding a second.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aegis_core::Domain;
use aegis_store::redis_queue::{RedisQueue, RedisQueueConfig, TakenTrace};
use aegis_store::{OrgId, PostgresStore, Store, StoreError, StoredRecord};

use crate::AppError;
use crate::pipeline::{Pipeline, TierOptions};

/// Where a scaled-out service keeps its queue and its results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedConfig {
    /// The Redis server (`redis://…`, `rediss://…`).
    pub queue_url: String,
    /// The stream, group and limits.
    pub queue: RedisQueueConfig,
    /// The PostgreSQL database (`postgres://…`).
    pub store_url: String,
}

/// Whether `s` names a PostgreSQL database rather than a file.
pub fn is_postgres_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// The PostgreSQL schema holding an organisation's results: its id, which starts with `org_`
/// (or `org_` and its id, for an id given that does not).
pub fn org_schema(org: &OrgId) -> String {
    let id = org.as_str();
    if id.starts_with("org_") {
        id.to_owned()
    } else {
        format!("org_{id}")
    }
}

/// A worker's name in the consumer group, unique per process: the host's name and the
/// process id.
pub fn consumer_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "worker".to_owned());
    format!("{host}-{}", std::process::id())
}

/// Connects to the shared queue, trying again with backoff (100 ms doubling to 2 s) for up to
/// `patience` while Redis cannot be reached or is still loading its data.
pub fn connect_queue(config: &SharedConfig, patience: Duration) -> Result<RedisQueue, AppError> {
    let started = Instant::now();
    let mut backoff = Duration::from_millis(100);
    loop {
        match RedisQueue::connect(&config.queue_url, config.queue.clone()) {
            Ok(q) => return Ok(q),
            Err(e) if started.elapsed() + backoff < patience => {
                tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "the queue cannot be reached yet");
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(Duration::from_secs(2));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Opens an organisation's results in the shared database.
pub fn open_org_store(store_url: &str, org: &OrgId) -> Result<PostgresStore, AppError> {
    Ok(PostgresStore::open(store_url, &org_schema(org))?)
}

/// What one pass of a worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SharedWork {
    /// Traces evaluated and stored (and so finished).
    pub stored: usize,
    /// Traces whose result could not be stored: left pending, to be tried again.
    pub failed: usize,
    /// Traces given up on: moved to the dead letters.
    pub dead: usize,
}

/// A worker of a scaled-out service: takes traces from the shared queue, evaluates them,
/// stores each result in its organisation's schema, and only then finishes the entry.
pub struct SharedWorker {
    config: SharedConfig,
    consumer: String,
    queue: Option<RedisQueue>,
    stores: HashMap<OrgId, PostgresStore>,
    domains: Vec<&'static dyn Domain>,
    pipeline: Arc<Pipeline>,
    time_budget: Duration,
    batch: usize,
    /// Set by [`run`](Self::run)'s caller to stop: a worker waiting for its store gives up.
    stop: Option<Arc<std::sync::atomic::AtomicBool>>,
}

impl std::fmt::Debug for SharedWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedWorker")
            .field("consumer", &self.consumer)
            .finish_non_exhaustive()
    }
}

impl SharedWorker {
    /// A worker named `consumer` (unique among the group's workers: a host and process id
    /// does) with Tiers 1 to 4 as `tiers` sets them up. Tier 0 ran when each trace was
    /// accepted; the worker needs no organisation's key.
    pub fn new(
        config: SharedConfig,
        consumer: String,
        domains: &[&'static dyn Domain],
        tiers: &TierOptions,
        time_budget: Duration,
        batch: usize,
    ) -> Result<SharedWorker, AppError> {
        let pipeline = Pipeline::build(domains, None, tiers)?
            .with_review_queue(Box::new(aegis_store::StoreReviewQueue));
        Ok(SharedWorker {
            config,
            consumer,
            queue: None,
            stores: HashMap::new(),
            domains: domains.to_vec(),
            pipeline: Arc::new(pipeline),
            time_budget,
            batch: batch.max(1),
            stop: None,
        })
    }

    /// `n` workers (at least one) named `<host>-<pid>-<i>` ([`consumer_name`]), sharing one set
    /// of tiers: models are loaded once, whatever the number of worker threads.
    pub fn team(
        config: SharedConfig,
        domains: &[&'static dyn Domain],
        tiers: &TierOptions,
        time_budget: Duration,
        batch: usize,
        n: usize,
    ) -> Result<Vec<SharedWorker>, AppError> {
        let host = consumer_name();
        let first = SharedWorker::new(
            config,
            format!("{host}-0"),
            domains,
            tiers,
            time_budget,
            batch,
        )?;
        let mut team: Vec<_> = (1..n)
            .map(|i| first.sibling(format!("{host}-{i}")))
            .collect();
        team.insert(0, first);
        Ok(team)
    }

    /// Another worker of the same queue and store, named `consumer`, sharing this one's tiers.
    fn sibling(&self, consumer: String) -> SharedWorker {
        SharedWorker {
            config: self.config.clone(),
            consumer,
            queue: None,
            stores: HashMap::new(),
            domains: self.domains.clone(),
            pipeline: Arc::clone(&self.pipeline),
            time_budget: self.time_budget,
            batch: self.batch,
            stop: None,
        }
    }

    /// The worker's name in the consumer group.
    pub fn consumer(&self) -> &str {
        &self.consumer
    }

    fn queue(&mut self) -> Result<&mut RedisQueue, AppError> {
        if self.queue.is_none() {
            self.queue = Some(RedisQueue::connect(
                &self.config.queue_url,
                self.config.queue.clone(),
            )?);
        }
        self.queue
            .as_mut()
            .ok_or_else(|| AppError::Store("the queue is not connected".to_owned()))
    }

    /// Takes up to a batch of traces (waiting up to `block` for one), evaluates them, stores
    /// the results organisation by organisation and finishes what was stored. A connection
    /// that fails is dropped, to be made again on the next pass; what was taken and not
    /// stored stays pending in the group.
    pub fn work_once(&mut self, block: Duration) -> Result<SharedWork, AppError> {
        let consumer = self.consumer.clone();
        let batch = self.batch;
        let taken = match self.queue()?.take(&consumer, batch, block) {
            Ok(t) => t,
            Err(e) => {
                self.queue = None;
                return Err(e.into());
            }
        };
        let mut work = SharedWork::default();
        if taken.is_empty() {
            return Ok(work);
        }
        let traces = taken.iter().map(|t| t.trace.clone()).collect();
        let results = crate::service::evaluate_queued(
            &self.pipeline,
            &self.domains,
            self.time_budget,
            traces,
        );
        let mut by_org: Vec<(OrgId, Vec<(TakenTrace, StoredRecord)>)> = Vec::new();
        for (t, result) in taken.into_iter().zip(results) {
            let record = crate::service::record_of(&self.domains, &t.key, result, &t.trace);
            match by_org.iter_mut().find(|(o, _)| *o == t.org) {
                Some((_, items)) => items.push((t, record)),
                None => by_org.push((t.org.clone(), vec![(t, record)])),
            }
        }
        for (org, items) in by_org {
            let records: Vec<StoredRecord> = items.iter().map(|(_, r)| r.clone()).collect();
            let ids: Vec<&str> = items.iter().map(|(t, _)| t.entry.as_str()).collect();
            match self.store_while_unavailable(&org, &records, &ids) {
                Ok(()) => {
                    self.finish(&ids)?;
                    work.stored += items.len();
                }
                Err(e) if e.is_unavailable() => {
                    // Stopping while the store is down: the batch stays pending, for a
                    // worker to take over.
                    return Err(e.into());
                }
                Err(batch_error) => {
                    tracing::warn!(org = %org, error = %batch_error, "the store refused a batch; storing its traces one by one");
                    // One by one: a trace the store refuses must not hold back the others.
                    for (t, record) in items {
                        match self.store_while_unavailable(
                            &org,
                            std::slice::from_ref(&record),
                            &[t.entry.as_str()],
                        ) {
                            Ok(()) => {
                                self.finish(&[t.entry.as_str()])?;
                                work.stored += 1;
                            }
                            Err(e) if e.is_unavailable() => return Err(e.into()),
                            Err(e) => {
                                let buried = match self.queue()?.failed(&t, &e.to_string()) {
                                    Ok(b) => b,
                                    Err(e) => {
                                        self.queue = None;
                                        return Err(e.into());
                                    }
                                };
                                if buried {
                                    work.dead += 1;
                                } else {
                                    work.failed += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        Ok(work)
    }

    /// Writes `records` to `org`'s schema; while the database cannot be reached, tries again
    /// with backoff (100 ms doubling to 5 s), holding the entries so that no other worker takes
    /// them over meanwhile, until it can or the worker is told to stop. A write the database
    /// refuses is returned at once.
    fn store_while_unavailable(
        &mut self,
        org: &OrgId,
        records: &[StoredRecord],
        entries: &[&str],
    ) -> Result<(), StoreError> {
        let mut backoff = Duration::from_millis(100);
        loop {
            match self.store(org, records) {
                Err(e) if e.is_unavailable() && !self.stopping() => {
                    tracing::warn!(org = %org, error = %e, retry_in_ms = backoff.as_millis() as u64, "the store cannot be reached; holding the batch");
                    std::thread::sleep(backoff);
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    let consumer = self.consumer.clone();
                    if let Ok(q) = self.queue()
                        && q.hold(&consumer, entries).is_err()
                    {
                        self.queue = None;
                    }
                }
                other => return other,
            }
        }
    }

    fn stopping(&self) -> bool {
        self.stop
            .as_ref()
            .is_some_and(|s| s.load(std::sync::atomic::Ordering::SeqCst))
    }

    fn finish(&mut self, ids: &[&str]) -> Result<(), AppError> {
        let done = self.queue()?.finish(ids);
        if done.is_err() {
            self.queue = None;
        }
        Ok(done?)
    }

    /// Writes `records` to `org`'s schema, connecting first if needed; a failed write drops
    /// the connection (the next write makes a new one).
    fn store(&mut self, org: &OrgId, records: &[StoredRecord]) -> Result<(), StoreError> {
        let store = match self.stores.entry(org.clone()) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(PostgresStore::open(
                &self.config.store_url,
                &org_schema(org),
            )?),
        };
        let written = store.write(records);
        if written.is_err() {
            self.stores.remove(org);
        }
        written
    }

    /// Works until `stop` is set: a pass after another, each waiting up to a second for
    /// traces; after an error (Redis or PostgreSQL down), waits with exponential backoff —
    /// 100 ms doubling to 10 s — and tries again. `progress` sees each pass that did
    /// something.
    pub fn run(
        &mut self,
        stop: &Arc<std::sync::atomic::AtomicBool>,
        mut progress: impl FnMut(&SharedWork),
    ) {
        self.stop = Some(Arc::clone(stop));
        let mut backoff = Duration::from_millis(100);
        while !stop.load(std::sync::atomic::Ordering::SeqCst) {
            match self.work_once(Duration::from_secs(1)) {
                Ok(work) => {
                    backoff = Duration::from_millis(100);
                    if work != SharedWork::default() {
                        progress(&work);
                    }
                }
                Err(e) => {
                    tracing::warn!(worker = %self.consumer, error = %e, retry_in_ms = backoff.as_millis() as u64, "the worker cannot go on; trying again");
                    let until = Instant::now() + backoff;
                    while Instant::now() < until && !stop.load(std::sync::atomic::Ordering::SeqCst)
                    {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
            }
        }
    }
}
