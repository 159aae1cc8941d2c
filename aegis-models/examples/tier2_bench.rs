//! Tier-2 speed: the `hashed_ngrams` model (traces/s on one core) and MiniLM embedding
//! throughput at batch sizes 1, 8 and 32. Prints one JSON object per measurement.
//!
//! ```text
//! cargo run --release -p aegis-models --example tier2_bench -- \
//!     --weights domains/healthcare/models/safety_risk --texts examples/traces/healthcare.jsonl
//! ```
//! `benches/minilm/run.sh` runs it beside sentence-transformers on the same texts.

use std::path::PathBuf;
use std::time::Instant;

use aegis_models::{Backbones, MiniLm, TextModel, minilm};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut weights = None;
    let mut texts_path = None;
    let mut min_seconds = 3.0f64;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--weights" => weights = args.next().map(PathBuf::from),
            "--texts" => texts_path = args.next().map(PathBuf::from),
            "--min-seconds" => {
                min_seconds = args.next().and_then(|s| s.parse().ok()).unwrap_or(3.0)
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let texts_path =
        texts_path.ok_or("--texts FILE (JSONL with `output` or `text`) is required")?;
    let texts: Vec<String> = std::fs::read_to_string(&texts_path)?
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            v.get("output")
                .or_else(|| v.get("text"))
                .and_then(|t| t.as_str())
                .map(str::to_owned)
        })
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    if let Some(dir) = weights {
        let model = TextModel::load_dir(&dir, &Backbones::default())?;
        let (mut n, start) = (0usize, Instant::now());
        while start.elapsed().as_secs_f64() < min_seconds {
            for t in &refs {
                std::hint::black_box(model.predict(t)?);
            }
            n += refs.len();
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{{\"bench\":\"hashed_ngrams\",\"texts\":{n},\"seconds\":{secs:.3},\"per_second\":{:.0},\"mean_us\":{:.2}}}",
            n as f64 / secs,
            secs * 1e6 / n as f64
        );
    }
    let Some(dir) = minilm::locate() else {
        eprintln!("SKIPPED minilm: run `cargo xtask fetch-model minilm`");
        return Ok(());
    };
    let m = MiniLm::load(&dir)?;
    for batch in [1usize, 8, 32] {
        m.embed_all(&refs, batch)?; // warm-up
        let (mut n, start) = (0usize, Instant::now());
        while start.elapsed().as_secs_f64() < min_seconds {
            std::hint::black_box(m.embed_all(&refs, batch)?);
            n += refs.len();
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{{\"bench\":\"minilm\",\"batch\":{batch},\"texts\":{n},\"seconds\":{secs:.3},\"per_second\":{:.1}}}",
            n as f64 / secs
        );
    }
    Ok(())
}
