//! Every string and number of a trace reaches Tier 0 (issue 28, point 4): a canary (a name, an
//! SSN, a phone number) in every field of the trace schema, as text and as numbers, is gone
//! after sanitising — through the `Sanitizer` (what `run` and the store use) and through
//! `sanitize_value` (what `sanitize` uses on JSON lines), in every mode.

use aegis_core::tiers::Sanitizer;
use aegis_core::{PhiMode, SanitizeReport, Trace};
use aegis_phi::{PhiEngine, PhiKey, all_classes};
use serde_json::{Value, json};

const TEXT: &str = "for Margaret Thompson 512-48-3391 617-555-0142";
const SSN: u64 = 512_483_391;
const PHONE: u64 = 6_175_550_142;

/// What must not survive, in any spelling the trace used.
const CANARIES: &[&str] = &[
    "Margaret",
    "Thompson",
    "512-48-3391",
    "512483391",
    "617-555-0142",
    "6175550142",
];

fn engine() -> PhiEngine {
    let key = PhiKey::from_config("canary test passphrase").unwrap_or_else(|e| panic!("{e}"));
    PhiEngine::new(key).unwrap_or_else(|e| panic!("{e}"))
}

/// A trace with the canary in every field of the schema.
fn canary_trace(steps_hold_canary: bool) -> Value {
    let state = if steps_hold_canary {
        json!([0.5, PHONE as f64])
    } else {
        json!([0.5, 1.5])
    };
    json!({
        "id": format!("trace {TEXT}"),
        "model": format!("model {TEXT}"),
        "input": format!("input {TEXT}"),
        "output": format!("output {TEXT}"),
        "context": [format!("context {TEXT}")],
        "metadata": {
            "domain": format!("domain {TEXT}"),
            "organisation": format!("organisation {TEXT}"),
            "application": format!("application {TEXT}"),
            "tags": [format!("tag {TEXT}"), "512-48-3391"],
            "started_at": format!("started {TEXT}"),
            "ended_at": format!("ended {TEXT}"),
            "tokens": {"prompt": SSN, "completion": PHONE},
            "latency_ms": PHONE,
        },
        "domain_data": {
            "note": format!("note {TEXT}"),
            "phoneNumber": PHONE,
            "social_security_number": SSN,
            "callback": PHONE as f64,
            "contacts": [PHONE, {"who": format!("who {TEXT}"), "n": SSN}],
            format!("key {TEXT}"): 1,
        },
        "episode": {
            "policy": {
                "name": format!("policy {TEXT}"),
                "version": format!("version {TEXT}"),
                "parameters": {"owner": format!("owner {TEXT}"), "x": SSN},
            },
            "environment": format!("environment {TEXT}"),
            "seed": SSN,
            "steps": [{"state": state, "action": 1, "reward": 1.0, "cost": 0.0}],
        },
        "extra_text": format!("extra {TEXT}"),
        "extra_number": PHONE,
        "extra_nested": {"deep": [format!("deep {TEXT}"), SSN]},
    })
}

fn assert_clean(what: &str, out: &str) {
    for c in CANARIES {
        assert!(!out.contains(c), "{what}: `{c}` survived in {out}");
    }
}

#[test]
fn no_canary_survives_the_trace_sanitizer_in_any_mode() {
    let engine = engine();
    for steps_hold_canary in [false, true] {
        for mode in [
            PhiMode::Pseudonymize,
            PhiMode::Redact,
            PhiMode::Mask,
            PhiMode::Hash,
        ] {
            let mut trace: Trace = serde_json::from_value(canary_trace(steps_hold_canary))
                .unwrap_or_else(|e| panic!("{e}"));
            let report = engine.sanitize(&mut trace, &all_classes(mode));
            let out = serde_json::to_string(&trace).unwrap_or_else(|e| panic!("{e}"));
            assert_clean(&format!("{mode:?}"), &out);
            assert!(report.total() > 20, "{mode:?}: {report:?}");
            // Typed numbers cannot hold a replacement: they are dropped; the episode survives
            // a bad seed, and is dropped when a step value has an identifier's shape.
            assert_eq!(trace.metadata.latency_ms, None);
            assert_eq!(trace.metadata.tokens, None);
            assert_eq!(trace.episode.is_some(), !steps_hold_canary, "{out}");
            if let Some(e) = &trace.episode {
                assert_eq!(e.seed, None);
                assert_eq!(e.steps.len(), 1);
            }
        }
    }
}

