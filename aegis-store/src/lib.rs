//! The evaluation store: every result, with the sanitised text of its trace, kept by trace.
//!
//! * [`Store`] is the storage layer callers use; [`SqliteStore`] is the embedded default (one
//!   file, WAL, durable commits, versioned migrations, full-text search with FTS5), and
//!   [`PostgresStore`] the server database many processes share (a schema per store).
//! * Results are idempotent by trace: a record's [`StoredRecord::key`] is its trace id (as Tier 0
//!   left it), or, for a trace without one, a hash of its sanitised content. Writing a batch
//!   again replaces each record; nothing is duplicated or lost.
//! * Only sanitised text can be stored: a [`StoredRecord`] is made from a
//!   [`Sanitized`] trace, which only Tier 0 (or a domain that declares no PHI) produces.
//! * Traces a service accepted wait in each store's durable ingest queue
//!   ([`SqliteStore::enqueue_traces`], [`SqliteStore::claim`], [`SqliteStore::complete`]) until a
//!   worker evaluates them; the result and the queue row's removal commit together. One row
//!   per key: the last version accepted is the one whose result is stored, and a deleted trace
//!   ([`SqliteStore::delete_traces`]) leaves the queue too.
//! * The Tier-3 judge's spend ledger lives in each store too ([`SqliteLedger`]): every
//!   reservation and settlement is an `IMMEDIATE` transaction, so every process sharing a store
//!   shares one spend cap.
//! * [`Tenants`] is the registry of organisations and their API keys, in a file of its own.
//!
//! This crate is not the orchestrator, and it knows no domain.

mod codec;
mod postgres;
pub mod redis_queue;
mod sqlite;
pub mod tenants;

use aegis_core::{EvaluationResult, Sanitized, Severity, Trace, UsdCost, Verdict};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use postgres::{PostgresStore, PostgresTenants, valid_schema};
pub use sqlite::{AlertFiring, AlertRow, AttemptResult, AttemptRow, DeliveryRow};
pub use sqlite::{QueueDepth, QueueEntry, QueuedTrace, QueuedVersion, SqliteStore};
pub use sqlite::{Reserve, SqliteLedger};
pub use tenants::{KeyInfo, NewKey, OrgId, Organisation, TenantRegistry, Tenants};

/// What can go wrong in the store. Messages name the file and the operation, never stored text.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened, migrated, read or written.
    #[error("store {path}: {what}: {source}")]
    Sqlite {
        /// The database file.
        path: String,
        /// What was being done.
        what: &'static str,
        /// Why it failed.
        source: rusqlite::Error,
    },
    /// The PostgreSQL store could not be reached, migrated, read or written.
    #[error("store {target}: {what}: {message}")]
    Postgres {
        /// The server's URL without its password, and the schema.
        target: String,
        /// What was being done.
        what: &'static str,
        /// The server's message and SQLSTATE (never the values of a row), or why the
        /// connection failed.
        message: String,
    },
    /// The Redis queue could not be reached or refused a command.
    #[error("queue {target}: {what}: {message}")]
    Redis {
        /// The server's URL without its password.
        target: String,
        /// What was being done.
        what: &'static str,
        /// Why.
        message: String,
    },
    /// The database was written by a newer Aegis.
    #[error(
        "store {path}: schema version {found} is newer than this aegis-eval knows ({known}); upgrade aegis-eval"
    )]
    TooNew {
        /// The database file.
        path: String,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        known: i64,
    },
    /// A stored result could not be read back.
    #[error("store {path}: a stored result is not valid: {message}")]
    Corrupt {
        /// The database file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A value could not be written as JSON.
    #[error("store {path}: {what} cannot be written as JSON")]
    Unencodable {
        /// The database file.
        path: String,
        /// What could not be written.
        what: &'static str,
    },
    /// The tenant registry could not be opened, migrated, read or written.
    #[error("tenant registry {path}: {what}: {source}")]
    Registry {
        /// The registry file.
        path: String,
        /// What was being done.
        what: &'static str,
        /// Why it failed.
        source: rusqlite::Error,
    },
    /// An organisation of that name (compared ignoring ASCII case) already exists.
    #[error("tenant registry {path}: the organisation name is already taken (by {existing})")]
    OrgNameTaken {
        /// The registry file.
        path: String,
        /// The organisation that has the name.
        existing: OrgId,
    },
    /// No organisation has this id.
    #[error("tenant registry {path}: there is no organisation {org}")]
    NoSuchOrg {
        /// The registry file.
        path: String,
        /// The id asked for.
        org: OrgId,
    },
    /// An argument was refused (the message says which rule it broke, not its value).
    #[error("tenant registry {path}: {what}")]
    Invalid {
        /// The registry file.
        path: String,
        /// What is wrong.
        what: &'static str,
    },
    /// A string is not an organisation id.
    #[error("not an organisation id: an id is 1 to 64 characters of a-z, 0-9 and _")]
    InvalidOrgId,
    /// The operating system gave no randomness for a new id or secret.
    #[error("tenant registry {path}: no randomness from the operating system: {message}")]
    Random {
        /// The registry file.
        path: String,
        /// Why.
        message: String,
    },
}

