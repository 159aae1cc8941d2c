//! Time per extractor of the healthcare domain over the bundled traces (a profiling aid):
//! `cargo run --release -p aegis-runtime --example extractor_costs`.

use std::hint::black_box;
use std::time::Instant;

use aegis_core::Trace;
use aegis_domain_healthcare as hc;

const TRACES: &str = include_str!("../../examples/traces/healthcare.jsonl");

fn main() {
    let traces: Vec<Trace> = TRACES
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("parses"))
        .collect();
    let rounds = 2000;
    macro_rules! time {
        ($name:literal, $f:expr, $field:ident) => {{
            for t in &traces {
                black_box($f(&t.$field));
            }
            let t0 = Instant::now();
            for _ in 0..rounds {
                for t in &traces {
                    black_box($f(black_box(&t.$field)));
                }
            }
            let per = t0.elapsed().as_nanos() as f64 / (rounds * traces.len()) as f64;
            println!("{:<24} {:>8.0} ns/trace", $name, per);
        }};
    }
    time!("doses", hc::extract_doses, output);
    time!("drug_mentions", hc::extract_drug_mentions, output);
    time!("cautions", hc::extract_cautions, output);
    time!(
        "pregnancy_statements",
        hc::extract_pregnancy_statements,
        input
    );
    time!(
        "definitive_diagnoses",
        hc::extract_definitive_diagnoses,
        output
    );
    time!("hedges", hc::extract_hedges, output);
    time!("medication_changes", hc::extract_medication_changes, output);
    time!("consult_advice", hc::extract_consult_advice, output);
    time!("emergency_symptoms", hc::extract_emergency_symptoms, input);
    time!("emergency_routing", hc::extract_emergency_routing, output);
    let t0 = Instant::now();
    for _ in 0..rounds {
        for t in &traces {
            black_box(hc::Context::new(black_box(t)).ok());
        }
    }
    let per = t0.elapsed().as_nanos() as f64 / (rounds * traces.len()) as f64;
    println!("{:<24} {:>8.0} ns/trace", "Context::new (all)", per);
}
