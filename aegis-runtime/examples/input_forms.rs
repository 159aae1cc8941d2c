//! Memory and time of the trace reader on a large generated input of one form: writes the
//! input to a temporary file, reads it back through `TraceReader`, and prints the records, the
//! time and the peak resident memory (VmHWM). See BENCHMARKS.md, "Trace input forms: streaming".
//!
//! ```sh
//! cargo run --release -p aegis-runtime --example input_forms -- array 200
//! ```
//!
//! Forms: `jsonl`, `array` (one element a line), `array-line` (the whole array on one line),
//! `pretty` (pretty-printed values), `brace` (a lone `{`, then JSONL), `bracket` (a lone `[`,
//! then JSONL). The size is in megabytes (default 200).

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::time::Instant;

use aegis_runtime::input::{Record, TraceReader};

/// A field of /proc/self/status in MiB (Linux), if there is one.
fn status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn trace(i: usize) -> String {
    format!(
        r#"{{"id": "t-{i:09}", "input": "Knee pain after a run, what can I take?", "output": "Take ibuprofen 400 mg every 6 hours with food, {{not}} more than [3] a day.", "metadata": {{"domain": "healthcare", "application": "patient-chat", "tags": ["a", "b"]}}}}"#
    )
}

fn pretty(i: usize) -> String {
    let one = serde_json::from_str::<serde_json::Value>(&trace(i)).unwrap_or_default();
    let mut text = serde_json::to_string_pretty(&one).unwrap_or_default();
    text.push('\n');
    text
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let form = args.next().unwrap_or_else(|| "array".to_owned());
    let megabytes: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(200);
    let path = std::env::temp_dir().join(format!("aegis-input-forms-{}.json", std::process::id()));
    let (mut written, mut n) = (0u64, 0usize);
    {
        let mut out = BufWriter::new(File::create(&path)?);
        let mut put = |text: &str, written: &mut u64| -> std::io::Result<()> {
            *written += text.len() as u64;
            out.write_all(text.as_bytes())
        };
        match form.as_str() {
            "array" | "array-line" => put("[", &mut written)?,
            "brace" => put("{\n", &mut written)?,
            "bracket" => put("[\n", &mut written)?,
            "jsonl" | "pretty" => {}
            other => {
                eprintln!("unknown form {other}");
                std::process::exit(2);
            }
        }
        while written < megabytes * 1_000_000 {
            let sep = match form.as_str() {
                "array" if n > 0 => ",\n",
                "array-line" if n > 0 => ", ",
                "array" | "array-line" => "",
                _ => "\n",
            };
            let text = if form == "pretty" {
                pretty(n)
            } else {
                trace(n)
            };
            put(sep, &mut written)?;
            put(&text, &mut written)?;
            n += 1;
        }
        if form.starts_with("array") {
            put("]\n", &mut written)?;
        }
        out.flush()?;
    }
    let before = status_mib("VmHWM:").unwrap_or(0.0);
    let start = Instant::now();
    let (mut traces, mut errors) = (0usize, 0usize);
    for record in TraceReader::new(BufReader::new(File::open(&path)?)) {
        match record? {
            Record::Trace { .. } => traces += 1,
            Record::Error { .. } => errors += 1,
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    std::fs::remove_file(&path)?;
    let peak = status_mib("VmHWM:").unwrap_or(0.0);
    println!(
        "{form}: {:.0} MB in, {traces} traces, {errors} errors, {seconds:.2} s ({:.0} MB/s), \
         peak RSS {peak:.1} MiB (before reading {before:.1} MiB)",
        written as f64 / 1e6,
        written as f64 / 1e6 / seconds,
    );
    Ok(())
}
