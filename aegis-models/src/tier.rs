//! What generated domain crates call to load their models and to turn model scores into a
//! Tier-2 decision.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use aegis_core::tiers::{ModelSource, TierDecision};
use aegis_core::{
    Issue, LabelScore, ModelInfo, ModuleOutcome, ModuleResult, Severity, UsdCost, Verdict,
};

use crate::card::{Backbone, Task};
use crate::error::{ModelError, Result};
use crate::model::{Backbones, TextModel};
use crate::registry::Registry;

/// Loads the model a spec declares: the registry's production version if there is one, else
/// the weights compiled into the domain crate. Checks that the weights fit the spec (kind,
/// labels, backbone).
pub fn load(
    domain: &str,
    info: &ModelInfo,
    builtin: Option<(&[u8], &str)>,
    source: &ModelSource,
) -> Result<TextModel> {
    let backbones = shared_backbones(source.minilm_dir.as_deref());
    let from_registry = match &source.registry {
        Some(root) => Registry::new(root).load_production(domain, info.id, &backbones)?,
        None => None,
    };
    let model = match (from_registry, builtin) {
        (Some(m), _) => m,
        (None, Some((weights, card))) => TextModel::from_bytes(weights, card, &backbones)?,
        (None, None) => {
            return Err(ModelError::Registry(format!(
                "no trained weights: the spec compiles none in and the registry{} has no production version; \
                 train one with `aegis-eval train {domain} {}` and promote it",
                source
                    .registry
                    .as_ref()
                    .map(|r| format!(" ({})", r.display()))
                    .unwrap_or_default(),
                info.id
            )));
        }
    };
    check_fits(info, &model)?;
    Ok(model)
}

/// One [`Backbones`] per MiniLM directory for the whole process, so that every model on the
/// `minilm` backbone shares one loaded encoder.
fn shared_backbones(minilm_dir: Option<&std::path::Path>) -> Arc<Backbones> {
    type ByDir = Vec<(Option<PathBuf>, Arc<Backbones>)>;
    static CACHE: OnceLock<Mutex<ByDir>> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, b)) = cache.iter().find(|(d, _)| d.as_deref() == minilm_dir) {
        return Arc::clone(b);
    }
    let b = Arc::new(Backbones::new(minilm_dir.map(PathBuf::from)));
    cache.push((minilm_dir.map(PathBuf::from), Arc::clone(&b)));
    b
}

/// Whether a model's card agrees with what the spec declares.
pub fn check_fits(info: &ModelInfo, model: &TextModel) -> Result<()> {
    let card = model.card();
    let labels_ok = match &card.task {
        Task::TextClassifier { labels } => labels
            .iter()
            .map(String::as_str)
            .eq(info.labels.iter().copied()),
        Task::RiskRegressor => info.labels.is_empty(),
    };
    let backbone_ok = card.backbone.name() == info.backbone;
    if card.task.kind_name() != info.kind || !labels_ok || !backbone_ok {
        return Err(ModelError::Mismatch(format!(
            "{}/{} v{} is a {} over {} with labels [{}]; the spec declares a {} over {} with labels [{}]",
            card.domain,
            card.model,
            card.version,
            card.task.kind_name(),
            card.backbone.name(),
            match &card.task {
                Task::TextClassifier { labels } => labels.join(", "),
                Task::RiskRegressor => String::new(),
            },
            info.kind,
            info.backbone,
            info.labels.join(", ")
        )));
    }
    if let Backbone::HashedNgrams(cfg) = &card.backbone {
        cfg.validate().map_err(ModelError::Mismatch)?;
    }
    Ok(())
}

/// One model's conclusion about one trace.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelVerdict {
    /// The model's id.
    pub module: &'static str,
    /// Its scores by label.
    pub scores: Vec<LabelScore>,
    /// Whether its `escalate_when` holds.
    pub escalates: bool,
    /// The issue, when its `fail_when` holds.
    pub issue: Option<Issue>,
    /// The model's version and weights hash (`v3 sha256:…`), for provenance.
    pub weights: Option<String>,
}

impl ModelVerdict {
    /// The verdict, noting which weights produced it.
    pub fn with_card(mut self, card: &crate::ModelCard) -> ModelVerdict {
        self.weights = Some(format!("v{} sha256:{}", card.version, card.weights_sha256));
        self
    }
}

/// What became of one model on one trace.
#[derive(Debug)]
pub enum ModelRun {
    /// The model scored the trace.
    Scored(ModelVerdict),
    /// The model's `when` does not hold for the trace, so it did not score it.
    Skipped {
        /// The model's id.
        module: &'static str,
    },
    /// The model could not score the trace, or its `when` could not be decided (the trace's
    /// data does not fit the spec).
    Error {
        /// The model's id.
        module: &'static str,
        /// Why.
        error: ModelError,
    },
}

impl ModelRun {
    /// A model's scores as a run: [`ModelRun::Scored`], or [`ModelRun::Error`] when it failed.
    pub fn scored(
        module: &'static str,
        verdict: std::result::Result<ModelVerdict, ModelError>,
    ) -> ModelRun {
        match verdict {
            Ok(v) => ModelRun::Scored(v),
            Err(error) => ModelRun::Error { module, error },
        }
    }
}

