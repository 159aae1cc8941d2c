//! Sim-to-real transfer (`aegis_rl::transfer`) over JSON lines: fitting on pairs, evaluating on
//! held-out pairs, predicting for queries. Bad lines are errors naming their number; the rest
//! is used.

use std::collections::BTreeMap;
use std::io::BufRead;

use aegis_rl::transfer::{self, FitOptions, Pair, Prediction, TransferModel};
use serde::Deserialize;

use crate::AppError;
use crate::lines::{LineError, for_each_line, read_all};

/// Reads pairs (`{"sim": {...}, "real": x}`), with the lines left out.
pub fn read_pairs(
    reader: impl BufRead,
    name: &str,
) -> Result<(Vec<Pair>, Vec<LineError>), AppError> {
    let read = read_all::<Pair>(reader, name)?;
    Ok((read.good.into_iter().map(|(_, p)| p).collect(), read.bad))
}

/// Fits a transfer model on `pairs`.
pub fn fit(pairs: &[Pair], options: &FitOptions) -> Result<TransferModel, AppError> {
    transfer::fit(pairs, options).map_err(|e| AppError::Transfer(format!("cannot fit: {e}")))
}

/// A transfer model from its JSON text, checked; `name` (the file) is named in an error.
pub fn model_from_json(text: &str, name: &str) -> Result<TransferModel, AppError> {
    let model: TransferModel = serde_json::from_str(text).map_err(|e| {
        AppError::Transfer(format!(
            "{name}:{}:{}: not a transfer model: {}",
            e.line(),
            e.column(),
            aegis_core::redact_quoted(&e.to_string())
        ))
    })?;
    model
        .validate()
        .map_err(|e| AppError::Transfer(format!("{name}: {e}")))?;
    Ok(model)
}

/// Evaluates `model` on held-out pairs at `coverage`.
pub fn evaluate(
    model: &TransferModel,
    pairs: &[Pair],
    coverage: f64,
) -> Result<transfer::Evaluation, AppError> {
    transfer::evaluate(model, pairs, coverage)
        .map_err(|e| AppError::Transfer(format!("cannot evaluate: {e}")))
}

/// A line of `predict`'s input.
#[derive(Deserialize)]
struct Query {
    #[serde(default)]
    id: Option<String>,
    sim: BTreeMap<String, f64>,
}

/// One query's answer: its line, its id, and the prediction or what is wrong.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The query's line.
    pub line: u64,
    /// The query's id.
    pub id: Option<String>,
    /// The prediction, or why there is none.
    pub prediction: Result<Prediction, String>,
}

/// Predicts every query line (`{"sim": {...}}`, optional `id`) at `coverage`: one answer per
/// line, in order.
pub fn predict(
    model: &TransferModel,
    reader: impl BufRead,
    name: &str,
    coverage: f64,
) -> Result<Vec<Answer>, AppError> {
    if !(coverage > 0.0 && coverage < 1.0) {
        return Err(AppError::Transfer(
            "--coverage must be between 0 and 1 (e.g. 0.9)".into(),
        ));
    }
    let mut answers = Vec::new();
    for_each_line(reader, name, |line, text| {
        let answer = match text.and_then(aegis_runtime::input::parse_line::<Query>) {
            Err(message) => Answer {
                line,
                id: None,
                prediction: Err(message),
            },
            Ok(q) => Answer {
                line,
                prediction: model.predict(&q.sim, coverage).map_err(|e| e.to_string()),
                id: q.id,
            },
        };
        answers.push(answer);
    })?;
    Ok(answers)
}
