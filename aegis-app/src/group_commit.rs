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

use aegis_store::{QueueEntry, SqliteStore};

use crate::AppError;
use crate::service::lock;

type Answer = Arc<Mutex<Option<Result<Vec<bool>, AppError>>>>;

/// Entries a request brought, and where its answer goes.
struct Waiting {
    entries: Vec<QueueEntry>,
    answer: Answer,
}

/// Requests waiting for an organisation's writing connection to queue their traces.
#[derive(Default)]
pub(crate) struct EnqueueGroup {
    waiting: Mutex<Vec<Waiting>>,
}

impl EnqueueGroup {
    /// Queues `entries` durably through `writer`, in one transaction with whatever other
    /// requests are waiting: for each entry, whether it was queued now
    /// ([`SqliteStore::enqueue_entries`]).
    pub(crate) fn enqueue(
        &self,
        writer: &Mutex<SqliteStore>,
        entries: Vec<QueueEntry>,
    ) -> Result<Vec<bool>, AppError> {
        let answer: Answer = Arc::new(Mutex::new(None));
        lock(&self.waiting).push(Waiting {
            entries,
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

/// Commits `group` in one transaction and answers each request. If that fails, each request
/// is committed on its own, so one request's failure is its own.
fn commit(store: &mut SqliteStore, group: Vec<Waiting>) {
    if group.len() > 1 {
        let lengths: Vec<usize> = group.iter().map(|w| w.entries.len()).collect();
        let (answers, batches): (Vec<Answer>, Vec<Vec<QueueEntry>>) =
            group.into_iter().map(|w| (w.answer, w.entries)).unzip();
        let all: Vec<QueueEntry> = batches.into_iter().flatten().collect();
        match store.enqueue_entries(&all) {
            Ok(queued) => {
                let mut rest = queued.into_iter();
                for (answer, n) in answers.iter().zip(lengths) {
                    *lock(answer) = Some(Ok(rest.by_ref().take(n).collect()));
                }
            }
            Err(_) => {
                let mut rest = all.into_iter();
                for (answer, n) in answers.iter().zip(lengths) {
                    let entries: Vec<QueueEntry> = rest.by_ref().take(n).collect();
                    *lock(answer) = Some(store.enqueue_entries(&entries).map_err(AppError::from));
                }
            }
        }
    } else {
        for w in group {
            *lock(&w.answer) = Some(store.enqueue_entries(&w.entries).map_err(AppError::from));
        }
    }
}
