//! `Store::summarize`: a store written before the summary tables existed (schema 3) is filled
//! when it is migrated, and summarises as a store written since.

#![allow(clippy::unwrap_used)]

use aegis_core::{
    EvaluationResult, Issue, Sanitized, Severity, Tier, TierOutcome, TierReport, Trace, UsdCost,
    Verdict,
};
use aegis_store::{Filter, SqliteStore, Store, StoredRecord, TimeBucket};

fn record(i: usize) -> StoredRecord {
    let fails = i.is_multiple_of(3);
    let result = EvaluationResult {
        trace_id: Some(format!("t{i}")),
        line: Some(i as u64),
        domain: Some(
            if i.is_multiple_of(2) {
                "healthcare"
            } else {
                "trading"
            }
            .to_owned(),
        ),
        verdict: if fails { Verdict::Fail } else { Verdict::Pass },
        decided_by: Some(if i.is_multiple_of(4) {
            Tier::Judge
        } else {
            Tier::Rules
        }),
        issues: if fails {
            vec![Issue {
                validator: if i.is_multiple_of(2) { "a" } else { "b" }.to_owned(),
                tier: Tier::Rules,
                severity: if i.is_multiple_of(9) {
                    Severity::Critical
                } else {
                    Severity::Low
                },
                message: "m".to_owned(),
                evidence: Vec::new(),
            }]
        } else {
            Vec::new()
        },
        tiers: vec![TierReport {
            tier: Tier::Judge,
            outcome: TierOutcome::Skipped,
            latency_ns: 0,
            cost_usd: UsdCost::from_micros(if i.is_multiple_of(4) { 5 } else { 0 }),
            modules: Vec::new(),
        }],
        cost_usd: UsdCost::from_micros(7),
        latency_ns: i as u64 * 1000,
        error: None,
    };
    let trace = Sanitized::without_phi(Trace {
        input: "q".into(),
        output: "a".into(),
        ..Trace::default()
    });
    StoredRecord::new(
        result,
        Some(&trace),
        1_700_000_000_000 + i as i64 * 3_600_000,
    )
}

#[test]
fn a_store_of_schema_3_is_filled_when_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("aegis.db");
    let records: Vec<StoredRecord> = (0..100).map(record).collect();
    let before = {
        let mut store = SqliteStore::open(&path).unwrap();
        store.write(&records).unwrap();
        store.summarize(&Filter::default()).unwrap()
    };
    assert_eq!(before.overall.total, 100);
    assert_eq!(before.overall.fail, 34);
    assert_eq!(before.bucket, TimeBucket::Day);
    assert_eq!(before.issues.len(), 2);
    assert_eq!(before.issues[0].worst, Severity::Critical);
    assert_eq!(before.cost_by_tier["judge"], UsdCost::from_micros(5 * 25));
    assert_eq!(before.latency_ns_p50, Some(50_000));
    assert_eq!(before.latency_ns_p95, Some(94_000));
    // Back to schema 3: as an older aegis-eval left it.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TRIGGER results_ad_summary; DROP TABLE result_issues; \
             DROP TABLE result_tier_costs; DROP TABLE ingest_queue; \
             DROP TABLE judge_reservations; DROP TABLE judge_spend; \
             DROP TRIGGER results_ad_audit; DROP TABLE audit_heads; DROP TABLE otlp_fragments; DROP TABLE alert_attempts; DROP TABLE alert_deliveries; DROP TABLE alert_channels_off; DROP TABLE alerts; \
             CREATE INDEX audit_log_key ON audit_log(key); ALTER TABLE audit_log DROP COLUMN prev_seq; \
             ALTER TABLE results DROP COLUMN audit_seq; PRAGMA user_version = 3;",
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.summarize(&Filter::default()).unwrap(), before);
}