impl StoreError {
    /// Whether the server could not be reached (not connected, the connection lost, the
    /// server shutting down or starting): the same write may succeed once it is back, unlike
    /// one the server refused.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Postgres { message, what, .. } => {
                *what == "cannot connect"
                    || message.contains("(08")
                    || message.contains("(57P")
                    || message.starts_with("the connection is closed")
                    || message.starts_with("error communicating")
                    || message.starts_with("error connecting")
            }
            StoreError::Redis { .. } => true,
            _ => false,
        }
    }
}

/// The sanitised text of a trace, as stored for review and search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct StoredTrace {
    /// The model's prompt or user message.
    #[serde(default)]
    pub input: String,
    /// The model's answer.
    #[serde(default)]
    pub output: String,
    /// Retrieved documents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<String>,
    /// The model that answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Its domain data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_data: Option<serde_json::Value>,
    /// Its metadata (application, organisation, tags, times, token counts, latency), as Tier 0
    /// left it, so that a replay sees what the rules saw.
    #[serde(default, skip_serializing_if = "aegis_core::Metadata::is_empty")]
    pub metadata: aegis_core::Metadata,
    /// Its RL episode, so that a replay runs the RL evaluators on what they saw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub episode: Option<aegis_core::Episode>,
    /// An agent's steps (tool calls, model calls, retrievals), as Tier 0 left them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<aegis_core::AgentStep>,
}

impl StoredTrace {
    /// The storable part of a sanitised trace.
    pub fn of(trace: &Sanitized<Trace>) -> StoredTrace {
        StoredTrace {
            input: trace.input.clone(),
            output: trace.output.clone(),
            context: trace.context.clone(),
            model: trace.model.clone(),
            domain_data: trace.domain_data.clone(),
            metadata: trace.metadata.clone(),
            episode: trace.episode.clone(),
            steps: trace.steps.clone(),
        }
    }

    /// The application that logged it.
    pub fn application(&self) -> Option<&str> {
        self.metadata.application.as_deref()
    }

    /// The organisation it belongs to.
    pub fn organisation(&self) -> Option<&str> {
        self.metadata.organisation.as_deref()
    }
}

/// How the store hands back what it kept: a sanitiser that leaves the text as it is, since the
/// store only ever keeps text that went through Tier 0 ([`StoredRecord::new`] takes a
/// [`Sanitized`] trace, [`ReviewLabel`] sanitised notes). Private: no caller can use it to pass
/// raw text off as sanitised.
struct KeptSanitized;

impl aegis_core::tiers::Sanitizer for KeptSanitized {
    fn sanitize(
        &self,
        _trace: &mut Trace,
        _settings: &aegis_core::PhiSettings,
    ) -> aegis_core::SanitizeReport {
        aegis_core::SanitizeReport::default()
    }
}

