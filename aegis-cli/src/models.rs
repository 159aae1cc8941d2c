//! `aegis-eval train`, `synth` and `models list|promote|rollback|eval`: rendering over
//! `aegis_app::models`.

use std::io::Write;
use std::path::{Path, PathBuf};

use aegis_app::lines::LineError;
use aegis_app::models::{SynthesisSummary, TrainProgress, TrainSettings};
use aegis_core::Domain;
use aegis_core::tiers::ModelSource;
use aegis_models::Target;
use aegis_models::synth::Provenance;
use serde_json::Value;

use super::args::{ModelsCommand, TrainArgs};
use super::{CliError, EXIT_INPUT_ERRORS, EXIT_OK, find_domain};

/// The Tier-0 engine for a domain that declares PHI (training and scoring text goes through
/// Tier 0 as evaluation text does).
fn engine_for(
    domain: &dyn Domain,
    key_file: Option<&Path>,
) -> Result<Option<std::sync::Arc<aegis_phi::PhiEngine>>, CliError> {
    match domain.info().phi {
        Some(_) => Ok(Some(aegis_app::phi::engine(
            super::phi::key(key_file, true)?,
            None,
        )?)),
        None => Ok(None),
    }
}

fn report_bad_lines(file: &Path, bad: &[LineError]) {
    for b in bad {
        eprintln!("{}: {b}", file.display());
    }
}

fn say_synthesised(s: &SynthesisSummary) {
    let c = &s.counts;
    eprintln!(
        "synthetic: {} examples: {} labelled by their template; Tier 1 labelled {} more ({} `{}`, {} `{}`) and relabelled {} template texts `{}`",
        s.total,
        c.template,
        c.rules_fail + c.rules_pass,
        c.rules_fail,
        s.fail_label,
        c.rules_pass,
        s.pass_label,
        c.relabelled,
        s.fail_label,
    );
}

pub(crate) fn train(
    args: TrainArgs,
    domains: &[&'static dyn Domain],
    key_file: Option<&Path>,
) -> Result<u8, CliError> {
    let domain = find_domain(domains, &args.domain)?;
    let info = aegis_app::models::model_info(domain, &args.model)?;
    let engine = engine_for(domain, key_file)?;
    let settings = TrainSettings {
        data: args.data.clone(),
        synthetic: args.synthetic,
        registry: args.registry.clone(),
        export: args.export.clone(),
        promote: args.promote,
        seed: args.seed,
        max_epochs: args.max_epochs,
        minilm_dir: args.minilm_dir.clone(),
    };
    let dinfo = domain.info();
    let outcome = aegis_app::models::train(domain, &args.model, &settings, engine.as_ref(), |p| {
        match p {
            TrainProgress::Synthesised(s) => say_synthesised(&s),
            TrainProgress::Started { examples } => eprintln!(
                "training {}/{} ({} on {}) on {examples} examples",
                dinfo.name, info.id, info.kind, info.backbone,
            ),
            TrainProgress::Epoch {
                epoch,
                train_loss,
                validation_loss,
            } => eprintln!(
                "  epoch {epoch:>3}: train loss {train_loss:.4}, validation loss {validation_loss:.4}"
            ),
        }
    })?;
    if let Some(path) = &args.data {
        report_bad_lines(path, &outcome.bad_lines);
    }
    let card = &outcome.card;
    let m = &card.metrics;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}/{} v{} saved in {}{}",
        card.domain,
        card.model,
        card.version,
        outcome.registry_root.display(),
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
        card.data_sha256.get(..16).unwrap_or(&card.data_sha256)
    )?;
    if let Some(dir) = &args.export {
        writeln!(out, "exported to {}", dir.display())?;
    }
    Ok(if outcome.bad_lines.is_empty() {
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
    let info = aegis_app::models::model_info(d, model)?;
    let count = count.unwrap_or_else(|| info.synthetic.as_ref().map_or(0, |s| s.count));
    let (examples, summary) = aegis_app::models::synthesize(d, info, count, seed, None)?;
    if let Some(s) = &summary {
        say_synthesised(s);
    }
    let mut out = super::run::create_output(output, &[], super::run::RESULTS)?;
    for e in &examples {
        let mut line = match e.example.target {
            Target::Label(l) => {
                serde_json::json!({"text": e.example.text, "label": info.labels.get(l).copied().unwrap_or("")})
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
    out.commit()?;
    Ok(EXIT_OK)
}

pub(crate) fn manage(
    command: ModelsCommand,
    registry_flag: Option<PathBuf>,
    domains: &[&'static dyn Domain],
    key_file: Option<&Path>,
) -> Result<u8, CliError> {
    let mut out = std::io::stdout().lock();
    match command {
        ModelsCommand::List { json } => {
            let (root, entries) = aegis_app::models::list(registry_flag)?;
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
                writeln!(out, "no models in {}", root.display())?;
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
            let p = aegis_app::models::promote(registry_flag, &model, &version)?;
            writeln!(out, "{model}: v{} in production", p.version)?;
            Ok(EXIT_OK)
        }
        ModelsCommand::Rollback { model } => {
            let p = aegis_app::models::rollback(registry_flag, &model)?;
            writeln!(out, "{model}: rolled back to v{}", p.version)?;
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
            let (d, _) = aegis_app::models::split_model(&model)?;
            let engine = engine_for(find_domain(domains, d)?, key_file)?;
            let (metrics, bad) = aegis_app::models::evaluate_model(
                domains,
                &model,
                &data,
                &source,
                engine.as_ref(),
            )?;
            report_bad_lines(&data, &bad);
            if json {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&metrics).unwrap_or_default()
                )?;
            } else {
                writeln!(
                    out,
                    "{model} on {} ({} examples): accuracy {:.4}  F1 {:.4}  ROC-AUC {}  ECE {:.4}{}",
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
    }
}
