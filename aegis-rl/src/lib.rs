//! Evaluators for reinforcement-learning episodes and runs of episodes.
//!
//! * [`reward_shaping`]: signs of reward hacking — outlier rewards, rewards outside the declared
//!   range, return that rises while task success does not, and cycles that farm reward.
//! * [`exploration`]: state-visitation coverage and entropy over binned states, action entropy,
//!   and novelty over the episode.
//! * [`policy_divergence`]: KL and Jensen–Shannon divergence between two policies' action
//!   distributions, from logged probabilities or empirical action frequencies.
//! * [`safety`]: per-step constraint violations and cumulative cost against a budget, as
//!   safety-gymnasium defines cost.
//! * [`convergence`]: over a run of episodes, the return's trend, plateau and instability, with
//!   the interquartile mean and a bootstrap confidence interval (as rliable recommends).
//! * [`transfer`]: sim-to-real transfer — predict a real outcome from simulation metrics, with
//!   split-conformal prediction intervals, fitted on recorded (simulation, real) pairs.
//!
//! Each returns a typed report with its metrics and the [`Finding`]s its thresholds raise.
//! This crate is pure arithmetic over `aegis_core` episodes: it knows no domain.

use aegis_core::{Action, Episode, Severity};
use serde::Serialize;

pub mod transfer;

/// Something an evaluator found, with the metric that triggered it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The evaluator (`reward_shaping`, `safety`, …).
    pub evaluator: &'static str,
    /// What was found (`outlier_reward`, `cost_budget_exceeded`, …).
    pub kind: &'static str,
    /// How serious it is.
    pub severity: Severity,
    /// A sentence for a person.
    pub message: String,
    /// The metric's value.
    pub value: f64,
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len().is_multiple_of(2) {
        (v[m - 1] + v[m]) / 2.0
    } else {
        v[m]
    }
}

fn entropy(counts: impl Iterator<Item = u64>) -> (f64, usize) {
    let c: Vec<u64> = counts.filter(|c| *c > 0).collect();
    let total: u64 = c.iter().sum();
    if total == 0 {
        return (0.0, 0);
    }
    let h = c
        .iter()
        .map(|&n| {
            let p = n as f64 / total as f64;
            -p * p.ln()
        })
        .sum();
    (h, c.len())
}

fn action_key(a: &Action) -> String {
    match a {
        Action::Discrete(i) => i.to_string(),
        // Continuous actions, to two decimals: a coarse grid for counting.
        Action::Continuous(v) => v
            .iter()
            .map(|x| format!("{:.2}", x))
            .collect::<Vec<_>>()
            .join(","),
    }
}

/// Settings of [`reward_shaping`].
#[derive(Debug, Clone, PartialEq)]
pub struct RewardShapingConfig {
    /// The range the spec declares for a step's reward; `None`: no range.
    pub reward_range: Option<(f64, f64)>,
    /// A reward this many robust standard deviations (MAD × 1.4826) from the median is an
    /// outlier.
    pub outlier_z: f64,
    /// A cycle of states and actions repeated at least this many times in a row, with positive
    /// reward each time, is reward farming.
    pub min_cycle_repeats: usize,
    /// The states' precision for cycle detection (states are rounded to this many decimals).
    pub state_decimals: i32,
}

impl Default for RewardShapingConfig {
    fn default() -> Self {
        RewardShapingConfig {
            reward_range: None,
            outlier_z: 6.0,
            min_cycle_repeats: 4,
            state_decimals: 2,
        }
    }
}

/// What [`reward_shaping`] measured on one episode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RewardShapingReport {
    /// Steps whose reward is an outlier.
    pub outliers: usize,
    /// Steps whose reward lies outside the declared range.
    pub out_of_range: usize,
    /// The longest run of a repeated cycle with positive reward: `(cycle length, repeats)`.
    pub farming_cycle: Option<(usize, usize)>,
    /// Findings.
    pub findings: Vec<Finding>,
}

