//! Synthetic cold-start data: labelled texts made from a spec's templates and tables, so a new
//! domain has a working Tier-2 model before any real labels exist.

use aegis_core::{ModelInfo, SyntheticInfo};

use crate::error::{ModelError, Result};
use crate::train::{Example, Target};

/// Makes `count` labelled examples from a model's templates, under `seed`. Targets are
/// balanced (each target gets the same share), templates are drawn uniformly within a target,
/// and each `{table.column}` placeholder reads one random row per table per example.
pub fn generate(info: &ModelInfo, count: usize, seed: u64) -> Result<Vec<Example>> {
    let syn = info.synthetic.as_ref().ok_or_else(|| {
        ModelError::Data(format!(
            "model `{}` has no `synthetic` templates in its spec",
            info.id
        ))
    })?;
    let mut targets: Vec<&str> = syn.templates.iter().map(|(t, _)| *t).collect();
    targets.dedup();
    targets.sort_unstable();
    targets.dedup();
    let mut rng = seed ^ 0x5851_f42d_4c95_7f2d;
    let mut next = |n: usize| -> usize {
        rng = rng
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((rng >> 33) % n.max(1) as u64) as usize
    };
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let target = targets[i % targets.len()];
        let choices: Vec<&str> = syn
            .templates
            .iter()
            .filter(|(t, _)| *t == target)
            .map(|(_, x)| *x)
            .collect();
        let template = choices[next(choices.len())];
        let rows: Vec<usize> = syn.tables.iter().map(|t| next(t.rows.len())).collect();
        let text = fill(template, syn, &rows, &mut next);
        let target = match info.labels.iter().position(|l| *l == target) {
            Some(index) => Target::Label(index),
            None => Target::Score(target.parse::<f32>().map_err(|_| {
                ModelError::Data(format!(
                    "synthetic target `{target}` is neither a label nor a score"
                ))
            })?),
        };
        out.push(Example { text, target });
    }
    Ok(out)
}

fn fill(
    template: &str,
    syn: &SyntheticInfo,
    rows: &[usize],
    next: &mut impl FnMut(usize) -> usize,
) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let inner = rest[open + 1..open + close].trim();
        if inner.contains('|') {
            let options: Vec<&str> = inner.split('|').collect();
            out.push_str(options[next(options.len())].trim());
        } else {
            let (slot, factor) = match inner.split_once('*') {
                Some((a, b)) => (a.trim(), b.trim().parse::<f64>().ok()),
                None => (inner, None),
            };
            let value = slot.split_once('.').and_then(|(table, column)| {
                let (ti, t) = syn
                    .tables
                    .iter()
                    .enumerate()
                    .find(|(_, t)| t.name == table)?;
                let ci = t.columns.iter().position(|c| *c == column)?;
                t.rows.get(rows[ti])?.get(ci).copied()
            });
            match (value, factor) {
                (Some(v), Some(f)) => match v.parse::<f64>() {
                    Ok(x) => out.push_str(&trim_number(x * f)),
                    Err(_) => out.push_str(v),
                },
                (Some(v), None) => out.push_str(v),
                (None, _) => out.push_str(inner),
            }
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

fn trim_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    }
}
