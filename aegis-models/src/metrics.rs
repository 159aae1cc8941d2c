//! Held-out metrics: accuracy, macro F1, ROC-AUC, expected calibration error (and MAE / RMSE
//! for risk scores).

use serde::{Deserialize, Serialize};

/// A model's metrics on its held-out split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Examples scored.
    pub n: usize,
    /// Share predicted right (for risk scores: on the side of 0.5 the target is on).
    pub accuracy: f64,
    /// Macro-averaged F1 over the labels (risk scores: F1 of "risk ≥ 0.5").
    pub f1: f64,
    /// ROC-AUC: of the last label against the rest for two labels, macro one-vs-rest above;
    /// `None` when the held-out split lacks a label.
    pub roc_auc: Option<f64>,
    /// Expected calibration error over 10 equal-width confidence bins.
    pub ece: f64,
    /// Mean absolute error (risk scores only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mae: Option<f64>,
    /// Root mean squared error (risk scores only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rmse: Option<f64>,
}

/// Metrics of a classifier: `probs[i]` are example i's label probabilities, `truth[i]` its label.
pub fn classification(probs: &[Vec<f32>], truth: &[usize], labels: usize) -> Metrics {
    let n = truth.len();
    let predicted: Vec<usize> = probs.iter().map(|p| argmax(p)).collect();
    let correct = predicted.iter().zip(truth).filter(|(p, t)| p == t).count();
    let f1 = (0..labels)
        .map(|c| {
            let tp = pairs(&predicted, truth, |p, t| p == c && t == c);
            let fp = pairs(&predicted, truth, |p, t| p == c && t != c);
            let fneg = pairs(&predicted, truth, |p, t| p != c && t == c);
            f1_of(tp, fp, fneg)
        })
        .sum::<f64>()
        / labels.max(1) as f64;
    let roc_auc = if labels == 2 {
        let scores: Vec<f64> = probs.iter().map(|p| f64::from(p[1])).collect();
        let pos: Vec<bool> = truth.iter().map(|&t| t == 1).collect();
        auc(&scores, &pos)
    } else {
        let per: Option<Vec<f64>> = (0..labels)
            .map(|c| {
                let scores: Vec<f64> = probs.iter().map(|p| f64::from(p[c])).collect();
                let pos: Vec<bool> = truth.iter().map(|&t| t == c).collect();
                auc(&scores, &pos)
            })
            .collect();
        per.map(|v| v.iter().sum::<f64>() / v.len().max(1) as f64)
    };
    let conf: Vec<(f64, bool)> = probs
        .iter()
        .zip(predicted.iter().zip(truth))
        .map(|(p, (pr, t))| (f64::from(p[*pr]), pr == t))
        .collect();
    Metrics {
        n,
        accuracy: ratio(correct, n),
        f1,
        roc_auc,
        ece: ece(&conf),
        mae: None,
        rmse: None,
    }
}

/// Metrics of a risk regressor: `scores[i]` predicted, `targets[i]` true, both in `[0, 1]`.
pub fn regression(scores: &[f32], targets: &[f32]) -> Metrics {
    let n = targets.len();
    let predicted: Vec<usize> = scores.iter().map(|&s| usize::from(s >= 0.5)).collect();
    let truth: Vec<usize> = targets.iter().map(|&t| usize::from(t >= 0.5)).collect();
    let correct = predicted.iter().zip(&truth).filter(|(p, t)| p == t).count();
    let tp = pairs(&predicted, &truth, |p, t| p == 1 && t == 1);
    let fp = pairs(&predicted, &truth, |p, t| p == 1 && t == 0);
    let fneg = pairs(&predicted, &truth, |p, t| p == 0 && t == 1);
    let s: Vec<f64> = scores.iter().map(|&x| f64::from(x)).collect();
    let pos: Vec<bool> = truth.iter().map(|&t| t == 1).collect();
    let abs: f64 = scores
        .iter()
        .zip(targets)
        .map(|(s, t)| f64::from((s - t).abs()))
        .sum();
    let sq: f64 = scores
        .iter()
        .zip(targets)
        .map(|(s, t)| f64::from((s - t) * (s - t)))
        .sum();
    // Calibration of a score: in each score bin, the mean score against the mean target.
    let mut bins = [(0.0f64, 0.0f64, 0usize); 10];
    for (s, t) in scores.iter().zip(targets) {
        let b = ((f64::from(*s) * 10.0) as usize).min(9);
        bins[b].0 += f64::from(*s);
        bins[b].1 += f64::from(*t);
        bins[b].2 += 1;
    }
    let ece = bins
        .iter()
        .filter(|b| b.2 > 0)
        .map(|(s, t, _)| (s - t).abs() / n as f64)
        .sum();
    Metrics {
        n,
        accuracy: ratio(correct, n),
        f1: f1_of(tp, fp, fneg),
        roc_auc: auc(&s, &pos),
        ece,
        mae: Some(abs / n.max(1) as f64),
        rmse: Some((sq / n.max(1) as f64).sqrt()),
    }
}

