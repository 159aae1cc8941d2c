//! The trace reader on large inputs of every form: time linear in the input's size, huge strings
//! and long single-line arrays read whole. (Memory is measured by the `input_forms` example; see
//! BENCHMARKS.md, "Trace input forms: streaming".)

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use std::io::{self, BufReader};
use std::time::{Duration, Instant};

use aegis_runtime::input::{Record, TraceReader};

/// One trace as a JSONL line; its text holds the bytes a bounds scanner must not be fooled by.
fn trace(i: usize) -> String {
    format!(
        r#"{{"id": "t-{i:07}", "output": "Take 400 mg {{every}} 6 h, [not] a \"quote\\\" ], {{", "metadata": {{"domain": "healthcare", "tags": ["a", "b"]}}}}"#
    )
}

/// A pretty-printed trace (four lines).
fn pretty(i: usize) -> String {
    format!(
        "{{\n  \"id\": \"t-{i:07}\",\n  \"output\": \"Take 400 mg {{every}} 6 h, [not] a \\\"quote\\\\\\\" ], {{\",\n  \"metadata\": {{\"domain\": \"healthcare\", \"tags\": [\"a\", \"b\"]}}\n}}\n"
    )
}

/// The forms, each of about `bytes` bytes: its name, its text, and how many traces it holds.
fn forms(bytes: usize) -> Vec<(&'static str, String, usize)> {
    let n = bytes / trace(0).len();
    let lines: Vec<String> = (0..n).map(trace).collect();
    vec![
        ("JSONL", lines.join("\n"), n),
        ("array, one line", format!("[{}]", lines.join(", ")), n),
        (
            "array, one element a line",
            format!("[\n{}\n]\n", lines.join(",\n")),
            n,
        ),
        ("pretty-printed values", (0..n).map(pretty).collect(), n),
        (
            "a lone `{` then JSONL",
            format!("{{\n{}", lines.join("\n")),
            n,
        ),
        (
            "a lone `[` then JSONL",
            format!("[\n{}", lines.join("\n")),
            n,
        ),
    ]
}

/// Reads `input`; the number of traces and errors.
fn read(input: &str) -> (usize, usize) {
    let (mut traces, mut errors) = (0, 0);
    for record in TraceReader::new(BufReader::new(input.as_bytes())) {
        match record.unwrap() {
            Record::Trace { .. } => traces += 1,
            Record::Error { .. } => errors += 1,
        }
    }
    (traces, errors)
}

/// The best of three timings of reading `input` (the least disturbed by other work).
fn time(input: &str) -> Duration {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            read(input);
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Linear time on every form. Reading 4× the input must take well under 16× the time (what a
/// quadratic reader takes); the bound is 10×, generous on purpose so that a loaded machine
/// cannot fail it (the workspace has no tight timed assertions): a linear reader measures about
/// 4×, the reader this replaced did not finish the larger pretty-printed input in minutes.
#[test]
fn every_form_reads_in_linear_time() {
    let small = forms(2_000_000);
    let large = forms(8_000_000);
    for ((name, small, n_small), (_, large, n_large)) in small.iter().zip(&large) {
        let stray = usize::from(name.contains("lone"));
        assert_eq!(read(small), (*n_small, stray), "{name}");
        assert_eq!(read(large), (*n_large, stray), "{name}");
        let (t_small, t_large) = (time(small), time(large));
        let ratio = t_large.as_secs_f64() / t_small.as_secs_f64().max(1e-3);
        eprintln!("{name}: 2 MB {t_small:.2?}, 8 MB {t_large:.2?}, ratio {ratio:.1}");
        assert!(
            ratio < 10.0,
            "{name}: 4× the input took {ratio:.1}× the time"
        );
    }
}

#[test]
fn huge_strings_are_read_in_every_form() {
    let text = "x".repeat(16 << 20);
    for input in [
        format!("{{\"output\": \"{text}\"}}\n{{\"output\": \"b\"}}\n"),
        format!("[{{\"output\": \"{text}\"}}, {{\"output\": \"b\"}}]"),
        format!("{{\n  \"output\": \"{text}\"\n}}\n{{\"output\": \"b\"}}\n"),
    ] {
        let records: Vec<Record> = TraceReader::new(BufReader::new(input.as_bytes()))
            .collect::<io::Result<_>>()
            .unwrap();
        assert!(
            matches!(&records[..], [Record::Trace { trace: a, .. }, Record::Trace { trace: b, .. }]
                if a.output.len() == text.len() && b.output == "b"),
            "{:?}",
            records
                .iter()
                .map(|r| matches!(r, Record::Trace { .. }))
                .collect::<Vec<_>>()
        );
    }
}
