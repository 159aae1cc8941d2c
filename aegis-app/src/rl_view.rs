//! A domain's reinforcement-learning episodes as stored: each episode's return and constraint
//! cost in the order they were evaluated, the interquartile mean of the latest returns with its
//! bootstrap interval, and the cost budget the domain's spec sets (what a dashboard plots).

use aegis_store::SqliteStore;
use serde::Serialize;

use crate::AppError;
use crate::store::Selection;

/// One stored episode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpisodePoint {
    /// Its trace id (or record key).
    pub id: String,
    /// When it was evaluated (ms since the epoch).
    pub evaluated_at_ms: i64,
    /// The sum of its rewards.
    pub episode_return: f64,
    /// The sum of its steps' costs (0 when none has one).
    pub cost: f64,
    /// How many steps it took.
    pub steps: usize,
    /// Its verdict.
    pub verdict: String,
}

/// The episodes of a selection and what they add up to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RlView {
    /// The episodes, oldest first (the latest `limit` of the selection).
    pub episodes: Vec<EpisodePoint>,
    /// The interquartile mean of the latest window's returns (up to 100 episodes).
    pub iqm: Option<f64>,
    /// Its 95 % bootstrap interval (1,000 seeded resamples).
    pub iqm_ci: Option<(f64, f64)>,
    /// The Theil–Sen slope of the return per episode.
    pub trend: Option<f64>,
    /// The cost budget of the domain's spec (`rl.cost_budget`), when it sets one.
    pub cost_budget: Option<f64>,
    /// How many episodes went over it.
    pub over_budget: usize,
}

/// The latest `limit` episodes of `selection` (stored results whose trace has one), and their
/// returns' IQM and trend; `cost_budget` is the domain's.
pub fn rl_view(
    store: &SqliteStore,
    selection: &Selection,
    limit: usize,
    cost_budget: Option<f64>,
) -> Result<RlView, AppError> {
    let mut filter = selection.filter()?;
    let mut episodes = Vec::new();
    // Pages of the newest results until `limit` episodes are found (results without an
    // episode are skipped).
    filter.limit = Some(500);
    loop {
        let page = aegis_store::Store::list(store, &filter)?;
        let Some(last) = page.last() else { break };
        filter.after = Some(aegis_store::Cursor {
            evaluated_at_ms: last.evaluated_at_ms,
            key: last.key.clone(),
        });
        for row in &page {
            let Some(ep) = row.trace.as_ref().and_then(|t| t.episode.as_ref()) else {
                continue;
            };
            episodes.push(EpisodePoint {
                id: row
                    .result
                    .trace_id
                    .clone()
                    .unwrap_or_else(|| row.key.clone()),
                evaluated_at_ms: row.evaluated_at_ms,
                episode_return: ep.steps.iter().map(|s| s.reward).sum(),
                cost: ep.steps.iter().filter_map(|s| s.cost).sum(),
                steps: ep.steps.len(),
                verdict: row.result.verdict.as_str().to_owned(),
            });
            if episodes.len() >= limit {
                break;
            }
        }
        if episodes.len() >= limit || page.len() < 500 {
            break;
        }
    }
    episodes.reverse();
    let returns: Vec<f64> = episodes.iter().map(|e| e.episode_return).collect();
    let report = (!returns.is_empty()).then(|| aegis_rl::convergence(&returns, 100, 1000, 0));
    let over_budget = cost_budget.map_or(0, |b| episodes.iter().filter(|e| e.cost > b).count());
    Ok(RlView {
        iqm: report.as_ref().map(|r| r.iqm),
        iqm_ci: report.as_ref().map(|r| r.iqm_ci),
        trend: report.as_ref().map(|r| r.trend),
        cost_budget: cost_budget.filter(|b| b.is_finite()),
        over_budget,
        episodes,
    })
}