/// Reward hacking signs in one episode.
pub fn reward_shaping(episode: &Episode, cfg: &RewardShapingConfig) -> RewardShapingReport {
    let rewards: Vec<f64> = episode.steps.iter().map(|s| s.reward).collect();
    let mut sorted = rewards.clone();
    let med = median(&mut sorted);
    let mut dev: Vec<f64> = rewards.iter().map(|r| (r - med).abs()).collect();
    let mad = median(&mut dev) * 1.4826;
    let outliers = if mad > 0.0 {
        rewards
            .iter()
            .filter(|r| ((*r - med) / mad).abs() > cfg.outlier_z)
            .count()
    } else {
        // Constant rewards but for a few: those few are outliers.
        let differ = rewards.iter().filter(|r| (*r - med).abs() > 1e-12).count();
        if differ * 20 < rewards.len() {
            differ
        } else {
            0
        }
    };
    let out_of_range = cfg.reward_range.map_or(0, |(lo, hi)| {
        rewards.iter().filter(|r| !(lo..=hi).contains(*r)).count()
    });
    // Cycles: the same (state, action) sequence repeated back to back, each with reward > 0.
    let scale = 10f64.powi(cfg.state_decimals);
    let keys: Vec<String> = episode
        .steps
        .iter()
        .map(|s| {
            let st: Vec<String> = s
                .state
                .iter()
                .map(|x| format!("{}", (x * scale).round() as i64))
                .collect();
            format!("{}|{}", st.join(","), action_key(&s.action))
        })
        .collect();
    let mut farming: Option<(usize, usize)> = None;
    for len in 1..=8usize {
        let mut i = 0;
        while i + 2 * len <= keys.len() {
            let mut repeats = 1;
            while i + (repeats + 1) * len <= keys.len()
                && keys[i + repeats * len..i + (repeats + 1) * len] == keys[i..i + len]
            {
                repeats += 1;
            }
            let span = &rewards[i..i + repeats * len];
            let positive = span.chunks(len).all(|c| c.iter().sum::<f64>() > 0.0);
            if repeats >= cfg.min_cycle_repeats
                && positive
                && farming.is_none_or(|(l, r)| repeats * len > l * r)
            {
                farming = Some((len, repeats));
            }
            i += len.max(repeats.saturating_sub(1) * len).max(1);
        }
    }
    let mut findings = Vec::new();
    if outliers > 0 {
        findings.push(Finding {
            evaluator: "reward_shaping",
            kind: "outlier_reward",
            severity: Severity::Medium,
            message: format!(
                "{outliers} step(s) with a reward more than {} robust deviations from the median",
                cfg.outlier_z
            ),
            value: outliers as f64,
        });
    }
    if out_of_range > 0 {
        findings.push(Finding {
            evaluator: "reward_shaping",
            kind: "reward_out_of_range",
            severity: Severity::High,
            message: format!("{out_of_range} step(s) with a reward outside the declared range"),
            value: out_of_range as f64,
        });
    }
    if let Some((len, repeats)) = farming {
        findings.push(Finding {
            evaluator: "reward_shaping",
            kind: "reward_farming_cycle",
            severity: Severity::High,
            message: format!(
                "a cycle of {len} step(s) repeated {repeats} times in a row, earning reward each time"
            ),
            value: (len * repeats) as f64,
        });
    }
    RewardShapingReport {
        outliers,
        out_of_range,
        farming_cycle: farming,
        findings,
    }
}

/// Return rising while task success does not, over a run: `returns[i]` and `successes[i]` of
/// episode `i`. A finding when the return's trend (per episode, Theil–Sen) is positive and
/// significant but the success rate of the last third is no better than the first third's.
pub fn return_without_success(returns: &[f64], successes: &[bool]) -> Option<Finding> {
    let n = returns.len().min(successes.len());
    if n < 9 {
        return None;
    }
    let slope = theil_sen(&returns[..n]);
    let mut r = returns[..n].to_vec();
    let spread = {
        let med = median(&mut r);
        let mut dev: Vec<f64> = returns[..n].iter().map(|x| (x - med).abs()).collect();
        median(&mut dev).max(1e-9)
    };
    let third = n / 3;
    let rate = |s: &[bool]| s.iter().filter(|x| **x).count() as f64 / s.len().max(1) as f64;
    let (early, late) = (rate(&successes[..third]), rate(&successes[n - third..]));
    // The return grows by more than its own spread over the run, success does not.
    (slope * n as f64 > spread && late <= early).then(|| Finding {
        evaluator: "reward_shaping",
        kind: "return_without_success",
        severity: Severity::High,
        message: format!(
            "the return rises ({slope:.3} per episode) while the success rate does not ({:.0} % early, {:.0} % late)",
            early * 100.0,
            late * 100.0
        ),
        value: slope,
    })
}

