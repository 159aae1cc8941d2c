//! Evaluation as a service, for every front end that takes live traffic (the HTTP server, a
//! queue worker): organisations and their keys, durable ingest, workers that evaluate what was
//! queued, evaluation in the request with a decision the caller acts on, and a live feed of
//! results as they are stored.
//!
//! Layout of a service directory (`aegis-eval serve --store <dir>`):
//!
//! ```text
//! <dir>/tenants.db              organisations and API keys (hashed)
//! <dir>/orgs/<org id>/store.db  the organisation's results, review queue and ingest queue
//! <dir>/orgs/<org id>/store.db.key  the organisation's Tier-0 key (mode 0600; in no database)
//! ```
//!
//! One database file per organisation: every read, write and delete an organisation makes
//! goes to its own file, so no query can reach another organisation's records. The ingest
//! queue lives in the same file as the results it feeds, and a worker writes a batch's results
//! and removes it from the queue in one transaction: a trace accepted (`202`) is evaluated and
//! stored exactly once, whenever the process dies.
//!
//! Only sanitised text is queued: Tier 0 runs when a trace is accepted, with the organisation's
//! key, so pseudonyms are stable within an organisation and differ between organisations.

use std::collections::HashMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, mpsc};
use std::time::{Duration, Instant};

use aegis_core::{Domain, EvaluationResult, Sanitized, TierOutcome, Trace, Verdict};
use aegis_phi::PhiEngine;
use aegis_runtime::input::{Record, TraceReader};
use aegis_store::{
    NewKey, OrgId, Organisation, QueueDepth, QueueEntry, QueuedVersion, SqliteStore, StoredRecord,
    Tenants, record_key,
};
use serde::Serialize;

use crate::group_commit::EnqueueGroup;
use crate::pipeline::{Pipeline, TierOptions};
use crate::store::{now_ms, provenance};
use crate::{AppError, find_domain, phi};

/// How a service is set up.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// The service directory (see the [module](self) documentation).
    pub root: PathBuf,
    /// Which tiers after Tier 1 to install.
    pub tiers: TierOptions,
    /// How long one trace may take before it gets an `error` result.
    pub time_budget: Duration,
    /// The most traces a worker takes from an organisation's queue at once. It takes fewer
    /// while traces are slow to evaluate (a judge waiting on a model), so that a batch ends
    /// well within its `lease`.
    pub batch: usize,
    /// How long a worker holds the traces it took: after that (it died), they are taken again.
    pub lease: Duration,
    /// How long a worker that emptied the queues waits before its next pass
    /// ([`Service::gather`]), so that traces arriving a few at a time are evaluated and
    /// stored in fewer, larger batches: every batch costs a claim and a commit whatever its
    /// size. Zero: the next pass at once. A trace waits at most this long longer for its
    /// result; a backlog is never slowed (a worker that took a full batch goes on at once).
    pub gather: Duration,
    /// How long a trace that arrives span by span (OpenTelemetry) may be quiet, its root span
    /// not come, before it is evaluated from the spans it has.
    pub otlp_quiet: Duration,
    /// The domain of OpenTelemetry traces that name none; it must be one of the service's.
    pub default_domain: Option<String>,
    /// The organisations and API keys in this PostgreSQL database (schema `aegis_tenants`),
    /// shared by every API process of a scaled-out service, rather than in the directory's
    /// `tenants.db`. The directory still holds each organisation's Tier-0 key file.
    pub registry: Option<String>,
    /// A scaled-out service: traces queued in a Redis stream and results kept in PostgreSQL
    /// ([`crate::shared`]), rather than both in each organisation's SQLite file. The service
    /// directory still holds the organisations, their API keys and Tier-0 keys.
    pub shared: Option<crate::shared::SharedConfig>,
    /// A directory of the organisations' Tier-0 key files named `<org id>.key` (a mounted
    /// Kubernetes Secret, say), read instead of the key file beside each organisation's store.
    /// Scaled out, an organisation's local store (its judge-spend ledger) is then made on
    /// first use: an API process needs only the keys.
    pub tier0_keys: Option<PathBuf>,
}

impl ServiceConfig {
    /// The defaults for a service directory.
    pub fn new(root: impl Into<PathBuf>) -> ServiceConfig {
        ServiceConfig {
            root: root.into(),
            tiers: TierOptions::default(),
            time_budget: Duration::from_secs(30),
            // Each commit writes whole pages, so the bigger the batch the fewer written per
            // trace: at 512, the workers fell behind ingest under load, the queue grew, and
            // every write slowed with it (benches/serve: 7,500 traces/s stored over a 10-minute
            // soak; at 2,048 the queue stays near empty).
            batch: 2048,
            lease: Duration::from_secs(120),
            // Under a steady stream of small requests (an SDK's exporter each second, two
            // spans a request) workers took a trace or two a pass; 20 ms gathers dozens and
            // raised what the service stores per second by a fifth (benches/otlp).
            gather: Duration::from_millis(20),
            otlp_quiet: Duration::from_secs(30),
            default_domain: None,
            registry: None,
            shared: None,
            tier0_keys: None,
        }
    }
}

/// What happened to one trace of an ingest request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Accepted {
    /// Its line (JSONL, pretty JSON) or element number (a JSON array), from 1.
    pub line: u64,
    /// The key its result will be stored under (`id:<trace id as Tier 0 left it>`, or
    /// `sha256:…` of its sanitised content).
    pub key: String,
    /// The domain that will evaluate it.
    pub domain: String,
    /// `false` when the same trace (the same sanitised content) was already waiting under
    /// this key (sending a trace again is harmless: it is evaluated once). A different trace
    /// under a waiting key replaces it and is `true`: the last version accepted is evaluated.
    pub queued: bool,
}

/// A line of an ingest request that was not accepted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejected {
    /// Its line or element number, from 1.
    pub line: u64,
    /// Why, without repeating its content.
    pub error: String,
}

/// The answer to an ingest request: every line is in exactly one of the two lists.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IngestReceipt {
    /// Traces durably queued (the call returns after the commit).
    pub accepted: Vec<Accepted>,
    /// Lines that were not.
    pub rejected: Vec<Rejected>,
}

/// What the caller of an evaluation in the request should do with the answer it guards.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Decision {
    /// Nothing wrong was found: pass the answer on.
    Allow,
    /// The answer breaks a rule (or could not be evaluated: the service fails closed).
    Block {
        /// Why, in a line.
        reason: String,
    },
    /// The answer passes once PHI is taken out: send `text` instead.
    Redact {
        /// The answer as Tier 0 sanitised it.
        text: String,
    },
    /// An expert must look first (the trace is in the review queue).
    Review {
        /// Why, in a line.
        reason: String,
    },
}

/// An evaluation in the request: the result, and what to do.
#[derive(Debug, Clone, Serialize)]
pub struct Guarded {
    /// The key the result is stored under.
    pub key: String,
    /// The decision.
    pub decision: Decision,
    /// The full result.
    pub result: EvaluationResult,
}

