//! `Store::summarize`: a store written before the summary tables existed (schema 3) is filled
//! when it is migrated, and summarises as a store written since.

#![allow(clippy::unwrap_used)]

use aegis_core::{
    EvaluationResult, Issue, Sanitized, Severity, Tier, TierOutcome, TierReport, Trace, UsdCost,
    Verdict,
};
mod support;

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
    // Over the whole store, from the hourly roll-ups' histogram (two significant digits): the
    // bucket's middle, within 5 % of the exact 50,000 and 94,000.
    assert_eq!(before.latency_ns_p50, Some(50_500));
    assert_eq!(before.latency_ns_p95, Some(94_500));
    let exact = store_exact(&path);
    assert_eq!(exact.latency_ns_p50, Some(50_000));
    assert_eq!(exact.latency_ns_p95, Some(94_000));
    // Back to schema 3: as an older aegis-eval left it.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TRIGGER results_ad_summary; DROP TABLE result_issues; \
             DROP TABLE result_tier_costs; DROP TABLE ingest_queue; \
             DROP TABLE judge_reservations; DROP TABLE judge_spend; \
             DROP TRIGGER results_ad_audit; DROP TABLE audit_heads; DROP TABLE otlp_fragments; DROP TABLE alert_attempts; DROP TABLE alert_deliveries; DROP TABLE alert_channels_off; DROP TABLE alerts; DROP TRIGGER results_ad_rollup; DROP TABLE result_rollup; DROP TABLE result_latency_rollup; DROP INDEX results_verdict_time; \
             CREATE INDEX audit_log_key ON audit_log(key); ALTER TABLE audit_log DROP COLUMN prev_seq; \
             ALTER TABLE results DROP COLUMN audit_seq; PRAGMA user_version = 3;",
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.summarize(&Filter::default()).unwrap(), before);
}

/// The summary of the store at `path` computed from its results alone.
fn store_exact(path: &std::path::Path) -> aegis_store::StoreSummary {
    SqliteStore::open(path)
        .unwrap()
        .summarize(&raw(Filter::default()))
        .unwrap()
}

/// A filter that selects every record but that the hourly roll-ups cannot answer (a cursor
/// after everything), so that the summary is computed from the results themselves.
fn raw(filter: Filter) -> Filter {
    Filter {
        after: Some(aegis_store::Cursor {
            evaluated_at_ms: i64::MAX,
            key: "~".to_owned(),
        }),
        ..filter
    }
}

fn assert_same(rolled: &aegis_store::StoreSummary, exact: &aegis_store::StoreSummary, what: &str) {
    assert_eq!(rolled.overall, exact.overall, "{what}: overall");
    assert_eq!(rolled.by_domain, exact.by_domain, "{what}: by domain");
    assert_eq!(rolled.by_model, exact.by_model, "{what}: by model");
    assert_eq!(
        rolled.by_application, exact.by_application,
        "{what}: by application"
    );
    assert_eq!(rolled.by_time, exact.by_time, "{what}: by time");
    assert_eq!(rolled.bucket, exact.bucket, "{what}: bucket");
    assert_eq!(rolled.decided_by, exact.decided_by, "{what}: decided by");
    assert_eq!(rolled.issues, exact.issues, "{what}: issues");
    for (r, x) in [
        (rolled.latency_ns_p50, exact.latency_ns_p50),
        (rolled.latency_ns_p95, exact.latency_ns_p95),
    ] {
        let (r, x) = (r.unwrap() as f64, x.unwrap() as f64);
        assert!(
            (r - x).abs() <= x * 0.05 + 1.0,
            "{what}: latency {r} against {x}"
        );
    }
}

#[test]
fn the_hourly_rollups_agree_with_the_results_through_rewrites_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("aegis.db")).unwrap();
    // 300 results over 300 hours, with models and applications of their own.
    let records: Vec<StoredRecord> = (0..300)
        .map(|i| {
            let mut r = record(i);
            if let Some(t) = r.trace.as_mut() {
                t.model = Some(format!("model-{}", i % 4));
                t.metadata.application = (i % 5 != 0).then(|| format!("app-{}", i % 3));
            }
            r.result.latency_ns = 1_000 + (i as u64 * 7919) % 5_000_000;
            r
        })
        .collect();
    store.write(&records).unwrap();
    // Some written again with another verdict, time and domain; some deleted.
    let mut again: Vec<StoredRecord> = records[..40].to_vec();
    for (n, r) in again.iter_mut().enumerate() {
        r.result.verdict = Verdict::NeedsReview;
        r.result.decided_by = None;
        r.result.domain = Some("legal".to_owned());
        r.evaluated_at_ms += 17 * 60_000 + n as i64;
    }
    store.write(&again).unwrap();
    let gone: Vec<String> = records[250..260].iter().map(|r| r.key.clone()).collect();
    let gone: Vec<&str> = gone.iter().map(String::as_str).collect();
    assert_eq!(store.delete_traces(&gone).unwrap(), 10);

    let all = store.summarize(&Filter::default()).unwrap();
    assert_eq!(all.overall.total, 290);
    assert_same(
        &all,
        &store.summarize(&raw(Filter::default())).unwrap(),
        "everything",
    );
    let legal = Filter {
        domain: Some("legal".to_owned()),
        ..Filter::default()
    };
    let rolled = store.summarize(&legal).unwrap();
    assert_eq!(rolled.overall.needs_review, 40);
    assert_same(
        &rolled,
        &store.summarize(&raw(legal)).unwrap(),
        "one domain",
    );
    // A window whose edges cut hours: whole hours from the roll-ups, the edges from results.
    let window = Filter {
        since_ms: Some(1_700_000_000_000 + 10 * 3_600_000 + 20 * 60_000),
        until_ms: Some(1_700_000_000_000 + 90 * 3_600_000 + 45 * 60_000),
        ..Filter::default()
    };
    let rolled = store.summarize(&window).unwrap();
    assert!(
        rolled.overall.total > 70 && rolled.overall.total < 90,
        "{}",
        rolled.overall.total
    );
    assert_same(&rolled, &store.summarize(&raw(window)).unwrap(), "a window");
}