/// The Theil–Sen slope: the median of the pairwise slopes.
fn theil_sen(y: &[f64]) -> f64 {
    let mut slopes = Vec::with_capacity(y.len() * y.len() / 2);
    for i in 0..y.len() {
        for j in i + 1..y.len() {
            slopes.push((y[j] - y[i]) / (j - i) as f64);
        }
    }
    median(&mut slopes)
}

/// Settings of [`exploration`].
#[derive(Debug, Clone, PartialEq)]
pub struct ExplorationConfig {
    /// Per state dimension, `(low, high)`; states are binned inside it.
    pub bounds: Vec<(f64, f64)>,
    /// Bins per dimension.
    pub bins: usize,
    /// Coverage below this (a share of the bins) is a finding.
    pub min_coverage: f64,
}

/// What [`exploration`] measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplorationReport {
    /// Share of the state bins visited.
    pub coverage: f64,
    /// Entropy of the visits over the bins, normalised to `[0, 1]` by the log of all bins.
    pub state_entropy: f64,
    /// Entropy of the actions taken, normalised by the log of the actions seen (1 = uniform).
    pub action_entropy: f64,
    /// Share of the second half's steps that visited a bin the first half never did.
    pub novelty: f64,
    /// Findings.
    pub findings: Vec<Finding>,
}

/// Exploration over one episode (or several, concatenated by the caller).
pub fn exploration(episode: &Episode, cfg: &ExplorationConfig) -> ExplorationReport {
    let bins = cfg.bins.max(1);
    let bin_of = |state: &[f64]| -> Vec<usize> {
        cfg.bounds
            .iter()
            .zip(state)
            .map(|((lo, hi), x)| {
                let t = ((x - lo) / (hi - lo)).clamp(0.0, 1.0 - 1e-12);
                (t * bins as f64) as usize
            })
            .collect()
    };
    let visits: Vec<Vec<usize>> = episode.steps.iter().map(|s| bin_of(&s.state)).collect();
    let mut counts: std::collections::BTreeMap<&Vec<usize>, u64> = Default::default();
    for v in &visits {
        *counts.entry(v).or_default() += 1;
    }
    let all_bins = (bins as f64).powi(cfg.bounds.len() as i32).max(1.0);
    let coverage = counts.len() as f64 / all_bins;
    let (h, _) = entropy(counts.values().copied());
    let state_entropy = if all_bins > 1.0 {
        h / all_bins.ln()
    } else {
        0.0
    };
    let mut actions: std::collections::BTreeMap<String, u64> = Default::default();
    for s in &episode.steps {
        *actions.entry(action_key(&s.action)).or_default() += 1;
    }
    let (ha, k) = entropy(actions.values().copied());
    let action_entropy = if k > 1 { ha / (k as f64).ln() } else { 0.0 };
    let half = visits.len() / 2;
    let first: std::collections::BTreeSet<&Vec<usize>> = visits[..half].iter().collect();
    let novelty = if visits.len() > half {
        visits[half..].iter().filter(|v| !first.contains(v)).count() as f64
            / (visits.len() - half) as f64
    } else {
        0.0
    };
    let mut findings = Vec::new();
    if coverage < cfg.min_coverage {
        findings.push(Finding {
            evaluator: "exploration",
            kind: "low_state_coverage",
            severity: Severity::Low,
            message: format!(
                "the episode visited {:.1} % of the state bins (below {:.1} %)",
                coverage * 100.0,
                cfg.min_coverage * 100.0
            ),
            value: coverage,
        });
    }
    ExplorationReport {
        coverage,
        state_entropy,
        action_entropy,
        novelty,
        findings,
    }
}

