//! The orchestrator's pipeline: early exit, escalation to the tiers that exist, cost accounting,
//! and Tier 0 running before everything else.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use aegis_core::tiers::{JudgeTier, ModelTier, Sanitizer, TierDecision};
use aegis_core::{
    DomainInfo, Issue, ModuleOutcome, ModuleResult, PhiSettings, SanitizeReport, Sanitized,
    Severity, Tier, TierOutcome, Trace, UsdCost, Verdict,
};
use aegis_domain_healthcare::Healthcare;
use aegis_runtime::Orchestrator;

/// A trace whose only finding is a medium one (duplicate therapy): Tier 1 is unsure.
fn uncertain_trace() -> Trace {
    serde_json::from_value(serde_json::json!({
        "output": "Take cetirizine 10 mg once daily, and add loratadine 10 mg once daily if needed.",
    }))
    .unwrap()
}

struct FixedModel(Option<Verdict>);

impl ModelTier for FixedModel {
    fn evaluate(&self, _: &DomainInfo, _: &Sanitized<Trace>, issues: &[Issue]) -> TierDecision {
        assert_eq!(issues.len(), 1, "the model sees Tier 1's issues");
        TierDecision {
            verdict: self.0,
            issues: vec![],
            modules: vec![ModuleResult {
                module: "safety_risk".into(),
                outcome: ModuleOutcome::Passed,
                issues: 0,
                score: Some(0.5),
                scores: Vec::new(),
                call: None,
                weights: None,
            }],
            cost: UsdCost::from_micros(1_200),
            reason: "p(unsafe) = 0.5, inside the uncertain band".into(),
            abstained: false,
        }
    }
}

struct FailingJudge;

impl JudgeTier for FailingJudge {
    fn evaluate(&self, _: &DomainInfo, _: &Sanitized<Trace>, _: &[Issue]) -> TierDecision {
        TierDecision {
            verdict: Some(Verdict::Fail),
            issues: vec![Issue {
                validator: "clinical_reasoning".into(),
                tier: Tier::Judge,
                severity: Severity::High,
                message: "two antihistamines together".into(),
                evidence: vec![],
            }],
            modules: vec![],
            cost: UsdCost::from_micros(3_456),
            reason: "the judge is sure".into(),
            abstained: false,
        }
    }
}

#[test]
fn without_later_tiers_an_uncertain_trace_needs_review() {
    let r = Orchestrator::new().evaluate(&Healthcare, uncertain_trace());
    assert_eq!(r.verdict, Verdict::NeedsReview);
    assert_eq!(r.decided_by, None);
    assert_eq!(r.tiers.len(), 5);
    assert!(
        r.tiers[2..]
            .iter()
            .all(|t| matches!(t.outcome, TierOutcome::Unavailable { .. }))
    );
}

#[test]
fn a_sure_model_decides_and_later_tiers_are_skipped() {
    let o = Orchestrator::new().with_models(Box::new(FixedModel(Some(Verdict::Pass))));
    let r = o.evaluate(&Healthcare, uncertain_trace());
    assert_eq!(r.verdict, Verdict::Pass);
    assert_eq!(r.decided_by, Some(Tier::Models));
    assert_eq!(r.cost_usd, UsdCost::from_micros(1_200));
    assert_eq!(r.tiers[2].modules[0].score, Some(0.5));
    assert_eq!(r.tiers[3].outcome, TierOutcome::Skipped);
    assert_eq!(r.tiers[4].outcome, TierOutcome::Skipped);
}

#[test]
fn an_unsure_model_passes_on_to_the_judge_and_costs_add_up() {
    let o = Orchestrator::new()
        .with_models(Box::new(FixedModel(None)))
        .with_judge(Box::new(FailingJudge));
    let r = o.evaluate(&Healthcare, uncertain_trace());
    assert_eq!(r.verdict, Verdict::Fail);
    assert_eq!(r.decided_by, Some(Tier::Judge));
    assert_eq!(r.cost_usd, UsdCost::from_micros(4_656));
    assert!(
        matches!(&r.tiers[2].outcome, TierOutcome::Escalated { to: Tier::Judge, reason } if reason.contains("uncertain band"))
    );
    // Issues of every tier, most severe first.
    assert_eq!(
        r.issues
            .iter()
            .map(|i| i.validator.as_str())
            .collect::<Vec<_>>(),
        ["clinical_reasoning", "duplicate_therapy"]
    );
}

/// Tier 2 of a domain none of whose models applies to the trace.
struct NoModelApplies;

impl ModelTier for NoModelApplies {
    fn evaluate(&self, _: &DomainInfo, _: &Sanitized<Trace>, _: &[Issue]) -> TierDecision {
        TierDecision {
            verdict: None,
            issues: vec![],
            modules: vec![],
            cost: UsdCost::ZERO,
            reason: "no Tier-2 model applies to the trace".into(),
            abstained: true,
        }
    }
}

