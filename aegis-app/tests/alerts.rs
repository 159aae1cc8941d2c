//! Alert rules over an organisation's store: each windowed condition fires when it holds, is
//! one alert while it holds, and resolves itself once it has been clear for its cooldown, with
//! a notification queued for each channel in the transaction that fires or resolves it;
//! per-result rules make one alert per group and count its matches.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use std::collections::BTreeMap;

use aegis_app::alerts::{AlertConfig, Alerts, StoredResult};
use aegis_core::{
    EvaluationResult, Issue, Metadata, Sanitized, Severity, Tier, Trace, UsdCost, Verdict,
};
use aegis_store::{QueueEntry, SqliteStore, Store, StoredRecord};

const MINUTE: i64 = 60_000;

fn config(rules: &str) -> AlertConfig {
    let env: BTreeMap<String, String> = [(
        "SLACK_URL".to_owned(),
        "https://hooks.example.com/x".to_owned(),
    )]
    .into();
    AlertConfig::from_toml(
        &format!(
            "[alerts]\n[[alerts.channels]]\nname = \"ops\"\nkind = \"slack\"\nurl_env = \"SLACK_URL\"\n{rules}"
        ),
        "aegis.toml",
        &env,
    )
    .unwrap()
}

fn alerts(rules: &str) -> Alerts {
    Alerts::new(config(rules), &[&aegis_domain_healthcare::Healthcare]).unwrap()
}

fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("store.db")).unwrap();
    (dir, store)
}

/// A healthcare result stored at `at_ms`.
fn record(
    id: &str,
    verdict: Verdict,
    latency_ms: u64,
    cost_usd: u64,
    at_ms: i64,
    application: &str,
) -> StoredRecord {
    let result = EvaluationResult {
        trace_id: Some(id.to_owned()),
        line: Some(1),
        domain: Some("healthcare".to_owned()),
        verdict,
        decided_by: Some(Tier::Rules),
        issues: (verdict == Verdict::Fail)
            .then(|| Issue {
                validator: "no_medication_overdose".to_owned(),
                tier: Tier::Rules,
                severity: Severity::Critical,
                message: "a dose above the labelled maximum".to_owned(),
                evidence: Vec::new(),
            })
            .into_iter()
            .collect(),
        tiers: Vec::new(),
        cost_usd: UsdCost::from_micros(cost_usd * 1_000_000),
        latency_ns: latency_ms * 1_000_000,
        error: None,
    };
    let trace = Sanitized::without_phi(Trace {
        id: Some(id.to_owned()),
        output: "an answer".to_owned(),
        metadata: Metadata {
            application: Some(application.to_owned()),
            ..Metadata::default()
        },
        ..Trace::default()
    });
    StoredRecord::new(result, Some(&trace), at_ms)
}

const ORG: (&str, &str) = ("org-1", "acme");

/// `Alerts::look` with one connection for reading and writing, as a test has it.
fn look(a: &Alerts, s: &mut SqliteStore, now_ms: i64, force: bool) {
    let spare = tempfile::tempdir().unwrap();
    let placeholder = SqliteStore::open(&spare.path().join("spare.db")).unwrap();
    let m = std::sync::Mutex::new(std::mem::replace(s, placeholder));
    a.look(ORG, &m, &m, now_ms, force).unwrap();
    *s = m.into_inner().unwrap();
}

#[test]
fn a_fail_rate_fires_once_while_it_holds_and_resolves_after_its_cooldown() {
    let a = alerts(
        "[[alerts.rules]]\ndomain = \"healthcare\"\nid = \"t_fail_rate\"\nwhen = { fail_rate = { above = 0.3, over = \"10m\", min_results = 5 } }\ncooldown = \"1m\"\n",
    );
    let (_dir, mut s) = store();
    let t0 = 1_800_000_000_000;
    let records: Vec<StoredRecord> = (0..10)
        .map(|i| {
            let v = if i < 4 { Verdict::Fail } else { Verdict::Pass };
            record(&format!("t{i}"), v, 5, 0, t0 - MINUTE, "app")
        })
        .collect();
    s.write(&records).unwrap();
    let firing = |s: &SqliteStore| {
        s.alerts(None, 100)
            .unwrap()
            .into_iter()
            .filter(|a| a.rule == "t_fail_rate")
            .collect::<Vec<_>>()
    };
    look(&a, &mut s, t0, true);
    let now = firing(&s);
    assert_eq!(now.len(), 1);
    assert_eq!(now[0].state, "firing");
    assert_eq!(now[0].value, Some(0.4));
    assert!(now[0].summary.contains("4 of 10"), "{}", now[0].summary);
    // Still holding five minutes on: the same alert, counted again, nothing new to send.
    look(&a, &mut s, t0 + 5 * MINUTE, true);
    let now = firing(&s);
    assert_eq!((now.len(), now[0].matches), (1, 2));
    // Out of the window, but not yet clear for its cooldown: still firing.
    look(&a, &mut s, t0 + 5 * MINUTE + 30_000, true);
    assert_eq!(firing(&s)[0].state, "firing");
    // Clear for a minute: resolved, with a resolve notification after the trigger.
    look(&a, &mut s, t0 + 12 * MINUTE, true);
    let now = firing(&s);
    assert_eq!(now[0].state, "resolved");
    let (_, notes, _) = s.alert(now[0].id).unwrap().unwrap();
    let events: Vec<(&str, &str)> = notes
        .iter()
        .map(|n| (n.event.as_str(), n.channel.as_str()))
        .collect();
    assert_eq!(events, [("trigger", "ops"), ("resolve", "ops")]);
    assert!(notes.iter().all(|n| n.state == "pending"));
    assert_ne!(notes[0].message_id, notes[1].message_id);
}