/// The index of the largest value (the first on ties).
pub fn argmax(p: &[f32]) -> usize {
    let mut best = 0;
    for (i, v) in p.iter().enumerate() {
        if *v > p[best] {
            best = i;
        }
    }
    best
}

fn pairs(p: &[usize], t: &[usize], f: impl Fn(usize, usize) -> bool) -> usize {
    p.iter().zip(t).filter(|(a, b)| f(**a, **b)).count()
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn f1_of(tp: usize, fp: usize, fneg: usize) -> f64 {
    let denom = 2 * tp + fp + fneg;
    if denom == 0 {
        1.0
    } else {
        2.0 * tp as f64 / denom as f64
    }
}

/// ROC-AUC by the rank-sum (Mann–Whitney) formula, ties counted half. `None` without both
/// positives and negatives.
pub fn auc(scores: &[f64], positive: &[bool]) -> Option<f64> {
    let n_pos = positive.iter().filter(|p| **p).count();
    let n_neg = positive.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Average ranks over ties.
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && scores[idx[j + 1]] == scores[idx[i]] {
            j += 1;
        }
        let avg_rank = (i + j) as f64 / 2.0 + 1.0;
        for k in &idx[i..=j] {
            if positive[*k] {
                rank_sum_pos += avg_rank;
            }
        }
        i = j + 1;
    }
    let u = rank_sum_pos - (n_pos * (n_pos + 1)) as f64 / 2.0;
    Some(u / (n_pos as f64 * n_neg as f64))
}

/// Expected calibration error of (confidence, correct) pairs over 10 equal-width bins.
fn ece(conf: &[(f64, bool)]) -> f64 {
    let n = conf.len();
    if n == 0 {
        return 0.0;
    }
    let mut bins = [(0.0f64, 0usize, 0usize); 10];
    for (c, ok) in conf {
        let b = ((c * 10.0) as usize).min(9);
        bins[b].0 += c;
        bins[b].1 += usize::from(*ok);
        bins[b].2 += 1;
    }
    bins.iter()
        .filter(|b| b.2 > 0)
        .map(|(c, ok, k)| (c / *k as f64 - *ok as f64 / *k as f64).abs() * *k as f64 / n as f64)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_matches_hand_computed_values() {
        assert_eq!(
            auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]),
            Some(0.75)
        );
        assert_eq!(auc(&[0.5, 0.5], &[false, true]), Some(0.5));
        assert_eq!(auc(&[0.1, 0.2], &[true, true]), None);
    }

    #[test]
    fn perfect_and_wrong_classifiers() {
        let probs = vec![vec![0.9, 0.1], vec![0.2, 0.8], vec![0.6, 0.4]];
        let m = classification(&probs, &[0, 1, 0], 2);
        assert_eq!(m.accuracy, 1.0);
        assert_eq!(m.f1, 1.0);
        assert_eq!(m.roc_auc, Some(1.0));
        // Confidences 0.9, 0.8, 0.6, all right: ECE = (0.1 + 0.2 + 0.4) / 3.
        assert!((m.ece - 0.7 / 3.0).abs() < 1e-6, "{}", m.ece);
        let m = classification(&probs, &[1, 0, 1], 2);
        assert_eq!(m.accuracy, 0.0);
        assert_eq!(m.roc_auc, Some(0.0));
    }

    #[test]
    fn regression_metrics() {
        let m = regression(&[0.9, 0.1, 0.6, 0.4], &[1.0, 0.0, 0.0, 1.0]);
        assert_eq!(m.accuracy, 0.5);
        assert!((m.mae.unwrap_or(0.0) - 0.35).abs() < 1e-6);
        assert_eq!(m.roc_auc, Some(0.75));
    }
}
