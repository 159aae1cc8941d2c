//! Write throughput of the stores: results per second, batched, durable (one commit per batch:
//! SQLite with `synchronous=FULL` and its FTS5 index brought up to date after the run;
//! PostgreSQL, when `AEGIS_BENCH_POSTGRES` names a server, with its defaults — `fsync` and
//! `synchronous_commit` on — and its GIN index kept by every write).
//!
//! `cargo bench -p aegis-store --bench store_write -- [results] [batch]`

#![allow(clippy::unwrap_used)]

use std::time::Instant;

use aegis_core::{
    EvaluationResult, Issue, ModuleOutcome, ModuleResult, Sanitized, Severity, Tier, TierOutcome,
    TierReport, Trace, UsdCost, Verdict,
};
use aegis_store::{PostgresStore, SqliteStore, Store, StoredRecord};

fn record(i: usize) -> StoredRecord {
    let fails = i.is_multiple_of(3);
    let result = EvaluationResult {
        trace_id: Some(format!("trace-{i:08}")),
        line: Some(i as u64 + 1),
        domain: Some(
            if i.is_multiple_of(2) {
                "healthcare"
            } else {
                "trading"
            }
            .to_owned(),
        ),
        verdict: if fails { Verdict::Fail } else { Verdict::Pass },
        decided_by: Some(Tier::Rules),
        issues: if fails {
            vec![Issue {
                validator: "no_medication_overdose".into(),
                tier: Tier::Rules,
                severity: Severity::Critical,
                message: format!(
                    "acetaminophen: {} mg/day exceeds the 4000 mg/day maximum",
                    5000 + i % 4000
                ),
                evidence: Vec::new(),
            }]
        } else {
            Vec::new()
        },
        // As a healthcare result has them: every tier's report, Tier 1 with its ten validators.
        tiers: Tier::ALL
            .iter()
            .map(|t| TierReport {
                tier: *t,
                outcome: TierOutcome::Skipped,
                latency_ns: 1200,
                cost_usd: UsdCost::ZERO,
                modules: if *t == Tier::Rules {
                    (0..10)
                        .map(|v| ModuleResult {
                            module: format!("validator_number_{v}").into(),
                            outcome: ModuleOutcome::NotApplicable,
                            issues: 0,
                            score: None,
                            scores: Vec::new(),
                            call: None,
                            weights: None,
                        })
                        .collect()
                } else {
                    Vec::new()
                },
            })
            .collect(),
        cost_usd: UsdCost::ZERO,
        latency_ns: 25_000,
        error: None,
    };
    let trace = Sanitized::without_phi(Trace {
        input: format!("How much acetaminophen can I take for my back pain? (case {i})"),
        output: format!(
            "Take {} mg of acetaminophen every 6 hours, and see a doctor if the pain lasts more than a week.",
            500 + i % 1000
        ),
        ..Trace::default()
    });
    StoredRecord::new(result, Some(&trace), 1_700_000_000_000 + i as i64).with_provenance(
        aegis_store::Provenance {
            spec_hash: "9f2c1e0b7a6d5c4b3a29181706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3".into(),
            domain_version: "1.0.0".into(),
            aegis_version: "0.1.0".into(),
        },
    )
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let batch: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let records: Vec<StoredRecord> = (0..n).map(record).collect();
    let dir = tempfile::tempdir().unwrap();
    let mut sqlite = SqliteStore::open(&dir.path().join("bench.db")).unwrap();
    bench("sqlite", &mut sqlite, &records, batch);
    // The same writes into PostgreSQL, when a server is named (benches/scale/run.sh starts one).
    if let Ok(url) = std::env::var("AEGIS_BENCH_POSTGRES") {
        let schema = format!("bench_{}", std::process::id());
        let mut pg = PostgresStore::open(&url, &schema).unwrap();
        bench("postgres", &mut pg, &records, batch);
        drop(pg);
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
            .unwrap();
    }
}

/// Writes `records` in batches into `store`, then again (every write an update), with the
/// full-text index brought up to date after each pass (a store indexing as it writes has
/// nothing left to do then).
fn bench(name: &str, store: &mut dyn Store, records: &[StoredRecord], batch: usize) {
    let n = records.len();
    let started = Instant::now();
    for chunk in records.chunks(batch) {
        store.write(chunk).unwrap();
    }
    let first = started.elapsed().as_secs_f64();
    let started = Instant::now();
    store.index_text().unwrap();
    let index = started.elapsed().as_secs_f64();
    // The same results again (a re-run): every write is an update.
    let started = Instant::now();
    for chunk in records.chunks(batch) {
        store.write(chunk).unwrap();
    }
    let again = started.elapsed().as_secs_f64();
    let started = Instant::now();
    store.index_text().unwrap();
    let reindex = started.elapsed().as_secs_f64();
    assert_eq!(store.count().unwrap(), n as u64);
    println!(
        "store_write {name}: {n} results in batches of {batch} (durable commits): insert {:.0} results/s ({first:.2} s), re-write {:.0} results/s ({again:.2} s)",
        n as f64 / first,
        n as f64 / again
    );
    println!(
        "store_write {name}: full-text indexing after the run: {index:.2} s; after the re-write {reindex:.2} s",
    );
}