/// A result just stored, for the live feed.
#[derive(Debug, Clone, Serialize)]
pub struct LiveResult {
    /// The organisation it belongs to (the feed is filtered by it before anything is sent).
    #[serde(skip)]
    pub org: OrgId,
    /// Its key.
    pub key: String,
    /// The result (sanitised: ids and messages went through Tier 0).
    pub result: EvaluationResult,
    /// The OpenTelemetry span it is about, for a trace that came as spans (exports parent
    /// their evaluation events to it).
    #[serde(skip)]
    pub span: Option<aegis_otlp::export::EvaluatedSpan>,
}

/// What a front end may want to measure as the service works.
pub trait Observer: Send + Sync {
    /// A batch of `n` results was written (and removed from the queue) in `took`.
    fn stored(&self, n: usize, took: Duration);
    /// A result was stored (from the queue, or from an evaluation in the request).
    fn evaluated(&self, result: &LiveResult);
    /// Tier 0 sanitised a trace as it was accepted, in `took` (its result reports Tier 0
    /// `completed` without a latency: it ran before the trace was queued).
    fn sanitized(&self, took: Duration);
}

/// An organisation as the service holds it open.
struct Org {
    /// Its id.
    id: OrgId,
    /// Its name when it was opened (what alerts call it).
    name: String,
    /// The connection that writes: the ingest queue and results.
    writer: Mutex<SqliteStore>,
    /// A second connection for queries (WAL: readers do not wait for the writer).
    reader: Mutex<SqliteStore>,
    /// Ingest requests waiting for `writer` (group commit).
    enqueues: EnqueueGroup,
    /// How long a trace has taken to evaluate lately, in nanoseconds (0 until a batch has
    /// been): what sizes the next batch.
    nanos_per_trace: AtomicU64,
    /// When the workers last looked for traces sent span by span that went quiet (ms since
    /// the epoch).
    quiet_looked_at_ms: AtomicI64,
    engine: Arc<PhiEngine>,
    pipeline: Arc<Pipeline>,
    /// Its results in the shared PostgreSQL database, in a scaled-out service.
    shared_results: Option<Mutex<aegis_store::PostgresStore>>,
}

/// The service: open it once, share it between the front end's threads.
pub struct Service {
    config: ServiceConfig,
    domains: Vec<&'static dyn Domain>,
    tenants: Mutex<Box<dyn aegis_store::TenantRegistry>>,
    orgs: Mutex<HashMap<OrgId, Arc<Org>>>,
    /// Raised when traces are queued, so idle workers wake at once.
    work: (Mutex<u64>, Condvar),
    observer: Option<Arc<dyn Observer>>,
    /// Results of evaluations in the request, on their way to the stores (group commit).
    results: Mutex<Option<mpsc::Sender<StoredNow>>>,
    /// The thread writing them.
    results_writer: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// Alert rules and channels, when the service alerts.
    alerts: Option<Arc<crate::alerts::Alerts>>,
    /// Connections to the shared queue, in a scaled-out service: each request takes one
    /// (or makes one) and puts it back.
    queues: Option<Mutex<Vec<aegis_store::redis_queue::RedisQueue>>>,
}

/// What one worker pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkDone {
    /// Traces evaluated and stored.
    pub evaluated: usize,
    /// Organisations whose queue could not be worked.
    pub failed: usize,
    /// Every queue worked was emptied: each batch was smaller than the most a worker takes.
    pub drained: bool,
}

/// The service directory taken by one server (see [`Service::lock_for_serving`]).
#[derive(Debug)]
pub struct DirectoryLock {
    /// The locked file; none for a scaled-out service, whose API processes share the
    /// directory's organisations and keys and no queue.
    _file: Option<std::fs::File>,
}

/// How a worker evaluates one queued trace.
type EvaluateFn = dyn Fn(&Sanitized<Trace>) -> EvaluationResult + Send + Sync;

/// A result of an evaluation in the request, to store.
struct StoredNow {
    org: Arc<Org>,
    record: StoredRecord,
    /// The version of its key that waited in the queue when the request was accepted: older
    /// than this result, so removed from the queue as it is stored.
    superseded: Option<QueuedVersion>,
    live: LiveResult,
}

