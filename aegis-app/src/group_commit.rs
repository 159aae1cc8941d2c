//! Ingest's group commit. Each request's traces must be durably queued before it answers, and
//! a durable commit waits for the disk: one per request made the writing connection the
//! service's bottleneck (profiled: commits were three quarters of the time ingest held it).
//! Instead a request puts its entries on a waiting list and takes the writing connection;
//! whichever request gets it first commits every entry waiting, its own and the others', in
//! one transaction, and leaves each request its answer. A request that finds its answer
//! already there when it gets the connection returns it at once.
//!
//! The waiting list is only emptied by the connection's holder, which answers all it took
//! before it lets the connection go; so a request that finds no answer finds its entries
//! still waiting. Requests are committed in the order they joined the list, and each one's
//! entries in their own order, as consecutive calls would have queued them.

use std::sync::{Arc, Mutex};

use aegis_core::{Sanitized, Trace};
use aegis_store::{QueueEntry, SqliteStore};

use crate::AppError;
use crate::service::lock;

/// A trace of an OTLP export whose root span came: queued with the spans kept for it from
/// earlier requests, which only the holder of the writing connection may read and drop.
pub(crate) struct AssembledTrace {
    /// The key it is queued under.
    pub(crate) key: String,
    /// The part in this request (sanitised).
    pub(crate) part: Sanitized<Trace>,
    /// `part` encoded for the queue: used when no span was kept for the trace (the usual case).
    pub(crate) entry: QueueEntry,
}

/// What became of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Queued {
    /// Queued now (`true`), or the same trace was already waiting or stored (`false`).
    Done(bool),
    /// An assembled trace that cannot be evaluated (`why`), with how many kept fragments it
    /// had; they are dropped.
    Refused { kept: usize, why: String },
}

/// What a request brings to be queued.
pub(crate) enum Job {
    /// Traces encoded for the queue.
    Entries(Vec<QueueEntry>),
    /// Traces assembled from OpenTelemetry spans.
    Assembled(Vec<AssembledTrace>),
}

type Answer = Arc<Mutex<Option<Result<Vec<Queued>, AppError>>>>;

/// A job a request brought, and where its answer goes.
struct Waiting {
    job: Job,
    answer: Answer,
}

/// Requests waiting for an organisation's writing connection to queue their traces.
#[derive(Default)]
pub(crate) struct EnqueueGroup {
    waiting: Mutex<Vec<Waiting>>,
}

impl EnqueueGroup {
    /// Queues `job` durably through `writer`, in one transaction with whatever other requests
    /// are waiting: for each entry, what became of it.
    pub(crate) fn enqueue(
        &self,
        writer: &Mutex<SqliteStore>,
        job: Job,
    ) -> Result<Vec<Queued>, AppError> {
        let answer: Answer = Arc::new(Mutex::new(None));
        lock(&self.waiting).push(Waiting {
            job,
            answer: Arc::clone(&answer),
        });
        let mut store = lock(writer);
        if let Some(done) = lock(&answer).take() {
            return done;
        }
        let group = std::mem::take(&mut *lock(&self.waiting));
        commit(&mut store, group);
        drop(store);
        lock(&answer).take().unwrap_or_else(|| {
            Err(AppError::Store(
                "the ingest group commit lost a request's answer".to_owned(),
            ))
        })
    }
}

/// A request's entries to write, and its answer so far: `None` where an entry's write will
/// tell, `Some` where it was settled before (a refused trace).
struct Prepared {
    entries: Vec<QueueEntry>,
    settled: Vec<Option<Queued>>,
    answer: Answer,
}

/// Resolves a job under the writing connection: an assembled trace takes the spans kept for
/// it (merged, checked, encoded again) or, if it cannot be evaluated, is refused and its kept
/// spans dropped.
fn prepare(
    store: &mut SqliteStore,
    job: Job,
) -> Result<(Vec<QueueEntry>, Vec<Option<Queued>>), AppError> {
    match job {
        Job::Entries(entries) => {
            let settled = vec![None; entries.len()];
            Ok((entries, settled))
        }
        Job::Assembled(traces) => {
            let mut entries = Vec::with_capacity(traces.len());
            let mut settled = Vec::with_capacity(traces.len());
            for t in traces {
                let mut parts = store.fragments(&t.key)?;
                let kept = parts.len();
                let (whole, entry) = if kept == 0 {
                    (None, t.entry)
                } else {
                    parts.push(t.part.clone());
                    let whole = Sanitized::merge(parts, aegis_otlp::merge);
                    let entry = QueueEntry::new(t.key.clone(), &whole).map_err(|e| {
                        AppError::Store(format!("cannot encode a trace to queue: {e}"))
                    })?;
                    (Some(whole), entry)
                };
                match whole.as_ref().unwrap_or(&t.part).check() {
                    Ok(()) => {
                        entries.push(entry.assembled());
                        settled.push(None);
                    }
                    Err(why) => {
                        store.drop_fragments(&t.key)?;
                        settled.push(Some(Queued::Refused { kept, why }));
                    }
                }
            }
            Ok((entries, settled))
        }
    }
}

/// Commits `group` in one transaction and answers each request. If that fails, each request
/// is committed on its own, so one request's failure is its own.
fn commit(store: &mut SqliteStore, group: Vec<Waiting>) {
    let mut prepared = Vec::with_capacity(group.len());
    for w in group {
        match prepare(store, w.job) {
            Ok((entries, settled)) => prepared.push(Prepared {
                entries,
                settled,
                answer: w.answer,
            }),
            Err(e) => *lock(&w.answer) = Some(Err(e)),
        }
    }
    let lengths: Vec<usize> = prepared.iter().map(|p| p.entries.len()).collect();
    let mut all: Vec<QueueEntry> = prepared
        .iter_mut()
        .flat_map(|p| std::mem::take(&mut p.entries))
        .collect();
    if prepared.len() > 1
        && let Ok(queued) = store.enqueue_entries(&all)
    {
        let mut rest = queued.into_iter();
        for (p, n) in prepared.into_iter().zip(lengths) {
            let written: Vec<bool> = rest.by_ref().take(n).collect();
            *lock(&p.answer) = Some(Ok(answer(p.settled, written)));
        }
        return;
    }
    for (p, n) in prepared.into_iter().zip(lengths) {
        let entries: Vec<QueueEntry> = all.drain(..n).collect();
        let done = if entries.is_empty() {
            Ok(answer(p.settled, Vec::new()))
        } else {
            store
                .enqueue_entries(&entries)
                .map(|written| answer(p.settled, written))
                .map_err(AppError::from)
        };
        *lock(&p.answer) = Some(done);
    }
}

/// A request's answer: its settled entries as they were, the others from their writes.
fn answer(settled: Vec<Option<Queued>>, written: Vec<bool>) -> Vec<Queued> {
    let mut written = written.into_iter();
    settled
        .into_iter()
        .map(|s| s.unwrap_or_else(|| Queued::Done(written.next().unwrap_or(false))))
        .collect()
}
