//! The one aggregator of results: the totals a run prints at its end and includes in JSON,
//! and what the service's live counters show.

use std::collections::BTreeMap;

use aegis_core::{EvaluationResult, Severity, UsdCost, Verdict};
use serde::Serialize;

/// The run-level RL evaluators over the episodes of a run.
#[derive(Debug, Clone, Serialize)]
pub struct RlRunSummary {
    /// Episodes seen.
    pub episodes: usize,
    /// Trend, plateau, instability and IQM (with its bootstrap interval) of the returns.
    pub convergence: aegis_rl::ConvergenceReport,
    /// Jensen–Shannon divergence (bits) of each policy version's actions from the previous
    /// version's, in order of first appearance.
    pub policy_shifts: Vec<(String, String, f64)>,
}

/// Totals of a run, printed at the end and included in JSON output.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunSummary {
    /// Traces (and erroneous lines) seen.
    pub total: u64,
    /// Over the run's RL episodes (in input order): convergence of the return, and how far
    /// each policy version's actions moved from the previous version's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rl: Option<RlRunSummary>,
    /// Per episode: policy version and the actions' counts, and the return.
    #[serde(skip)]
    episodes: Vec<(Option<String>, Vec<u64>, f64)>,
    /// Results per verdict.
    pub verdicts: BTreeMap<&'static str, u64>,
    /// Results per deciding tier.
    pub decided_by: BTreeMap<&'static str, u64>,
    /// Issues per severity.
    pub issues_by_severity: BTreeMap<&'static str, u64>,
    /// Issues per validator.
    pub issues_by_validator: BTreeMap<String, u64>,
    /// Money spent in all tiers.
    pub cost_usd: UsdCost,
    /// Money spent per tier (only tiers that spent any).
    pub cost_by_tier: BTreeMap<&'static str, UsdCost>,
    /// Tier-3 judge calls: asked of a provider, and answered from the cache.
    pub judge_calls: u64,
    /// Tier-3 judge answers that came from the cache.
    pub judge_cached: u64,
    /// Wall-clock seconds of the whole run.
    pub elapsed_seconds: f64,
    /// Traces per second.
    pub traces_per_second: f64,
    /// The `--fail-on` severity, if one was given.
    pub fail_on: Option<Severity>,
    /// Whether an issue at or above `fail_on` was found.
    pub gate_tripped: bool,
}

impl RunSummary {
    /// Empty totals; an issue at or above `fail_on` will trip the gate.
    pub fn gated_at(fail_on: Option<Severity>) -> RunSummary {
        RunSummary {
            fail_on,
            ..RunSummary::default()
        }
    }

    /// Counts one result (and, with `--fail-on`, whether it trips the gate).
    pub fn add(&mut self, r: &EvaluationResult) {
        self.total += 1;
        *self.verdicts.entry(r.verdict.as_str()).or_default() += 1;
        if let Some(t) = r.decided_by {
            *self.decided_by.entry(t.as_str()).or_default() += 1;
        }
        for i in &r.issues {
            *self
                .issues_by_severity
                .entry(i.severity.as_str())
                .or_default() += 1;
            *self
                .issues_by_validator
                .entry(i.validator.clone())
                .or_default() += 1;
            if self.fail_on.is_some_and(|f| i.severity >= f) {
                self.gate_tripped = true;
            }
        }
        self.cost_usd += r.cost_usd;
        for t in &r.tiers {
            if t.cost_usd > UsdCost::ZERO {
                *self.cost_by_tier.entry(t.tier.as_str()).or_default() += t.cost_usd;
            }
            for m in &t.modules {
                if let Some(call) = &m.call {
                    self.judge_calls += 1;
                    self.judge_cached += u64::from(call.cached);
                }
            }
        }
    }

    /// Notes an episode for the run-level RL evaluators.
    pub fn add_episode(&mut self, episode: &aegis_core::Episode) {
        let mut counts: Vec<u64> = Vec::new();
        for s in &episode.steps {
            if let aegis_core::Action::Discrete(a) = s.action
                && let Ok(a) = usize::try_from(a)
                && a < 4096
            {
                if counts.len() <= a {
                    counts.resize(a + 1, 0);
                }
                counts[a] += 1;
            }
        }
        let ret = episode.steps.iter().map(|s| s.reward).sum();
        let version = episode
            .policy
            .as_ref()
            .map(|p| format!("{}@{}", p.name, p.version.as_deref().unwrap_or("-")));
        self.episodes.push((version, counts, ret));
    }

    /// Runs the run-level RL evaluators over the episodes seen.
    pub fn finish_rl(&mut self) {
        if self.episodes.len() < 2 {
            return;
        }
        let returns: Vec<f64> = self.episodes.iter().map(|e| e.2).collect();
        let window = (returns.len() / 4).max(2);
        let convergence = aegis_rl::convergence(&returns, window, 1000, 17);
        // Action counts per policy version, in order of first appearance.
        let mut versions: Vec<(String, Vec<u64>)> = Vec::new();
        for (v, counts, _) in &self.episodes {
            let Some(v) = v else { continue };
            let slot = match versions.iter().position(|(name, _)| name == v) {
                Some(i) => i,
                None => {
                    versions.push((v.clone(), Vec::new()));
                    versions.len() - 1
                }
            };
            let total = &mut versions[slot].1;
            if total.len() < counts.len() {
                total.resize(counts.len(), 0);
            }
            for (t, c) in total.iter_mut().zip(counts) {
                *t += c;
            }
        }
        let n = versions.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
        let dist = |c: &[u64]| {
            let total: u64 = c.iter().sum();
            (0..n)
                .map(|i| c.get(i).copied().unwrap_or(0) as f64 / total.max(1) as f64)
                .collect::<Vec<f64>>()
        };
        let policy_shifts = versions
            .windows(2)
            .map(|w| {
                let d = aegis_rl::policy_divergence(&dist(&w[0].1), &dist(&w[1].1), 1.0);
                (w[0].0.clone(), w[1].0.clone(), d.js)
            })
            .collect();
        self.rl = Some(RlRunSummary {
            episodes: self.episodes.len(),
            convergence,
            policy_shifts,
        });
    }

    /// Results with verdict `v`.
    pub fn count(&self, v: Verdict) -> u64 {
        self.verdicts.get(v.as_str()).copied().unwrap_or(0)
    }

    /// Sets the run's wall-clock time and throughput.
    pub fn set_elapsed(&mut self, seconds: f64) {
        self.elapsed_seconds = seconds;
        self.traces_per_second = if seconds > 0.0 {
            self.total as f64 / seconds
        } else {
            0.0
        };
    }
}