/// What [`policy_divergence`] measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DivergenceReport {
    /// KL(new ‖ old), in nats (smoothed so that it is finite).
    pub kl: f64,
    /// Jensen–Shannon divergence, in bits (0 to 1).
    pub js: f64,
    /// Findings.
    pub findings: Vec<Finding>,
}

/// The mean action distribution of an episode: the logged probabilities when every step has
/// them, else the empirical frequencies of discrete actions over `n_actions`.
pub fn action_distribution(episode: &Episode, n_actions: usize) -> Vec<f64> {
    let logged: Option<Vec<&Vec<f64>>> = episode
        .steps
        .iter()
        .map(|s| s.action_probs.as_ref().filter(|p| p.len() == n_actions))
        .collect();
    let mut d = vec![0.0; n_actions];
    match logged {
        Some(ps) if !ps.is_empty() => {
            for p in &ps {
                for (a, x) in d.iter_mut().zip(p.iter()) {
                    *a += x;
                }
            }
        }
        _ => {
            for s in &episode.steps {
                if let Action::Discrete(i) = s.action
                    && let Ok(i) = usize::try_from(i)
                    && i < n_actions
                {
                    d[i] += 1.0;
                }
            }
        }
    }
    let total: f64 = d.iter().sum();
    if total > 0.0 {
        d.iter_mut().for_each(|x| *x /= total);
    }
    d
}

/// KL and JS divergence between two action distributions (`old`, `new`); a finding when JS
/// exceeds `max_js`.
pub fn policy_divergence(old: &[f64], new: &[f64], max_js: f64) -> DivergenceReport {
    const EPS: f64 = 1e-9;
    let n = old.len().min(new.len());
    let norm = |v: &[f64]| {
        let s: Vec<f64> = v[..n].iter().map(|x| x.max(0.0) + EPS).collect();
        let t: f64 = s.iter().sum();
        s.into_iter().map(|x| x / t).collect::<Vec<f64>>()
    };
    let (p, q) = (norm(new), norm(old));
    let kl = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * (x / y).ln()).sum::<f64>();
    let m: Vec<f64> = p.iter().zip(&q).map(|(a, b)| (a + b) / 2.0).collect();
    let js = (0.5 * kl(&p, &m) + 0.5 * kl(&q, &m)) / std::f64::consts::LN_2;
    let mut findings = Vec::new();
    if js > max_js {
        findings.push(Finding {
            evaluator: "policy_divergence",
            kind: "policy_shift",
            severity: Severity::Medium,
            message: format!(
                "the new policy's actions diverge from the old one's: JS {js:.3} bits (above {max_js})"
            ),
            value: js,
        });
    }
    DivergenceReport {
        kl: kl(&p, &q),
        js,
        findings,
    }
}

/// What [`safety`] measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SafetyReport {
    /// Steps with a positive cost (a constraint violated).
    pub violations: usize,
    /// The episode's cumulative cost.
    pub cost: f64,
    /// The first step at which the cumulative cost passed the budget.
    pub budget_exceeded_at: Option<usize>,
    /// Findings.
    pub findings: Vec<Finding>,
}

/// Per-step violations and cumulative cost against a budget. `extra_costs[i]`, when given,
/// adds the cost of step `i` from the spec's own constraint expressions.
pub fn safety(episode: &Episode, budget: f64, extra_costs: Option<&[f64]>) -> SafetyReport {
    let mut cost = 0.0;
    let mut violations = 0;
    let mut exceeded = None;
    for (i, s) in episode.steps.iter().enumerate() {
        let c = s.cost.unwrap_or(0.0) + extra_costs.and_then(|e| e.get(i)).copied().unwrap_or(0.0);
        if c > 0.0 {
            violations += 1;
        }
        cost += c;
        if exceeded.is_none() && cost > budget {
            exceeded = Some(i);
        }
    }
    let mut findings = Vec::new();
    if let Some(i) = exceeded {
        findings.push(Finding {
            evaluator: "safety",
            kind: "cost_budget_exceeded",
            severity: Severity::Critical,
            message: format!(
                "the cumulative cost {cost:.3} passed the budget {budget} at step {i}"
            ),
            value: cost,
        });
    } else if violations > 0 {
        findings.push(Finding {
            evaluator: "safety",
            kind: "constraint_violations",
            severity: Severity::Medium,
            message: format!("{violations} step(s) violated a constraint (within the budget)"),
            value: violations as f64,
        });
    }
    SafetyReport {
        violations,
        cost,
        budget_exceeded_at: exceeded,
        findings,
    }
}

