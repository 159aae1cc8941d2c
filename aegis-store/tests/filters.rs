//! The explorer's filters (model, validator, tag) and cursor pages: every record is on exactly
//! one page, however many share a time, and `summarize` counts exactly what `list` selects.

#![allow(clippy::unwrap_used)]

use aegis_core::{
    EvaluationResult, Issue, Metadata, Sanitized, Severity, Tier, Trace, UsdCost, Verdict,
};
mod support;

use aegis_store::{Cursor, Filter, SqliteStore, Store, StoredRecord};

fn record(i: usize, at_ms: i64) -> StoredRecord {
    let validator = if i.is_multiple_of(3) {
        "dose_limit"
    } else {
        "interaction"
    };
    let result = EvaluationResult {
        trace_id: Some(format!("t-{i:03}")),
        line: Some(1),
        domain: Some("healthcare".to_owned()),
        verdict: if i.is_multiple_of(2) {
            Verdict::Fail
        } else {
            Verdict::Pass
        },
        decided_by: Some(Tier::Rules),
        issues: (i.is_multiple_of(2))
            .then(|| Issue {
                validator: validator.to_owned(),
                tier: Tier::Rules,
                severity: Severity::High,
                message: "fired".to_owned(),
                evidence: Vec::new(),
            })
            .into_iter()
            .collect(),
        tiers: Vec::new(),
        cost_usd: UsdCost::from_micros(1),
        latency_ns: 10,
        error: None,
    };
    let trace = Sanitized::without_phi(Trace {
        id: Some(format!("t-{i:03}")),
        model: Some(
            if i.is_multiple_of(4) {
                "gpt-x"
            } else {
                "claude-y"
            }
            .to_owned(),
        ),
        output: format!("answer {i}"),
        metadata: Metadata {
            tags: if i.is_multiple_of(5) {
                vec!["beta".to_owned(), "eu".to_owned()]
            } else {
                vec!["eu".to_owned()]
            },
            ..Metadata::default()
        },
        ..Trace::default()
    });
    StoredRecord::new(result, Some(&trace), at_ms)
}

fn store_of(n: usize) -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("s.db")).unwrap();
    // Ten records share each millisecond: a cursor by time alone would skip or repeat them.
    let batch: Vec<StoredRecord> = (0..n).map(|i| record(i, 1_000 + (i / 10) as i64)).collect();
    store.write(&batch).unwrap();
    (dir, store)
}

/// The same records in a store of each kind.
fn stores_of(n: usize) -> Vec<(support::Place, Box<dyn Store>)> {
    let batch: Vec<StoredRecord> = (0..n).map(|i| record(i, 1_000 + (i / 10) as i64)).collect();
    support::places()
        .into_iter()
        .map(|place| {
            eprintln!("store: {}", place.name());
            let mut store = place.open();
            store.write(&batch).unwrap();
            (place, store)
        })
        .collect()
}

fn ids(rows: &[aegis_store::StoredRow]) -> Vec<String> {
    rows.iter()
        .map(|r| r.result.trace_id.clone().unwrap())
        .collect()
}

#[test]
fn cursor_pages_cover_every_record_once() {
    for (_place, store) in stores_of(95) {
        let everything = ids(&store.list(&Filter::default()).unwrap());
        assert_eq!(everything.len(), 95);
        for page_size in [1, 7, 10, 33] {
            let mut seen = Vec::new();
            let mut after: Option<Cursor> = None;
            loop {
                let page = store
                    .list(&Filter {
                        limit: Some(page_size),
                        after: after.clone(),
                        ..Filter::default()
                    })
                    .unwrap();
                if page.is_empty() {
                    break;
                }
                assert!(page.len() <= page_size);
                after = page.last().map(Cursor::of);
                seen.extend(ids(&page));
            }
            assert_eq!(seen, everything, "pages of {page_size}");
        }
    }
}

#[test]
fn model_validator_and_tag_select_their_records() {
    for (_place, store) in stores_of(40) {
        let count = |f: Filter| store.list(&f).unwrap().len();
        let model = Filter {
            model: Some("gpt-x".to_owned()),
            ..Filter::default()
        };
        assert_eq!(count(model.clone()), 10);
        let validator = Filter {
            validator: Some("dose_limit".to_owned()),
            ..Filter::default()
        };
        // Even i and a multiple of 3: 0, 6, 12, 18, 24, 30, 36.
        assert_eq!(count(validator.clone()), 7);
        let tag = Filter {
            tag: Some("beta".to_owned()),
            ..Filter::default()
        };
        assert_eq!(count(tag.clone()), 8);
        assert_eq!(
            count(Filter {
                tag: Some("eu".to_owned()),
                ..Filter::default()
            }),
            40
        );
        assert_eq!(
            count(Filter {
                tag: Some("b".to_owned()),
                ..Filter::default()
            }),
            0,
            "a tag matches whole"
        );
        // The summary counts exactly what the list selects.
        for f in [model, validator, tag] {
            assert_eq!(store.summarize(&f).unwrap().overall.total, count(f) as u64);
        }
    }
}

#[test]
fn findings_group_by_domain_and_validator_at_or_above_a_severity() {
    let (_dir, store) = store_of(40);
    let groups = store.findings(&Filter::default(), Severity::High).unwrap();
    // Even i raise an issue: a multiple of 3 is dose_limit (7 of them), the rest interaction (13).
    let by: Vec<(&str, u64)> = groups
        .iter()
        .map(|g| (g.validator.as_str(), g.results))
        .collect();
    assert_eq!(by.len(), 2);
    assert!(
        by.contains(&("dose_limit", 7)) && by.contains(&("interaction", 13)),
        "{by:?}"
    );
    assert!(groups.iter().all(|g| g.severity == Severity::High));
    assert!(groups.iter().all(|g| g.first_seen_ms <= g.last_seen_ms));
    // Nothing is critical; a filter narrows them as it narrows the list.
    assert!(
        store
            .findings(&Filter::default(), Severity::Critical)
            .unwrap()
            .is_empty()
    );
    let gpt = Filter {
        model: Some("gpt-x".to_owned()),
        ..Filter::default()
    };
    let n: u64 = store
        .findings(&gpt, Severity::Info)
        .unwrap()
        .iter()
        .map(|g| g.results)
        .sum();
    assert_eq!(n, 10, "i.is_multiple_of(4): all even, all with an issue");
}