const KEPT: aegis_core::PhiSettings = aegis_core::PhiSettings {
    classes: aegis_core::PhiClasses::ALL,
    mode: aegis_core::PhiMode::Redact,
    subject_field: None,
    keep: aegis_core::PhiKeep {
        year: false,
        zip3: false,
    },
};

/// A trace read back from the store (kept only once sanitised).
pub(crate) fn kept_trace(trace: Trace) -> Sanitized<Trace> {
    Sanitized::sanitize(trace, &KeptSanitized, &KEPT).0
}

/// Notes read back from the store (kept only once sanitised).
fn kept_notes(notes: String) -> Sanitized<String> {
    let trace = Trace {
        output: notes,
        ..Trace::default()
    };
    kept_trace(trace).into_output()
}

/// What produced a verdict, for the audit log: the domain's spec and versions. (The models'
/// and judges' part is read from the result's module reports.)
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Provenance {
    /// SHA-256 of the domain's spec and every file it names.
    pub spec_hash: String,
    /// The domain spec's version.
    pub domain_version: String,
    /// The version of Aegis (and so of its generator) that evaluated it.
    pub aegis_version: String,
}

/// One result to store, with its trace's sanitised text when there is a trace.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    /// The record's identity: `id:<trace id>`, or `sha256:<hash>` of the sanitised trace (or of
    /// the line's error) when the trace has no id.
    pub key: String,
    /// The result.
    pub result: EvaluationResult,
    /// The trace's sanitised text.
    pub trace: Option<StoredTrace>,
    /// When it was evaluated, in milliseconds since the Unix epoch.
    pub evaluated_at_ms: i64,
    /// What produced the verdict (`None` for a line that was not evaluated).
    pub provenance: Option<Provenance>,
}

impl StoredRecord {
    /// A record of a line that was not a trace, keyed by where it came from (`source`, e.g. the
    /// input file, and its line), so that the same line number of another file is another
    /// record.
    pub fn of_bad_line(
        result: EvaluationResult,
        source: &str,
        evaluated_at_ms: i64,
    ) -> StoredRecord {
        let mut h = Sha256::new();
        h.update(source.as_bytes());
        h.update([0]);
        h.update(result.line.unwrap_or(0).to_le_bytes());
        h.update(result.error.as_deref().unwrap_or("").as_bytes());
        StoredRecord {
            key: short_hex(&h.finalize()),
            result,
            trace: None,
            evaluated_at_ms,
            provenance: None,
        }
    }

    /// The record with what produced its verdict.
    pub fn with_provenance(mut self, provenance: Provenance) -> StoredRecord {
        self.provenance = Some(provenance);
        self
    }

    /// A record of `result`, with the text of `trace` (which has been through Tier 0).
    pub fn new(
        result: EvaluationResult,
        trace: Option<&Sanitized<Trace>>,
        evaluated_at_ms: i64,
    ) -> StoredRecord {
        let trace = trace.map(StoredTrace::of);
        let key = match (&result.trace_id, &trace) {
            (Some(id), _) if !id.is_empty() => format!("id:{id}"),
            (_, Some(t)) => content_key(result.domain.as_deref(), t),
            // A line that is not a trace: its line number and error.
            (_, None) => {
                let mut h = Sha256::new();
                h.update(result.domain.as_deref().unwrap_or("").as_bytes());
                h.update([0]);
                h.update(result.line.unwrap_or(0).to_le_bytes());
                h.update(result.error.as_deref().unwrap_or("").as_bytes());
                short_hex(&h.finalize())
            }
        };
        StoredRecord {
            key,
            result,
            trace,
            evaluated_at_ms,
            provenance: None,
        }
    }
}

