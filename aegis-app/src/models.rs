//! Tier 2 operations: training a domain's model (on labelled JSON lines, the spec's synthetic
//! data, or both), the spec's synthetic cold-start data (labelled by the domain's Tier 1 where
//! the spec asks), scoring labelled data with the model evaluation would load, and the registry
//! (list, promote, roll back).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aegis_core::tiers::ModelSource;
use aegis_core::{Domain, ModelInfo, SanitizeReport, Sanitized, Tier, Trace, Verdict};
use aegis_models::synth::{ProvenanceCounts, SyntheticExample};
use aegis_models::{
    BackboneChoice, Backbones, Example, HashedConfig, Metrics, ModelCard, Registry, Target, Task,
    TrainOptions, TrainRequest,
};
use aegis_phi::PhiEngine;
use aegis_runtime::Orchestrator;
use serde_json::Value;

use crate::lines::{LineError, for_each_line};
use crate::phi::SharedEngine;
use crate::{AppError, find_domain};

fn models_err(e: impl std::fmt::Display) -> AppError {
    AppError::Models(e.to_string())
}

/// The registry at `flag`, else `$AEGIS_MODEL_REGISTRY`, else `models/registry`.
pub fn registry(flag: Option<PathBuf>) -> Registry {
    Registry::new(
        crate::pipeline::registry_root(flag)
            .unwrap_or_else(|| aegis_models::registry::DEFAULT_ROOT.into()),
    )
}