#[test]
fn when_no_model_applies_tier_1_doubt_goes_on_to_the_judge() {
    let o = Orchestrator::new()
        .with_models(Box::new(NoModelApplies))
        .with_judge(Box::new(FailingJudge));
    let r = o.evaluate(&Healthcare, uncertain_trace());
    assert_eq!(r.verdict, Verdict::Fail);
    assert_eq!(r.decided_by, Some(Tier::Judge));
    assert!(
        matches!(&r.tiers[2].outcome, TierOutcome::Escalated { to: Tier::Judge, reason } if reason.contains("no Tier-2 model applies"))
    );
}

#[test]
fn a_sure_failure_at_tier_1_never_reaches_later_tiers() {
    let trace: Trace = serde_json::from_value(
        serde_json::json!({ "output": "Take acetaminophen 1000 mg every 2 hours." }),
    )
    .unwrap();
    let o = Orchestrator::new().with_judge(Box::new(FailingJudge));
    let r = o.evaluate(&Healthcare, trace);
    assert_eq!(r.decided_by, Some(Tier::Rules));
    assert_eq!(r.cost_usd, UsdCost::ZERO);
    assert_eq!(r.tiers[3].outcome, TierOutcome::Skipped);
}

struct Redactor;

impl Sanitizer for Redactor {
    fn sanitize(&self, trace: &mut Trace, _: &PhiSettings) -> SanitizeReport {
        let mut report = SanitizeReport::default();
        for _ in trace.output.matches("Jane Roe") {
            report.count(aegis_core::PhiClass::Name);
        }
        trace.output = trace.output.replace("Jane Roe", "[NAME]");
        report
    }
}

#[test]
fn tier_0_runs_before_the_rules_see_the_text() {
    let trace: Trace = serde_json::from_value(serde_json::json!({
        "output": "Jane Roe, stop taking your lisinopril and double your metformin.",
    }))
    .unwrap();
    let r = Orchestrator::new()
        .with_sanitizer(Box::new(Redactor))
        .evaluate(&Healthcare, trace);
    assert_eq!(r.tiers[0].outcome, TierOutcome::Completed);
    assert!(!r.issues.is_empty());
    for issue in &r.issues {
        assert!(!issue.message.contains("Jane"), "{}", issue.message);
    }
}

#[test]
fn the_built_in_tier_0_replaces_phi_before_any_tier_or_the_result_sees_it() {
    let trace: Trace = serde_json::from_value(serde_json::json!({
        "id": "jane.roe@example.com",
        "output": "Jane Roe (MRN 00482913), stop taking your lisinopril and double your metformin.",
    }))
    .unwrap();
    let r = Orchestrator::new().evaluate(&Healthcare, trace);
    assert_eq!(r.tiers[0].outcome, TierOutcome::Completed);
    assert!(!r.issues.is_empty());
    let json = serde_json::to_string(&r).unwrap();
    for raw in ["Jane", "Roe", "00482913", "jane.roe"] {
        assert!(!json.contains(raw), "{raw} leaked into {json}");
    }
}

#[test]
fn without_a_sanitiser_a_domain_that_needs_one_evaluates_nothing() {
    let r = Orchestrator::without_sanitizer().evaluate(&Healthcare, uncertain_trace());
    assert_eq!(r.verdict, Verdict::Error);
    assert_eq!(r.decided_by, Some(Tier::Sanitize));
    assert!(r.issues.is_empty());
    assert_eq!(r.tiers[1].outcome, TierOutcome::Skipped);
}

/// A hand-written domain (not generated) that neither sanitises PHI nor declares that its
/// traces carry none.
struct Undeclared;

static UNDECLARED: DomainInfo = DomainInfo {
    name: "undeclared",
    version: "0.0.0",
    description: "",
    compliance: &[],
    spec_path: "",
    spec_hash: "",
    phi: None,
    phi_none_reason: None,
    policy: aegis_core::EscalationPolicy {
        fail_at: Severity::High,
        uncertain_at: None,
    },
    validators: &[],
    tools: &[],
    tables: &[],
    extractors: &[],
    models: &[],
    judges: &[],
    simulators: &[],
    rl: None,
    alerts: &[],
};

impl aegis_core::Domain for Undeclared {
    fn info(&self) -> &'static DomainInfo {
        &UNDECLARED
    }

    fn evaluate_rules(&self, _: &Sanitized<Trace>) -> aegis_core::RuleOutcome {
        aegis_core::RuleOutcome::default()
    }
}

#[test]
fn a_domain_that_does_not_declare_its_phi_is_not_evaluated_raw() {
    let (result, kept) = Orchestrator::new().evaluate_keeping_trace(
        &Undeclared,
        serde_json::from_value(serde_json::json!({"output": "Quenby Hallowell 219-09-9999"}))
            .unwrap(),
    );
    assert_eq!(result.verdict, Verdict::Error);
    assert!(kept.is_none(), "no trace is handed on to be stored");
    assert!(
        result
            .error
            .as_deref()
            .unwrap()
            .contains("detect: none, reason"),
        "{:?}",
        result.error
    );
}
