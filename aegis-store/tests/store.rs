//! The SQLite store: idempotent writes by trace, filters, full-text search, deletion,
//! migrations, and only sanitised text on disk.

#![allow(clippy::unwrap_used)]

use aegis_core::{
    EvaluationResult, Issue, PhiSettings, Sanitized, Severity, Tier, Trace, UsdCost, Verdict,
};
mod support;

use aegis_store::{Filter, SqliteStore, Store, StoredRecord};

fn result(
    id: Option<&str>,
    domain: &str,
    verdict: Verdict,
    issue: Option<(&str, Severity)>,
) -> EvaluationResult {
    EvaluationResult {
        trace_id: id.map(str::to_owned),
        line: Some(1),
        domain: Some(domain.to_owned()),
        verdict,
        decided_by: Some(Tier::Rules),
        issues: issue
            .map(|(v, s)| Issue {
                validator: v.to_owned(),
                tier: Tier::Rules,
                severity: s,
                message: format!("{v} fired"),
                evidence: Vec::new(),
            })
            .into_iter()
            .collect(),
        tiers: Vec::new(),
        cost_usd: UsdCost::from_micros(12),
        latency_ns: 1000,
        error: None,
    }
}

fn trace(output: &str) -> Sanitized<Trace> {
    Sanitized::without_phi(Trace {
        input: "question".into(),
        output: output.into(),
        ..Trace::default()
    })
}

#[test]
fn writing_a_batch_again_neither_duplicates_nor_loses() {
    for place in support::places() {
        eprintln!("store: {}", place.name());
        let mut store = place.open();
        let batch: Vec<StoredRecord> = (0..50)
            .map(|i| {
                let id = format!("t-{i}");
                StoredRecord::new(
                    result(Some(&id), "healthcare", Verdict::Pass, None),
                    Some(&trace(&format!("answer {i}"))),
                    1_000 + i,
                )
            })
            .collect();
        store.write(&batch).unwrap();
        store.write(&batch).unwrap();
        assert_eq!(store.count().unwrap(), 50);
        // A changed verdict replaces the record.
        let mut again = batch[7].clone();
        again.result.verdict = Verdict::Fail;
        store.write(&[again]).unwrap();
        assert_eq!(store.count().unwrap(), 50);
        assert_eq!(
            store.get("t-7").unwrap().unwrap().result.verdict,
            Verdict::Fail
        );
        // Traces without an id are keyed by their content: the same trace is the same record.
        let anon = || {
            StoredRecord::new(
                result(None, "healthcare", Verdict::Pass, None),
                Some(&trace("same text")),
                5,
            )
        };
        store.write(&[anon(), anon()]).unwrap();
        assert_eq!(store.count().unwrap(), 51);
        // Reopened: everything is still there.
        drop(store);
        let store = place.open();
        assert_eq!(store.count().unwrap(), 51);
        assert_eq!(
            store.get("id:t-3").unwrap().unwrap().trace.unwrap().output,
            "answer 3"
        );
    }
}

