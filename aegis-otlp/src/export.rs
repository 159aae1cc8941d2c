//! Aegis results back out, in the vocabulary of the tools that traced the application: Arize
//! Phoenix trace annotations (`POST /v1/trace_annotations`). Only a result whose trace id is
//! an OpenTelemetry trace id (32 hex digits) is exported: another id names no trace such a
//! tool has.
//!
//! What is exported comes from the stored result only: its verdict, the tier that decided it,
//! and its issues' validators, severities and messages, which Tier 0 has already sanitised.

use aegis_core::{EvaluationResult, Severity, Tier, Verdict, otel_trace_id};
use serde_json::{Value, json};

/// The annotation every exported result gets, whatever it found: its verdict.
pub const VERDICT_ANNOTATION: &str = "aegis";

/// The verdict as a score: 1 for a pass, 0 for a fail or an error, ½ while an expert must look.
pub fn verdict_score(verdict: Verdict) -> f64 {
    match verdict {
        Verdict::Pass => 1.0,
        Verdict::NeedsReview => 0.5,
        Verdict::Fail | Verdict::Error => 0.0,
    }
}

/// The result as Phoenix trace annotations (the elements of the request body's `data`), or
/// `None` when its trace id is not an OpenTelemetry one. One annotation named `aegis` carries
/// the verdict (label), its score ([`verdict_score`]), the issues' messages (explanation) and
/// the domain, deciding tier and issues (metadata); then one per validator that found
/// something, `aegis.<validator>`, labelled with its highest severity. Each has an
/// `identifier`, so evaluating a trace again updates its annotations rather than adding more.
pub fn phoenix_trace_annotations(result: &EvaluationResult) -> Option<Vec<Value>> {
    let trace_id = otel_trace_id(result.trace_id.as_deref()?)?;
    let kind = annotator_kind(result.decided_by);
    let explanation = result
        .issues
        .iter()
        .map(|i| format!("{}: {}", i.validator, i.message))
        .collect::<Vec<_>>()
        .join("\n");
    let issues: Vec<Value> = result
        .issues
        .iter()
        .map(|i| {
            json!({
                "validator": i.validator,
                "severity": i.severity.as_str(),
                "tier": i.tier.as_str(),
                "message": i.message,
            })
        })
        .collect();
    let mut annotations = vec![json!({
        "trace_id": trace_id,
        "name": VERDICT_ANNOTATION,
        "annotator_kind": kind,
        "identifier": VERDICT_ANNOTATION,
        "result": {
            "label": result.verdict.as_str(),
            "score": verdict_score(result.verdict),
            "explanation": if explanation.is_empty() { "no issue found".to_owned() } else { explanation },
        },
        "metadata": {
            "domain": result.domain,
            "decided_by": result.decided_by.map(Tier::as_str),
            "issues": issues,
        },
    })];
    let mut validators: Vec<(&str, Severity, Vec<&str>)> = Vec::new();
    for issue in &result.issues {
        match validators
            .iter_mut()
            .find(|(v, _, _)| *v == issue.validator)
        {
            Some((_, severity, messages)) => {
                *severity = (*severity).max(issue.severity);
                messages.push(&issue.message);
            }
            None => validators.push((&issue.validator, issue.severity, vec![&issue.message])),
        }
    }
    for (validator, severity, messages) in validators {
        let name = format!("{VERDICT_ANNOTATION}.{validator}");
        annotations.push(json!({
            "trace_id": trace_id,
            "name": name,
            "annotator_kind": kind,
            "identifier": name,
            "result": {
                "label": severity.as_str(),
                "score": 0.0,
                "explanation": messages.join("\n"),
            },
            "metadata": { "domain": result.domain },
        }));
    }
    Some(annotations)
}

/// Phoenix's kinds of annotator: the judge is an LLM, an expert a human, the rest code.
fn annotator_kind(decided_by: Option<Tier>) -> &'static str {
    match decided_by {
        Some(Tier::Judge) => "LLM",
        Some(Tier::Human) => "HUMAN",
        _ => "CODE",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aegis_core::Issue;

    fn result(trace_id: &str, verdict: Verdict, issues: Vec<Issue>) -> EvaluationResult {
        let mut r = EvaluationResult::error(None, Some(trace_id.to_owned()), "");
        r.domain = Some("healthcare".to_owned());
        r.verdict = verdict;
        r.decided_by = Some(Tier::Rules);
        r.issues = issues;
        r.error = None;
        r
    }

    fn issue(validator: &str, severity: Severity, message: &str) -> Issue {
        Issue {
            validator: validator.to_owned(),
            tier: Tier::Rules,
            severity,
            message: message.to_owned(),
            evidence: Vec::new(),
        }
    }

    #[test]
    fn only_opentelemetry_trace_ids_are_exported() {
        assert_eq!(
            otel_trace_id("4BF92F3577B34DA6A3CE929D0E0E4736").as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        assert_eq!(otel_trace_id("00000000000000000000000000000000"), None);
        assert_eq!(otel_trace_id("trace-1"), None);
        assert_eq!(otel_trace_id("4bf92f3577b34da6a3ce929d0e0e473g"), None);
        let r = result("hc-001", Verdict::Pass, Vec::new());
        assert!(phoenix_trace_annotations(&r).is_none());
    }

    #[test]
    fn a_result_is_its_verdict_and_one_annotation_per_validator() {
        let id = "4bf92f3577b34da6a3ce929d0e0e4736";
        let r = result(
            id,
            Verdict::Fail,
            vec![
                issue(
                    "dosage_limit",
                    Severity::Medium,
                    "400 mg is above the limit",
                ),
                issue("dosage_limit", Severity::High, "3,200 mg a day"),
                issue("phi_leak", Severity::Critical, "a name in the answer"),
            ],
        );
        let a = phoenix_trace_annotations(&r).unwrap();
        assert_eq!(a.len(), 3);
        assert_eq!(a[0]["name"], "aegis");
        assert_eq!(a[0]["trace_id"], id);
        assert_eq!(a[0]["annotator_kind"], "CODE");
        assert_eq!(a[0]["result"]["label"], "fail");
        assert_eq!(a[0]["result"]["score"], 0.0);
        assert_eq!(a[0]["metadata"]["issues"].as_array().unwrap().len(), 3);
        assert_eq!(a[1]["name"], "aegis.dosage_limit");
        assert_eq!(a[1]["result"]["label"], "high");
        assert_eq!(
            a[1]["result"]["explanation"],
            "400 mg is above the limit\n3,200 mg a day"
        );
        assert_eq!(a[2]["name"], "aegis.phi_leak");
        assert_eq!(a[2]["result"]["label"], "critical");
        let pass = phoenix_trace_annotations(&result(id, Verdict::Pass, Vec::new())).unwrap();
        assert_eq!(pass.len(), 1);
        assert_eq!(pass[0]["result"]["score"], 1.0);
        assert_eq!(pass[0]["result"]["explanation"], "no issue found");
    }
}
