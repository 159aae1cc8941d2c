//! Replay: evaluate a stored trace again with today's domain, and say what changed.

use aegis_core::{Domain, EvaluationResult};
use aegis_store::{Store, StoredRecord};
use serde::Serialize;

use crate::pipeline::{Pipeline, TierOptions};
use crate::store::{get, now_ms, provenance};
use crate::{AppError, find_domain};

/// What changed between a stored result and its replay.
#[derive(Debug, Clone, Serialize)]
pub struct Changes {
    /// The verdict, then and now.
    pub verdict: Option<(String, String)>,
    /// The deciding tier, then and now.
    pub decided_by: Option<(Option<String>, Option<String>)>,
    /// Issues found now and not then (`[severity] validator: message`).
    pub issues_added: Vec<String>,
    /// Issues found then and not now.
    pub issues_removed: Vec<String>,
    /// The domain's spec hash, then and now, when it changed.
    pub spec_changed: Option<(String, String)>,
}

impl Changes {
    /// Whether the outcome changed (the verdict, the deciding tier, or the issues).
    pub fn any(&self) -> bool {
        self.verdict.is_some()
            || self.decided_by.is_some()
            || !self.issues_added.is_empty()
            || !self.issues_removed.is_empty()
    }

    /// The changes from `old` to `new`; `spec` is the spec hash then (if known) and now.
    pub fn between(
        old: &EvaluationResult,
        new: &EvaluationResult,
        spec: (Option<String>, &str),
    ) -> Changes {
        let (before, after) = (issue_lines(old), issue_lines(new));
        Changes {
            verdict: (old.verdict != new.verdict).then(|| {
                (
                    old.verdict.as_str().to_owned(),
                    new.verdict.as_str().to_owned(),
                )
            }),
            decided_by: (old.decided_by != new.decided_by).then(|| {
                (
                    old.decided_by.map(|t| t.as_str().to_owned()),
                    new.decided_by.map(|t| t.as_str().to_owned()),
                )
            }),
            issues_added: after
                .iter()
                .filter(|i| !before.contains(i))
                .cloned()
                .collect(),
            issues_removed: before
                .iter()
                .filter(|i| !after.contains(i))
                .cloned()
                .collect(),
            spec_changed: spec
                .0
                .filter(|then| then != spec.1)
                .map(|then| (then, spec.1.to_owned())),
        }
    }
}

fn issue_lines(r: &EvaluationResult) -> Vec<String> {
    let mut v: Vec<String> = r
        .issues
        .iter()
        .map(|i| format!("[{}] {}: {}", i.severity, i.validator, i.message))
        .collect();
    v.sort();
    v
}

/// A stored result evaluated again.
#[derive(Debug, Clone, Serialize)]
pub struct Replay {
    /// The record's key.
    pub key: String,
    /// The domain.
    pub domain: String,
    /// When the stored result was evaluated (ms since the epoch).
    pub stored_at_ms: i64,
    /// The stored result.
    pub stored: EvaluationResult,
    /// The result now.
    pub replayed: EvaluationResult,
    /// What changed.
    pub changes: Changes,
    /// The domain's spec hash now.
    pub spec_now: String,
}

/// Evaluates the stored trace `id` again with today's `domains` and tiers; with `save`, the
/// new result replaces the stored one (the audit log keeps both).
pub fn replay(
    store: &mut dyn Store,
    id: &str,
    domains: &[&'static dyn Domain],
    tiers: &TierOptions,
    save: bool,
) -> Result<Replay, AppError> {
    let row = get(store, id)?;
    let Some(sanitized) = row.sanitized_trace() else {
        return Err(AppError::Store(
            "the stored line was not a trace (it has no text to evaluate again)".to_owned(),
        ));
    };
    let domain_name = row.result.domain.clone().unwrap_or_default();
    let domain = find_domain(domains, &domain_name)?;
    let pipeline = Pipeline::build(&[domain], None, tiers)?;
    let mut new = pipeline
        .orchestrator()
        .evaluate_sanitized(domain, sanitized.clone());
    new.line = row.result.line;
    let trail = store.audit_trail(&row.key)?;
    let then_spec = trail
        .iter()
        .rev()
        .find_map(|e| e.provenance.as_ref().map(|p| p.spec_hash.clone()));
    let spec_now = domain.info().spec_hash.to_owned();
    let changes = Changes::between(&row.result, &new, (then_spec, &spec_now));
    if save {
        let mut record = StoredRecord::new(new.clone(), Some(&sanitized), now_ms());
        record.key = row.key.clone();
        record = record.with_provenance(provenance(domain.info()));
        store.write(&[record])?;
        store.index_text()?;
    }
    Ok(Replay {
        key: row.key,
        domain: domain_name,
        stored_at_ms: row.evaluated_at_ms,
        stored: row.result,
        replayed: new,
        changes,
        spec_now,
    })
}