#[test]
fn filters_search_and_delete() {
    for place in support::places() {
        eprintln!("store: {}", place.name());
        let mut store = place.open();
        store
            .write(&[
                StoredRecord::new(
                    result(
                        Some("a"),
                        "healthcare",
                        Verdict::Fail,
                        Some(("no_medication_overdose", Severity::Critical)),
                    ),
                    Some(&trace("Take 9000 mg of acetaminophen daily")),
                    100,
                ),
                StoredRecord::new(
                    result(Some("b"), "healthcare", Verdict::Pass, None),
                    Some(&trace("Rest and fluids usually help")),
                    200,
                ),
                StoredRecord::new(
                    result(
                        Some("c"),
                        "trading",
                        Verdict::Fail,
                        Some(("promissory_language", Severity::High)),
                    ),
                    Some(&trace("Guaranteed returns of 40 percent")),
                    300,
                ),
                StoredRecord::new(
                    result(
                        Some("d"),
                        "trading",
                        Verdict::NeedsReview,
                        Some(("missing_risk_disclosure", Severity::Medium)),
                    ),
                    Some(&trace("Buy more shares now")),
                    400,
                ),
            ])
            .unwrap();
        let ids = |rows: Vec<aegis_store::StoredRow>| {
            rows.into_iter()
                .map(|r| r.result.trace_id.unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ids(store.list(&Filter::default()).unwrap()),
            ["d", "c", "b", "a"]
        );
        assert_eq!(
            ids(store
                .list(&Filter {
                    domain: Some("trading".into()),
                    ..Filter::default()
                })
                .unwrap()),
            ["d", "c"]
        );
        assert_eq!(
            ids(store
                .list(&Filter {
                    verdict: Some(Verdict::Fail),
                    ..Filter::default()
                })
                .unwrap()),
            ["c", "a"]
        );
        assert_eq!(
            ids(store
                .list(&Filter {
                    min_severity: Some(Severity::High),
                    ..Filter::default()
                })
                .unwrap()),
            ["c", "a"]
        );
        assert_eq!(
            ids(store
                .list(&Filter {
                    since_ms: Some(200),
                    until_ms: Some(400),
                    ..Filter::default()
                })
                .unwrap()),
            ["c", "b"]
        );
        assert_eq!(
            ids(store
                .list(&Filter {
                    limit: Some(1),
                    ..Filter::default()
                })
                .unwrap()),
            ["d"]
        );
        // Full-text search over the sanitised text and the issues.
        assert_eq!(
            ids(store.search("acetaminophen", &Filter::default()).unwrap()),
            ["a"]
        );
        assert_eq!(
            ids(store
                .search("promissory_language", &Filter::default())
                .unwrap()),
            ["c"]
        );
        assert_eq!(
            ids(store
                .search(
                    "guaranteed OR fluids",
                    &Filter {
                        domain: Some("healthcare".into()),
                        ..Filter::default()
                    }
                )
                .unwrap()),
            ["b"]
        );
        // A rewritten result is found by its new text only.
        store
            .write(&[StoredRecord::new(
                result(Some("b"), "healthcare", Verdict::Pass, None),
                Some(&trace("Ibuprofen with food")),
                250,
            )])
            .unwrap();
        assert!(
            store
                .search("fluids", &Filter::default())
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            ids(store.search("ibuprofen", &Filter::default()).unwrap()),
            ["b"]
        );
        // A malformed query is an error, not a panic.
        assert!(store.search("\"unbalanced", &Filter::default()).is_err());
        // Delete one, then by filter; search no longer finds them.
        assert_eq!(store.delete(&Filter::default(), Some("a")).unwrap(), 1);
        assert!(
            store
                .search("acetaminophen", &Filter::default())
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store
                .delete(
                    &Filter {
                        domain: Some("trading".into()),
                        ..Filter::default()
                    },
                    None
                )
                .unwrap(),
            2
        );
        assert_eq!(store.count().unwrap(), 1);
    }
}

#[test]
fn a_newer_schema_is_refused_and_migrations_are_versioned() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    drop(SqliteStore::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, SqliteStore::schema_version());
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let e = SqliteStore::open(&path).unwrap_err().to_string();
    assert!(e.contains("schema version 99 is newer"), "{e}");
}

