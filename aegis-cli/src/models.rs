//! `aegis-eval train`, `synth` and `models list|promote|rollback`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use aegis_core::tiers::ModelSource;
use aegis_core::{Domain, ModelInfo, PhiSettings, SanitizeReport, Sanitized, Tier, Trace, Verdict};
use aegis_models::synth::{Provenance, ProvenanceCounts, SyntheticExample};
use aegis_models::{
    BackboneChoice, Backbones, Example, HashedConfig, Registry, Target, Task, TrainOptions,
    TrainRequest,
};
use aegis_phi::PhiEngine;
use aegis_runtime::Orchestrator;
use serde_json::Value;

use super::args::{ModelsCommand, TrainArgs};
use super::{CliError, EXIT_INPUT_ERRORS, EXIT_OK, find_domain};

fn registry(flag: Option<PathBuf>) -> Registry {
    Registry::new(
        aegis_app::pipeline::registry_root(flag)
            .unwrap_or_else(|| aegis_models::registry::DEFAULT_ROOT.into()),
    )
}

fn model_info(domain: &dyn Domain, model: &str) -> Result<&'static ModelInfo, CliError> {
    let info = domain.info();
    info.models.iter().find(|m| m.id == model).ok_or_else(|| {
        CliError::Models(format!(
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

fn task_of(info: &ModelInfo) -> Task {
    if info.kind == "risk_regressor" {
        Task::RiskRegressor
    } else {
        Task::TextClassifier {
            labels: info.labels.iter().map(|l| (*l).to_owned()).collect(),
        }
    }
}

fn models_err(e: impl std::fmt::Display) -> CliError {
    CliError::Models(e.to_string())
}

/// Reads labelled JSONL. A bad line is reported by number (never by content: it may hold PHI)
/// and skipped; the rest is kept.
fn read_labels(
    path: &Path,
    info: &ModelInfo,
    sanitize: &dyn Fn(&str) -> String,
    bad: &mut Vec<String>,
) -> Result<Vec<Example>, CliError> {
    let mut out = Vec::new();
    for line in super::run::numbered_lines(path)? {
        let (n, line) = line?;
        let value: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                bad.push(format!("line {n}: not JSON ({})", json_error_kind(&e)));
                continue;
            }
        };
        let text = match value.get("text").and_then(Value::as_str) {
            Some(t) => t.to_owned(),
            None => {
                let parts: Vec<&str> = info
                    .inputs
                    .iter()
                    .filter_map(|f| value.get(*f).and_then(Value::as_str))
                    .collect();
                if parts.is_empty() {
                    bad.push(format!(
                        "line {n}: no `text` (or `{}`) string",
                        info.inputs.join("`/`")
                    ));
                    continue;
                }
                parts.join("\n\n")
            }
        };
        let target = if info.kind == "risk_regressor" {
            match value.get("score").and_then(Value::as_f64) {
                Some(s) if (0.0..=1.0).contains(&s) => Target::Score(s as f32),
                _ => {
                    bad.push(format!("line {n}: `score` must be a number in [0, 1]"));
                    continue;
                }
            }
        } else {
            let label = value.get("label").and_then(Value::as_str).unwrap_or("");
            match info.labels.iter().position(|l| *l == label) {
                Some(i) => Target::Label(i),
                None => {
                    bad.push(format!(
                        "line {n}: `label` must be one of: {}",
                        info.labels.join(", ")
                    ));
                    continue;
                }
            }
        };
        out.push(Example {
            text: sanitize(&text),
            target,
        });
    }
    Ok(out)
}

/// What kind of JSON error, without serde's message (which may quote the input).
fn json_error_kind(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "wrong shape",
        serde_json::error::Category::Eof => "ends too soon",
    }
}

pub(crate) fn train(
    args: TrainArgs,
    domains: &[&'static dyn Domain],
    key_file: Option<&Path>,
) -> Result<u8, CliError> {
    let domain = find_domain(domains, &args.domain)?;
    let info = model_info(domain, &args.model)?;
    let dinfo = domain.info();
    // Training text goes through Tier 0 as evaluation text does.
    let engine = match &dinfo.phi {
        Some(_) => {
            let key = super::phi::key(key_file, true)?;
            Some(aegis_app::phi::engine(key, None)?)
        }
        None => None,
    };
    let settings: Option<PhiSettings> = dinfo.phi;
    let sanitize = |text: &str| -> String {
        match (&engine, &settings) {
            (Some(e), Some(s)) => e.sanitize_text(text, s, "", &mut SanitizeReport::default()),
            _ => text.to_owned(),
        }
    };
    let mut examples = Vec::new();
    let mut bad = Vec::new();
    let mut sources = Vec::new();
    if let Some(path) = &args.data {
        examples = read_labels(path, info, &sanitize, &mut bad)?;
        sources.push(format!("{} ({} examples)", path.display(), examples.len()));
    }
    let synthetic = args.synthetic.unwrap_or(if args.data.is_some() {
        0
    } else {
        info.synthetic.as_ref().map_or(0, |s| s.count)
    });
    if synthetic > 0 {
        let made = synthesize(domain, info, synthetic, args.seed, engine.as_ref())?;
        sources.push(format!("synthetic:{synthetic}"));
        examples.extend(made.into_iter().map(|e| e.example));
    }
    for b in &bad {
        eprintln!(
            "{}: {b}",
            args.data
                .as_deref()
                .map_or_else(String::new, |p| p.display().to_string())
        );
    }
    if examples.is_empty() {
        return Err(CliError::Models(format!(
            "no training examples: give --data, or --synthetic N{}",
            if info.synthetic.is_none() {
                " (this model's spec has no synthetic templates)"
            } else {
                ""
            }
        )));
    }
    let backbones = Backbones::new(args.minilm_dir.clone());
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
        max_epochs: args.max_epochs,
        seed: args.seed,
        ..TrainOptions::default()
    };
    eprintln!(
        "training {}/{} ({} on {}) on {} examples",
        dinfo.name,
        info.id,
        info.kind,
        info.backbone,
        examples.len()
    );
    let trained = aegis_models::train(&request, backbone, &examples, &options, |e| {
        eprintln!(
            "  epoch {:>3}: train loss {:.4}, validation loss {:.4}",
            e.epoch, e.train_loss, e.validation_loss
        );
    })
    .map_err(models_err)?;
    let registry = registry(args.registry.clone());
    let card = registry.save(&trained).map_err(models_err)?;
    if args.promote {
        registry
            .promote(&card.domain, &card.model, card.version)
            .map_err(models_err)?;
    }
    if let Some(dir) = &args.export {
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
    let m = &card.metrics;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}/{} v{} saved in {}{}",
        card.domain,
        card.model,
        card.version,
        registry.root().display(),
        if args.promote {
            " and promoted to production"
        } else {
            ""
        }
    )?;
    writeln!(
        out,
        "held-out ({} examples): accuracy {:.4}  F1 {:.4}  ROC-AUC {}  ECE {:.4}{}",
        m.n,
        m.accuracy,
        m.f1,
        m.roc_auc
            .map_or_else(|| "n/a".to_owned(), |a| format!("{a:.4}")),
        m.ece,
        m.mae.map_or_else(String::new, |e| format!("  MAE {e:.4}")),
    )?;
    writeln!(
        out,
        "epochs {} (best {}), split {}/{}/{}, data sha256 {}",
        card.epochs,
        card.best_epoch,
        card.examples.train,
        card.examples.validation,
        card.examples.test,
        &card.data_sha256[..16]
    )?;
    if let Some(dir) = &args.export {
        writeln!(out, "exported to {}", dir.display())?;
    }
    Ok(if bad.is_empty() {
        EXIT_OK
    } else {
        EXIT_INPUT_ERRORS
    })
}

