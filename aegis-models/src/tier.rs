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

/// The Tier-2 decision from every model's verdict: a failing model at or above `fail_at` fails
/// the trace; otherwise a model that is unsure (or could not run) passes the trace on; otherwise
/// the trace passes.
pub fn decide(
    verdicts: Vec<std::result::Result<ModelVerdict, (&'static str, ModelError)>>,
    fail_at: Severity,
) -> TierDecision {
    let mut issues = Vec::new();
    let mut modules = Vec::new();
    let mut unsure = Vec::new();
    let mut fails = false;
    for v in verdicts {
        match v {
            Ok(v) => {
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
            Err((module, e)) => {
                unsure.push(format!("`{module}` could not score the trace: {e}"));
                modules.push(ModuleResult {
                    module: Cow::Borrowed(module),
                    outcome: ModuleOutcome::NotApplicable,
                    issues: 0,
                    score: None,
                    scores: Vec::new(),
                    call: None,
                    weights: None,
                });
            }
        }
    }
    let (verdict, reason) = if fails {
        (Some(Verdict::Fail), "a model fails the trace".to_owned())
    } else if !unsure.is_empty() {
        (None, unsure.join("; "))
    } else {
        (
            Some(Verdict::Pass),
            "every model is confident the trace is fine".to_owned(),
        )
    };
    TierDecision {
        verdict,
        issues,
        modules,
        cost: UsdCost::ZERO,
        reason,
    }
}
