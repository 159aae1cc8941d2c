//! Prometheus metrics (prometheus-client, OpenMetrics text): traces ingested and evaluated by
//! domain, verdict and deciding tier; per-tier latency; queue depth and oldest age; judge calls
//! and cost; store write latency. Labels are names from this program's own lists (domains,
//! verdicts, tiers), never trace text.

use std::sync::Arc;
use std::time::Duration;

use aegis_app::service::{Accepted, LiveResult, Observer};
use aegis_core::TierOutcome;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::live::Feed;

/// Labels of an ingested trace.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DomainLabel {
    /// The domain.
    pub domain: String,
}

/// Labels of an evaluated trace.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EvaluatedLabels {
    /// The domain.
    pub domain: String,
    /// The verdict.
    pub verdict: String,
    /// The deciding tier (`none` when no tier decided).
    pub decided_by: String,
}

/// Labels of OpenTelemetry spans received.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SpanOutcome {
    /// `queued` (in a trace queued for evaluation), `kept` (waiting for their root span) or
    /// `rejected` (counted in the answer's `partial_success`).
    pub outcome: &'static str,
}

/// Labels of results exported to another tool.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ExportOutcome {
    /// Where to: `phoenix`, `otlp` or `langfuse`.
    pub sink: &'static str,
    /// `sent`, `failed` (the tool refused or could not be reached, after retries) or `missed`
    /// (the exporter fell behind the results and lost some).
    pub outcome: &'static str,
}

/// Labels of a tier's latency.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TierLabel {
    /// The tier.
    pub tier: String,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 1 µs to ~17 s.
    Histogram::new(exponential_buckets(1e-6, 4.0, 13))
}

