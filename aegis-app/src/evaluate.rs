//! Evaluate-and-store: records read from any source (a file, a request body, a queue) are
//! routed to their domain, evaluated in batches (in parallel when a judge waits on the
//! network), queued for expert review where they need it, written to the store with their
//! provenance, and counted. Every record gets exactly one result, in input order.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use aegis_core::{Domain, DomainInfo, EvaluationResult, Sanitized, Severity, Trace};
use aegis_phi::PhiEngine;
use aegis_runtime::input::Record;

use crate::pipeline::{Pipeline, TierOptions};
use crate::store::StoreWriter;
use crate::summary::RunSummary;
use crate::{AppError, find_domain, phi};

/// What an evaluation needs besides its domains and records.
pub struct EvaluateOptions {
    /// Evaluate every trace with this domain (`None`: each trace's `metadata.domain` chooses).
    pub domain: Option<&'static dyn Domain>,
    /// Which tiers after Tier 1 to install.
    pub tiers: TierOptions,
    /// Keep every result here (with its trace as Tier 0 left it), and queue the results that
    /// need review.
    pub store: Option<StoreWriter>,
    /// Count an issue at or above this severity as tripping the gate.
    pub fail_on: Option<Severity>,
    /// How long one trace may take: a trace still being evaluated then gets an `error` result
    /// and the evaluation goes on (the abandoned work finishes in the background and is
    /// dropped). `None`: no limit (the command line's default; a service sets one).
    pub time_budget: Option<Duration>,
}

/// A result with what the store needs: the trace as Tier 0 left it, and its domain.
struct Evaluated {
    result: EvaluationResult,
    trace: Option<Sanitized<Trace>>,
    domain: Option<&'static DomainInfo>,
}

/// An evaluation under way: feed it records, a batch at a time, and take the results.
pub struct Evaluation {
    domains: Vec<&'static dyn Domain>,
    fixed: Option<&'static dyn Domain>,
    engine: Arc<PhiEngine>,
    pipeline: Arc<Pipeline>,
    time_budget: Option<Duration>,
    store: Option<StoreWriter>,
    summary: RunSummary,
    started: Instant,
    /// A keyed hash of every trace id seen in this evaluation, with the line it was first seen
    /// on: a repeated id would replace the first trace's stored result. Hashes, not ids: the
    /// ids may be PHI, and 16 bytes a trace keep memory small.
    seen_ids: HashMap<u64, u64>,
    id_hasher: RandomState,
}