/// The Tier-2 decision from what every model made of the trace: a failing model at or above
/// `fail_at` fails the trace; otherwise a model that is unsure (or could not run) passes the
/// trace on; otherwise, when no model applies, the tier abstains
/// ([`TierDecision::abstained`]); otherwise the trace passes.
pub fn decide(runs: Vec<ModelRun>, fail_at: Severity) -> TierDecision {
    let mut issues = Vec::new();
    let mut modules = Vec::new();
    let mut unsure = Vec::new();
    let mut fails = false;
    let mut scored = 0;
    for run in runs {
        match run {
            ModelRun::Scored(v) => {
                scored += 1;
                let headline = v.scores.last().map(|s| s.p);
                let failed = v.issue.is_some();
                if let Some(issue) = v.issue {
                    fails |= issue.severity >= fail_at;
                    issues.push(issue);
                }
                if v.escalates {
                    let shown: Vec<String> = v
                        .scores
                        .iter()
                        .map(|s| format!("{} {:.3}", s.label, s.p))
                        .collect();
                    unsure.push(format!("`{}` is unsure ({})", v.module, shown.join(", ")));
                }
                modules.push(ModuleResult {
                    module: Cow::Borrowed(v.module),
                    outcome: if failed {
                        ModuleOutcome::Failed
                    } else if v.escalates {
                        ModuleOutcome::Unsure
                    } else {
                        ModuleOutcome::Passed
                    },
                    issues: usize::from(failed),
                    score: headline,
                    scores: v.scores,
                    call: None,
                    weights: v.weights,
                });
            }
            ModelRun::Skipped { module } => {
                modules.push(unscored(module, ModuleOutcome::NotApplicable));
            }
            ModelRun::Error { module, error } => {
                unsure.push(format!("`{module}` could not score the trace: {error}"));
                modules.push(unscored(module, ModuleOutcome::Unsure));
            }
        }
    }
    let abstained = scored == 0 && !fails && unsure.is_empty();
    let (verdict, reason) = if fails {
        (Some(Verdict::Fail), "a model fails the trace".to_owned())
    } else if !unsure.is_empty() {
        (None, unsure.join("; "))
    } else if abstained {
        (None, "no Tier-2 model applies to the trace".to_owned())
    } else {
        (
            Some(Verdict::Pass),
            "every model that applies is confident the trace is fine".to_owned(),
        )
    };
    TierDecision {
        verdict,
        issues,
        modules,
        cost: UsdCost::ZERO,
        reason,
        abstained,
    }
}

/// The result of a model that gave no scores: it did not apply, or it could not run.
fn unscored(module: &'static str, outcome: ModuleOutcome) -> ModuleResult {
    ModuleResult {
        module: Cow::Borrowed(module),
        outcome,
        issues: 0,
        score: None,
        scores: Vec::new(),
        call: None,
        weights: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scored(module: &'static str, fails: bool, escalates: bool) -> ModelRun {
        ModelRun::Scored(ModelVerdict {
            module,
            scores: vec![LabelScore {
                label: Cow::Borrowed("unsafe"),
                p: 0.5,
            }],
            escalates,
            issue: fails.then(|| Issue {
                validator: module.to_owned(),
                tier: aegis_core::Tier::Models,
                severity: Severity::High,
                message: "fails".to_owned(),
                evidence: Vec::new(),
            }),
            weights: None,
        })
    }

    #[test]
    fn a_tier_whose_models_all_skip_the_trace_abstains() {
        let d = decide(
            vec![
                ModelRun::Skipped { module: "a" },
                ModelRun::Skipped { module: "b" },
            ],
            Severity::High,
        );
        assert!(d.abstained);
        assert_eq!(d.verdict, None);
        assert!(d.reason.contains("no Tier-2 model applies"), "{}", d.reason);
        assert!(
            d.modules
                .iter()
                .all(|m| m.outcome == ModuleOutcome::NotApplicable)
        );
    }

    #[test]
    fn skipped_models_leave_the_others_to_decide() {
        let d = decide(
            vec![ModelRun::Skipped { module: "a" }, scored("b", false, false)],
            Severity::High,
        );
        assert!(!d.abstained);
        assert_eq!(d.verdict, Some(Verdict::Pass));
        let d = decide(
            vec![scored("a", true, false), ModelRun::Skipped { module: "b" }],
            Severity::High,
        );
        assert_eq!(d.verdict, Some(Verdict::Fail));
        assert_eq!(d.issues.len(), 1);
        let d = decide(
            vec![ModelRun::Skipped { module: "a" }, scored("b", false, true)],
            Severity::High,
        );
        assert_eq!(d.verdict, None);
        assert!(!d.abstained);
        assert_eq!(d.modules[1].outcome, ModuleOutcome::Unsure);
    }

    #[test]
    fn a_model_that_could_not_run_is_doubt_not_abstention() {
        let d = decide(
            vec![
                ModelRun::Skipped { module: "a" },
                ModelRun::Error {
                    module: "b",
                    error: ModelError::Registry("gone".to_owned()),
                },
            ],
            Severity::High,
        );
        assert_eq!(d.verdict, None);
        assert!(!d.abstained);
        assert!(
            d.reason.contains("`b` could not score the trace"),
            "{}",
            d.reason
        );
    }
}