/// How many traces a worker claims: `most`, or fewer when traces take long enough
/// (`nanos_per_trace`, 0 while unknown) that a batch of `most` would use more than a quarter
/// of its `lease` (past its lease, another worker would claim the batch again, and a judge be
/// paid twice). Until the time is known, 16.
fn batch_size(most: usize, lease: Duration, nanos_per_trace: u64) -> usize {
    if nanos_per_trace == 0 {
        return most.clamp(1, 16);
    }
    let fits = lease.as_nanos() / 4 / u128::from(nanos_per_trace);
    usize::try_from(fits)
        .unwrap_or(usize::MAX)
        .clamp(1, most.max(1))
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A worker that panicked leaves its data as it was: the store's transactions keep it whole.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Service {
    /// Opens (or creates) the service directory `config.root`.
    pub fn open(
        domains: &[&'static dyn Domain],
        config: ServiceConfig,
    ) -> Result<Service, AppError> {
        std::fs::create_dir_all(config.root.join("orgs")).map_err(|source| AppError::Io {
            context: format!("cannot create {}", config.root.display()),
            source,
        })?;
        if let Some(name) = &config.default_domain {
            find_domain(domains, name)?;
        }
        let tenants: Box<dyn aegis_store::TenantRegistry> = match &config.registry {
            Some(url) => Box::new(aegis_store::PostgresTenants::open(url)?),
            None => Box::new(Tenants::open(&config.root.join("tenants.db"))?),
        };
        // A scaled-out service reaches its queue before it says it is up: for up to 30 s (a
        // Redis starting with it, or loading its data), then it gives up and says why.
        let queues = match &config.shared {
            Some(shared) => Some(Mutex::new(vec![crate::shared::connect_queue(
                shared,
                Duration::from_secs(30),
            )?])),
            None => None,
        };
        Ok(Service {
            config,
            domains: domains.to_vec(),
            tenants: Mutex::new(tenants),
            orgs: Mutex::new(HashMap::new()),
            work: (Mutex::new(0), Condvar::new()),
            observer: None,
            results: Mutex::new(None),
            results_writer: Mutex::new(None),
            alerts: None,
            queues,
        })
    }

    /// Evaluates `alerts`' rules on the results the service stores and over windows of them
    /// ([`alerts_pass`](Self::alerts_pass)), and delivers their notifications.
    pub fn with_alerts(mut self, alerts: crate::alerts::Alerts) -> Service {
        self.alerts = Some(Arc::new(alerts));
        self
    }

    /// An organisation's name (its id when it cannot be read), for what alerts say.
    fn org_name(&self, id: &OrgId) -> String {
        lock(&self.tenants)
            .orgs()
            .ok()
            .and_then(|orgs| orgs.into_iter().find(|o| &o.id == id))
            .map_or_else(|| id.as_str().to_owned(), |o| o.name)
    }

    /// One pass of the alerts of every organisation: windowed rules looked at when due (every
    /// `look_every`; always when `force`), alerts resolved whose condition has been clear for
    /// their cooldown, and the notifications due delivered — each attempt recorded. Slow
    /// receivers are waited for here, never in a worker or a request.
    pub fn alerts_pass(&self, force: bool) -> Result<crate::alerts::AlertsPass, AppError> {
        let mut pass = crate::alerts::AlertsPass::default();
        let Some(alerts) = &self.alerts else {
            return Ok(pass);
        };
        for o in self.orgs()? {
            let org = self.org(&o.id)?;
            let who = (o.id.as_str(), o.name.as_str());
            let (fired, resolved) = alerts.look(who, &org.reader, &org.writer, now_ms(), force)?;
            pass.fired += fired;
            pass.resolved += resolved;
            let due = lock(&org.reader).due_notifications(now_ms(), 64)?;
            for (d, a) in due {
                let Some((attempt, then, gone)) = alerts.send_one(who, &d, &a, now_ms()) else {
                    pass.postponed += 1;
                    continue;
                };
                let mut store = lock(&org.writer);
                store.record_attempt(d.id, &attempt, &then)?;
                if gone {
                    store.channel_off(&d.channel, &attempt.outcome, attempt.at_ms)?;
                }
                match then {
                    aegis_store::AttemptResult::Delivered => pass.delivered += 1,
                    aegis_store::AttemptResult::Retry { .. } => pass.retrying += 1,
                    aegis_store::AttemptResult::Failed => pass.failed += 1,
                }
            }
        }
        Ok(pass)
    }

    /// The audit trail of one of an organisation's results (by key or trace id): every
    /// result written for it, oldest first, with the spec and model versions that made it.
    pub fn audit_trail(
        &self,
        org: &OrgId,
        id: &str,
    ) -> Result<Vec<aegis_store::AuditEntry>, AppError> {
        use aegis_store::Store;
        self.with_store(org, |s| Ok(s.audit_trail(id)?))
    }

    /// One of an organisation's stored traces (by key) evaluated again with today's domain
    /// and tiers, and what changed; with `save`, the new result replaces the stored one (the
    /// audit trail keeps both).
    pub fn replay(
        &self,
        org: &OrgId,
        key: &str,
        save: bool,
    ) -> Result<crate::replay::Replay, AppError> {
        let run = |s: &mut SqliteStore| {
            crate::replay::replay(s, key, &self.domains, &self.config.tiers, save)
        };
        // A look only reads: the query connection, so that no write waits for a judge.
        if save {
            self.with_store_for_writing(org, run)
        } else {
            self.with_store(org, run)
        }
    }

    /// An organisation's RL episodes of `domain` (the latest `limit`), with the domain's
    /// cost budget ([`crate::rl_view`]).
    pub fn rl_view(
        &self,
        org: &OrgId,
        domain: &str,
        limit: usize,
    ) -> Result<crate::rl_view::RlView, AppError> {
        let d = find_domain(&self.domains, domain)?;
        let budget = d.info().rl.map(|r| r.cost_budget);
        let selection = crate::store::Selection {
            domain: Some(domain.to_owned()),
            ..crate::store::Selection::default()
        };
        self.with_store(org, |s| {
            crate::rl_view::rl_view(s, &selection, limit, budget)
        })
    }

    /// An organisation's alerts, newest first: `state` `firing` or `resolved`, or all.
    pub fn alert_list(
        &self,
        org: &OrgId,
        state: Option<&str>,
        limit: usize,
    ) -> Result<Vec<aegis_store::AlertRow>, AppError> {
        self.with_store(org, |s| Ok(s.alerts(state, limit)?))
    }

    /// One of an organisation's alerts with its notifications and their attempts.
    pub fn alert_detail(
        &self,
        org: &OrgId,
        id: i64,
    ) -> Result<Option<crate::alerts::AlertDetail>, AppError> {
        self.with_store(org, |s| {
            Ok(s.alert(id)?.map(
                |(alert, notifications, attempts)| crate::alerts::AlertDetail {
                    alert,
                    notifications,
                    attempts,
                },
            ))
        })
    }

    /// The alert rules and channels, when the service alerts.
    pub fn alerts(&self) -> Option<&crate::alerts::Alerts> {
        self.alerts.as_deref()
    }

    /// Reports stores and results to `observer` (metrics).
    pub fn with_observer(mut self, observer: Arc<dyn Observer>) -> Service {
        self.observer = Some(observer);
        self
    }

    /// The service directory.
    pub fn root(&self) -> &Path {
        &self.config.root
    }

    /// Creates an organisation: its store, its Tier-0 key file (readable by this user only)
    /// and a first API key, whose secret is shown here only.
    pub fn create_org(&self, name: &str) -> Result<(Organisation, NewKey), AppError> {
        let (org, key) = lock(&self.tenants).create_org(name)?;
        let dir = self.org_dir(&org.id);
        std::fs::create_dir_all(&dir).map_err(|source| AppError::Io {
            context: format!("cannot create {}", dir.display()),
            source,
        })?;
        let db = dir.join("store.db");
        let key_file = self.tier0_key_file(&org.id);
        if let Some(keys) = key_file.parent() {
            std::fs::create_dir_all(keys).map_err(|source| AppError::Io {
                context: format!("cannot create {}", keys.display()),
                source,
            })?;
        }
        phi::create_key_file(&key_file)?;
        SqliteStore::open(&db)?;
        Ok((org, key))
    }

    /// Where the organisation's Tier-0 key is: in [`ServiceConfig::tier0_keys`] when set,
    /// else beside its local store.
    pub fn tier0_key_file(&self, org: &OrgId) -> PathBuf {
        match &self.config.tier0_keys {
            Some(keys) => keys.join(format!("{}.key", org.as_str())),
            None => phi::store_key_file(&self.org_dir(org).join("store.db")),
        }
    }

    /// Every organisation.
    pub fn orgs(&self) -> Result<Vec<Organisation>, AppError> {
        Ok(lock(&self.tenants).orgs()?)
    }

    /// Runs `f` on the organisations and keys registry.
    pub fn tenants<T>(
        &self,
        f: impl FnOnce(&mut dyn aegis_store::TenantRegistry) -> Result<T, aegis_store::StoreError>,
    ) -> Result<T, AppError> {
        Ok(f(&mut **lock(&self.tenants))?)
    }

    /// [`authenticate`](Self::authenticate) when it is quick — the registry is a local file,
    /// read by index in microseconds, and no write is due —, so that an async front end need not hand it to a
    /// blocking thread (a thread switch each request: profiled at a twentieth of the server's
    /// time under small OTLP requests); `None` when the registry is across a network
    /// (PostgreSQL), so the caller should call `authenticate` on a blocking thread. Never
    /// cached: a key revoked by another process is refused at its next request.
    pub fn authenticate_quickly(&self, bearer: &str) -> Option<Result<Option<OrgId>, AppError>> {
        lock(&self.tenants)
            .authenticate_quickly(bearer)
            .map(|r| r.map_err(AppError::from))
    }

    /// The organisation a bearer token belongs to (`None`: unknown, malformed or revoked).
    pub fn authenticate(&self, bearer: &str) -> Result<Option<OrgId>, AppError> {
        Ok(lock(&self.tenants).authenticate(bearer)?)
    }

    fn org_dir(&self, org: &OrgId) -> PathBuf {
        self.config.root.join("orgs").join(org.as_str())
    }

    /// The organisation, opened once: its store (two connections), its Tier-0 engine and its
    /// pipeline.
    fn org(&self, id: &OrgId) -> Result<Arc<Org>, AppError> {
        if let Some(org) = lock(&self.orgs).get(id) {
            return Ok(Arc::clone(org));
        }
        let dir = self.org_dir(id);
        let db = dir.join("store.db");
        let key_file = self.tier0_key_file(id);
        if self.config.tier0_keys.is_some() && !key_file.exists() {
            return Err(AppError::Phi(format!(
                "organisation {id} has no Tier-0 key at {} (the keys directory, --tier0-keys: add the file `orgs create` wrote)",
                key_file.display()
            )));
        }
        if !db.exists() {
            if self.config.shared.is_some() && self.config.tier0_keys.is_some() {
                // Scaled out with the keys apart: the local store only keeps the judge's spend.
                std::fs::create_dir_all(&dir).map_err(|source| AppError::Io {
                    context: format!("cannot create {}", dir.display()),
                    source,
                })?;
            } else {
                return Err(AppError::Store(format!(
                    "organisation {id} has no store at {}",
                    db.display()
                )));
            }
        }
        let key = phi::configured_key(Some(&key_file), "the organisation")?;
        let engine = phi::engine(key, None)?;
        // The judge's spend is kept in the organisation's store: one cap with every process
        // using it (other servers, `aegis-eval run --store`).
        let tiers = TierOptions {
            spend_store: Some(db.clone()),
            ..self.config.tiers.clone()
        };
        let pipeline = Pipeline::build(&self.domains, Some(&engine), &tiers)?
            .with_review_queue(Box::new(aegis_store::StoreReviewQueue));
        let name = self.org_name(id);
        let org = Arc::new(Org {
            id: id.clone(),
            name,
            writer: Mutex::new(SqliteStore::open(&db)?),
            reader: Mutex::new(SqliteStore::open(&db)?),
            enqueues: EnqueueGroup::default(),
            nanos_per_trace: AtomicU64::new(0),
            quiet_looked_at_ms: AtomicI64::new(0),
            engine,
            pipeline: Arc::new(pipeline),
            shared_results: match &self.config.shared {
                Some(shared) => Some(Mutex::new(crate::shared::open_org_store(
                    &shared.store_url,
                    id,
                )?)),
                None => None,
            },
        });
        Ok(Arc::clone(
            lock(&self.orgs).entry(id.clone()).or_insert(org),
        ))
    }

    /// Runs `f` on the organisation's store (its query connection). Every query a front end
    /// makes for an organisation goes through here, so it reaches that organisation's file only.
    ///
    /// What only the embedded store does (alerts, OpenTelemetry fragments, the dashboard's
    /// roll-ups) is not there in a scaled-out service: this answers [`AppError::Unsupported`].
    pub fn with_store<T>(
        &self,
        org: &OrgId,
        f: impl FnOnce(&mut SqliteStore) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        self.embedded_only()?;
        let org = self.org(org)?;
        let mut store = lock(&org.reader);
        f(&mut store)
    }

    /// Runs `f` on the organisation's writing connection (deletes, labels); like
    /// [`with_store`](Self::with_store), the embedded store only.
    pub fn with_store_for_writing<T>(
        &self,
        org: &OrgId,
        f: impl FnOnce(&mut SqliteStore) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        self.embedded_only()?;
        let org = self.org(org)?;
        let mut store = lock(&org.writer);
        f(&mut store)
    }

    /// Runs `f` on the organisation's results, wherever the service keeps them: its SQLite
    /// file (the query connection), or its schema in the shared PostgreSQL database. Lists,
    /// search, reports, review and deletes go through here.
    pub fn with_results<T>(
        &self,
        org: &OrgId,
        f: impl FnOnce(&mut dyn aegis_store::Store) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let org = self.org(org)?;
        match &org.shared_results {
            Some(shared) => {
                let mut store = lock(shared);
                store.reconnect_if_closed()?;
                f(&mut *store)
            }
            None => f(&mut *lock(&org.reader)),
        }
    }

    /// An error in a scaled-out service, for what only the embedded store does.
    fn embedded_only(&self) -> Result<(), AppError> {
        match self.config.shared {
            Some(_) => Err(AppError::Unsupported(
                "not available yet when results are kept in PostgreSQL (--store postgres://…): \
                 alerts, OpenTelemetry ingest, the dashboard's analytics and replays need the \
                 embedded store"
                    .to_owned(),
            )),
            None => Ok(()),
        }
    }

    /// `n` workers of this scaled-out service, named `<host>-<pid>-<i>` in the queue's group,
    /// with the service's tiers (built once, shared), time budget and batch size.
    pub fn shared_workers(&self, n: usize) -> Result<Vec<crate::shared::SharedWorker>, AppError> {
        let Some(shared) = &self.config.shared else {
            return Err(AppError::Usage(
                "the service has no shared queue (--queue redis://…)".to_owned(),
            ));
        };
        if n == 0 {
            return Ok(Vec::new());
        }
        crate::shared::SharedWorker::team(
            shared.clone(),
            &self.domains,
            &self.config.tiers,
            self.config.time_budget,
            self.config.batch.min(512),
            n,
            self.observer.clone(),
        )
    }

    /// Whether the service is scaled out (a shared queue and store).
    pub fn is_shared(&self) -> bool {
        self.config.shared.is_some()
    }

    /// Runs `f` on a connection to the shared queue (one from the pool, or a new one); a
    /// connection that failed is not put back.
    fn with_queue<T>(
        &self,
        f: impl FnOnce(&mut aegis_store::redis_queue::RedisQueue) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let (Some(pool), Some(shared)) = (&self.queues, &self.config.shared) else {
            return Err(AppError::Store(
                "the service has no shared queue".to_owned(),
            ));
        };
        let taken = lock(pool).pop();
        let mut queue = match taken {
            Some(q) => q,
            None => aegis_store::redis_queue::RedisQueue::connect(
                &shared.queue_url,
                shared.queue.clone(),
            )?,
        };
        let out = f(&mut queue);
        if out.is_ok() || matches!(out, Err(AppError::Busy { .. })) {
            lock(pool).push(queue);
        }
        out
    }

    /// How the shared queue stands (backlog, pending, dead letters), in a scaled-out service.
    pub fn shared_queue_depth(
        &self,
    ) -> Result<aegis_store::redis_queue::RedisQueueDepth, AppError> {
        self.with_queue(|q| Ok(q.depth()?))
    }

    /// The organisation's newest dead letters in the shared queue.
    pub fn dead_letters(
        &self,
        org: &OrgId,
        limit: usize,
    ) -> Result<Vec<aegis_store::redis_queue::DeadLetter>, AppError> {
        self.with_queue(|q| Ok(q.dead_letters(Some(org), limit)?))
    }

    /// Queues `job` through the organisation's group commit
    /// ([`crate::group_commit::EnqueueGroup`]): durably, in one transaction with whatever
    /// other requests are waiting for its writing connection.
    pub(crate) fn enqueue_grouped(
        &self,
        org: &OrgId,
        job: crate::group_commit::Job,
    ) -> Result<Vec<crate::group_commit::Queued>, AppError> {
        let org = self.org(org)?;
        org.enqueues.enqueue(&org.writer, job)
    }

    /// The organisation's Tier-0 engine (to sanitise what its people type).
    pub fn engine(&self, org: &OrgId) -> Result<Arc<PhiEngine>, AppError> {
        Ok(Arc::clone(&self.org(org)?.engine))
    }

    /// The domains this service evaluates.
    pub fn domains(&self) -> &[&'static dyn Domain] {
        &self.domains
    }

    /// Reads `body` (one trace, a JSON array or JSONL; already decompressed), runs Tier 0 on
    /// each trace and queues it durably for the workers. A line that is not a trace is
    /// rejected by its number, and the rest are queued. `domain` evaluates every trace with
    /// that domain (else each trace's `metadata.domain` chooses).
    pub fn ingest(
        &self,
        org: &OrgId,
        body: &[u8],
        domain: Option<&str>,
    ) -> Result<IngestReceipt, AppError> {
        let org = self.org(org)?;
        let fixed = domain.map(|d| find_domain(&self.domains, d)).transpose()?;
        let mut receipt = IngestReceipt::default();
        let mut queued: Vec<(u64, String, Sanitized<Trace>)> = Vec::new();
        for record in TraceReader::new(BufReader::new(body)) {
            let record = record.map_err(|source| AppError::Io {
                context: "cannot read the request body".to_owned(),
                source,
            })?;
            match self.accept(&org, record, fixed) {
                // The same key twice in one request is queued in order: the same trace again
                // changes nothing (`queued: false`), a different one replaces it.
                Ok(accepted) => queued.push(accepted),
                Err(rejected) => receipt.rejected.push(rejected),
            }
        }
        // Encoded here, before the writing connection is taken: the time it is held is the
        // service's bottleneck.
        let entries = queued
            .iter()
            .map(|(_, key, trace)| {
                QueueEntry::new(key.clone(), trace)
                    .map_err(|e| AppError::Store(format!("cannot encode a trace to queue: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let fresh = if entries.is_empty() {
            Vec::new()
        } else if self.config.shared.is_some() {
            // Each entry is a new delivery: a trace sent again is evaluated again, and its
            // result replaces the one stored under its key.
            self.with_queue(|q| {
                q.push(&org.id, &entries).map_err(|e| match e {
                    aegis_store::redis_queue::PushError::Full { backlog } => AppError::Busy {
                        message: format!(
                            "the shared queue is full ({backlog} traces waiting); send again later"
                        ),
                        retry_after_s: 5,
                    },
                    aegis_store::redis_queue::PushError::Store(e) => e.into(),
                })
            })?;
            vec![true; entries.len()]
        } else {
            org.enqueues
                .enqueue(&org.writer, crate::group_commit::Job::Entries(entries))?
                .into_iter()
                .map(|q| matches!(q, crate::group_commit::Queued::Done(true)))
                .collect()
        };
        for ((line, key, trace), queued) in queued.into_iter().zip(fresh) {
            receipt.accepted.push(Accepted {
                line,
                key,
                domain: trace.metadata.domain.clone().unwrap_or_default(),
                queued,
            });
        }
        receipt.accepted.sort_by_key(|a| a.line);
        if receipt.accepted.iter().any(|a| a.queued) {
            self.wake_workers();
        }
        Ok(receipt)
    }

    /// Routes and sanitises one record: its line, key and sanitised trace (with
    /// `metadata.domain` set to the domain that will evaluate it), or why not.
    fn accept(
        &self,
        org: &Org,
        record: Record,
        fixed: Option<&'static dyn Domain>,
    ) -> Result<(u64, String, Sanitized<Trace>), Rejected> {
        let (line, trace) = match record {
            Record::Trace { line, trace } => (line, *trace),
            Record::Error { line, message, .. } => {
                return Err(Rejected {
                    line,
                    error: message,
                });
            }
        };
        let reject = |error: String| Rejected {
            line,
            error: format!("line {line}: {error}"),
        };
        trace
            .check()
            .map_err(|why| reject(format!("the trace {why}")))?;
        let domain = match (fixed, trace.metadata.domain.as_deref()) {
            (Some(d), _) => d,
            (None, Some(name)) => find_domain(&self.domains, name).map_err(|_| {
                reject(format!(
                    "the trace's metadata.domain is not a domain of this service (it knows: {})",
                    crate::domain_names(&self.domains).join(", ")
                ))
            })?,
            (None, None) => {
                return Err(reject(
                    "the trace names no domain (metadata.domain) and the request none (?domain=)"
                        .to_owned(),
                ));
            }
        };
        let sanitized = self.sanitize_timed(org, domain, trace).map_err(reject)?;
        Ok((
            line,
            record_key(Some(domain.info().name), &sanitized),
            sanitized,
        ))
    }

    /// Runs Tier 0 on a trace for `domain` (timed for the observer): the sanitised trace, or
    /// why not.
    fn sanitize_timed(
        &self,
        org: &Org,
        domain: &'static dyn Domain,
        trace: Trace,
    ) -> Result<Sanitized<Trace>, String> {
        let started = Instant::now();
        let sanitized = sanitize(org, domain, trace)?;
        if let Some(o) = &self.observer
            && domain.info().phi.is_some()
        {
            o.sanitized(started.elapsed());
        }
        Ok(sanitized)
    }

    /// Routes a trace that came over OpenTelemetry to the domain its `metadata.domain` names
    /// and runs Tier 0, keeping `otel_trace_id` as its id (as the tools that traced it know
    /// it): the key its result will have and the sanitised trace, or why not (never repeating
    /// its content).
    pub(crate) fn route_and_sanitize(
        &self,
        org: &OrgId,
        trace: Trace,
        otel_trace_id: &str,
    ) -> Result<Result<(String, Sanitized<Trace>), String>, AppError> {
        let org = self.org(org)?;
        let domain = match trace.metadata.domain.as_deref() {
            Some(name) => match find_domain(&self.domains, name) {
                Ok(d) => d,
                Err(_) => {
                    return Ok(Err(format!(
                        "the trace's domain is not a domain of this service (it knows: {})",
                        crate::domain_names(&self.domains).join(", ")
                    )));
                }
            },
            None => {
                return Ok(Err(
                    "the trace names no domain: set an `aegis.domain` attribute on a span or its resource, or send an x-aegis-domain header".to_owned(),
                ));
            }
        };
        Ok(self
            .sanitize_timed(&org, domain, trace)
            .map(|mut sanitized| {
                sanitized.set_otel_trace_id(otel_trace_id);
                (record_key(Some(domain.info().name), &sanitized), sanitized)
            }))
    }

    /// Whether `every_ms` have passed since the organisation's last look for quiet traces
    /// (then `now_ms` is the last look). Two workers may both look: a look changes nothing
    /// twice.
    pub(crate) fn quiet_look_due(
        &self,
        org: &OrgId,
        now_ms: i64,
        every_ms: i64,
    ) -> Result<bool, AppError> {
        let org = self.org(org)?;
        let last = org.quiet_looked_at_ms.load(Ordering::Relaxed);
        if now_ms.saturating_sub(last) < every_ms {
            return Ok(false);
        }
        org.quiet_looked_at_ms.store(now_ms, Ordering::Relaxed);
        Ok(true)
    }

    /// Wakes the workers: traces are waiting.
    pub(crate) fn wake_workers(&self) {
        let (count, wake) = &self.work;
        *lock(count) += 1;
        wake.notify_all();
    }

    /// The service's settings.
    pub(crate) fn config(&self) -> &ServiceConfig {
        &self.config
    }

    /// Blocks until traces may be waiting or `timeout` passes (a worker's idle wait).
    pub fn wait_for_work(&self, seen: &mut u64, timeout: Duration) {
        let (count, wake) = &self.work;
        let guard = lock(count);
        if *guard == *seen {
            let (guard, _) = wake
                .wait_timeout(guard, timeout)
                .unwrap_or_else(|e| e.into_inner());
            *seen = *guard;
        } else {
            *seen = *guard;
        }
    }

    /// One worker's pass over every organisation: takes a batch from each queue, evaluates it
    /// (Tiers 1–4; Tier 0 ran when it was accepted), and writes the results while removing
    /// them from the queue, in one transaction. Returns how many traces were evaluated.
    ///
    /// An organisation whose store cannot be worked (its file gone, its disk full) is skipped
    /// with an error logged and counted in `failed`; the others are worked as usual.
    pub fn work_once(&self) -> Result<WorkDone, AppError> {
        // A scaled-out service's traces are worked by `shared::SharedWorker`s.
        if self.config.shared.is_some() {
            return Ok(WorkDone::default());
        }
        let ids: Vec<OrgId> = self.orgs()?.into_iter().map(|o| o.id).collect();
        let mut done = WorkDone {
            drained: true,
            ..WorkDone::default()
        };
        for id in ids {
            match self.work_org(&id) {
                Ok((n, drained)) => {
                    done.evaluated += n;
                    done.drained &= drained;
                }
                Err(e) => {
                    tracing::error!(org = %id, error = %e, "cannot work the organisation's queue; its traces wait");
                    done.failed += 1;
                }
            }
        }
        Ok(done)
    }

    /// A worker's pause after a pass (`done`) that evaluated traces and emptied the queues:
    /// [`ServiceConfig::gather`], so that the next pass takes what arrived meanwhile in one
    /// batch. No pause after a pass that took a full batch (a backlog), nor after one that
    /// found nothing (the worker waits for work: [`Service::wait_for_work`]).
    pub fn gather(&self, done: &WorkDone) {
        if done.evaluated > 0 && done.drained && !self.config.gather.is_zero() {
            std::thread::sleep(self.config.gather);
        }
    }

    /// Works one organisation's queue: how many traces were evaluated, and whether the batch
    /// was smaller than the most a worker takes (the queue was emptied).
    fn work_org(&self, id: &OrgId) -> Result<(usize, bool), AppError> {
        // Traces whose root span never came, quiet long enough: queued from what they have.
        self.assemble_quiet(id)?;
        let org = self.org(id)?;
        let limit = batch_size(
            self.config.batch,
            self.config.lease,
            org.nanos_per_trace.load(Ordering::Relaxed),
        );
        let claimed = lock(&org.writer).claim(limit, self.config.lease)?;
        if claimed.is_empty() {
            return Ok((0, true));
        }
        let drained = claimed.len() < limit;
        let n = claimed.len();
        let evaluating = Instant::now();
        let results = self.evaluate_batch(&org, claimed.iter().map(|c| c.trace.clone()).collect());
        let per_trace =
            u64::try_from(evaluating.elapsed().as_nanos() / n as u128).unwrap_or(u64::MAX);
        let before = org.nanos_per_trace.load(Ordering::Relaxed);
        org.nanos_per_trace.store(
            if before == 0 {
                per_trace
            } else {
                before / 4 * 3 + per_trace / 4
            },
            Ordering::Relaxed,
        );
        let mut done = Vec::with_capacity(n);
        let mut live = Vec::with_capacity(n);
        for (item, result) in claimed.into_iter().zip(results) {
            let record = self.record_of(&item.key, result.clone(), &item.trace);
            done.push((item.version(), record));
            live.push(LiveResult {
                org: id.clone(),
                key: item.key,
                result,
                span: aegis_otlp::export::EvaluatedSpan::of(&item.trace),
            });
        }
        let started = Instant::now();
        // A result whose version left the queue meanwhile (a newer version arrived, the trace
        // was deleted, a request's result superseded it) is not written.
        let written = lock(&org.writer).complete(&done)?;
        if let Some(alerts) = &self.alerts {
            let stored = done.iter().zip(&written).filter(|(_, w)| **w);
            raise_alerts(alerts, &org, stored.map(|((_, record), _)| record));
        }
        if let Some(o) = &self.observer {
            o.stored(written.iter().filter(|w| **w).count(), started.elapsed());
            for (r, _) in live.iter().zip(&written).filter(|(_, w)| **w) {
                o.evaluated(r);
            }
        }
        Ok((n, drained))
    }

    /// Evaluates queued (already sanitised) traces with the organisation's pipeline.
    fn evaluate_batch(&self, org: &Org, traces: Vec<Sanitized<Trace>>) -> Vec<EvaluationResult> {
        evaluate_queued(
            &org.pipeline,
            &self.domains,
            self.config.time_budget,
            traces,
        )
    }

    /// The record a result is stored as, under the key it was queued with.
    fn record_of(
        &self,
        key: &str,
        result: EvaluationResult,
        trace: &Sanitized<Trace>,
    ) -> StoredRecord {
        record_of(&self.domains, key, result, trace)
    }

    /// Sends a result of an evaluation in the request to the thread that stores them in
    /// groups (one commit for all that arrived meanwhile), starting it on first use.
    fn store_later(&self, item: StoredNow) {
        let mut sender = lock(&self.results);
        if sender.is_none() {
            let (tx, rx) = mpsc::channel();
            let observer = self.observer.clone();
            let alerts = self.alerts.clone();
            match std::thread::Builder::new()
                .name("aegis-results".into())
                .spawn(move || write_results(&rx, observer.as_deref(), alerts.as_deref()))
            {
                Ok(handle) => {
                    *lock(&self.results_writer) = Some(handle);
                    *sender = Some(tx);
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot start the results writer: writing in the request");
                    drop(sender);
                    let (tx, rx) = mpsc::channel();
                    let _ = tx.send(item);
                    drop(tx);
                    write_results(&rx, self.observer.as_deref(), self.alerts.as_deref());
                    return;
                }
            }
        }
        if let Some(tx) = sender.as_ref() {
            // The writer only stops when `close` takes the sender: it is there.
            let _ = tx.send(item);
        }
    }

    /// Stores what evaluations in the request left to store, and stops the thread writing them.
    pub fn close(&self) {
        drop(lock(&self.results).take());
        if let Some(handle) = lock(&self.results_writer).take() {
            let _ = handle.join();
        }
    }

    /// Evaluates one trace in the request (`body`: one JSON trace): the result and the
    /// decision the caller acts on. The result is also stored, by a thread that commits the
    /// results of concurrent requests together, a few milliseconds later.
    pub fn evaluate_now(
        &self,
        org_id: &OrgId,
        body: &[u8],
        domain: Option<&str>,
    ) -> Result<Result<Guarded, Rejected>, AppError> {
        let org = self.org(org_id)?;
        let fixed = domain.map(|d| find_domain(&self.domains, d)).transpose()?;
        let mut records = TraceReader::new(BufReader::new(body));
        let record = match records.next() {
            Some(r) => r.map_err(|source| AppError::Io {
                context: "cannot read the request body".to_owned(),
                source,
            })?,
            None => {
                return Ok(Err(Rejected {
                    line: 1,
                    error: "the body holds no trace".to_owned(),
                }));
            }
        };
        if records.next().is_some() {
            return Ok(Err(Rejected {
                line: 2,
                error: "send one trace to /v1/evaluate (several go to /v1/traces)".to_owned(),
            }));
        }
        let original_output = match &record {
            Record::Trace { trace, .. } => Some(trace.output.clone()),
            Record::Error { .. } => None,
        };
        let (_, key, sanitized) = match self.accept(&org, record, fixed) {
            Ok(x) => x,
            Err(rejected) => return Ok(Err(rejected)),
        };
        // An older version of this trace waiting in the queue is superseded by this one.
        let superseded = match &org.shared_results {
            Some(_) => None,
            None => lock(&org.reader).queued_version(&key)?,
        };
        let result = self
            .evaluate_batch(&org, vec![sanitized.clone()])
            .pop()
            .unwrap_or_else(|| EvaluationResult::error(None, None, "not evaluated".to_owned()));
        let redacted = original_output
            .filter(|o| *o != sanitized.output)
            .map(|_| sanitized.output.clone());
        let decision = decide(&result, redacted);
        if let Some(shared) = &org.shared_results {
            // Stored before the answer: a worker of another process may replace it, never
            // duplicate it (the key is the same).
            let mut store = lock(shared);
            store.reconnect_if_closed()?;
            aegis_store::Store::write(
                &mut *store,
                &[self.record_of(&key, result.clone(), &sanitized)],
            )?;
            return Ok(Ok(Guarded {
                key,
                decision,
                result,
            }));
        }
        // Stored in the background, committed with whatever else arrived meanwhile: the
        // caller has its answer now (this is no `202`: the result is in the response).
        self.store_later(StoredNow {
            record: self.record_of(&key, result.clone(), &sanitized),
            superseded,
            live: LiveResult {
                org: org_id.clone(),
                key: key.clone(),
                result: result.clone(),
                span: aegis_otlp::export::EvaluatedSpan::of(&sanitized),
            },
            org,
        });
        Ok(Ok(Guarded {
            key,
            decision,
            result,
        }))
    }

    /// How much waits in the organisation's queue.
    pub fn queue_depth(&self, org: &OrgId) -> Result<QueueDepth, AppError> {
        Ok(lock(&self.org(org)?.writer).queue_depth()?)
    }

    /// Deletes the traces `ids` name (record keys or trace ids, also as Tier 0 rewrote an id:
    /// [`lookup_ids`](Self::lookup_ids)), wherever they are: the stored result and the version
    /// waiting in the queue, so a trace accepted but not evaluated yet is deleted too, and a
    /// worker evaluating it stores nothing. Returns how many of `ids` named a trace.
    pub fn delete(&self, org_id: &OrgId, ids: &[String]) -> Result<usize, AppError> {
        let org = self.org(org_id)?;
        let mut n = 0;
        for id in ids {
            for candidate in self.lookup_ids(org_id, id)? {
                let deleted = match &org.shared_results {
                    Some(shared) => {
                        let mut store = lock(shared);
                        store.reconnect_if_closed()?;
                        aegis_store::Store::delete(
                            &mut *store,
                            &aegis_store::Filter::default(),
                            Some(&candidate),
                        )?
                    }
                    None => lock(&org.writer).delete_traces(&[candidate.as_str()])?,
                };
                if deleted > 0 {
                    n += 1;
                    break;
                }
            }
        }
        Ok(n)
    }

    /// Makes every trace taken from a queue and not finished pending again, in every
    /// organisation. The embedded service is the only process working its directory: at start
    /// this takes back at once what a killed process held (rather than after its lease), and at
    /// a graceful stop it hands back what a failed batch left.
    /// An organisation that cannot be opened is skipped with an error logged: it must not keep
    /// the others from being served.
    pub fn release_all(&self) -> Result<usize, AppError> {
        // A shared queue hands back what a dead worker held by itself (after its idle time).
        if self.config.shared.is_some() {
            return Ok(0);
        }
        let mut n = 0;
        for org in self.orgs()? {
            match self
                .org(&org.id)
                .and_then(|o| Ok(lock(&o.writer).release_all_claims()?))
            {
                Ok(k) => n += k,
                Err(e) => {
                    tracing::error!(org = %org.id, error = %e, "cannot open the organisation's store; it is not served until it can be");
                }
            }
        }
        Ok(n)
    }

    /// Takes the service directory for this process (an exclusive lock on
    /// `<dir>/serve.lock`, held while the returned guard lives): two servers working one
    /// directory would evaluate the same traces twice. `orgs` and `keys` commands do not take
    /// it, so organisations and keys can be managed while a server runs.
    pub fn lock_for_serving(&self) -> Result<DirectoryLock, AppError> {
        if self.config.shared.is_some() {
            return Ok(DirectoryLock { _file: None });
        }
        let path = self.config.root.join("serve.lock");
        let cannot = |source| AppError::Io {
            context: format!("cannot open {}", path.display()),
            source,
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(cannot)?;
        match file.try_lock() {
            Ok(()) => Ok(DirectoryLock { _file: Some(file) }),
            Err(std::fs::TryLockError::WouldBlock) => Err(AppError::Store(format!(
                "another aegis-eval serve is working {} (one server per service directory: it would evaluate traces twice)",
                self.config.root.display()
            ))),
            Err(std::fs::TryLockError::Error(e)) => Err(cannot(e)),
        }
    }

    /// Candidate keys for an id a caller gives: the id itself, and the id as Tier 0 would
    /// have rewritten it at ingest under each served domain's settings with this organisation's
    /// key (an id that looks like an identifier — a UUID, `MRN 123…` — is stored pseudonymised,
    /// but the caller knows it by the id it sent).
    pub fn lookup_ids(&self, org: &OrgId, id: &str) -> Result<Vec<String>, AppError> {
        let org = self.org(org)?;
        let mut ids = vec![id.to_owned()];
        for domain in &self.domains {
            if let Some(settings) = &domain.info().phi {
                let trace = Trace {
                    id: Some(id.to_owned()),
                    output: String::new(),
                    ..Trace::default()
                };
                let sanitized = Sanitized::sanitize(
                    trace,
                    &phi::SharedEngine(Arc::clone(&org.engine)),
                    settings,
                )
                .0;
                if let Some(s) = &sanitized.id
                    && !ids.contains(s)
                {
                    ids.push(s.clone());
                }
            }
        }
        Ok(ids)
    }
}

/// Results of evaluations in the request for one organisation: its records, the queued
/// versions they supersede, and what the live feed shows.
type Group = (
    Arc<Org>,
    Vec<StoredRecord>,
    Vec<QueuedVersion>,
    Vec<LiveResult>,
);

/// The results writer: takes what has arrived, commits it per organisation in one transaction,
/// and tells the observer; until the channel closes.
fn write_results(
    rx: &mpsc::Receiver<StoredNow>,
    observer: Option<&dyn Observer>,
    alerts: Option<&crate::alerts::Alerts>,
) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < 4096 {
            match rx.try_recv() {
                Ok(item) => batch.push(item),
                Err(_) => break,
            }
        }
        let mut groups: Vec<Group> = Vec::new();
        for item in batch {
            match groups.iter_mut().find(|g| Arc::ptr_eq(&g.0, &item.org)) {
                Some((_, records, superseded, live)) => {
                    records.push(item.record);
                    superseded.extend(item.superseded);
                    live.push(item.live);
                }
                None => groups.push((
                    item.org,
                    vec![item.record],
                    item.superseded.into_iter().collect(),
                    vec![item.live],
                )),
            }
        }
        for (org, records, superseded, live) in groups {
            let started = Instant::now();
            // The writing connection is let go before the alerts take it again.
            let stored = lock(&org.writer).store_evaluated(&records, &superseded);
            match stored {
                Ok(_) => {
                    if let Some(alerts) = alerts {
                        raise_alerts(alerts, &org, &records);
                    }
                    if let Some(o) = observer {
                        o.stored(records.len(), started.elapsed());
                        for r in &live {
                            o.evaluated(r);
                        }
                    }
                }
                // The callers had their answers; the stored copy is what was lost.
                Err(e) => {
                    tracing::error!(error = %e, results = records.len(), "cannot store results of evaluations in the request")
                }
            }
        }
    }
}

/// Raises the alerts the per-result rules find in `records`, just stored in `org`'s store
/// (nothing is read or written when no rule matches).
fn raise_alerts<'a>(
    alerts: &crate::alerts::Alerts,
    org: &Org,
    records: impl IntoIterator<Item = &'a StoredRecord>,
) {
    let stored: Vec<crate::alerts::StoredResult<'_>> = records
        .into_iter()
        .map(|record| crate::alerts::StoredResult {
            result: &record.result,
            application: record
                .trace
                .as_ref()
                .and_then(|t| t.metadata.application.as_deref()),
        })
        .collect();
    let raised = alerts.raised(&stored);
    if raised.is_empty() {
        return;
    }
    let who = (org.id.as_str(), org.name.as_str());
    if let Err(e) = alerts.raise(who, &mut lock(&org.writer), &raised, now_ms()) {
        tracing::error!(org = %org.id, error = %e, "cannot raise the alerts of stored results");
    }
}

/// Tier 0 on one trace with the organisation's engine, or the domain's declaration that its
/// traces carry no PHI.
fn sanitize(org: &Org, domain: &dyn Domain, trace: Trace) -> Result<Sanitized<Trace>, String> {
    let info = domain.info();
    let mut sanitized = match (&info.phi, info.phi_none_reason) {
        (Some(settings), _) => {
            Sanitized::sanitize(trace, &phi::SharedEngine(Arc::clone(&org.engine)), settings).0
        }
        (None, Some(_)) => Sanitized::without_phi(trace),
        (None, None) => {
            return Err("the domain neither sanitises PHI nor declares that its traces carry none: the trace was not accepted".to_owned());
        }
    };
    sanitized.set_domain(info.name);
    Ok(sanitized)
}

/// A queued trace went through Tier 0 when it was accepted: its result says so (the
/// orchestrator, handed sanitised text, reports Tier 0 skipped).
/// Evaluates queued (already sanitised) traces in order with `pipeline`, each within
/// `budget`, on one thread for the batch (a new one after a trace overruns the budget). What a
/// service's workers and a scaled-out worker both run.
pub(crate) fn evaluate_queued(
    pipeline: &Arc<Pipeline>,
    domains: &[&'static dyn Domain],
    budget: Duration,
    traces: Vec<Sanitized<Trace>>,
) -> Vec<EvaluationResult> {
    let ids: Vec<(Option<String>, Option<String>)> = traces
        .iter()
        .map(|t| (t.id.clone(), t.metadata.domain.clone()))
        .collect();
    let pipeline = Arc::clone(pipeline);
    let domains = domains.to_vec();
    let run: Arc<EvaluateFn> = Arc::new(move |trace| {
        let name = trace.metadata.domain.clone().unwrap_or_default();
        let Ok(domain) = find_domain(&domains, &name) else {
            let mut r = EvaluationResult::error(
                None,
                trace.id.clone(),
                "the queued trace's domain is no longer served".to_owned(),
            );
            r.domain = Some(name);
            return r;
        };
        let mut r = pipeline
            .orchestrator()
            .evaluate_sanitized(domain, trace.clone());
        ran_tier0_at_ingest(&mut r, domain);
        r
    });
    crate::evaluate::within_each(budget, traces, run)
        .into_iter()
        .zip(ids)
        .map(|(r, (id, domain))| {
            r.unwrap_or_else(|| {
                let mut r = EvaluationResult::error(
                    None,
                    id,
                    format!(
                        "the trace was not evaluated within the time budget ({} ms)",
                        budget.as_millis()
                    ),
                );
                r.domain = domain;
                r
            })
        })
        .collect()
}

/// The record a result is stored as, under the key it was queued with, with the provenance
/// of the domain that evaluated it.
pub(crate) fn record_of(
    domains: &[&'static dyn Domain],
    key: &str,
    result: EvaluationResult,
    trace: &Sanitized<Trace>,
) -> StoredRecord {
    let domain = result
        .domain
        .as_deref()
        .and_then(|d| find_domain(domains, d).ok());
    let mut record = StoredRecord::new(result, Some(trace), now_ms());
    record.key = key.to_owned();
    if let Some(d) = domain {
        record = record.with_provenance(provenance(d.info()));
    }
    record
}

fn ran_tier0_at_ingest(result: &mut EvaluationResult, domain: &dyn Domain) {
    if domain.info().phi.is_some()
        && let Some(t0) = result
            .tiers
            .iter_mut()
            .find(|t| t.tier == aegis_core::Tier::Sanitize)
    {
        t0.outcome = TierOutcome::Completed;
    }
}

/// What a caller guarding an answer does with a result: a failure blocks, an error blocks
/// (fail closed), needing review holds it for an expert, a pass whose output Tier 0 changed
/// is sent redacted, and a clean pass is allowed.
pub fn decide(result: &EvaluationResult, redacted_output: Option<String>) -> Decision {
    let first_issue = || {
        result
            .issues
            .iter()
            .max_by_key(|i| i.severity)
            .map(|i| format!("{}: {}", i.validator, i.message))
    };
    match result.verdict {
        Verdict::Fail => Decision::Block {
            reason: first_issue().unwrap_or_else(|| "the answer failed".to_owned()),
        },
        Verdict::Error => Decision::Block {
            reason: result
                .error
                .clone()
                .unwrap_or_else(|| "the answer could not be evaluated".to_owned()),
        },
        Verdict::NeedsReview => Decision::Review {
            reason: first_issue().unwrap_or_else(|| "no tier was sure".to_owned()),
        },
        _ => match redacted_output {
            Some(text) => Decision::Redact { text },
            None => Decision::Allow,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::batch_size;
    use std::time::Duration;

    #[test]
    fn a_batch_fits_a_quarter_of_its_lease() {
        let lease = Duration::from_secs(120);
        // Unknown: a small first batch.
        assert_eq!(batch_size(2048, lease, 0), 16);
        assert_eq!(batch_size(8, lease, 0), 8);
        // Fast traces: the most.
        assert_eq!(batch_size(2048, lease, 100_000), 2048);
        // A judge at 1 s a trace: 30 of them fill a quarter of the lease.
        assert_eq!(batch_size(2048, lease, 1_000_000_000), 30);
        // Slower than a quarter of the lease: one at a time.
        assert_eq!(batch_size(2048, lease, 60_000_000_000), 1);
        assert_eq!(batch_size(0, lease, 100_000), 1);
    }
}
