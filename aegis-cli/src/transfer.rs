//! `aegis-eval transfer fit|predict|eval|synth`: sim-to-real transfer models
//! (`aegis_rl::transfer`) from the command line. A bad input line is reported with its line
//! number and the others are used; no message repeats an input value.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use aegis_rl::transfer::{self, FitOptions, Pair, TransferModel};
use serde::Deserialize;

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
            let (pairs, bad) = read_lines::<Pair>(&pairs)?;
            let options = FitOptions {
                ridge,
                calibration_fraction: calibration,
                seed,
            };
            let model = transfer::fit(&pairs, &options)
                .map_err(|e| CliError::Transfer(format!("cannot fit: {e}")))?;
            let json = serde_json::to_string_pretty(&model)
                .map_err(|e| CliError::Transfer(format!("cannot write the model: {e}")))?;
            std::fs::write(&output, json + "\n").map_err(|source| CliError::Io {
                context: format!("cannot write {}", output.display()),
                source,
            })?;
            eprintln!(
                "fitted on {} pairs ({} to train, {} to calibrate), metrics: {}; model in {}",
                pairs.len(),
                model.n_train,
                model.n_calibration,
                model.features.join(", "),
                output.display()
            );
            Ok(if bad > 0 { EXIT_INPUT_ERRORS } else { EXIT_OK })
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
            let (pairs, bad) = read_lines::<Pair>(&pairs)?;
            let e = transfer::evaluate(&model, &pairs, coverage)
                .map_err(|e| CliError::Transfer(format!("cannot evaluate: {e}")))?;
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
            Ok(if bad > 0 { EXIT_INPUT_ERRORS } else { EXIT_OK })
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
    let model: TransferModel = serde_json::from_str(&text).map_err(|e| {
        CliError::Transfer(format!(
            "{}:{}:{}: not a transfer model: {}",
            path.display(),
            e.line(),
            e.column(),
            aegis_core::redact_quoted(&e.to_string())
        ))
    })?;
    model
        .validate()
        .map_err(|e| CliError::Transfer(format!("{}: {e}", path.display())))?;
    Ok(model)
}

/// Reads JSON lines of `T`; a bad line is reported on standard error with its number and left
/// out. Returns the good ones and how many were bad.
fn read_lines<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<(Vec<T>, usize), CliError> {
    let mut items = Vec::new();
    let mut bad = 0;
    for line in super::run::numbered_lines(path)? {
        let (n, line) = line?;
        match serde_json::from_str::<T>(&line) {
            Ok(item) => items.push(item),
            Err(e) => {
                bad += 1;
                eprintln!(
                    "error: {}:{n}: left out: {}",
                    path.display(),
                    aegis_core::redact_quoted(&e.to_string())
                );
            }
        }
    }
    Ok((items, bad))
}

/// A line of `predict`'s input.
#[derive(Deserialize)]
struct Query {
    #[serde(default)]
    id: Option<String>,
    sim: BTreeMap<String, f64>,
}

fn predict(model: &TransferModel, input: &Path, coverage: f64) -> Result<u8, CliError> {
    if !(coverage > 0.0 && coverage < 1.0) {
        return Err(CliError::Transfer(
            "--coverage must be between 0 and 1 (e.g. 0.9)".into(),
        ));
    }
    let mut out = std::io::stdout().lock();
    let mut bad = 0;
    for line in super::run::numbered_lines(input)? {
        let (n, line) = line?;
        // Every input line gets one output line: a prediction or an error naming the line.
        let record = match serde_json::from_str::<Query>(&line) {
            Err(e) => Err(aegis_core::redact_quoted(&e.to_string())),
            Ok(q) => model
                .predict(&q.sim, coverage)
                .map(|p| (q.id, p))
                .map_err(|e| e.to_string()),
        };
        let json = match record {
            Ok((id, p)) => serde_json::json!({
                "line": n,
                "id": id,
                "prediction": p.value,
                "low": if p.is_bounded() { Some(p.low) } else { None },
                "high": if p.is_bounded() { Some(p.high) } else { None },
                "coverage": p.coverage,
            }),
            Err(error) => {
                bad += 1;
                serde_json::json!({ "line": n, "error": error })
            }
        };
        writeln!(out, "{json}")?;
    }
    Ok(if bad > 0 { EXIT_INPUT_ERRORS } else { EXIT_OK })
}
