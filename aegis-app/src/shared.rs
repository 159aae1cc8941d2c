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

/// How often an idle team of workers asks the store whether it answers (their readiness).
const STORE_CHECK_EVERY: Duration = Duration::from_secs(10);

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
    /// Told of every result stored (metrics, a live feed).
    observer: Option<Arc<dyn crate::service::Observer>>,
    /// When this worker last reached both the queue and the store.
    health: WorkerHealth,
}

/// Whether a team of workers can do its work: when each last finished a pass without an
/// error (reaching the queue and, if it had traces, the store). Shared by the team's workers
/// and whatever reports on them (`/readyz`).
#[derive(Debug, Clone, Default)]
pub struct WorkerHealth {
    /// Milliseconds since the Unix epoch of the last pass without an error (0: none yet).
    last_ok_ms: Arc<std::sync::atomic::AtomicI64>,
    /// Milliseconds since the Unix epoch of the last pass that failed (0: none yet).
    last_error_ms: Arc<std::sync::atomic::AtomicI64>,
    /// When a worker of the team last asked the store whether it answers, while idle.
    last_store_check_ms: Arc<std::sync::atomic::AtomicI64>,
}

impl WorkerHealth {
    fn now_ms() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64)
    }

    fn passed(&self) {
        self.last_ok_ms
            .store(Self::now_ms(), std::sync::atomic::Ordering::Relaxed);
    }

    fn failed(&self) {
        self.last_error_ms
            .store(Self::now_ms(), std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether an idle worker should ask the store whether it answers: none of the team has in
    /// the last `every`. Claims the check for the caller.
    fn store_check_due(&self, every: Duration) -> bool {
        let now = Self::now_ms();
        let last = self
            .last_store_check_ms
            .load(std::sync::atomic::Ordering::Relaxed);
        now - last >= every.as_millis() as i64
            && self
                .last_store_check_ms
                .compare_exchange(
                    last,
                    now,
                    std::sync::atomic::Ordering::Relaxed,
                    std::sync::atomic::Ordering::Relaxed,
                )
                .is_ok()
    }

    /// Whether the team is working: some pass has succeeded, and none failed since.
    pub fn is_working(&self) -> bool {
        let ok = self.last_ok_ms.load(std::sync::atomic::Ordering::Relaxed);
        ok > 0
            && ok
                >= self
                    .last_error_ms
                    .load(std::sync::atomic::Ordering::Relaxed)
    }
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
            observer: None,
            health: WorkerHealth::default(),
        })
    }

    /// Tells `observer` of every result this worker stores (and of each batch written).
    pub fn with_observer(mut self, observer: Arc<dyn crate::service::Observer>) -> SharedWorker {
        self.observer = Some(observer);
        self
    }

    /// The health this worker and its siblings report to.
    pub fn health(&self) -> WorkerHealth {
        self.health.clone()
    }

    /// `n` workers (at least one) named `<host>-<pid>-<i>` ([`consumer_name`]), sharing one set
    /// of tiers (models are loaded once, whatever the number of worker threads), one
    /// [`WorkerHealth`] and `observer`.
    pub fn team(
        config: SharedConfig,
        domains: &[&'static dyn Domain],
        tiers: &TierOptions,
        time_budget: Duration,
        batch: usize,
        n: usize,
        observer: Option<Arc<dyn crate::service::Observer>>,
    ) -> Result<Vec<SharedWorker>, AppError> {
        let host = consumer_name();
        let mut first = SharedWorker::new(
            config,
            format!("{host}-0"),
            domains,
            tiers,
            time_budget,
            batch,
        )?;
        first.observer = observer;
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
            observer: self.observer.clone(),
            health: self.health.clone(),
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
            let started = Instant::now();
            match self.store_while_unavailable(&org, &records, &ids) {
                Ok(()) => {
                    self.finish(&ids)?;
                    work.stored += items.len();
                    self.observe(&org, records, started.elapsed());
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
                                self.observe(&org, vec![record], Duration::ZERO);
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
                    self.health.failed();
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

    /// Tells the observer of `records`, stored for `org` in `took`.
    fn observe(&self, org: &OrgId, records: Vec<StoredRecord>, took: Duration) {
        let Some(observer) = &self.observer else {
            return;
        };
        if took > Duration::ZERO {
            observer.stored(records.len(), took);
        }
        for r in records {
            observer.evaluated(&crate::service::LiveResult {
                org: org.clone(),
                key: r.key,
                result: r.result,
                span: None,
            });
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
            let pass = self.work_once(Duration::from_secs(1)).and_then(|work| {
                if work != SharedWork::default() {
                    // It stored, so it reached the queue and the store.
                    self.health.passed();
                } else if self.health.store_check_due(STORE_CHECK_EVERY) {
                    // Idle: a pass reaches only the queue; the store is asked every so often.
                    PostgresStore::ping(&self.config.store_url)?;
                    self.health.passed();
                }
                Ok(work)
            });
            match pass {
                Ok(work) => {
                    backoff = Duration::from_millis(100);
                    if work != SharedWork::default() {
                        progress(&work);
                    }
                }
                Err(e) => {
                    self.health.failed();
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
