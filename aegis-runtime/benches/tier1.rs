//! Tier-1 throughput and latency of the healthcare domain on one core.
//!
//! ```text
//! cargo bench -p aegis-runtime --bench tier1 [-- SECONDS]
//! ```
//!
//! Traces are the bundled healthcare examples (realistic answers of ~0.5–1 KB), cycled. Three
//! measurements, single-threaded:
//! * `rules`: `Domain::evaluate_rules` on parsed traces (the compiled rules alone);
//! * `pipeline`: `Orchestrator::evaluate` (tiers 0–4 bookkeeping included) on parsed traces;
//! * `parse+pipeline`: JSON text → `Trace` → `Orchestrator::evaluate`, what `aegis-eval run`
//!   does per line.
//!
//! For each: traces per second, and p50/p99/max latency of single traces.

use std::hint::black_box;
use std::time::{Duration, Instant};

use aegis_core::{Domain, Sanitized, Trace};
use aegis_domain_healthcare::Healthcare;
use aegis_runtime::Orchestrator;

const TRACES: &str = include_str!("../../examples/traces/healthcare.jsonl");

struct Stats {
    name: &'static str,
    per_second: f64,
    p50_ns: u64,
    p99_ns: u64,
    max_ns: u64,
}

/// Runs `f` over the traces for `budget`, timing each call.
fn measure<T>(
    name: &'static str,
    lines: &[&str],
    traces: &[T],
    budget: Duration,
    mut f: impl FnMut(&str, &T),
) -> Stats {
    // Warm up: compile the lazily built regexes, fill caches.
    for (l, t) in lines.iter().zip(traces) {
        f(l, t);
    }
    let mut samples = Vec::with_capacity(1 << 20);
    let started = Instant::now();
    'outer: loop {
        for (l, t) in lines.iter().zip(traces) {
            let t0 = Instant::now();
            f(l, t);
            samples.push(t0.elapsed().as_nanos() as u64);
            if samples.len() % 1024 == 0 && started.elapsed() >= budget {
                break 'outer;
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let n = samples.len();
    samples.sort_unstable();
    Stats {
        name,
        per_second: n as f64 / elapsed,
        p50_ns: samples[n / 2],
        p99_ns: samples[(n * 99) / 100],
        max_ns: samples[n - 1],
    }
}

fn main() {
    let seconds: f64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5.0);
    let budget = Duration::from_secs_f64(seconds);
    let lines: Vec<&str> = TRACES.lines().filter(|l| !l.trim().is_empty()).collect();
    let traces: Vec<Trace> = lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("bundled traces parse"))
        .collect();
    let mean_bytes = lines.iter().map(|l| l.len()).sum::<usize>() as f64 / lines.len() as f64;
    let mean_output =
        traces.iter().map(|t| t.output.len()).sum::<usize>() as f64 / traces.len() as f64;
    let orchestrator = Orchestrator::new();
    // Tier 1 alone reads traces that have been through Tier 0; sanitise them outside the timing.
    let engine = aegis_phi::PhiEngine::ephemeral().expect("PHI engine builds");
    let settings = Healthcare.info().phi.expect("healthcare asks for Tier 0");
    let sanitized: Vec<Sanitized<Trace>> = traces
        .iter()
        .map(|t| Sanitized::sanitize(t.clone(), &engine, &settings).0)
        .collect();

    let results = [
        measure("rules", &lines, &sanitized, budget, |_, t| {
            black_box(Healthcare.evaluate_rules(black_box(t)));
        }),
        measure("pipeline", &lines, &traces, budget, |_, t| {
            black_box(orchestrator.evaluate(&Healthcare, black_box(t.clone())));
        }),
        measure("parse+pipeline", &lines, &traces, budget, |l, _| {
            let trace: Trace = serde_json::from_str(black_box(l)).expect("parses");
            black_box(orchestrator.evaluate(&Healthcare, trace));
        }),
    ];

    println!(
        "healthcare Tier 1, one core, {} distinct traces (mean {:.0} B of JSON, {:.0} B of output), {seconds} s each",
        lines.len(),
        mean_bytes,
        mean_output
    );
    println!();
    println!("| measurement | traces/s | p50 µs | p99 µs | max µs |");
    println!("|---|---:|---:|---:|---:|");
    for s in &results {
        println!(
            "| {} | {:.0} | {:.1} | {:.1} | {:.1} |",
            s.name,
            s.per_second,
            s.p50_ns as f64 / 1000.0,
            s.p99_ns as f64 / 1000.0,
            s.max_ns as f64 / 1000.0
        );
    }
}