pub(crate) fn synth(
    domains: &[&'static dyn Domain],
    domain: &str,
    model: &str,
    count: Option<usize>,
    seed: u64,
    output: Option<&Path>,
) -> Result<u8, CliError> {
    let d = find_domain(domains, domain)?;
    let info = model_info(d, model)?;
    let count = count.unwrap_or_else(|| info.synthetic.as_ref().map_or(0, |s| s.count));
    let examples = synthesize(d, info, count, seed, None)?;
    let mut out = super::run::create_output(Path::new("-"), output)?;
    for e in &examples {
        let mut line = match e.example.target {
            Target::Label(l) => {
                serde_json::json!({"text": e.example.text, "label": info.labels[l]})
            }
            Target::Score(s) => serde_json::json!({"text": e.example.text, "score": s}),
        };
        let (source, failed) = match &e.provenance {
            Provenance::Template => ("template", None),
            Provenance::Rules { failed } => ("rules", Some(failed)),
            Provenance::Relabelled { failed } => ("relabelled_by_rules", Some(failed)),
        };
        line["labelled_by"] = source.into();
        if let Some(failed) = failed {
            line["failed_rules"] = failed.clone().into();
        }
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(EXIT_OK)
}

/// A trace holding `text` where the model reads it: the answer, unless the model reads only the
/// prompt.
fn trace_of(info: &ModelInfo, text: &str) -> Trace {
    let mut trace = Trace::default();
    if info.inputs.contains(&"output") || info.inputs.is_empty() {
        trace.output = text.to_owned();
    } else {
        trace.input = text.to_owned();
    }
    trace
}

/// Makes a model's synthetic examples, labelled by the domain's Tier 1 where the spec asks, and
/// says on standard error where the labels came from. Tier 0 uses `engine` when the caller has
/// one, else a per-process key (the labels do not depend on the pseudonyms).
fn synthesize(
    domain: &dyn Domain,
    info: &ModelInfo,
    count: usize,
    seed: u64,
    engine: Option<&Arc<PhiEngine>>,
) -> Result<Vec<SyntheticExample>, CliError> {
    let rules = info.synthetic.as_ref().and_then(|s| s.rule_labels.as_ref());
    // Tier 0 and Tier 1 are set up only when the spec asks the rules to label.
    let orchestrator = rules.map(|_| match engine {
        Some(e) => Orchestrator::without_sanitizer()
            .with_sanitizer(Box::new(aegis_app::phi::SharedEngine(Arc::clone(e)))),
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
    if let Some(rules) = rules {
        let c = ProvenanceCounts::of(&made);
        eprintln!(
            "synthetic: {} examples: {} labelled by their template; Tier 1 labelled {} more ({} `{}`, {} `{}`) and relabelled {} template texts `{}`",
            made.len(),
            c.template,
            c.rules_fail + c.rules_pass,
            c.rules_fail,
            rules.fail,
            c.rules_pass,
            rules.pass,
            c.relabelled,
            rules.fail,
        );
    }
    Ok(made)
}

fn split_model(s: &str) -> Result<(&str, &str), CliError> {
    s.split_once('/')
        .ok_or_else(|| CliError::Models(format!("`{s}`: name a model as <domain>/<model>")))
}

pub(crate) fn manage(
    command: ModelsCommand,
    registry_flag: Option<PathBuf>,
    domains: &[&'static dyn Domain],
    key_file: Option<&Path>,
) -> Result<u8, CliError> {
    let registry = registry(registry_flag.clone());
    let mut out = std::io::stdout().lock();
    match command {
        ModelsCommand::List { json } => {
            let entries = registry.list().map_err(models_err)?;
            if json {
                let all: Vec<Value> = entries
                    .iter()
                    .map(|e| {
                        serde_json::json!({
                            "domain": e.domain, "model": e.model,
                            "production": e.production.as_ref().map(|p| p.version),
                            "history": e.production.as_ref().map(|p| p.history.clone()).unwrap_or_default(),
                            "versions": e.versions,
                        })
                    })
                    .collect();
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&all).unwrap_or_default()
                )?;
                return Ok(EXIT_OK);
            }
            if entries.is_empty() {
                writeln!(out, "no models in {}", registry.root().display())?;
                return Ok(EXIT_OK);
            }
            writeln!(
                out,
                "  {:<30} {:>4}  {:<13} {:>8} {:>7} {:>7} {:>6}  data",
                "model", "ver", "backbone", "accuracy", "F1", "AUC", "ECE"
            )?;
            for e in &entries {
                let prod = e.production.as_ref().map(|p| p.version);
                for c in &e.versions {
                    writeln!(
                        out,
                        "{} {:<30} {:>4}  {:<13} {:>8.4} {:>7.4} {:>7} {:>6.4}  {}",
                        if prod == Some(c.version) { "*" } else { " " },
                        format!("{}/{}", e.domain, e.model),
                        format!("v{}", c.version),
                        c.backbone.name(),
                        c.metrics.accuracy,
                        c.metrics.f1,
                        c.metrics
                            .roc_auc
                            .map_or_else(|| "n/a".into(), |a| format!("{a:.4}")),
                        c.metrics.ece,
                        c.data_source
                    )?;
                }
            }
            Ok(EXIT_OK)
        }
        ModelsCommand::Promote { model, version } => {
            let (d, m) = split_model(&model)?;
            let v: u32 = version.trim_start_matches('v').parse().map_err(|_| {
                CliError::Models(format!("`{version}` is not a version (write 3 or v3)"))
            })?;
            let p = registry.promote(d, m, v).map_err(models_err)?;
            writeln!(out, "{d}/{m}: v{} in production", p.version)?;
            Ok(EXIT_OK)
        }
        ModelsCommand::Rollback { model } => {
            let (d, m) = split_model(&model)?;
            let p = registry.rollback(d, m).map_err(models_err)?;
            writeln!(out, "{d}/{m}: rolled back to v{}", p.version)?;
            Ok(EXIT_OK)
        }
        ModelsCommand::Eval {
            model,
            data,
            minilm_dir,
            json,
        } => {
            let source = ModelSource {
                registry: aegis_app::pipeline::registry_root(registry_flag),
                minilm_dir,
            };
            evaluate(domains, &model, &data, &source, json, key_file)
        }
    }
}

/// `aegis-eval models eval`: scores labelled examples with the model evaluation would load, as
/// evaluation does (Tier 0 first, then the domain's Tier-2 models), and reports the metrics.
fn evaluate(
    domains: &[&'static dyn Domain],
    model: &str,
    data: &Path,
    source: &ModelSource,
    json: bool,
    key_file: Option<&Path>,
) -> Result<u8, CliError> {
    let (d, m) = split_model(model)?;
    let domain = find_domain(domains, d)?;
    let info = model_info(domain, m)?;
    let dinfo = domain.info();
    let sanitizer = match &dinfo.phi {
        Some(_) => Some(aegis_app::phi::SharedEngine(aegis_app::phi::engine(
            super::phi::key(key_file, true)?,
            None,
        )?)),
        None => None,
    };
    let mut bad = Vec::new();
    // Unsanitised here: each text goes through Tier 0 below, inside its trace.
    let examples = read_labels(data, info, &|t: &str| t.to_owned(), &mut bad)?;
    for b in &bad {
        eprintln!("{}: {b}", data.display());
    }
    if examples.is_empty() {
        return Err(CliError::Models(format!(
            "{}: no labelled examples",
            data.display()
        )));
    }
    let tier = domain
        .load_models(source)
        .map_err(CliError::Models)?
        .ok_or_else(|| CliError::Models(format!("domain `{d}` loads no models")))?;
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
            .ok_or_else(|| CliError::Models(format!("model `{m}` gave no result")))?;
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
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&metrics).unwrap_or_default()
        )?;
    } else {
        writeln!(
            out,
            "{d}/{m} on {} ({} examples): accuracy {:.4}  F1 {:.4}  ROC-AUC {}  ECE {:.4}{}",
            data.display(),
            metrics.n,
            metrics.accuracy,
            metrics.f1,
            metrics
                .roc_auc
                .map_or_else(|| "n/a".to_owned(), |a| format!("{a:.4}")),
            metrics.ece,
            metrics
                .mae
                .map_or_else(String::new, |e| format!("  MAE {e:.4}")),
        )?;
    }
    Ok(if bad.is_empty() {
        EXIT_OK
    } else {
        EXIT_INPUT_ERRORS
    })
}