impl Evaluation {
    /// Builds the pipeline (Tier 0 with `engine`, Tier 2 and Tier 3 as the options say) for
    /// the domain chosen, or every domain given.
    pub fn new(
        domains: &[&'static dyn Domain],
        engine: Arc<PhiEngine>,
        options: EvaluateOptions,
    ) -> Result<Evaluation, AppError> {
        let scope = options.domain.map_or_else(|| domains.to_vec(), |d| vec![d]);
        let mut pipeline = Pipeline::build(&scope, Some(&engine), &options.tiers)?;
        if options.store.is_some() {
            // Tier 4 is the store's review queue: a result that needs review is queued in the
            // transaction that writes it.
            pipeline = pipeline.with_review_queue(Box::new(aegis_store::StoreReviewQueue));
        }
        Ok(Evaluation {
            domains: domains.to_vec(),
            fixed: options.domain,
            engine,
            pipeline: Arc::new(pipeline),
            time_budget: options.time_budget,
            store: options.store,
            summary: RunSummary::gated_at(options.fail_on),
            started: Instant::now(),
            seen_ids: HashMap::new(),
            id_hasher: RandomState::new(),
        })
    }

    /// How many records to hand [`Evaluation::evaluate`] at once: more than one only when
    /// the pipeline can overlap them (a judge waiting on the network).
    pub fn batch_size(&self) -> usize {
        let workers = self.pipeline.workers();
        if workers > 1 { workers * 4 } else { 1 }
    }

    /// Evaluates a batch of records; returns one result per record, in order. Each result is
    /// counted, and kept in the store when there is one (a result that needs review is queued
    /// for Tier 4 there: its Tier-4 report names the task).
    pub fn evaluate(&mut self, records: Vec<Record>) -> Result<Vec<EvaluationResult>, AppError> {
        let mut out = Vec::with_capacity(records.len());
        for e in self.evaluate_records(records) {
            log_result(&e.result);
            self.summary.add(&e.result);
            if let Some(episode) = e.trace.as_ref().and_then(|t| t.episode.as_ref()) {
                self.summary.add_episode(episode);
            }
            if let Some(store) = &mut self.store {
                store.add(e.result.clone(), e.trace.as_ref(), e.domain)?;
            }
            out.push(e.result);
        }
        Ok(out)
    }

    /// The totals so far.
    pub fn summary(&self) -> &RunSummary {
        &self.summary
    }

    /// The Tier-0 engine (to seal its vault).
    pub fn engine(&self) -> &Arc<PhiEngine> {
        &self.engine
    }

    /// Writes what the store still buffers, brings its full-text index up to date, runs the
    /// run-level RL evaluators and returns the totals.
    pub fn finish(mut self) -> Result<RunSummary, AppError> {
        if let Some(store) = &mut self.store {
            store.finish()?;
        }
        self.summary.finish_rl();
        self.summary
            .set_elapsed(self.started.elapsed().as_secs_f64());
        Ok(self.summary)
    }

    /// Routes each record to its domain, then evaluates the traces on the pipeline's workers.
    fn evaluate_records(&mut self, records: Vec<Record>) -> Vec<Evaluated> {
        let mut placed = Vec::new();
        let mut jobs: Vec<(&'static dyn Domain, Trace)> = Vec::new();
        let mut slots: Vec<Option<Evaluated>> = Vec::with_capacity(records.len());
        for record in records {
            match self.route(record) {
                Err(result) => slots.push(Some(Evaluated {
                    result,
                    trace: None,
                    domain: None,
                })),
                Ok((line, domain, trace)) => {
                    placed.push((slots.len(), line, domain.info()));
                    slots.push(None);
                    jobs.push((domain, trace));
                }
            }
        }
        let results = match self.time_budget {
            None => self
                .pipeline
                .orchestrator()
                .evaluate_batch_keeping_traces(jobs, self.pipeline.workers()),
            Some(budget) => evaluate_within(&self.pipeline, &self.engine, jobs, budget),
        };
        for ((slot, line, info), (mut result, trace)) in placed.into_iter().zip(results) {
            result.line = Some(line);
            // An error names its line, as the reader's errors do.
            if let Some(error) = &mut result.error
                && !error.starts_with("line ")
            {
                *error = format!("line {line}: {error}");
            }
            slots[slot] = Some(Evaluated {
                result,
                trace,
                domain: Some(info),
            });
        }
        slots.into_iter().flatten().collect()
    }

    /// The domain a record goes to, or its result already (a bad line, no domain, an id seen
    /// before).
    #[allow(clippy::result_large_err)] // An error here is the record's result.
    fn route(
        &mut self,
        record: Record,
    ) -> Result<(u64, &'static dyn Domain, Trace), EvaluationResult> {
        match record {
            Record::Trace { line, trace } => {
                // What the schema's types cannot say (negative RL costs, nothing to evaluate),
                // whatever reader or request the trace came from.
                if let Err(why) = trace.check() {
                    return Err(EvaluationResult::error(
                        Some(line),
                        phi::safe_id(&self.engine, trace.id.clone()),
                        format!("line {line}: the trace {why}"),
                    ));
                }
                if let Some(id) = &trace.id {
                    let h = self.id_hasher.hash_one(id);
                    if let Some(first) = self.seen_ids.get(&h) {
                        return Err(EvaluationResult::error(
                            Some(line),
                            phi::safe_id(&self.engine, trace.id.clone()),
                            format!(
                                "line {line}: the trace's id is the id of line {first}: ids must be unique in a batch (its result would replace the first one's)"
                            ),
                        ));
                    }
                    self.seen_ids.insert(h, line);
                }
                let domain = match (self.fixed, trace.metadata.domain.as_deref()) {
                    (Some(d), _) => Ok(d),
                    (None, Some(name)) => find_domain(&self.domains, name).map_err(|_| {
                        // The name comes from the trace: not repeated, since traces may carry PHI.
                        format!(
                            "the trace's metadata.domain is not a domain of this aegis-eval (it knows: {}); pass --domain to choose one",
                            crate::domain_names(&self.domains).join(", ")
                        )
                    }),
                    (None, None) => Err(
                        "the trace names no domain (metadata.domain) and no --domain was given"
                            .to_owned(),
                    ),
                };
                match domain {
                    Ok(domain) => Ok((line, domain, *trace)),
                    Err(message) => Err(EvaluationResult::error(
                        Some(line),
                        phi::safe_id(&self.engine, trace.id.clone()),
                        format!("line {line}: {message}"),
                    )),
                }
            }
            Record::Error { line, id, message } => Err(EvaluationResult::error(
                Some(line),
                phi::safe_id(&self.engine, id),
                message,
            )),
        }
    }
}

/// Evaluates each job on a thread of its own and waits for it at most `budget` from now: a
/// trace that takes longer gets an `error` result (its thread finishes in the background and
/// its result is dropped), so one slow trace never holds up the others. Results in job order.
fn evaluate_within(
    pipeline: &Arc<Pipeline>,
    engine: &PhiEngine,
    jobs: Vec<(&'static dyn Domain, Trace)>,
    budget: Duration,
) -> Vec<(EvaluationResult, Option<Sanitized<Trace>>)> {
    let deadline = Instant::now() + budget;
    let waiting: Vec<_> = jobs
        .into_iter()
        .map(|(domain, trace)| {
            let (tx, rx) = mpsc::channel();
            let pipeline = Arc::clone(pipeline);
            let name = domain.info().name;
            let id = phi::safe_id(engine, trace.id.clone());
            let spawned = std::thread::Builder::new()
                .name("aegis-trace".into())
                .spawn(move || {
                    let r = pipeline
                        .orchestrator()
                        .evaluate_keeping_trace(domain, trace);
                    // The receiver is gone when the budget ran out: nothing to do.
                    let _ = tx.send(r);
                });
            (rx, name, id, spawned.is_ok())
        })
        .collect();
    waiting
        .into_iter()
        .map(|(rx, name, id, spawned)| {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(r) if spawned => r,
                _ => {
                    let mut r = EvaluationResult::error(
                        None,
                        id,
                        format!(
                            "the trace was not evaluated within the time budget ({} ms)",
                            budget.as_millis()
                        ),
                    );
                    r.domain = Some(name.to_owned());
                    (r, None)
                }
            }
        })
        .collect()
}

/// Runs `f` on each item in turn on one thread of its own, waiting for each answer at most
/// `budget` after the previous one: an item that takes longer (or panics) gets `None`, its
/// thread is left to finish in the background, and the items after it go on a new thread.
/// One thread a batch, not one a trace; answers in item order.
pub(crate) fn within_each<T: Send + Sync + 'static, R: Send + 'static>(
    budget: Duration,
    items: Vec<T>,
    f: Arc<dyn Fn(&T) -> R + Send + Sync>,
) -> Vec<Option<R>> {
    let items = Arc::new(items);
    let n = items.len();
    let mut out: Vec<Option<R>> = Vec::with_capacity(n);
    while out.len() < n {
        let start = out.len();
        let (tx, rx) = mpsc::channel();
        let (batch, f) = (Arc::clone(&items), Arc::clone(&f));
        let spawned = std::thread::Builder::new()
            .name("aegis-batch".into())
            .spawn(move || {
                for item in &batch[start..] {
                    // The receiver is gone when the budget ran out: stop.
                    if tx.send(f(item)).is_err() {
                        return;
                    }
                }
            });
        if spawned.is_err() {
            out.extend((start..n).map(|_| None));
            break;
        }
        loop {
            match rx.recv_timeout(budget) {
                Ok(r) => out.push(Some(r)),
                // Over the budget, or the thread died: this item fails, the rest go on afresh.
                Err(_) => {
                    out.push(None);
                    break;
                }
            }
            if out.len() == n {
                break;
            }
        }
    }
    out
}

/// Logs a result (sanitised text only) at debug level, its issues at trace level.
fn log_result(result: &EvaluationResult) {
    tracing::debug!(
        line = result.line,
        trace = result.trace_id.as_deref().unwrap_or("-"),
        verdict = result.verdict.as_str(),
        decided_by = result.decided_by.map(|t| t.as_str()),
        issues = result.issues.len(),
        "evaluated"
    );
    for issue in &result.issues {
        tracing::trace!(validator = %issue.validator, message = %issue.message, "issue");
    }
    if let Some(error) = &result.error {
        tracing::debug!(line = result.line, %error, "not evaluated");
    }
}

#[cfg(test)]
mod within_tests {
    use super::*;

    #[test]
    fn a_slow_or_panicking_item_fails_alone_and_the_rest_are_answered_in_order() {
        let f: Arc<dyn Fn(&u64) -> u64 + Send + Sync> = Arc::new(|&i| {
            match i {
                3 => std::thread::sleep(Duration::from_millis(600)),
                5 => panic!("item 5 panics"),
                _ => {}
            }
            i * 10
        });
        let out = within_each(Duration::from_millis(200), (0..8).collect(), f);
        assert_eq!(
            out,
            vec![
                Some(0),
                Some(10),
                Some(20),
                None,
                Some(40),
                None,
                Some(60),
                Some(70)
            ]
        );
        let empty: Vec<Option<u64>> = within_each(
            Duration::from_millis(10),
            Vec::new(),
            Arc::new(|&i: &u64| i),
        );
        assert!(empty.is_empty());
    }
}
