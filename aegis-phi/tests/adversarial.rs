//! Tier 0 takes time linear in the text's length on adversarial input (issue 28, point 2):
//! runs of separators, near-miss dates, phone and ID shapes, capitalised runs, `A-` runs, long
//! digit runs and mixes of them (`support/adversarial_texts.rs`), each at 32 KB and at 128 KB.
//!
//! Speed is never a timed assertion that could flake on a noisy machine, so neither check is
//! tight:
//!
//! * **Growth.** Four times the text may take at most ten times as long, plus a fixed allowance
//!   of [`SLACK`] for timer and scheduler noise. Quadratic time takes sixteen times as long
//!   (the runs this test was written against took 15× to 60×: `A-` at 64 KB took 4 s in a
//!   release build). A failure is timed again before it counts.
//! * **Floor.** Every family runs at [`FLOOR_MB_S`] or more, about a tenth of the slowest
//!   family's throughput in a debug build of this crate (its dependencies optimised), and far
//!   below a release build's (`examples/phi_adversarial.rs`, `BENCHMARKS.md`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use aegis_core::tiers::Sanitizer;
use aegis_core::{PhiMode, SanitizeReport, Trace};
use aegis_phi::{PhiEngine, PhiKey, all_classes};

#[path = "support/adversarial_texts.rs"]
mod adversarial_texts;

use adversarial_texts::{FAMILIES, build};

const SMALL: usize = 32 * 1024;
const LARGE: usize = 128 * 1024;

/// How much longer 4× the text may take.
const MAX_GROWTH: f64 = 10.0;

/// Allowance for noise on top of the growth bound.
const SLACK: Duration = Duration::from_millis(30);

/// The lowest throughput accepted, in MB/s (debug build; see the module documentation).
const FLOOR_MB_S: f64 = 0.05;

fn engine() -> PhiEngine {
    let key = PhiKey::from_config("adversarial test key").unwrap_or_else(|e| panic!("{e}"));
    // Timings of the scan itself: a text found clean would otherwise not be scanned again.
    PhiEngine::new(key)
        .unwrap_or_else(|e| panic!("{e}"))
        .scanning_every_text()
}

/// The shortest of `runs` timings of `f`.
fn fastest(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn mb_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64().max(1e-9)
}

/// Checks growth and floor for one workload; `run(size)` does the work on a text of `size`.
fn check_linear(name: &str, mut run: impl FnMut(usize)) -> Result<String, String> {
    let mut small = fastest(3, || run(SMALL));
    let mut large = fastest(1, || run(LARGE));
    let bound = |small: Duration| small.mul_f64(MAX_GROWTH) + SLACK;
    let floor_ok = |large: Duration| mb_s(LARGE, large) >= FLOOR_MB_S;
    if large > bound(small) || !floor_ok(large) {
        // Timed again before it counts: a busy machine slows one run, not every run.
        small = small.min(fastest(3, || run(SMALL)));
        large = large.min(fastest(2, || run(LARGE)));
    }
    let line = format!(
        "{name:<16} 32 KB {:>8.1} ms  128 KB {:>8.1} ms  ×{:.1}  {:.2} MB/s",
        small.as_secs_f64() * 1e3,
        large.as_secs_f64() * 1e3,
        large.as_secs_f64() / small.as_secs_f64().max(1e-9),
        mb_s(LARGE, large)
    );
    if large > bound(small) {
        return Err(format!(
            "{line}: super-linear (more than ×{MAX_GROWTH} for ×4)"
        ));
    }
    if !floor_ok(large) {
        return Err(format!("{line}: below the floor of {FLOOR_MB_S} MB/s"));
    }
    Ok(line)
}

fn assert_all(results: Vec<Result<String, String>>) {
    let mut failures = Vec::new();
    for r in results {
        match r {
            Ok(line) => eprintln!("{line}"),
            Err(line) => {
                eprintln!("{line}");
                failures.push(line);
            }
        }
    }
    assert!(failures.is_empty(), "not linear:\n{}", failures.join("\n"));
}

#[test]
fn sanitising_adversarial_text_takes_linear_time() {
    let engine = engine();
    let settings = all_classes(PhiMode::Pseudonymize);
    // Build the patterns and gazetteers outside the timings.
    let _ = engine.sanitize_text("warm up", &settings, "s", &mut SanitizeReport::default());
    let results = FAMILIES
        .iter()
        .map(|(name, unit)| {
            let small = build(unit, SMALL);
            let large = build(unit, LARGE);
            check_linear(name, |size| {
                let text = if size == SMALL { &small } else { &large };
                let mut report = SanitizeReport::default();
                black_box(engine.sanitize_text(text, &settings, "subject", &mut report));
            })
        })
        .collect();
    assert_all(results);
}

#[test]
fn sanitising_a_trace_of_adversarial_text_takes_linear_time() {
    // The reported cases, through the trace path `run` and `sanitize` take: the text in
    // `output`, in `context` and in `domain_data`.
    let engine = engine();
    let settings = all_classes(PhiMode::Pseudonymize);
    let results = ["date-slash-run", "a-dash", "cap-hyphen", "mixed"]
        .iter()
        .filter_map(|name| FAMILIES.iter().find(|(n, _)| n == name))
        .map(|(name, unit)| {
            let traces: Vec<Trace> = [SMALL, LARGE]
                .iter()
                .map(|&size| {
                    let text = build(unit, size / 3);
                    let json = serde_json::json!({
                        "id": "t-1",
                        "input": "question",
                        "output": text,
                        "context": [text],
                        "domain_data": {"note": text},
                    });
                    serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"))
                })
                .collect();
            check_linear(name, |size| {
                let mut t = traces[usize::from(size == LARGE)].clone();
                black_box(engine.sanitize(&mut t, &settings));
            })
        })
        .collect();
    assert_all(results);
}