#[test]
fn no_canary_survives_json_line_sanitising() {
    let engine = engine();
    let mut value = canary_trace(true);
    // `sanitize` reads any JSON: a latency given as text is text.
    value["metadata"]["latency_ms"] = json!("512-48-3391");
    value["model"] = json!("512-48-3391");
    for mode in [PhiMode::Pseudonymize, PhiMode::Redact] {
        let mut v = value.clone();
        let mut report = SanitizeReport::default();
        engine.sanitize_value(&mut v, None, &all_classes(mode), "subject", &mut report);
        assert_clean(&format!("{mode:?}"), &v.to_string());
    }
}

#[test]
fn numbers_with_identifier_shapes_become_consistent_strings() {
    let engine = engine();
    let settings = all_classes(PhiMode::Pseudonymize);
    let mut v = json!({
        "a": PHONE, "b": PHONE, "c": SSN, "card": 4_111_111_111_111_111u64,
        // Not identifiers: too short, an area code or exchange from 0 or 1, an unissued SSN
        // area, a millisecond timestamp, a fraction, a negative number.
        "count": 42, "epoch": 1_718_000_000, "bad_area": 1_235_550_142u64,
        "ssn_666": 666_483_391, "ms": 1_718_000_000_000u64, "ratio": 6_175_550_142.5,
        "neg": -6_175_550_142i64,
    });
    engine.sanitize_value(&mut v, None, &settings, "s", &mut SanitizeReport::default());
    assert!(v["a"].is_string() && v["a"] == v["b"], "{v}");
    assert!(v["c"].is_string() && v["card"].is_string(), "{v}");
    assert_ne!(v["a"], json!(PHONE.to_string()));
    for k in [
        "count", "epoch", "bad_area", "ssn_666", "ms", "ratio", "neg",
    ] {
        assert!(v[k].is_number(), "{k}: {v}");
    }
    let mut r = json!({"p": PHONE});
    engine.sanitize_value(
        &mut r,
        None,
        &all_classes(PhiMode::Redact),
        "s",
        &mut SanitizeReport::default(),
    );
    assert_eq!(r["p"], json!("[PHONE]"));
}

#[test]
fn timestamps_and_model_names_are_kept() {
    let engine = engine();
    let settings = all_classes(PhiMode::Pseudonymize);
    let mut trace: Trace = serde_json::from_value(json!({
        "model": "gpt-4o-2024-08-06",
        "output": "ok",
        "metadata": {
            "started_at": "2026-03-01T09:30:00Z",
            "ended_at": "2026-03-01T09:30:01.250+01:00",
            "latency_ms": 1250.0,
            "tokens": {"prompt": 812, "completion": 95},
        },
        "episode": {"seed": 42, "steps": []},
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    let before = trace.clone();
    engine.sanitize(&mut trace, &settings);
    assert_eq!(trace, before);
    for model in ["claude-3-5-sonnet-20241022", "llama-3.1-70b-instruct"] {
        let mut t = before.clone();
        t.model = Some(model.to_owned());
        engine.sanitize(&mut t, &settings);
        assert_eq!(t.model.as_deref(), Some(model));
    }
    // The JSON-line path keeps them too.
    let mut v = serde_json::to_value(&before).unwrap_or_else(|e| panic!("{e}"));
    let original = v.clone();
    engine.sanitize_value(&mut v, None, &settings, "s", &mut SanitizeReport::default());
    assert_eq!(v, original);
}

/// An agent's trace repeats its texts (the root's input in its first step, a model's messages
/// in its attributes): each copy comes out the same and each is counted, as if scanned alone.
#[test]
fn a_text_repeated_in_a_trace_is_replaced_alike_and_counted_each_time() {
    let engine = engine();
    let settings = all_classes(PhiMode::Pseudonymize);
    let long = format!("Please check the chart {TEXT} before the visit.");
    let mut once: Trace = serde_json::from_value(json!({"id": "t-1", "input": long})).unwrap();
    let single = engine.sanitize(&mut once, &settings);
    let mut repeated: Trace = serde_json::from_value(json!({
        "id": "t-1",
        "input": long,
        "steps": [{"kind": "llm", "input": long, "attributes": {"llm.input_messages.0.message.content": long}}]
    }))
    .unwrap();
    let report = engine.sanitize(&mut repeated, &settings);
    assert_eq!(repeated.input, once.input);
    assert_eq!(repeated.steps[0].input, once.input);
    assert_eq!(
        repeated.steps[0].attributes["llm.input_messages.0.message.content"],
        Value::String(once.input.clone())
    );
    assert!(single.total() >= 3, "{single:?}");
    assert_eq!(report.total(), 3 * single.total(), "{report:?}");
}
