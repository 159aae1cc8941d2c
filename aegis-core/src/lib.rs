//! Core types of Aegis.
//!
//! * [`Trace`]: what an application logged — model, input, output, metadata, optional
//!   structured domain data and an optional reinforcement-learning [`Episode`].
//! * [`EvaluationResult`]: what Aegis concluded — a [`Verdict`], the [`Tier`] that decided,
//!   every [`Issue`], and cost and latency per tier.
//! * [`Domain`]: the trait a generated domain crate implements; the runtime drives it.
//! * [`Sanitized`]: a trace that has been through Tier 0 — the only kind later tiers accept —
//!   and the [`PhiClass`]es of HIPAA Safe Harbor.
//! * [`Trace::tool_calls`]: what an agent did, each tool call once ([`ToolCallAt`]).
//! * [`env`]: the `Environment` trait simulators implement.
//! * [`alert`]: alert rules, as a spec's `alerts` section or a server's configuration states them.
//! * [`judge`]: Tier-3 judges as generated code describes them, and the fence that keeps
//!   judged text data.
//! * [`tiers`]: the traits the other tiers (sanitiser, models, judge, human review) implement.
//!
//! This crate is what generated domain code depends on. It is not the orchestrator (that is
//! `aegis-runtime`) and it knows nothing about any particular domain.

mod agent;
pub mod alert;
pub mod calendar;
pub mod digest;
mod domain;
pub mod env;
pub mod judge;
mod phi;
mod result;
pub mod tiers;
mod trace;

#[doc(hidden)]
pub mod __private;

pub use agent::ToolCallAt;
pub use alert::{AlertCondition, AlertGroup, AlertRule, AlertSeverity};
pub use domain::{
    Domain, DomainInfo, EscalationPolicy, EscalationRequest, ExtractorInfo, ModelInfo, RlSettings,
    RuleLabels, RuleOutcome, SimulatorInfo, SlotTable, SyntheticInfo, TableInfo, ToolInfo,
    ValidatorInfo,
};
pub use phi::{
    PhiClass, PhiClasses, PhiKeep, PhiMode, PhiSettings, Pseudonym, SanitizeReport, Sanitized,
    UnknownPhiClass,
};
pub use result::{
    EvaluationResult, Evidence, Issue, JudgeCall, LabelScore, ModuleOutcome, ModuleResult,
    Severity, Tier, TierOutcome, TierReport, UsdCost, Verdict,
};
pub use trace::{
    Action, AgentStep, Episode, Metadata, PolicyInfo, Step, StepKind, TextField, TokenCounts,
    ToolCall, Trace, otel_trace_id,
};

/// Replaces the input value quoted in a deserialisation error (`invalid type: string "Jane",
/// expected f64`; `invalid value: integer `123``) with `…`, so that an error message never
/// repeats user data such as PHI. Messages that quote only names the schema knows (`missing
/// field `age``, `expected one of `a`, `b``) are kept whole.
pub fn redact_quoted(message: &str) -> String {
    const QUOTING_INPUT: [&str; 3] = ["invalid type", "invalid value", "unknown variant"];
    let Some(at) = QUOTING_INPUT.iter().filter_map(|p| message.find(p)).min() else {
        return message.to_owned();
    };
    // The input value is the first quoted text after the marker (quotes inside it are escaped);
    // what follows ("expected …") comes from the schema.
    let (head, tail) = message.split_at(at);
    let mut out = String::from(head);
    let mut chars = tail.chars();
    let mut quote = None;
    for c in chars.by_ref() {
        out.push(c);
        if c == '"' || c == '`' {
            quote = Some(c);
            break;
        }
    }
    let Some(q) = quote else { return out };
    let mut escaped = false;
    let mut closed = false;
    for c in chars.by_ref() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == q {
            closed = true;
            break;
        }
    }
    out.push('…');
    out.push(q);
    if closed {
        out.extend(chars);
    }
    out
}

#[cfg(test)]
mod redact_tests {
    #[test]
    fn quoted_values_are_redacted() {
        assert_eq!(
            super::redact_quoted(
                r#"invalid type: string "Jane \"J\" Doe", expected f64 at line 1"#
            ),
            r#"invalid type: string "…", expected f64 at line 1"#
        );
        assert_eq!(super::redact_quoted("no quotes"), "no quotes");
        assert_eq!(
            super::redact_quoted("invalid type: integer `123456789`, expected a string"),
            "invalid type: integer `…`, expected a string"
        );
        assert_eq!(
            super::redact_quoted("missing field `age_years` at line 1 column 2"),
            "missing field `age_years` at line 1 column 2"
        );
        assert_eq!(
            super::redact_quoted("unknown variant `Jane`, expected one of `a`, `b`"),
            "unknown variant `…`, expected one of `a`, `b`"
        );
        assert_eq!(
            super::redact_quoted(
                r#"invalid type: string "Jane, expected 555-0100", expected struct Metadata"#
            ),
            r#"invalid type: string "…", expected struct Metadata"#
        );
    }
}