/// Every metric the server exports.
pub struct Metrics {
    registry: Registry,
    /// Traces accepted into a queue, by domain.
    pub ingested: Family<DomainLabel, Counter>,
    /// Lines of ingest requests that were not accepted.
    pub rejected: Counter,
    /// Traces evaluated and stored, by domain, verdict and deciding tier.
    pub evaluated: Family<EvaluatedLabels, Counter>,
    /// Time spent in each tier.
    pub tier_latency: Histograms<TierLabel>,
    /// Traces waiting in the queues (set when scraped).
    pub queue_depth: Gauge,
    /// Age of the oldest trace waiting, in seconds (set when scraped).
    pub queue_oldest_age: Gauge<f64, std::sync::atomic::AtomicU64>,
    /// Of the traces waiting in a shared queue, those a worker took and has not finished (set
    /// when scraped; 0 without a shared queue).
    pub queue_pending: Gauge,
    /// Traces given up on in a shared queue: its dead letters (set when scraped).
    pub dead_letters: Gauge,
    /// Traces a scaled-out worker of this process stored.
    pub shared_stored: Counter,
    /// 1 while this process's scaled-out workers reach their queue and store (their last pass
    /// succeeded), else 0 (set when scraped; only a worker process exports it).
    pub worker_ready: Gauge,
    /// Tier-3 judge calls (traces the judge ran on).
    pub judge_calls: Counter,
    /// Tier-3 judge spend in US dollars.
    pub judge_cost: Counter<f64, std::sync::atomic::AtomicU64>,
    /// Time to write a batch of results (and take it off the queue).
    pub store_write: Histogram,
    /// Requests refused by an organisation's rate limit.
    pub rate_limited: Counter,
    /// Worker batches that failed (they are taken again after their lease).
    pub worker_errors: Counter,
    /// OpenTelemetry spans received, by what became of them.
    pub otlp_spans: Family<SpanOutcome, Counter>,
    /// Results exported to other tools, by where and what became of them.
    pub exports: Family<ExportOutcome, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Counts the traces an ingest request queued, by domain.
    pub fn count_ingested<'a>(&self, accepted: impl IntoIterator<Item = &'a Accepted>) {
        for a in accepted.into_iter().filter(|a| a.queued) {
            self.ingested
                .get_or_create(&DomainLabel {
                    domain: a.domain.clone(),
                })
                .inc();
        }
    }

    /// Registers every metric.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("aegis");
        let m = Metrics {
            registry: Registry::default(),
            ingested: Family::default(),
            rejected: Counter::default(),
            evaluated: Family::default(),
            tier_latency: Family::new_with_constructor(latency_histogram),
            queue_depth: Gauge::default(),
            queue_oldest_age: Gauge::default(),
            queue_pending: Gauge::default(),
            dead_letters: Gauge::default(),
            shared_stored: Counter::default(),
            worker_ready: Gauge::default(),
            judge_calls: Counter::default(),
            judge_cost: Counter::default(),
            store_write: latency_histogram(),
            rate_limited: Counter::default(),
            worker_errors: Counter::default(),
            otlp_spans: Family::default(),
            exports: Family::default(),
        };
        registry.register(
            "results_exported",
            "Results exported to other tools (Phoenix annotations): sent, failed after retries, or missed by an exporter that fell behind",
            m.exports.clone(),
        );
        registry.register(
            "otlp_spans",
            "OpenTelemetry spans received: queued in a trace, kept for their root span, or rejected",
            m.otlp_spans.clone(),
        );
        registry.register(
            "traces_ingested",
            "Traces accepted into a queue",
            m.ingested.clone(),
        );
        registry.register(
            "lines_rejected",
            "Lines of ingest requests that were not traces",
            m.rejected.clone(),
        );
        registry.register(
            "traces_evaluated",
            "Traces evaluated and stored",
            m.evaluated.clone(),
        );
        registry.register(
            "tier_latency_seconds",
            "Time spent in each tier",
            m.tier_latency.clone(),
        );
        registry.register(
            "queue_depth",
            "Traces waiting to be evaluated",
            m.queue_depth.clone(),
        );
        registry.register(
            "queue_pending",
            "Traces a worker took from the shared queue and has not finished",
            m.queue_pending.clone(),
        );
        registry.register(
            "dead_letters",
            "Traces the shared queue gave up on (its dead-letter stream)",
            m.dead_letters.clone(),
        );
        registry.register(
            "shared_stored",
            "Traces this process's scaled-out workers evaluated and stored",
            m.shared_stored.clone(),
        );
        registry.register(
            "queue_oldest_age_seconds",
            "Age of the oldest trace waiting",
            m.queue_oldest_age.clone(),
        );
        registry.register(
            "judge_calls",
            "Traces the Tier-3 judge ran on",
            m.judge_calls.clone(),
        );
        registry.register(
            "judge_cost_usd",
            "Tier-3 judge spend in US dollars",
            m.judge_cost.clone(),
        );
        registry.register(
            "store_write_seconds",
            "Time to write a batch of results",
            m.store_write.clone(),
        );
        registry.register(
            "rate_limited",
            "Requests refused by an organisation's rate limit",
            m.rate_limited.clone(),
        );
        registry.register(
            "worker_errors",
            "Worker batches that failed",
            m.worker_errors.clone(),
        );
        Metrics { registry, ..m }
    }

    /// The metrics of a worker process (`aegis-eval worker`): those of [`Metrics::new`], and
    /// `aegis_worker_ready`.
    pub fn for_worker() -> Metrics {
        let mut m = Metrics::new();
        m.registry.register(
            "worker_ready",
            "1 while this process's workers reach their queue and store, else 0",
            m.worker_ready.clone(),
        );
        m
    }

    /// The OpenMetrics text.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }

    /// Sets the queue gauges from a scaled-out service's queue, as just read.
    pub fn set_shared_queue(&self, depth: &aegis_store::redis_queue::RedisQueueDepth) {
        let gauge = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        self.queue_depth.set(gauge(depth.backlog));
        self.queue_pending.set(gauge(depth.pending));
        self.dead_letters.set(gauge(depth.dead_letters));
        self.queue_oldest_age
            .set(age_seconds(depth.oldest_added_ms));
    }

    /// Counts what a pass of a scaled-out worker stored and failed to.
    pub fn count_shared_work(&self, work: &aegis_app::shared::SharedWork) {
        self.shared_stored.inc_by(work.stored as u64);
        if work.failed + work.dead > 0 {
            self.worker_errors.inc_by((work.failed + work.dead) as u64);
        }
    }

    /// Counts one stored result.
    pub fn count(&self, live: &LiveResult) {
        let r = &live.result;
        self.evaluated
            .get_or_create(&EvaluatedLabels {
                domain: r.domain.clone().unwrap_or_else(|| "none".to_owned()),
                verdict: r.verdict.as_str().to_owned(),
                decided_by: r.decided_by.map_or("none", |t| t.as_str()).to_owned(),
            })
            .inc();
        for t in &r.tiers {
            let ran = !matches!(
                t.outcome,
                TierOutcome::Skipped | TierOutcome::Unavailable { .. }
            );
            // Tier 0 ran when the trace was accepted: timed there (`Observe::sanitized`).
            if ran && t.tier != aegis_core::Tier::Sanitize {
                self.tier_latency
                    .get_or_create(&TierLabel {
                        tier: t.tier.as_str().to_owned(),
                    })
                    .observe(t.latency_ns as f64 / 1e9);
            }
            if t.tier == aegis_core::Tier::Judge && ran {
                self.judge_calls.inc();
                self.judge_cost.inc_by(t.cost_usd.dollars());
            }
        }
    }
}

/// Seconds since `ms` (milliseconds since the Unix epoch); 0 for none.
pub(crate) fn age_seconds(ms: Option<i64>) -> f64 {
    ms.map_or(0.0, |t| {
        (aegis_app::store::now_ms() - t).max(0) as f64 / 1000.0
    })
}

/// An observer that only counts: a worker process's, which has no live feed.
pub struct Count(pub Arc<Metrics>);

impl Observer for Count {
    fn stored(&self, _n: usize, took: Duration) {
        self.0.store_write.observe(took.as_secs_f64());
    }

    fn evaluated(&self, result: &LiveResult) {
        self.0.count(result);
    }

    fn sanitized(&self, _took: Duration) {}
}

/// The service's observer: counts results and sends them to the live feed.
pub struct Observe {
    /// Where to count.
    pub metrics: Arc<Metrics>,
    /// Where to send.
    pub live: Feed,
}

impl Observer for Observe {
    fn stored(&self, _n: usize, took: Duration) {
        self.metrics.store_write.observe(took.as_secs_f64());
    }

    fn evaluated(&self, result: &LiveResult) {
        self.metrics.count(result);
        self.live.send(result);
    }

    fn sanitized(&self, took: Duration) {
        self.metrics
            .tier_latency
            .get_or_create(&TierLabel {
                tier: aegis_core::Tier::Sanitize.as_str().to_owned(),
            })
            .observe(took.as_secs_f64());
    }
}