#[test]
fn only_sanitised_text_reaches_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phi.db");
    let mut store = SqliteStore::open(&path).unwrap();
    let engine = aegis_phi::PhiEngine::ephemeral().unwrap();
    let settings = PhiSettings {
        classes: aegis_core::PhiClasses::ALL,
        mode: aegis_core::PhiMode::Redact,
        subject_field: None,
        keep: aegis_core::PhiKeep::default(),
    };
    let raw = Trace {
        id: Some("canary-1".into()),
        input: "My name is Zebediah Quartermaine, SSN 123-45-6789, phone 555-867-5309.".into(),
        output: "Thanks Zebediah Quartermaine; email zq@example.com for follow-up.".into(),
        ..Trace::default()
    };
    let (sanitized, _) = Sanitized::sanitize(raw, &engine, &settings);
    let r = result(sanitized.id.as_deref(), "healthcare", Verdict::Pass, None);
    store
        .write(&[StoredRecord::new(r, Some(&sanitized), 1)])
        .unwrap();
    drop(store);
    let mut bytes = std::fs::read(&path).unwrap();
    for side in ["-wal", "-shm"] {
        if let Ok(b) = std::fs::read(format!("{}{side}", path.display())) {
            bytes.extend(b);
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    for canary in [
        "Zebediah",
        "Quartermaine",
        "123-45-6789",
        "555-867-5309",
        "zq@example.com",
    ] {
        assert!(!text.contains(canary), "{canary} reached the store");
    }
    assert!(
        text.contains("[NAME]") || text.contains("NAME"),
        "the redacted text is stored"
    );
}

#[test]
fn every_write_is_appended_to_the_audit_log_which_cannot_be_changed() {
    for place in support::places() {
        eprintln!("store: {}", place.name());
        let mut store = place.open();
        let provenance = aegis_store::Provenance {
            spec_hash: "ab12".into(),
            domain_version: "1.0.0".into(),
            aegis_version: "0.1.0".into(),
        };
        let mut r = result(Some("x"), "healthcare", Verdict::Pass, None);
        r.tiers.push(aegis_core::TierReport {
            tier: Tier::Judge,
            outcome: aegis_core::TierOutcome::Decided {
                verdict: Verdict::Pass,
            },
            latency_ns: 1,
            cost_usd: UsdCost::from_micros(5),
            modules: vec![aegis_core::ModuleResult {
                module: "clinical_reasoning".into(),
                outcome: aegis_core::ModuleOutcome::Passed,
                issues: 0,
                score: Some(0.1),
                scores: Vec::new(),
                call: Some(Box::new(aegis_core::JudgeCall {
                    provider: "openai".into(),
                    model: "gpt-x".into(),
                    mode: "json_schema".into(),
                    prompt_hash: "p".repeat(64),
                    cache_key: "c".repeat(64),
                    cached: false,
                    requests: 1,
                    input_tokens: 10,
                    output_tokens: 5,
                    cost_usd: UsdCost::from_micros(5),
                    rationale: None,
                })),
                weights: None,
            }],
        });
        let rec =
            StoredRecord::new(r.clone(), Some(&trace("t")), 1).with_provenance(provenance.clone());
        store.write(std::slice::from_ref(&rec)).unwrap();
        let mut again = rec.clone();
        again.result.verdict = Verdict::Fail;
        again.evaluated_at_ms = 2;
        store.write(&[again]).unwrap();
        // One record, two audit entries: the log keeps the history.
        assert_eq!(store.count().unwrap(), 1);
        let trail = store.audit_trail("x").unwrap();
        assert_eq!(trail.len(), 2);
        assert_eq!(
            (trail[0].verdict.as_str(), trail[1].verdict.as_str()),
            ("pass", "fail")
        );
        assert_eq!(trail[0].provenance.as_ref(), Some(&provenance));
        assert_eq!(trail[0].judges[0]["prompt_hash"], "p".repeat(64));
        assert_eq!(trail[0].judges[0]["cache_key"], "c".repeat(64));
        assert_eq!(trail[0].judges[0]["model"], "gpt-x");
        assert_ne!(trail[0].result_sha256, trail[1].result_sha256);
        // Deleting the record keeps its trail; the trail itself cannot be changed.
        store.delete(&Filter::default(), Some("x")).unwrap();
        assert_eq!(store.audit_trail("x").unwrap().len(), 2);
        // Written again after the delete: the trail goes on from where it was.
        let mut third = rec.clone();
        third.evaluated_at_ms = 3;
        store.write(&[third]).unwrap();
        let trail = store.audit_trail("x").unwrap();
        assert_eq!(
            trail.iter().map(|t| t.evaluated_at_ms).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert!(trail.windows(2).all(|w| w[0].seq < w[1].seq));
        // Another key's entries never join it; an unknown key has none.
        store
            .write(&[StoredRecord::new(
                result(Some("y"), "healthcare", Verdict::Pass, None),
                Some(&trace("t")),
                4,
            )])
            .unwrap();
        assert_eq!(store.audit_trail("x").unwrap().len(), 3);
        assert_eq!(store.audit_trail("y").unwrap().len(), 1);
        assert!(store.audit_trail("nobody").unwrap().is_empty());
        drop(store);
        // Whoever connects: the database itself refuses.
        let e = place
            .execute("UPDATE audit_log SET verdict = 'pass'")
            .unwrap_err();
        assert!(e.contains("append-only"), "{e}");
        assert!(place.execute("DELETE FROM audit_log").is_err());
    }
}

#[test]
fn the_review_queue_follows_the_results() {
    for place in support::places() {
        eprintln!("store: {}", place.name());
        let mut store = place.open();
        let unsure = |id: &str| {
            StoredRecord::new(
                result(
                    Some(id),
                    "healthcare",
                    Verdict::NeedsReview,
                    Some(("x", Severity::Medium)),
                ),
                Some(&trace(id)),
                1,
            )
        };
        store
            .write(&[unsure("a"), unsure("b"), unsure("c")])
            .unwrap();
        assert_eq!(store.open_tasks(10).unwrap().len(), 3);
        // `b` is evaluated again and passes: it leaves the queue; `c` is deleted: so is its task.
        store
            .write(&[StoredRecord::new(
                result(Some("b"), "healthcare", Verdict::Pass, None),
                Some(&trace("b")),
                2,
            )])
            .unwrap();
        store.delete(&Filter::default(), Some("c")).unwrap();
        let open: Vec<String> = store
            .open_tasks(10)
            .unwrap()
            .into_iter()
            .map(|(t, _)| t.key)
            .collect();
        assert_eq!(open, ["id:a"]);
        // Labelling closes a task; the label is kept.
        store
            .add_label(&aegis_store::ReviewLabel {
                key: "id:a".into(),
                verdict: Verdict::Fail,
                severity: Some(Severity::High),
                notes: Default::default(),
                reviewer: "r".into(),
                accepted: false,
                labelled_at_ms: 3,
            })
            .unwrap();
        assert!(store.open_tasks(10).unwrap().is_empty());
        assert_eq!(store.labels().unwrap().len(), 1);
    }
}

#[test]
fn a_store_of_schema_7_migrates_to_8_keeping_every_audit_trail() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit7.db");
    let write = |store: &mut SqliteStore, id: &str, verdict: Verdict, at: i64| {
        store
            .write(&[StoredRecord::new(
                result(Some(id), "healthcare", verdict, None),
                Some(&trace("t")),
                at,
            )])
            .unwrap();
    };
    {
        let mut store = SqliteStore::open(&path).unwrap();
        write(&mut store, "kept", Verdict::Pass, 1);
        write(&mut store, "gone", Verdict::Fail, 2);
        write(&mut store, "kept", Verdict::Fail, 3);
        write(&mut store, "other", Verdict::Pass, 4);
        store.delete(&Filter::default(), Some("gone")).unwrap();
    }
    // Back to schema 7, as the previous aegis-eval wrote it: an index by key, no chain.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TRIGGER results_ad_audit; DROP TABLE audit_heads; DROP TABLE otlp_fragments; DROP TABLE alert_attempts; DROP TABLE alert_deliveries; DROP TABLE alert_channels_off; DROP TABLE alerts; DROP TRIGGER results_ad_rollup; DROP TABLE result_rollup; DROP TABLE result_latency_rollup; DROP INDEX results_verdict_time; \
             CREATE INDEX audit_log_key ON audit_log(key); ALTER TABLE audit_log DROP COLUMN prev_seq; \
             ALTER TABLE results DROP COLUMN audit_seq; PRAGMA user_version = 7;",
        )
        .unwrap();
    }
    let mut store = SqliteStore::open(&path).unwrap();
    let at = |store: &SqliteStore, id: &str| {
        store
            .audit_trail(id)
            .unwrap()
            .iter()
            .map(|e| e.evaluated_at_ms)
            .collect::<Vec<_>>()
    };
    assert_eq!(at(&store, "kept"), [1, 3]);
    assert_eq!(at(&store, "gone"), [2], "a deleted result's trail is kept");
    assert_eq!(at(&store, "other"), [4]);
    // The chain goes on after the migration, for a kept key and for a deleted one.
    write(&mut store, "kept", Verdict::Pass, 5);
    write(&mut store, "gone", Verdict::Pass, 6);
    assert_eq!(at(&store, "kept"), [1, 3, 5]);
    assert_eq!(at(&store, "gone"), [2, 6]);
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let indexes: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_log'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexes, 0, "no index by key is left to write");
    let e = conn
        .execute("UPDATE audit_log SET verdict = 'pass'", [])
        .unwrap_err()
        .to_string();
    assert!(e.contains("append-only"), "{e}");
}