/// The same writes, rewrites, deletes and labels in a store of each kind give the same lists
/// and the same summaries, exactly (SQLite's computed from its results), whatever the filter.
#[test]
fn every_store_lists_and_summarises_the_same_records_alike() {
    let records: Vec<StoredRecord> = (0..300)
        .map(|i| {
            let mut r = record(i);
            if let Some(t) = r.trace.as_mut() {
                t.model = Some(format!("model-{}", i % 4));
                t.metadata.application = (i % 5 != 0).then(|| format!("app-{}", i % 3));
                t.metadata.tags = vec![format!("tag-{}", i % 6)];
            }
            r.result.latency_ns = 1_000 + (i as u64 * 7919) % 5_000_000;
            r
        })
        .collect();
    let mut again: Vec<StoredRecord> = records[..40].to_vec();
    for (n, r) in again.iter_mut().enumerate() {
        r.result.verdict = Verdict::NeedsReview;
        r.result.decided_by = None;
        r.result.domain = Some("legal".to_owned());
        r.evaluated_at_ms += 17 * 60_000 + n as i64;
    }
    let filters = [
        Filter::default(),
        Filter {
            domain: Some("legal".to_owned()),
            ..Filter::default()
        },
        Filter {
            verdict: Some(Verdict::Fail),
            min_severity: Some(Severity::Critical),
            ..Filter::default()
        },
        Filter {
            since_ms: Some(1_700_000_000_000 + 10 * 3_600_000 + 20 * 60_000),
            until_ms: Some(1_700_000_000_000 + 30 * 3_600_000),
            ..Filter::default()
        },
        Filter {
            validator: Some("a".to_owned()),
            model: Some("model-0".to_owned()),
            ..Filter::default()
        },
        Filter {
            tag: Some("tag-2".to_owned()),
            application: Some("app-1".to_owned()),
            ..Filter::default()
        },
        Filter {
            limit: Some(25),
            ..Filter::default()
        },
    ];
    /// A store's name, its lists and its summaries, filter by filter.
    type Seen = (
        &'static str,
        Vec<Vec<String>>,
        Vec<aegis_store::StoreSummary>,
    );
    let mut seen: Vec<Seen> = Vec::new();
    for place in support::places() {
        let mut store = place.open();
        store.write(&records).unwrap();
        store.write(&again).unwrap();
        for r in &records[250..260] {
            assert_eq!(store.delete(&Filter::default(), Some(&r.key)).unwrap(), 1);
        }
        for (n, r) in records[..6].iter().enumerate() {
            store
                .add_label(&aegis_store::ReviewLabel {
                    key: r.key.clone(),
                    verdict: if n % 2 == 0 {
                        Verdict::Fail
                    } else {
                        Verdict::Pass
                    },
                    severity: None,
                    notes: Default::default(),
                    reviewer: "r".into(),
                    accepted: false,
                    labelled_at_ms: n as i64,
                })
                .unwrap();
        }
        let lists = filters
            .iter()
            .map(|f| {
                store
                    .list(f)
                    .unwrap()
                    .into_iter()
                    .map(|r| r.key)
                    .collect::<Vec<_>>()
            })
            .collect();
        let summaries = filters
            .iter()
            .map(|f| store.summarize(&raw(f.clone())).unwrap())
            .collect();
        seen.push((place.name(), lists, summaries));
    }
    let (first, lists, summaries) = &seen[0];
    assert_eq!(summaries[0].overall.total, 290);
    assert_eq!(summaries[1].overall.needs_review, 40);
    assert_eq!(summaries[0].labelled.len(), 6);
    for (name, other_lists, other_summaries) in &seen[1..] {
        for (i, f) in filters.iter().enumerate() {
            assert_eq!(lists[i], other_lists[i], "{first} and {name} list {f:?}");
            assert_eq!(
                summaries[i], other_summaries[i],
                "{first} and {name} summarise {f:?}"
            );
        }
    }
}
