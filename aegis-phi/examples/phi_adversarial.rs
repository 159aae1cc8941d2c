//! Tier 0 on adversarial text: times detection and replacement (`PhiEngine::sanitize_text`,
//! pseudonyms) over texts built to make a recogniser slow — repeated separators, near-miss
//! dates, phone and ID shapes, capitalised runs, `A-` runs, long digit runs — and prints the
//! throughput of each family and the worst case, in MB/s.
//!
//! ```text
//! cargo run --release -p aegis-phi --example phi_adversarial            # 1 MB per family
//! cargo run --release -p aegis-phi --example phi_adversarial -- --size 65536 --family a-dash
//! ```
//!
//! The families are those `tests/adversarial.rs` checks for linear growth (one shared file).

use std::time::Instant;

use aegis_core::{PhiMode, SanitizeReport};
use aegis_phi::{PhiEngine, PhiKey, all_classes};

#[path = "../tests/support/adversarial_texts.rs"]
mod adversarial_texts;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let mut size = 1 << 20;
    let mut only: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--size" => {
                size = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .ok_or("--size needs a number of bytes")?;
            }
            "--family" => only = args.next(),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let engine = PhiEngine::new(
        PhiKey::from_config("adversarial benchmark key").map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?
    // The scan itself is timed: the same text again would otherwise not be scanned.
    .scanning_every_text();
    let settings = all_classes(PhiMode::Pseudonymize);
    // Warm-up: build the patterns and gazetteers outside the timed part.
    let _ = engine.sanitize_text(
        "warm up 555-0100",
        &settings,
        "s",
        &mut SanitizeReport::default(),
    );
    let mut worst: Option<(&str, f64)> = None;
    for (name, unit) in adversarial_texts::FAMILIES {
        if only.as_deref().is_some_and(|o| o != *name) {
            continue;
        }
        let text = adversarial_texts::build(unit, size);
        let t = Instant::now();
        let mut report = SanitizeReport::default();
        let out = engine.sanitize_text(&text, &settings, "subject", &mut report);
        let secs = t.elapsed().as_secs_f64();
        let mbs = text.len() as f64 / 1e6 / secs.max(1e-9);
        println!(
            "{name:<16} {:>9} bytes {secs:>8.3} s {mbs:>9.2} MB/s  ({} found, {} bytes out)",
            text.len(),
            report.total(),
            out.len()
        );
        if worst.is_none_or(|(_, w)| mbs < w) {
            worst = Some((name, mbs));
        }
    }
    if let Some((name, mbs)) = worst {
        println!("worst case: {name} at {mbs:.2} MB/s");
    }
    Ok(())
}