/// The key a sanitised trace of `domain` is stored under: `id:<trace id>`, or, for a trace
/// without an id, `sha256:` of its domain and sanitised content. Writing a trace again replaces
/// the record under the same key.
pub fn record_key(domain: Option<&str>, trace: &Sanitized<Trace>) -> String {
    match &trace.id {
        Some(id) if !id.is_empty() => format!("id:{id}"),
        _ => content_key(domain, &StoredTrace::of(trace)),
    }
}

fn content_key(domain: Option<&str>, trace: &StoredTrace) -> String {
    let mut h = Sha256::new();
    h.update(domain.unwrap_or("").as_bytes());
    h.update([0]);
    h.update(serde_json::to_vec(trace).unwrap_or_default());
    short_hex(&h.finalize())
}

/// `sha256:` and the first 16 bytes of a digest in hex.
fn short_hex(digest: &[u8]) -> String {
    format!(
        "sha256:{}",
        aegis_core::digest::hex(digest.get(..16).unwrap_or(digest))
    )
}

/// Tier 4 over the store: a result that needs review is queued in the same transaction that
/// writes it (so a queued task always has its result, and nothing queued is lost); the task is
/// the record's key. Install it in the orchestrator of an evaluation that writes to a store.
#[derive(Debug, Clone, Copy, Default)]
pub struct StoreReviewQueue;

impl aegis_core::tiers::ReviewQueue for StoreReviewQueue {
    fn enqueue(
        &self,
        domain: &aegis_core::DomainInfo,
        trace: &Sanitized<Trace>,
        _issues: &[aegis_core::Issue],
    ) -> String {
        record_key(Some(domain.name), trace)
    }

    fn location(&self) -> &str {
        "the store (aegis-eval review)"
    }
}

/// Which records a query selects. Empty fields select everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Only this domain.
    pub domain: Option<String>,
    /// Only these verdicts.
    pub verdict: Option<Verdict>,
    /// Only records with an issue at or above this severity.
    pub min_severity: Option<Severity>,
    /// Only this application.
    pub application: Option<String>,
    /// Only traces of this model (the traced application's `model`).
    pub model: Option<String>,
    /// Only records with an issue raised by this validator (rule, model or judge id).
    pub validator: Option<String>,
    /// Only traces carrying this tag (`metadata.tags`).
    pub tag: Option<String>,
    /// Only records after this one in list order (newest first): the next page.
    pub after: Option<Cursor>,
    /// Evaluated at or after (ms since the epoch).
    pub since_ms: Option<i64>,
    /// Evaluated before (ms since the epoch).
    pub until_ms: Option<i64>,
    /// At most this many records (newest first).
    pub limit: Option<usize>,
}

/// A place in a list (newest first, then by key): the last record of a page. The next page is
/// the records after it, however many share its time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The record's evaluation time (ms since the epoch).
    pub evaluated_at_ms: i64,
    /// The record's key.
    pub key: String,
}

impl Cursor {
    /// The cursor of `row`.
    pub fn of(row: &StoredRow) -> Cursor {
        Cursor {
            evaluated_at_ms: row.evaluated_at_ms,
            key: row.key.clone(),
        }
    }
}

/// Findings of one validator in one domain at or above a severity (see
/// [`SqliteStore::findings`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingGroup {
    /// The domain.
    pub domain: Option<String>,
    /// The validator (rule, model or judge id).
    pub validator: String,
    /// Its worst severity in the group.
    pub severity: Severity,
    /// How many results carry it.
    pub results: u64,
    /// When it was first seen (ms since the epoch).
    pub first_seen_ms: i64,
    /// When it was last seen.
    pub last_seen_ms: i64,
}

/// A stored record as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRow {
    /// The record's key.
    pub key: String,
    /// The result.
    pub result: EvaluationResult,
    /// The trace's sanitised text.
    pub trace: Option<StoredTrace>,
    /// When it was evaluated (ms since the epoch).
    pub evaluated_at_ms: i64,
}

