//! Runs the detector over a labelled corpus (`{"id", "text", …}` per line), writes what it found
//! as `{"id", "spans": [{"start", "end", "label", "score"}]}` with code-point offsets (the format
//! `benches/phi/score.py` reads), and prints one JSON line of single-core throughput.
//!
//! ```text
//! cargo run --release -p aegis-phi --example phi_detect -- --corpus corpus.jsonl --out pred.jsonl
//! ```

use std::io::{BufRead, BufWriter, Write};
use std::time::{Duration, Instant};

use aegis_phi::Detector;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let mut corpus = None;
    let mut out = None;
    let mut min_secs = 2.0f64;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--corpus" => corpus = args.next(),
            "--out" => out = args.next(),
            "--min-seconds" => {
                min_secs = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .ok_or("--min-seconds needs a number")?;
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let corpus = corpus.ok_or("--corpus <file.jsonl> is required")?;
    let file = std::fs::File::open(&corpus).map_err(|e| format!("{corpus}: {e}"))?;
    let mut docs = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("{corpus}: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(&line).map_err(|e| format!("{corpus}:{}: {e}", n + 1))?;
        let id = v["id"].as_str().unwrap_or_default().to_owned();
        let text = v["text"]
            .as_str()
            .ok_or_else(|| format!("{corpus}:{}: no `text`", n + 1))?
            .to_owned();
        docs.push((id, text));
    }
    let detector = Detector::new().map_err(|e| e.to_string())?;
    // Warm-up: build the patterns and gazetteers outside the timed part.
    let _ = detector.detect("warm up 555-0100");

    if let Some(out) = out {
        let f = std::fs::File::create(&out).map_err(|e| format!("{out}: {e}"))?;
        let mut w = BufWriter::new(f);
        for (id, text) in &docs {
            let spans: Vec<serde_json::Value> = detector
                .detect(text)
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "start": text[..d.start].chars().count(),
                        "end": text[..d.end].chars().count(),
                        "label": d.class.label(),
                        "score": d.score,
                    })
                })
                .collect();
            let line = serde_json::json!({ "id": id, "spans": spans });
            writeln!(w, "{line}").map_err(|e| format!("{out}: {e}"))?;
        }
        w.flush().map_err(|e| format!("{out}: {e}"))?;
    }

    // Throughput: whole passes over the corpus until at least `min_secs` have gone by.
    let bytes: usize = docs.iter().map(|(_, t)| t.len()).sum();
    let started = Instant::now();
    let mut passes = 0u64;
    let mut found = 0usize;
    while passes == 0 || started.elapsed() < Duration::from_secs_f64(min_secs) {
        for (_, text) in &docs {
            found += std::hint::black_box(detector.detect(text)).len();
        }
        passes += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    let n_docs = docs.len() as f64 * passes as f64;
    println!(
        "{}",
        serde_json::json!({
            "system": "aegis",
            "docs": docs.len(),
            "bytes": bytes,
            "passes": passes,
            "seconds": secs,
            "docs_per_sec": n_docs / secs,
            "mb_per_sec": bytes as f64 * passes as f64 / secs / 1e6,
            "detections_per_pass": found as u64 / passes,
        })
    );
    Ok(())
}