/// A domain's Tier-2 model by id; the error lists the models it has.
pub fn model_info(domain: &dyn Domain, model: &str) -> Result<&'static ModelInfo, AppError> {
    let info = domain.info();
    info.models.iter().find(|m| m.id == model).ok_or_else(|| {
        AppError::Models(format!(
            "domain `{}` has no Tier-2 model `{model}`{}",
            info.name,
            if info.models.is_empty() {
                " (its spec declares none)".to_owned()
            } else {
                format!(
                    "; its models: {}",
                    info.models
                        .iter()
                        .map(|m| m.id)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ))
    })
}

/// `<domain>/<model>` split in two.
pub fn split_model(s: &str) -> Result<(&str, &str), AppError> {
    s.split_once('/')
        .ok_or_else(|| AppError::Models(format!("`{s}`: name a model as <domain>/<model>")))
}

fn task_of(info: &ModelInfo) -> Task {
    if info.kind == "risk_regressor" {
        Task::RiskRegressor
    } else {
        Task::TextClassifier {
            labels: info.labels.iter().map(|l| (*l).to_owned()).collect(),
        }
    }
}

/// Reads labelled JSON lines for `info` (`text`, or the model's input fields; `label`, or
/// `score` for a regressor). Each text goes through `sanitize`. A bad line is an error naming
/// its number; the rest is kept.
pub fn read_labels(
    path: &Path,
    info: &ModelInfo,
    sanitize: &dyn Fn(&str) -> String,
) -> Result<(Vec<Example>, Vec<LineError>), AppError> {
    let file = std::fs::File::open(path).map_err(|source| AppError::Open {
        path: path.display().to_string(),
        source,
    })?;
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for_each_line(
        std::io::BufReader::new(file),
        &path.display().to_string(),
        |line, text| match text
            .and_then(aegis_runtime::input::parse_line::<Value>)
            .and_then(|v| labelled_example(&v, info))
        {
            Ok((text, target)) => out.push(Example {
                text: sanitize(&text),
                target,
            }),
            Err(message) => bad.push(LineError { line, message }),
        },
    )?;
    Ok((out, bad))
}

/// The text and target of one labelled line.
fn labelled_example(value: &Value, info: &ModelInfo) -> Result<(String, Target), String> {
    let text = match value.get("text").and_then(Value::as_str) {
        Some(t) => t.to_owned(),
        None => {
            let parts: Vec<&str> = info
                .inputs
                .iter()
                .filter_map(|f| value.get(*f).and_then(Value::as_str))
                .collect();
            if parts.is_empty() {
                return Err(format!(
                    "no `text` (or `{}`) string",
                    info.inputs.join("`/`")
                ));
            }
            parts.join("\n\n")
        }
    };
    let target = if info.kind == "risk_regressor" {
        match value.get("score").and_then(Value::as_f64) {
            Some(s) if (0.0..=1.0).contains(&s) => Target::Score(s as f32),
            _ => return Err("`score` must be a number in [0, 1]".to_owned()),
        }
    } else {
        let label = value.get("label").and_then(Value::as_str).unwrap_or("");
        match info.labels.iter().position(|l| *l == label) {
            Some(i) => Target::Label(i),
            None => {
                return Err(format!(
                    "`label` must be one of: {}",
                    info.labels.join(", ")
                ));
            }
        }
    };
    Ok((text, target))
}

/// A trace holding `text` where the model reads it: the answer, unless the model reads only the
/// prompt.
pub fn trace_of(info: &ModelInfo, text: &str) -> Trace {
    let mut trace = Trace::default();
    if info.inputs.contains(&"output") || info.inputs.is_empty() {
        trace.output = text.to_owned();
    } else {
        trace.input = text.to_owned();
    }
    trace
}

/// Where a run of synthetic data's labels came from.
#[derive(Debug, Clone)]
pub struct SynthesisSummary {
    /// Examples made.
    pub total: usize,
    /// How each was labelled.
    pub counts: ProvenanceCounts,
    /// The model's label for a trace Tier 1 fails.
    pub fail_label: &'static str,
    /// The model's label for a trace Tier 1 passes.
    pub pass_label: &'static str,
}

/// Makes `count` of a model's synthetic examples, labelled by the domain's Tier 1 where the
/// spec asks (then the summary says how). Tier 0 uses `engine` when given, else a
/// per-process key (the labels do not depend on the pseudonyms).
pub fn synthesize(
    domain: &dyn Domain,
    info: &ModelInfo,
    count: usize,
    seed: u64,
    engine: Option<&Arc<PhiEngine>>,
) -> Result<(Vec<SyntheticExample>, Option<SynthesisSummary>), AppError> {
    let rules = info.synthetic.as_ref().and_then(|s| s.rule_labels.as_ref());
    // Tier 0 and Tier 1 are set up only when the spec asks the rules to label.
    let orchestrator = rules.map(|_| match engine {
        Some(e) => {
            Orchestrator::without_sanitizer().with_sanitizer(Box::new(SharedEngine(Arc::clone(e))))
        }
        None if domain.info().phi.is_some() => Orchestrator::new(),
        None => Orchestrator::without_sanitizer(),
    });
    let policy = domain.info().policy;
    let tier1_failures = |text: &str| -> Vec<String> {
        let Some(orchestrator) = &orchestrator else {
            return Vec::new();
        };
        let result = orchestrator.evaluate(domain, trace_of(info, text));
        if result.verdict != Verdict::Fail || result.decided_by != Some(Tier::Rules) {
            return Vec::new();
        }
        let mut failed: Vec<String> = result
            .issues
            .into_iter()
            .filter(|i| i.severity >= policy.fail_at)
            .map(|i| i.validator)
            .collect();
        failed.dedup();
        failed
    };
    let made =
        aegis_models::synth::generate(info, count, seed, tier1_failures).map_err(models_err)?;
    let summary = rules.map(|rules| SynthesisSummary {
        total: made.len(),
        counts: ProvenanceCounts::of(&made),
        fail_label: rules.fail,
        pass_label: rules.pass,
    });
    Ok((made, summary))
}

/// What to train on, and where the model goes.
#[derive(Debug, Clone, Default)]
pub struct TrainSettings {
    /// Labelled JSON lines.
    pub data: Option<PathBuf>,
    /// Synthetic examples from the spec (default: the spec's count without `data`, else 0).
    pub synthetic: Option<usize>,
    /// The registry (see [`registry`]).
    pub registry: Option<PathBuf>,
    /// Also write the weights and card here (version 0), to compile into the domain crate.
    pub export: Option<PathBuf>,
    /// Put the new version into production.
    pub promote: bool,
    /// Seed of the split, the synthetic data and the initial weights.
    pub seed: u64,
    /// At most this many epochs.
    pub max_epochs: usize,
    /// The MiniLM directory, for a model on the minilm backbone.
    pub minilm_dir: Option<PathBuf>,
}

/// What training reports as it goes.
#[derive(Debug, Clone)]
pub enum TrainProgress {
    /// Training starts on this many examples.
    Started {
        /// Examples.
        examples: usize,
    },
    /// Synthetic data was made (and labelled by Tier 1 as the summary says).
    Synthesised(SynthesisSummary),
    /// An epoch ended.
    Epoch {
        /// Its number.
        epoch: usize,
        /// Mean training loss.
        train_loss: f64,
        /// Validation loss.
        validation_loss: f64,
    },
}

/// A trained and saved model.
#[derive(Debug, Clone)]
pub struct TrainOutcome {
    /// Its card (version, metrics, data hash…).
    pub card: ModelCard,
    /// The registry it was saved in.
    pub registry_root: PathBuf,
    /// Labelled lines that were left out.
    pub bad_lines: Vec<LineError>,
}

/// Trains `domain`'s model `model` and saves it as a new version in the registry. Training
/// text goes through Tier 0 (with `engine`) as evaluation text does.
pub fn train(
    domain: &dyn Domain,
    model: &str,
    settings: &TrainSettings,
    engine: Option<&Arc<PhiEngine>>,
    mut progress: impl FnMut(TrainProgress),
) -> Result<TrainOutcome, AppError> {
    let info = model_info(domain, model)?;
    let dinfo = domain.info();
    let settings_phi = dinfo.phi;
    let sanitize = |text: &str| -> String {
        match (engine, &settings_phi) {
            (Some(e), Some(s)) => e.sanitize_text(text, s, "", &mut SanitizeReport::default()),
            _ => text.to_owned(),
        }
    };
    let mut examples = Vec::new();
    let mut bad_lines = Vec::new();
    let mut sources = Vec::new();
    if let Some(path) = &settings.data {
        (examples, bad_lines) = read_labels(path, info, &sanitize)?;
        sources.push(format!("{} ({} examples)", path.display(), examples.len()));
    }
    let synthetic = settings.synthetic.unwrap_or(if settings.data.is_some() {
        0
    } else {
        info.synthetic.as_ref().map_or(0, |s| s.count)
    });
    if synthetic > 0 {
        let (made, summary) = synthesize(domain, info, synthetic, settings.seed, engine)?;
        if let Some(summary) = summary {
            progress(TrainProgress::Synthesised(summary));
        }
        sources.push(format!("synthetic:{synthetic}"));
        examples.extend(made.into_iter().map(|e| e.example));
    }
    if examples.is_empty() {
        return Err(AppError::Models(format!(
            "no training examples: give --data, or --synthetic N{}",
            if info.synthetic.is_none() {
                " (this model's spec has no synthetic templates)"
            } else {
                ""
            }
        )));
    }
    let backbones = Backbones::new(settings.minilm_dir.clone());
    let minilm;
    let backbone = match info.backbone {
        "minilm" => {
            minilm = backbones.minilm().map_err(models_err)?;
            BackboneChoice::Minilm(&minilm)
        }
        _ => BackboneChoice::HashedNgrams(HashedConfig::default()),
    };
    let request = TrainRequest {
        domain: dinfo.name,
        model: info.id,
        spec_hash: dinfo.spec_hash,
        task: task_of(info),
        data_source: sources.join(" + "),
    };
    let options = TrainOptions {
        max_epochs: settings.max_epochs,
        seed: settings.seed,
        ..TrainOptions::default()
    };
    progress(TrainProgress::Started {
        examples: examples.len(),
    });
    let trained = aegis_models::train(&request, backbone, &examples, &options, |e| {
        progress(TrainProgress::Epoch {
            epoch: e.epoch,
            train_loss: e.train_loss,
            validation_loss: e.validation_loss,
        });
    })
    .map_err(models_err)?;
    let registry = registry(settings.registry.clone());
    let card = registry.save(&trained).map_err(models_err)?;
    if settings.promote {
        registry
            .promote(&card.domain, &card.model, card.version)
            .map_err(models_err)?;
    }
    if let Some(dir) = &settings.export {
        let mut exported = card.clone();
        exported.version = 0;
        aegis_models::registry::write_file(&dir.join(aegis_models::WEIGHTS_FILE), &trained.weights)
            .map_err(models_err)?;
        aegis_models::registry::write_file(
            &dir.join(aegis_models::CARD_FILE),
            aegis_models::registry::card_json(&exported).as_bytes(),
        )
        .map_err(models_err)?;
    }
    Ok(TrainOutcome {
        card,
        registry_root: registry.root().to_path_buf(),
        bad_lines,
    })
}

/// Scores labelled examples (`data`) with the model `domain/model` evaluation would load from
/// `source`, as evaluation does (Tier 0 with `engine` first, then the domain's Tier-2 models),
/// and computes the metrics. Returns them with the lines left out.
pub fn evaluate_model(
    domains: &[&'static dyn Domain],
    model: &str,
    data: &Path,
    source: &ModelSource,
    engine: Option<&Arc<PhiEngine>>,
) -> Result<(Metrics, Vec<LineError>), AppError> {
    let (d, m) = split_model(model)?;
    let domain = find_domain(domains, d)?;
    let info = model_info(domain, m)?;
    let dinfo = domain.info();
    // Unsanitised here: each text goes through Tier 0 below, inside its trace.
    let (examples, bad) = read_labels(data, info, &|t: &str| t.to_owned())?;
    if examples.is_empty() {
        return Err(AppError::Models(format!(
            "{}: no labelled examples",
            data.display()
        )));
    }
    let tier = domain
        .load_models(source)
        .map_err(AppError::Models)?
        .ok_or_else(|| AppError::Models(format!("domain `{d}` loads no models")))?;
    let sanitizer = engine.map(|e| SharedEngine(Arc::clone(e)));
    let mut probs: Vec<Vec<f32>> = Vec::with_capacity(examples.len());
    for e in &examples {
        let trace = trace_of(info, &e.text);
        let trace = match (&sanitizer, &dinfo.phi) {
            (Some(sanitizer), Some(settings)) => Sanitized::sanitize(trace, sanitizer, settings).0,
            _ => Sanitized::without_phi(trace),
        };
        let decision = tier.evaluate(dinfo, &trace, &[]);
        let module = decision
            .modules
            .iter()
            .find(|r| r.module == info.id)
            .ok_or_else(|| AppError::Models(format!("model `{m}` gave no result")))?;
        let p = if info.labels.is_empty() {
            vec![module.score.unwrap_or(0.0) as f32]
        } else {
            info.labels
                .iter()
                .map(|l| {
                    module
                        .scores
                        .iter()
                        .find(|s| s.label == *l)
                        .map_or(0.0, |s| s.p as f32)
                })
                .collect()
        };
        probs.push(p);
    }
    let metrics = match info.labels.len() {
        0 => {
            let scores: Vec<f32> = probs.iter().map(|p| p[0]).collect();
            let targets: Vec<f32> = examples
                .iter()
                .map(|e| match e.target {
                    Target::Score(s) => s,
                    Target::Label(l) => l as f32,
                })
                .collect();
            aegis_models::metrics::regression(&scores, &targets)
        }
        n => {
            let truth: Vec<usize> = examples
                .iter()
                .map(|e| match e.target {
                    Target::Label(l) => l,
                    Target::Score(s) => usize::from(s >= 0.5),
                })
                .collect();
            aegis_models::metrics::classification(&probs, &truth, n)
        }
    };
    Ok((metrics, bad))
}

/// Every model in the registry with its versions and production pointer.
pub fn list(
    registry_flag: Option<PathBuf>,
) -> Result<(PathBuf, Vec<aegis_models::registry::Entry>), AppError> {
    let registry = registry(registry_flag);
    let entries = registry.list().map_err(models_err)?;
    Ok((registry.root().to_path_buf(), entries))
}

/// Puts version `version` (`3` or `v3`) of `domain/model` into production.
pub fn promote(
    registry_flag: Option<PathBuf>,
    model: &str,
    version: &str,
) -> Result<aegis_models::Production, AppError> {
    let (d, m) = split_model(model)?;
    let v: u32 = version
        .trim_start_matches('v')
        .parse()
        .map_err(|_| AppError::Models(format!("`{version}` is not a version (write 3 or v3)")))?;
    registry(registry_flag).promote(d, m, v).map_err(models_err)
}

/// Puts the previous production version of `domain/model` back.
pub fn rollback(
    registry_flag: Option<PathBuf>,
    model: &str,
) -> Result<aegis_models::Production, AppError> {
    let (d, m) = split_model(model)?;
    registry(registry_flag).rollback(d, m).map_err(models_err)
}