#[test]
fn too_few_results_never_fire_a_fail_rate() {
    let a = alerts(
        "[[alerts.rules]]\ndomain = \"healthcare\"\nid = \"t_fail_rate\"\nwhen = { fail_rate = { above = 0.3, over = \"10m\", min_results = 5 } }\n",
    );
    let (_dir, mut s) = store();
    let t0 = 1_800_000_000_000;
    let records: Vec<StoredRecord> = (0..4)
        .map(|i| record(&format!("t{i}"), Verdict::Fail, 5, 0, t0 - MINUTE, "app"))
        .collect();
    s.write(&records).unwrap();
    look(&a, &mut s, t0, true);
    assert!(
        s.alerts(None, 100)
            .unwrap()
            .iter()
            .all(|a| a.rule != "t_fail_rate")
    );
}

#[test]
fn p95_latency_spend_queue_age_and_silence_fire_on_what_the_store_holds() {
    let a = alerts(
        "[[alerts.rules]]\ndomain = \"healthcare\"\nid = \"t_slow\"\nwhen = { p95_latency = { above = \"50ms\", over = \"10m\" } }\n\
         [[alerts.rules]]\ndomain = \"healthcare\"\nid = \"t_spend\"\nwhen = { judge_spend_per_day = 25.0 }\n\
         [[alerts.rules]]\ndomain = \"healthcare\"\nid = \"t_backlog\"\nwhen = { queue_age = \"5m\" }\n\
         [[alerts.rules]]\ndomain = \"healthcare\"\nid = \"t_silent\"\nwhen = { silent = \"30m\" }\n",
    );
    let (_dir, mut s) = store();
    let real_now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    // Noon UTC two days ago: "today" is then the twelve hours before it.
    let t0 = real_now - real_now % 86_400_000 - 2 * 86_400_000 + 12 * 60 * MINUTE;
    // 20 results at 10 ms: the 95th percentile (nearest rank: the 19th) is 10 ms.
    let mut records: Vec<StoredRecord> = (0..20)
        .map(|i| record(&format!("f{i}"), Verdict::Pass, 10, 0, t0 - MINUTE, "app"))
        .collect();
    records.push(record("cost", Verdict::Pass, 10, 20, t0 - MINUTE, "app"));
    s.write(&records).unwrap();
    let fired = |s: &SqliteStore, rule: &str| {
        s.alerts(Some("firing"), 100)
            .unwrap()
            .into_iter()
            .find(|a| a.rule == rule)
    };
    look(&a, &mut s, t0, true);
    assert!(fired(&s, "t_slow").is_none(), "p95 is 10 ms");
    assert!(fired(&s, "t_spend").is_none(), "$20 spent");
    assert!(fired(&s, "t_backlog").is_none(), "nothing queued");
    assert!(fired(&s, "t_silent").is_none(), "a result a minute ago");
    // Two slow ones of 22: the 95th percentile (the 21st) is 900 ms. $10 more: $30 today.
    s.write(&[
        record("s1", Verdict::Pass, 900, 10, t0 - MINUTE, "app"),
        record("s2", Verdict::Pass, 900, 0, t0 - MINUTE, "app"),
    ])
    .unwrap();
    // A trace waiting in the queue since now (the real clock), looked at ten minutes on;
    // the results are two days old by then.
    let waiting = Sanitized::without_phi(Trace {
        id: Some("q1".to_owned()),
        output: "x".to_owned(),
        ..Trace::default()
    });
    s.enqueue_entries(&[QueueEntry::new("id:q1".to_owned(), &waiting).unwrap()])
        .unwrap();
    look(&a, &mut s, t0, true);
    let slow = fired(&s, "t_slow").unwrap();
    assert_eq!(slow.value, Some(900.0));
    let spend = fired(&s, "t_spend").unwrap();
    assert!((spend.value.unwrap() - 30.0).abs() < 1e-9, "{spend:?}");
    look(&a, &mut s, real_now + 10 * MINUTE, true);
    let backlog = fired(&s, "t_backlog").unwrap();
    assert!(backlog.value.unwrap() >= 590.0, "{backlog:?}");
    let silent = fired(&s, "t_silent").unwrap();
    assert!(
        silent.summary.contains("No healthcare result"),
        "{silent:?}"
    );
}

