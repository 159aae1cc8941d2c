//! `aegis-eval transfer fit|predict|eval|synth`: sim-to-real transfer models
//! (`aegis_rl::transfer`) from the command line. A bad input line is reported with its line
//! number and the others are used; no message repeats an input value.

use std::io::Write;
use std::path::Path;

use aegis_rl::transfer::{self, FitOptions, Pair, TransferModel};

use super::args::TransferCommand;
use super::{CliError, EXIT_INPUT_ERRORS, EXIT_OK};

pub(crate) fn transfer(command: TransferCommand) -> Result<u8, CliError> {
    match command {
        TransferCommand::Fit {
            pairs,
            output,
            calibration,
            ridge,
            seed,
        } => {
            let kept = super::run::kept_files(Some(&pairs), None, None, None);
            let (pairs, bad) = read_pairs(&pairs)?;
            let options = FitOptions {
                ridge,
                calibration_fraction: calibration,
                seed,
            };
            let model = aegis_app::transfer::fit(&pairs, &options)?;
            let json = serde_json::to_string_pretty(&model)
                .map_err(|e| CliError::Transfer(format!("cannot write the model: {e}")))?;
            aegis_app::files::write_file(
                &output,
                (json + "\n").as_bytes(),
                &kept,
                super::run::RESULTS,
            )?;
            eprintln!(
                "fitted on {} pairs ({} to train, {} to calibrate), metrics: {}; model in {}",
                pairs.len(),
                model.n_train,
                model.n_calibration,
                model.features.join(", "),
                output.display()
            );
            Ok(if bad { EXIT_INPUT_ERRORS } else { EXIT_OK })
        }
        TransferCommand::Predict {
            model,
            input,
            coverage,
        } => {
            let model = read_model(&model)?;
            predict(&model, &input, coverage)
        }
        TransferCommand::Eval {
            model,
            pairs,
            coverage,
        } => {
            let model = read_model(&model)?;
            let (pairs, bad) = read_pairs(&pairs)?;
            let e = aegis_app::transfer::evaluate(&model, &pairs, coverage)?;
            let report = serde_json::json!({
                "pairs": e.n,
                "mae": e.mae,
                "coverage_target": coverage,
                "coverage": e.coverage,
                "mean_interval_width": if e.mean_interval_width.is_finite() { Some(e.mean_interval_width) } else { None },
            });
            println!("{report}");
            eprintln!(
                "{} held-out pairs: mean absolute error {:.4}; {:.1} % inside the {:.0} % intervals (mean width {:.4})",
                e.n,
                e.mae,
                e.coverage * 100.0,
                coverage * 100.0,
                e.mean_interval_width
            );
            Ok(if bad { EXIT_INPUT_ERRORS } else { EXIT_OK })
        }
        TransferCommand::Synth { count, seed } => {
            let mut out = std::io::stdout().lock();
            for pair in transfer::synthetic_pairs(count, seed) {
                let line = serde_json::to_string(&pair)
                    .map_err(|e| CliError::Transfer(format!("cannot write a pair: {e}")))?;
                writeln!(out, "{line}")?;
            }
            Ok(EXIT_OK)
        }
    }
}

fn read_model(path: &Path) -> Result<TransferModel, CliError> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::Open {
        path: path.display().to_string(),
        source,
    })?;
    aegis_app::transfer::model_from_json(&text, &path.display().to_string())
}

/// Reads pairs; a bad line is reported on standard error with its number and left out.
/// Returns the good ones and whether any were bad.
fn read_pairs(path: &Path) -> Result<(Vec<Pair>, bool), CliError> {
    let (reader, _) = super::run::open_input(path)?;
    let (pairs, bad) = aegis_app::transfer::read_pairs(reader, &path.display().to_string())?;
    for b in &bad {
        eprintln!(
            "error: {}:{}: left out: {}",
            path.display(),
            b.line,
            b.message
        );
    }
    Ok((pairs, !bad.is_empty()))
}

fn predict(model: &TransferModel, input: &Path, coverage: f64) -> Result<u8, CliError> {
    let (reader, _) = super::run::open_input(input)?;
    let answers =
        aegis_app::transfer::predict(model, reader, &input.display().to_string(), coverage)?;
    let mut out = std::io::stdout().lock();
    let mut bad = 0;
    // Every input line gets one output line: a prediction or an error naming the line.
    for a in answers {
        let json = match a.prediction {
            Ok(p) => serde_json::json!({
                "line": a.line,
                "id": a.id,
                "prediction": p.value,
                "low": if p.is_bounded() { Some(p.low) } else { None },
                "high": if p.is_bounded() { Some(p.high) } else { None },
                "coverage": p.coverage,
            }),
            Err(error) => {
                bad += 1;
                serde_json::json!({ "line": a.line, "error": error })
            }
        };
        writeln!(out, "{json}")?;
    }
    Ok(if bad > 0 { EXIT_INPUT_ERRORS } else { EXIT_OK })
}