impl StoredRow {
    /// The stored trace as the pipeline takes it, for a replay: its text, episode, metadata
    /// and domain data as stored, its id as Tier 0 left it, and `metadata.domain` set to the
    /// domain that evaluated it. `None` for a line that was not a trace. It is [`Sanitized`]
    /// because the store keeps nothing else; Tier 0 is not run again (it would pseudonymise
    /// the pseudonyms).
    pub fn sanitized_trace(&self) -> Option<Sanitized<Trace>> {
        let t = self.trace.as_ref()?;
        let trace = Trace {
            id: self.result.trace_id.clone(),
            model: t.model.clone(),
            input: t.input.clone(),
            output: t.output.clone(),
            context: t.context.clone(),
            metadata: aegis_core::Metadata {
                domain: self
                    .result
                    .domain
                    .clone()
                    .or_else(|| t.metadata.domain.clone()),
                ..t.metadata.clone()
            },
            domain_data: t.domain_data.clone(),
            episode: t.episode.clone(),
            steps: t.steps.clone(),
            ..Trace::default()
        };
        Some(kept_trace(trace))
    }
}

/// The storage layer. Implementations keep one record per key: writing a key again replaces
/// its record.
pub trait Store {
    /// Writes a batch in one durable transaction.
    fn write(&mut self, records: &[StoredRecord]) -> Result<(), StoreError>;
    /// The record with this key (`id:…` or `sha256:…`), or with this trace id.
    fn get(&self, key_or_trace_id: &str) -> Result<Option<StoredRow>, StoreError>;
    /// Records that match, newest first.
    fn list(&self, filter: &Filter) -> Result<Vec<StoredRow>, StoreError>;
    /// Records whose sanitised text (input, output, issue messages) matches a full-text query,
    /// best match first. Every store reads words (all must match), `"quoted phrases"` and
    /// `OR`; a phrase left open is an error.
    fn search(&self, query: &str, filter: &Filter) -> Result<Vec<StoredRow>, StoreError>;
    /// Deletes the records that match; returns how many.
    fn delete(&mut self, filter: &Filter, key: Option<&str>) -> Result<usize, StoreError>;
    /// How many records there are.
    fn count(&self) -> Result<u64, StoreError>;
    /// The audit log's entries for a record (by key or trace id), oldest first.
    fn audit_trail(&self, key_or_trace_id: &str) -> Result<Vec<AuditEntry>, StoreError>;
    /// Queues records for expert review (a record already queued keeps its place).
    fn enqueue(&mut self, tasks: &[ReviewTask]) -> Result<usize, StoreError>;
    /// Open review tasks in priority order (severity first, then uncertainty), with their
    /// records.
    fn open_tasks(&self, limit: usize) -> Result<Vec<(ReviewTask, StoredRow)>, StoreError>;
    /// Records an expert's label and closes the record's task. Labels are kept, never
    /// replaced: a second label of the same record is a second opinion.
    fn add_label(&mut self, label: &ReviewLabel) -> Result<(), StoreError>;
    /// Every label, oldest first.
    fn labels(&self) -> Result<Vec<ReviewLabel>, StoreError>;
    /// The statistics a report shows over the records `filter` selects (exactly those `list`
    /// returns for it), aggregated where they are stored, without reading every record.
    fn summarize(&self, filter: &Filter) -> Result<StoreSummary, StoreError>;
    /// Brings the full-text index up to date with what was written; returns how many records
    /// it added. A store whose index follows every write has nothing to do. `search` sees every
    /// record whether or not this was called: calling it after a run of writes only moves the
    /// work out of the next search.
    fn index_text(&self) -> Result<usize, StoreError> {
        Ok(0)
    }
}

/// Counts by verdict over a group of records, with what they cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct VerdictCounts {
    /// Records.
    pub total: u64,
    /// Passed.
    pub pass: u64,
    /// Failed.
    pub fail: u64,
    /// Waiting for expert review.
    pub needs_review: u64,
    /// Not evaluated.
    pub error: u64,
    /// The sum of their results' costs.
    pub cost_usd: UsdCost,
}

