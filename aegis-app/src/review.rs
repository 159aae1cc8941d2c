//! Tier 4, expert review: labels (typed in, or imported as JSON lines from another labelling
//! tool) with their notes sanitised, the open tasks for export, training data for a model from
//! the labels, and active-learning samples for the queue.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use aegis_core::{Domain, EvaluationResult, ModuleOutcome, Severity, Tier, Trace, Verdict};
use aegis_phi::PhiEngine;
use aegis_store::{ReviewLabel, ReviewTask, Store, StoredRow};
use serde::Serialize;

use crate::store::{Selection, now_ms};
use crate::{AppError, find_domain, phi};

/// The domain of a stored result, among those linked.
pub fn domain_of(domains: &[&'static dyn Domain], row: &StoredRow) -> Option<&'static dyn Domain> {
    let name = row.result.domain.as_deref()?;
    domains.iter().copied().find(|d| d.info().name == name)
}

/// A severity from its name or first letter (`c`, `high`, …).
pub fn severity_named(k: &str) -> Option<Severity> {
    Some(match k {
        "c" | "critical" => Severity::Critical,
        "h" | "high" => Severity::High,
        "m" | "medium" => Severity::Medium,
        "l" | "low" => Severity::Low,
        "i" | "info" => Severity::Info,
        _ => return None,
    })
}

/// An expert's judgement of one stored result, before it is recorded.
#[derive(Debug, Clone)]
pub struct Judgement {
    /// Pass or fail.
    pub verdict: Verdict,
    /// How bad, for a fail.
    pub severity: Option<Severity>,
    /// Free text; sanitised with the result's domain's Tier 0 before it is stored.
    pub notes: String,
    /// Who.
    pub reviewer: String,
    /// Whether the expert accepted the machine's verdict as it was.
    pub accepted: bool,
}

/// Records experts' labels: every note goes through Tier 0 first (a note may quote a name
/// the reviewer knows).
pub struct Labeller {
    engine: Arc<PhiEngine>,
    domains: Vec<&'static dyn Domain>,
}

impl Labeller {
    /// A labeller sanitising notes under `engine` with the settings of `domains`.
    pub fn new(engine: Arc<PhiEngine>, domains: &[&'static dyn Domain]) -> Labeller {
        Labeller {
            engine,
            domains: domains.to_vec(),
        }
    }

    /// Records `judgement` of the stored result `row` (closing its review task).
    pub fn record(
        &self,
        store: &mut dyn Store,
        row: &StoredRow,
        judgement: Judgement,
    ) -> Result<ReviewLabel, AppError> {
        if !matches!(judgement.verdict, Verdict::Pass | Verdict::Fail) {
            return Err(AppError::Store(
                "an expert's verdict is pass or fail".to_owned(),
            ));
        }
        let notes = phi::sanitize_note(
            &self.engine,
            &judgement.notes,
            domain_of(&self.domains, row),
        );
        let label = ReviewLabel {
            key: row.key.clone(),
            verdict: judgement.verdict,
            severity: judgement.severity,
            notes,
            reviewer: judgement.reviewer,
            accepted: judgement.accepted,
            labelled_at_ms: now_ms(),
        };
        store.add_label(&label)?;
        Ok(label)
    }

    /// Records one line of an import (`key` or `trace_id`, `verdict`, optional `severity`,
    /// `notes`, `reviewer`, `accepted`); `reviewer` is used when the line names none. The error
    /// says what is wrong with the line, never what it holds.
    pub fn import_line(
        &self,
        store: &mut dyn Store,
        line: &str,
        reviewer: Option<&str>,
    ) -> Result<ReviewLabel, String> {
        let v: serde_json::Value = serde_json::from_str(line).map_err(|_| "not JSON".to_owned())?;
        let id = v["key"]
            .as_str()
            .or(v["trace_id"].as_str())
            .ok_or("no `key` or `trace_id`")?;
        let row = store
            .get(id)
            .map_err(|e| e.to_string())?
            .ok_or("no stored result with this key or trace id")?;
        let verdict = match v["verdict"].as_str() {
            Some("pass") => Verdict::Pass,
            Some("fail") => Verdict::Fail,
            _ => return Err("`verdict` must be `pass` or `fail`".to_owned()),
        };
        let severity = match v.get("severity").and_then(|x| x.as_str()) {
            None => None,
            Some(k) => Some(
                severity_named(k)
                    .ok_or("`severity` must be info, low, medium, high or critical")?,
            ),
        };
        let who = v["reviewer"]
            .as_str()
            .or(reviewer)
            .map(str::to_owned)
            .ok_or("no `reviewer` (give it in the line or with --reviewer)")?;
        let judgement = Judgement {
            verdict,
            severity,
            notes: v["notes"].as_str().unwrap_or("").to_owned(),
            reviewer: who,
            accepted: v["accepted"].as_bool().unwrap_or(false),
        };
        self.record(store, &row, judgement)
            .map_err(|e| e.to_string())
    }
}

/// An open review task as exported for another labelling tool.
#[derive(Debug, Clone, Serialize)]
pub struct ExportedTask {
    /// The record's key.
    pub key: String,
    /// The trace id.
    pub trace_id: Option<String>,
    /// The domain.
    pub domain: Option<String>,
    /// Why it is queued.
    pub reason: String,
    /// The worst issue's severity.
    pub severity: Option<Severity>,
    /// How unsure the machine tiers were, 0 to 1.
    pub uncertainty: f64,
    /// The machine's verdict.
    pub machine_verdict: Verdict,
    /// The findings.
    pub issues: Vec<aegis_core::Issue>,
    /// The sanitised trace.
    pub trace: Option<aegis_store::StoredTrace>,
}

/// Up to `limit` open tasks in priority order, as exported.
pub fn export(store: &dyn Store, limit: usize) -> Result<Vec<ExportedTask>, AppError> {
    Ok(store
        .open_tasks(limit)?
        .into_iter()
        .map(|(task, row)| ExportedTask {
            key: row.key,
            trace_id: row.result.trace_id,
            domain: row.result.domain,
            reason: task.reason,
            severity: task.severity,
            uncertainty: task.uncertainty,
            machine_verdict: row.result.verdict,
            issues: row.result.issues,
            trace: row.trace,
        })
        .collect())
}

/// A labelled example for training a model, from an expert's label.
#[derive(Debug, Clone, Serialize)]
pub struct TrainingExample {
    /// The model's input text, taken from the sanitised trace as the model reads it.
    pub text: String,
    /// The model's label for the expert's verdict.
    pub label: &'static str,
    /// `review:<reviewer>`.
    pub source: String,
}

/// Training data for the model `domain/model` from the experts' latest labels of its
/// domain's results. The model's spec must say (`synthetic.label_by_rules`) which of its
/// labels a failing and a passing trace get.
pub fn training_examples(
    store: &dyn Store,
    domains: &[&'static dyn Domain],
    domain_and_model: &str,
) -> Result<Vec<TrainingExample>, AppError> {
    let (domain_name, model_id) = domain_and_model.split_once('/').ok_or_else(|| {
        AppError::Store(format!("`{domain_and_model}`: expected <domain>/<model>"))
    })?;
    let domain = find_domain(domains, domain_name)?;
    let model = domain
        .info()
        .models
        .iter()
        .find(|m| m.id == model_id)
        .ok_or_else(|| {
            AppError::Models(format!("domain `{domain_name}` has no model `{model_id}`"))
        })?;
    let targets = model
        .synthetic
        .as_ref()
        .and_then(|s| s.rule_labels.as_ref())
        .ok_or_else(|| {
            AppError::Models(format!(
                "model `{model_id}`: its spec's `synthetic.label_by_rules` names the labels of a failing and a passing trace; without it, expert verdicts cannot be mapped to its labels"
            ))
        })?;
    // The latest label of each result.
    let mut latest: BTreeMap<String, ReviewLabel> = BTreeMap::new();
    for l in store.labels()? {
        latest.insert(l.key.clone(), l);
    }
    let mut out = Vec::new();
    for (key, l) in latest {
        let Some(row) = store.get(&key)? else {
            continue;
        };
        if row.result.domain.as_deref() != Some(domain_name) {
            continue;
        }
        let Some(t) = &row.trace else { continue };
        let trace = Trace {
            input: t.input.clone(),
            output: t.output.clone(),
            ..Trace::default()
        };
        out.push(TrainingExample {
            text: model.text_of(&trace),
            label: if l.verdict == Verdict::Fail {
                targets.fail
            } else {
                targets.pass
            },
            source: format!("review:{}", l.reviewer),
        });
    }
    Ok(out)
}

/// How `sample` chooses results for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleStrategy {
    /// The most uncertain first.
    Uncertainty,
    /// Those on which the machine tiers disagree.
    Disagreement,
    /// A spread of texts far apart.
    Diversity,
    /// A third of each.
    Mixed,
}

/// What `sample` queued.
#[derive(Debug, Clone, Serialize)]
pub struct Sampled {
    /// Results no expert has seen and not queued yet.
    pub candidates: usize,
    /// Newly queued.
    pub queued: usize,
    /// Queued per reason (`sampled:uncertainty`, …).
    pub by_reason: BTreeMap<String, usize>,
}

/// Active learning: queues for review up to `budget` results of `selection` that no expert
/// has seen (and not queued yet): the most uncertain, those on which the machine tiers
/// disagree, and a diverse spread of the rest, as `strategy` says.
pub fn sample(
    store: &mut dyn Store,
    budget: usize,
    strategy: SampleStrategy,
    selection: &Selection,
) -> Result<Sampled, AppError> {
    let mut f = selection.filter()?;
    f.limit = None;
    let rows = store.list(&f)?;
    let mut seen: BTreeSet<String> = store.labels()?.into_iter().map(|l| l.key).collect();
    seen.extend(
        store
            .open_tasks(usize::MAX)?
            .into_iter()
            .map(|(t, _)| t.key),
    );
    let candidates: Vec<&StoredRow> = rows
        .iter()
        .filter(|r| !seen.contains(&r.key) && r.result.verdict != Verdict::Error)
        .collect();
    let task = |r: &StoredRow, reason: &str| ReviewTask::of(&r.key, &r.result, reason);
    let mut picked: Vec<ReviewTask> = Vec::new();
    let take = |reason: &str, order: Vec<&StoredRow>, n: usize, picked: &mut Vec<ReviewTask>| {
        for r in order {
            if picked.len() >= budget || n == 0 {
                break;
            }
            if picked
                .iter()
                .filter(|t| t.reason == format!("sampled:{reason}"))
                .count()
                >= n
            {
                break;
            }
            if !picked.iter().any(|t| t.key == r.key) {
                picked.push(task(r, &format!("sampled:{reason}")));
            }
        }
    };
    let (n_unc, n_dis, n_div) = match strategy {
        SampleStrategy::Uncertainty => (budget, 0, 0),
        SampleStrategy::Disagreement => (0, budget, 0),
        SampleStrategy::Diversity => (0, 0, budget),
        SampleStrategy::Mixed => {
            let third = budget / 3;
            (budget - 2 * third, third, third)
        }
    };
    let disagreeing: Vec<&StoredRow> = by_uncertainty(
        candidates
            .iter()
            .copied()
            .filter(|r| disagreement(&r.result) > 0.0)
            .collect(),
    );
    take("disagreement", disagreeing, n_dis, &mut picked);
    take(
        "uncertainty",
        by_uncertainty(candidates.clone()),
        n_unc,
        &mut picked,
    );
    if n_div > 0 {
        let rest: Vec<&StoredRow> = by_uncertainty(
            candidates
                .iter()
                .copied()
                .filter(|r| !picked.iter().any(|t| t.key == r.key))
                .collect(),
        );
        let items: Vec<(usize, [f32; 256])> = rest
            .iter()
            .enumerate()
            .map(|(i, r)| (i, embed(r.trace.as_ref().map_or("", |t| t.output.as_str()))))
            .collect();
        let order: Vec<&StoredRow> = diverse(&items, n_div)
            .into_iter()
            .map(|i| rest[i])
            .collect();
        take("diversity", order, n_div, &mut picked);
    }
    let queued = store.enqueue(&picked)?;
    let mut by_reason: BTreeMap<String, usize> = BTreeMap::new();
    for t in &picked {
        *by_reason.entry(t.reason.clone()).or_default() += 1;
    }
    Ok(Sampled {
        candidates: candidates.len(),
        queued,
        by_reason,
    })
}

/// How a machine tier judged a result: `Some(true)` fail, `Some(false)` pass, `None` no
/// opinion.
fn opinions(r: &EvaluationResult) -> Vec<(Tier, bool)> {
    let mut out = Vec::new();
    for t in &r.tiers {
        let decided: Vec<bool> = t
            .modules
            .iter()
            .filter_map(|m| match m.outcome {
                ModuleOutcome::Failed => Some(true),
                ModuleOutcome::Passed => Some(false),
                _ => None,
            })
            .collect();
        if decided.is_empty() {
            continue;
        }
        // A tier fails a trace when one of its modules does.
        if matches!(t.tier, Tier::Rules | Tier::Models | Tier::Judge) {
            out.push((t.tier, decided.iter().any(|d| *d)));
        }
    }
    out
}

/// 1 when the machine tiers that judged the result disagree (one fails it, another passes it).
fn disagreement(r: &EvaluationResult) -> f64 {
    let o = opinions(r);
    let fails = o.iter().any(|(_, f)| *f);
    let passes = o.iter().any(|(_, f)| !*f);
    if fails && passes { 1.0 } else { 0.0 }
}

/// A 256-dimensional hashed bag of words of a text, unit length (for diversity sampling).
fn embed(text: &str) -> [f32; 256] {
    let mut v = [0f32; 256];
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
    {
        let mut h: u32 = 2_166_136_261;
        for b in w.to_lowercase().bytes() {
            h = (h ^ u32::from(b)).wrapping_mul(16_777_619);
        }
        v[(h % 256) as usize] += 1.0;
    }
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
    v.map(|x| x / norm)
}

/// Picks `k` of `items` far apart from each other (greedy k-centre on cosine distance),
/// starting from the most uncertain.
fn diverse(items: &[(usize, [f32; 256])], k: usize) -> Vec<usize> {
    let mut chosen: Vec<usize> = Vec::new();
    let mut dist = vec![f32::INFINITY; items.len()];
    let mut next = 0;
    while chosen.len() < k.min(items.len()) {
        chosen.push(next);
        let c = &items[next].1;
        for (j, (_, v)) in items.iter().enumerate() {
            let d = 1.0 - v.iter().zip(c).map(|(a, b)| a * b).sum::<f32>();
            dist[j] = dist[j].min(d);
        }
        next = match dist
            .iter()
            .enumerate()
            .filter(|(j, _)| !chosen.contains(j))
            .max_by(|a, b| a.1.total_cmp(b.1))
        {
            Some((j, _)) => j,
            None => break,
        };
    }
    chosen.into_iter().map(|i| items[i].0).collect()
}

/// Most uncertain first (ties by key, so the order is stable).
fn by_uncertainty(mut v: Vec<&StoredRow>) -> Vec<&StoredRow> {
    let u = |r: &StoredRow| ReviewTask::of(&r.key, &r.result, "").uncertainty;
    v.sort_by(|a, b| u(b).total_cmp(&u(a)).then(a.key.cmp(&b.key)));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diversity_picks_texts_far_apart() {
        let texts = [
            "take ibuprofen with food for the pain",
            "take ibuprofen with food for pain relief",
            "guaranteed returns on this penny stock",
            "take ibuprofen with water for the pain",
            "call 911 for crushing chest pain now",
        ];
        let items: Vec<(usize, [f32; 256])> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| (i, embed(t)))
            .collect();
        let picked = diverse(&items, 3);
        assert_eq!(picked[0], 0, "starts from the first (most uncertain)");
        // The stock and the chest-pain texts, not another ibuprofen one.
        let mut rest = picked[1..].to_vec();
        rest.sort_unstable();
        assert_eq!(rest, [2, 4]);
    }

    #[test]
    fn disagreement_is_rules_or_models_against_another_tier() {
        use aegis_core::{
            EvaluationResult, ModuleOutcome, ModuleResult, Tier, TierOutcome, TierReport, UsdCost,
        };
        let tier = |t: Tier, o: ModuleOutcome| TierReport {
            tier: t,
            outcome: TierOutcome::Completed,
            latency_ns: 0,
            cost_usd: UsdCost::ZERO,
            modules: vec![ModuleResult {
                module: "m".into(),
                outcome: o,
                issues: 0,
                score: None,
                scores: Vec::new(),
                call: None,
                weights: None,
            }],
        };
        let mut r = EvaluationResult::error(None, None, String::new());
        r.tiers = vec![
            tier(Tier::Rules, ModuleOutcome::Passed),
            tier(Tier::Models, ModuleOutcome::Failed),
        ];
        assert_eq!(disagreement(&r), 1.0);
        r.tiers = vec![
            tier(Tier::Rules, ModuleOutcome::Passed),
            tier(Tier::Models, ModuleOutcome::Passed),
        ];
        assert_eq!(disagreement(&r), 0.0);
        r.tiers = vec![
            tier(Tier::Rules, ModuleOutcome::NotApplicable),
            tier(Tier::Judge, ModuleOutcome::Failed),
        ];
        assert_eq!(disagreement(&r), 0.0);
    }
}