#[test]
fn per_result_rules_make_one_alert_per_group_and_count_its_matches() {
    let a = alerts(
        "[[alerts.rules]]\ndomain = \"healthcare\"\nid = \"t_overdose\"\nwhen = { validator = \"no_medication_overdose\" }\ngroup_by = \"application\"\ncooldown = \"2m\"\n",
    );
    let (_dir, mut s) = store();
    let t0 = 1_800_000_000_000;
    let records = [
        record("a1", Verdict::Fail, 5, 0, t0, "triage-bot"),
        record("a2", Verdict::Fail, 5, 0, t0, "triage-bot"),
        record("b1", Verdict::Fail, 5, 0, t0, "pharmacy-bot"),
        record("ok", Verdict::Pass, 5, 0, t0, "pharmacy-bot"),
    ];
    let stored: Vec<StoredResult<'_>> = records
        .iter()
        .map(|r| StoredResult {
            result: &r.result,
            application: r
                .trace
                .as_ref()
                .and_then(|t| t.metadata.application.as_deref()),
        })
        .collect();
    let raised = a.raised(&stored);
    // The healthcare spec's own `critical_finding` and `emergency…` rules raise too; ours is
    // one alert per application.
    assert_eq!(a.raise(ORG, &mut s, &raised, t0).unwrap(), raised.len());
    let ours: Vec<_> = s
        .alerts(None, 100)
        .unwrap()
        .into_iter()
        .filter(|a| a.rule == "t_overdose")
        .collect();
    let mut groups: Vec<(String, i64)> = ours
        .iter()
        .map(|a| (a.group_key.clone(), a.matches))
        .collect();
    groups.sort();
    assert_eq!(
        groups,
        [("pharmacy-bot".to_owned(), 1), ("triage-bot".to_owned(), 2)]
    );
    assert!(ours[0].summary.contains("no_medication_overdose"));
    // The same again: counted in the alerts firing, none new.
    assert_eq!(a.raise(ORG, &mut s, &raised, t0 + MINUTE).unwrap(), 0);
    // Quiet for two minutes after the last match: both resolve.
    look(&a, &mut s, t0 + MINUTE + 2 * MINUTE, true);
    assert!(
        s.alerts(None, 100)
            .unwrap()
            .iter()
            .filter(|a| a.rule == "t_overdose")
            .all(|a| a.state == "resolved")
    );
}

#[test]
fn configured_rules_are_checked_against_the_domains_served() {
    let bad = |rules: &str| {
        Alerts::new(config(rules), &[&aegis_domain_healthcare::Healthcare])
            .unwrap_err()
            .to_string()
    };
    assert!(
        bad("[[alerts.rules]]\ndomain = \"nope\"\nid = \"x\"\nwhen = { silent = \"1h\" }\n")
            .contains("does not serve")
    );
    assert!(
        bad("[[alerts.rules]]\ndomain = \"healthcare\"\nid = \"x\"\nwhen = { validator = \"nope\" }\n")
            .contains("is no validator")
    );
    assert!(
        bad("[[alerts.rules]]\ndomain = \"healthcare\"\nid = \"fail_rate\"\nwhen = { silent = \"1h\" }\n")
            .contains("spec has a rule of that name")
    );
    assert!(
        bad("[[alerts.rules]]\ndomain = \"healthcare\"\nid = \"x\"\nwhen = { silent = \"1h\" }\nnotify = [\"pager\"]\n")
            .contains("no channel")
    );
    let env = BTreeMap::new();
    let e = AlertConfig::from_toml(
        "[alerts]\n[[alerts.channels]]\nname = \"ops\"\nkind = \"slack\"\nurl_env = \"NOT_SET\"\n",
        "aegis.toml",
        &env,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("NOT_SET is not set"), "{e}");
    let e = AlertConfig::from_toml(
        "[alerts]\n[[alerts.rules]]\ndomain = \"healthcare\"\nid = \"x\"\nwhen = { queue_age = \"5\" }\n",
        "aegis.toml",
        &env,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("rule `x`") && e.contains("needs a unit"), "{e}");
    let e = AlertConfig::from_toml("[alerts]\nlook_every = 5\n", "aegis.toml", &env)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("aegis.toml:2"), "{e}");
}