impl VerdictCounts {
    /// Adds `n` records of `verdict` that cost `cost` in all.
    pub fn add(&mut self, verdict: Verdict, n: u64, cost: UsdCost) {
        self.total += n;
        match verdict {
            Verdict::Pass => self.pass += n,
            Verdict::Fail => self.fail += n,
            Verdict::NeedsReview => self.needs_review += n,
            Verdict::Error => self.error += n,
        }
        self.cost_usd += cost;
    }

    /// Adds another group's counts to these.
    pub fn merge(&mut self, other: &VerdictCounts) {
        self.total += other.total;
        self.pass += other.pass;
        self.fail += other.fail;
        self.needs_review += other.needs_review;
        self.error += other.error;
        self.cost_usd += other.cost_usd;
    }
}

/// The width of a [`StoreSummary`]'s time buckets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeBucket {
    /// One bucket per UTC hour: the selection spans less than two days (or is empty).
    #[default]
    Hour,
    /// One bucket per UTC day.
    Day,
}

impl TimeBucket {
    /// The bucket's length in milliseconds.
    pub fn millis(self) -> i64 {
        match self {
            TimeBucket::Hour => 3_600_000,
            TimeBucket::Day => 86_400_000,
        }
    }
}

/// How often one validator (a rule, model or judge) raised an issue, and its worst severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssueSummary {
    /// The validator's id.
    pub validator: String,
    /// Issues it raised (every issue counts, several in one result included).
    pub count: u64,
    /// The most severe of them.
    pub worst: Severity,
}

/// A selected record that an expert labelled, with the expert's latest verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledResult {
    /// The record's key.
    pub key: String,
    /// The machine's result.
    pub result: EvaluationResult,
    /// The expert's latest verdict on it.
    pub label: Verdict,
}

/// What [`Store::summarize`] returns: a report's statistics over a selection of records.
///
/// Groups are keyed by the column's value, `None` for records without one (no domain, no
/// trace model, no application, no deciding tier).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StoreSummary {
    /// Every selected record.
    pub overall: VerdictCounts,
    /// Per domain.
    pub by_domain: std::collections::BTreeMap<Option<String>, VerdictCounts>,
    /// Per model (the traced application's model).
    pub by_model: std::collections::BTreeMap<Option<String>, VerdictCounts>,
    /// Per application.
    pub by_application: std::collections::BTreeMap<Option<String>, VerdictCounts>,
    /// The width of the time buckets.
    pub bucket: TimeBucket,
    /// Per time bucket, keyed by the bucket's start (ms since the epoch, UTC).
    pub by_time: std::collections::BTreeMap<i64, VerdictCounts>,
    /// Records per deciding tier (the tier's name).
    pub decided_by: std::collections::BTreeMap<Option<String>, u64>,
    /// Money spent per tier (the tier's name), over the tiers that spent any.
    pub cost_by_tier: std::collections::BTreeMap<String, UsdCost>,
    /// The median latency of the evaluated (non-`error`) records, in nanoseconds: the value at
    /// index `round((n - 1) * 0.5)` of their sorted latencies; `None` when there are none.
    pub latency_ns_p50: Option<u64>,
    /// The 95th percentile, likewise at index `round((n - 1) * 0.95)`.
    pub latency_ns_p95: Option<u64>,
    /// Every validator that raised an issue, most issues first (then by id).
    pub issues: Vec<IssueSummary>,
    /// The selected records that experts labelled, with their latest label, newest first.
    pub labelled: Vec<LabelledResult>,
}

/// `n` records that share every dimension a [`StoreSummary`] groups by, as a store's grouped
/// query returns them.
pub(crate) struct SummaryGroup {
    pub(crate) verdict: Verdict,
    pub(crate) decided_by: Option<String>,
    /// The time bucket's start (ms since the epoch).
    pub(crate) bucket: i64,
    pub(crate) domain: Option<String>,
    pub(crate) model: Option<String>,
    pub(crate) application: Option<String>,
    pub(crate) n: u64,
    pub(crate) cost: UsdCost,
}