/// What [`convergence`] measured over a run of episodes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConvergenceReport {
    /// Theil–Sen slope of the return per episode.
    pub trend: f64,
    /// Interquartile mean of the last window's returns.
    pub iqm: f64,
    /// 95 % bootstrap confidence interval of that IQM.
    pub iqm_ci: (f64, f64),
    /// The last window's return is flat: its slope is within `plateau_tolerance` of the
    /// return's scale per window.
    pub plateau: bool,
    /// Coefficient of variation of the last window's returns.
    pub instability: f64,
    /// Findings.
    pub findings: Vec<Finding>,
}

/// The interquartile mean: the mean of the middle half.
pub fn iqm(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return 0.0;
    }
    let (lo, hi) = (n / 4, n - n / 4);
    let mid = &v[lo..hi.max(lo + 1).min(n)];
    mid.iter().sum::<f64>() / mid.len() as f64
}

/// Trend, plateau and instability of `returns` (one per episode, in order), with the IQM of the
/// last `window` episodes and its bootstrap interval (`resamples` draws, seeded).
pub fn convergence(
    returns: &[f64],
    window: usize,
    resamples: usize,
    seed: u64,
) -> ConvergenceReport {
    let n = returns.len();
    let w = window.clamp(1, n.max(1));
    let last = &returns[n.saturating_sub(w)..];
    let trend = if n >= 2 { theil_sen(returns) } else { 0.0 };
    let late_trend = if last.len() >= 2 {
        theil_sen(last)
    } else {
        0.0
    };
    let value = iqm(last);
    // splitmix64: a small, seeded generator for the bootstrap.
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut boot: Vec<f64> = (0..resamples.max(1))
        .map(|_| {
            let sample: Vec<f64> = (0..last.len())
                .map(|_| last[(next() % last.len().max(1) as u64) as usize])
                .collect();
            iqm(&sample)
        })
        .collect();
    boot.sort_by(f64::total_cmp);
    let q = |p: f64| boot[((boot.len() - 1) as f64 * p).round() as usize];
    let mean = last.iter().sum::<f64>() / last.len().max(1) as f64;
    let sd =
        (last.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / last.len().max(1) as f64).sqrt();
    let instability = if mean.abs() > 1e-9 {
        sd / mean.abs()
    } else {
        sd
    };
    let scale = {
        let mut all = returns.to_vec();
        let med = median(&mut all);
        let mut dev: Vec<f64> = returns.iter().map(|x| (x - med).abs()).collect();
        median(&mut dev).max(1e-9)
    };
    let plateau = (late_trend * w as f64).abs() < 0.25 * scale.max(mean.abs() * 0.05);
    let mut findings = Vec::new();
    if trend < 0.0 && (trend * n as f64).abs() > scale {
        findings.push(Finding {
            evaluator: "convergence",
            kind: "return_declining",
            severity: Severity::High,
            message: format!("the return declines over the run ({trend:.3} per episode)"),
            value: trend,
        });
    }
    if instability > 0.5 {
        findings.push(Finding {
            evaluator: "convergence",
            kind: "unstable",
            severity: Severity::Medium,
            message: format!(
                "the last {w} episodes' returns vary by {:.0} % of their mean",
                instability * 100.0
            ),
            value: instability,
        });
    }
    ConvergenceReport {
        trend,
        iqm: value,
        iqm_ci: (q(0.025), q(0.975)),
        plateau,
        instability,
        findings,
    }
}

#[cfg(test)]
mod tests;