#[test]
fn a_postgres_schema_is_migrated_once_and_a_newer_one_refused() {
    let Some(url) = support::postgres_url() else {
        return;
    };
    let place = support::Place::Postgres {
        url: url.clone(),
        schema: support::fresh_schema(),
    };
    let support::Place::Postgres { schema, .. } = &place else {
        unreachable!()
    };
    // Four processes' worth of opens at once: one migrates, the others wait and find it done.
    let opened: Vec<_> = (0..4)
        .map(|_| {
            let (url, schema) = (url.clone(), schema.clone());
            std::thread::spawn(move || aegis_store::PostgresStore::open(&url, &schema).map(drop))
        })
        .collect();
    for t in opened {
        t.join().unwrap().unwrap();
    }
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let versions: Vec<i32> = c
        .query(
            &format!("SELECT version FROM {schema}.schema_migrations ORDER BY version"),
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let known = aegis_store::PostgresStore::schema_version() as i32;
    assert_eq!(versions, (1..=known).collect::<Vec<_>>());
    place
        .execute(&format!(
            "INSERT INTO schema_migrations (version) VALUES ({})",
            known + 1
        ))
        .unwrap();
    let e = aegis_store::PostgresStore::open(&url, schema)
        .unwrap_err()
        .to_string();
    assert!(e.contains("newer"), "{e}");
    // The password is never shown; a bad schema name is refused before any SQL.
    let e =
        aegis_store::PostgresStore::open("postgres://someone:hunter2@127.0.0.1:1/db", "ok_name")
            .unwrap_err()
            .to_string();
    assert!(!e.contains("hunter2") && e.contains("someone:***"), "{e}");
    let e = aegis_store::PostgresStore::open(&url, "x; DROP TABLE y")
        .unwrap_err()
        .to_string();
    assert!(e.contains("schema name"), "{e}");
}

#[test]
fn reviewers_claiming_at_once_never_get_the_same_task() {
    let Some(url) = support::postgres_url() else {
        return;
    };
    let schema = support::fresh_schema();
    let place = support::Place::Postgres {
        url: url.clone(),
        schema: schema.clone(),
    };
    let mut store = place.open();
    let unsure: Vec<StoredRecord> = (0..60)
        .map(|i| {
            StoredRecord::new(
                result(
                    Some(&format!("u{i}")),
                    "healthcare",
                    Verdict::NeedsReview,
                    Some(("x", Severity::Medium)),
                ),
                Some(&trace("unsure")),
                i,
            )
        })
        .collect();
    store.write(&unsure).unwrap();
    let claimers: Vec<_> = (0..4)
        .map(|n| {
            let (url, schema) = (url.clone(), schema.clone());
            std::thread::spawn(move || {
                let mut s = aegis_store::PostgresStore::open(&url, &schema).unwrap();
                let mut mine = Vec::new();
                loop {
                    let got = s.claim_tasks(&format!("r{n}"), 3, 1_000, 60_000).unwrap();
                    if got.is_empty() {
                        break mine;
                    }
                    mine.extend(got.into_iter().map(|(t, _)| t.key));
                }
            })
        })
        .collect();
    let mut all: Vec<String> = claimers
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert_eq!(all.len(), 60, "every task claimed once");
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 60, "no task claimed twice");
    // After the lease, an unlabelled task can be claimed again.
    let mut s = aegis_store::PostgresStore::open(&url, &schema).unwrap();
    assert!(s.claim_tasks("late", 5, 2_000, 60_000).unwrap().is_empty());
    assert_eq!(s.claim_tasks("late", 5, 61_001, 60_000).unwrap().len(), 5);
}