impl StoreSummary {
    /// Counts a group in every dimension.
    pub(crate) fn add_group(&mut self, g: SummaryGroup) {
        let SummaryGroup {
            verdict,
            decided_by,
            bucket,
            domain,
            model,
            application,
            n,
            cost,
        } = g;
        self.overall.add(verdict, n, cost);
        self.by_domain
            .entry(domain)
            .or_default()
            .add(verdict, n, cost);
        self.by_model
            .entry(model)
            .or_default()
            .add(verdict, n, cost);
        self.by_application
            .entry(application)
            .or_default()
            .add(verdict, n, cost);
        self.by_time
            .entry(bucket)
            .or_default()
            .add(verdict, n, cost);
        *self.decided_by.entry(decided_by).or_default() += n;
    }
}

/// A record waiting for expert review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewTask {
    /// The record's key.
    pub key: String,
    /// The worst issue's severity, if any (orders the queue first).
    pub severity: Option<Severity>,
    /// How unsure the machine tiers were, 0 to 1 (orders the queue second).
    pub uncertainty: f64,
    /// Why it is queued: `needs_review`, or the active-learning strategy that chose it.
    pub reason: String,
}

impl ReviewTask {
    /// The task for a result: its worst severity, and its uncertainty from the model and judge
    /// scores (`1 - |2p - 1|`, the most unsure module; 0.5 when none scored it).
    pub fn of(key: &str, result: &EvaluationResult, reason: &str) -> ReviewTask {
        let uncertainty = result
            .tiers
            .iter()
            .flat_map(|t| t.modules.iter())
            .filter_map(|m| m.score)
            .filter(|s| s.is_finite())
            .map(|s| 1.0 - (2.0 * s.clamp(0.0, 1.0) - 1.0).abs())
            .fold(None, |acc: Option<f64>, u| {
                Some(acc.map_or(u, |a| a.max(u)))
            })
            .unwrap_or(0.5);
        ReviewTask {
            key: key.to_owned(),
            severity: result.issues.iter().map(|i| i.severity).max(),
            uncertainty,
            reason: reason.to_owned(),
        }
    }
}

/// An expert's label for a record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewLabel {
    /// The record's key.
    pub key: String,
    /// The expert's verdict (`pass` or `fail`).
    pub verdict: Verdict,
    /// The severity the expert gives, for a `fail`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// The expert's notes, sanitised by Tier 0 before they reach the store (by type: a note is
    /// free text and may quote a name).
    pub notes: Sanitized<String>,
    /// Who labelled it.
    pub reviewer: String,
    /// Whether the expert accepted the machine's verdict as it was.
    #[serde(default)]
    pub accepted: bool,
    /// When (ms since the epoch).
    #[serde(default)]
    pub labelled_at_ms: i64,
}

/// One entry of the append-only audit log: a verdict and everything that produced it. Holds
/// hashes, versions and ids, never text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Its place in the log.
    pub seq: i64,
    /// The record's key.
    pub key: String,
    /// When the verdict was reached (ms since the epoch).
    pub evaluated_at_ms: i64,
    /// The verdict.
    pub verdict: String,
    /// The tier that decided.
    pub decided_by: Option<String>,
    /// The domain.
    pub domain: Option<String>,
    /// The spec, versions.
    pub provenance: Option<Provenance>,
    /// Tier-2 models that scored the trace: `{model, weights, scores}` (`weights`: version and
    /// weights hash).
    pub models: serde_json::Value,
    /// Tier-3 calls: `{judge, provider, model, prompt_hash, cache_key, cached}`.
    pub judges: serde_json::Value,
    /// SHA-256 of the stored result.
    pub result_sha256: String,
}
