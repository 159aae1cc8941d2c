//! Each evaluator on constructed episodes whose right answer is known.

use super::*;
use aegis_core::Step;

fn step(state: Vec<f64>, action: i64, reward: f64) -> Step {
    Step {
        state,
        action: Action::Discrete(action),
        reward,
        ..Step::default()
    }
}

fn episode(steps: Vec<Step>) -> Episode {
    Episode {
        steps,
        ..Episode::default()
    }
}

#[test]
fn an_outlier_reward_and_an_out_of_range_one_are_found() {
    let mut steps: Vec<Step> = (0..50)
        .map(|i| step(vec![i as f64], 0, 1.0 + (i % 3) as f64 * 0.1))
        .collect();
    steps[20].reward = 500.0;
    let r = reward_shaping(
        &episode(steps),
        &RewardShapingConfig {
            reward_range: Some((0.0, 10.0)),
            ..RewardShapingConfig::default()
        },
    );
    assert_eq!((r.outliers, r.out_of_range), (1, 1));
    assert_eq!(r.findings.len(), 2);
    assert!(r.farming_cycle.is_none(), "the states never repeat");
}

#[test]
fn a_cycle_that_farms_reward_is_found_and_honest_progress_is_not() {
    // Walks right, then loops between two states collecting +1 each step.
    let mut steps: Vec<Step> = (0..10).map(|i| step(vec![i as f64], 1, 0.0)).collect();
    for k in 0..12 {
        steps.push(step(vec![20.0 + (k % 2) as f64], (k % 2) as i64, 1.0));
    }
    let r = reward_shaping(&episode(steps), &RewardShapingConfig::default());
    assert_eq!(r.farming_cycle, Some((2, 6)), "{r:?}");
    // The same rewards while moving to new states each step: no cycle.
    let steps: Vec<Step> = (0..22).map(|i| step(vec![i as f64], i % 2, 1.0)).collect();
    assert!(
        reward_shaping(&episode(steps), &RewardShapingConfig::default())
            .farming_cycle
            .is_none()
    );
}

#[test]
fn rising_return_without_rising_success_is_found() {
    let returns: Vec<f64> = (0..30).map(|i| i as f64).collect();
    let flat: Vec<bool> = (0..30).map(|i| i % 3 == 0).collect();
    assert!(return_without_success(&returns, &flat).is_some());
    let rising: Vec<bool> = (0..30).map(|i| i > 15).collect();
    assert!(return_without_success(&returns, &rising).is_none());
    let flat_returns = vec![5.0; 30];
    assert!(return_without_success(&flat_returns, &flat).is_none());
}

#[test]
fn exploration_measures_coverage_entropy_and_novelty() {
    let cfg = ExplorationConfig {
        bounds: vec![(0.0, 10.0)],
        bins: 10,
        min_coverage: 0.5,
    };
    // Visits every bin once, with two actions equally often.
    let wide: Vec<Step> = (0..10)
        .map(|i| step(vec![i as f64 + 0.5], i % 2, 0.0))
        .collect();
    let r = exploration(&episode(wide), &cfg);
    assert!((r.coverage - 1.0).abs() < 1e-12);
    assert!((r.state_entropy - 1.0).abs() < 1e-9);
    assert!((r.action_entropy - 1.0).abs() < 1e-9);
    assert!(
        (r.novelty - 1.0).abs() < 1e-12,
        "the second half is all new"
    );
    assert!(r.findings.is_empty());
    // Stays in one bin, one action.
    let narrow: Vec<Step> = (0..10).map(|_| step(vec![0.2], 0, 0.0)).collect();
    let r = exploration(&episode(narrow), &cfg);
    assert!((r.coverage - 0.1).abs() < 1e-12);
    assert_eq!(
        (r.state_entropy, r.action_entropy, r.novelty),
        (0.0, 0.0, 0.0)
    );
    assert_eq!(r.findings[0].kind, "low_state_coverage");
}

#[test]
fn divergence_of_equal_and_disjoint_policies() {
    let same = policy_divergence(&[0.5, 0.5], &[0.5, 0.5], 0.1);
    assert!(same.kl.abs() < 1e-9 && same.js.abs() < 1e-9 && same.findings.is_empty());
    let disjoint = policy_divergence(&[1.0, 0.0], &[0.0, 1.0], 0.1);
    assert!((disjoint.js - 1.0).abs() < 1e-6, "{disjoint:?}");
    assert!(disjoint.kl > 10.0);
    assert_eq!(disjoint.findings.len(), 1);
    // KL(0.75/0.25 ‖ 0.5/0.5) = 0.75 ln 1.5 + 0.25 ln 0.5.
    let d = policy_divergence(&[0.5, 0.5], &[0.75, 0.25], 1.0);
    assert!((d.kl - (0.75 * 1.5f64.ln() + 0.25 * 0.5f64.ln())).abs() < 1e-6);
}

#[test]
fn action_distributions_come_from_logged_probabilities_or_counts() {
    let mut steps: Vec<Step> = (0..4).map(|i| step(vec![], i % 2, 0.0)).collect();
    assert_eq!(action_distribution(&episode(steps.clone()), 2), [0.5, 0.5]);
    for s in &mut steps {
        s.action_probs = Some(vec![0.9, 0.1]);
    }
    let d = action_distribution(&episode(steps), 2);
    assert!((d[0] - 0.9).abs() < 1e-12);
}

#[test]
fn safety_counts_violations_and_finds_the_step_that_passed_the_budget() {
    let steps: Vec<Step> = (0..10)
        .map(|i| Step {
            cost: Some(if i % 2 == 0 { 1.0 } else { 0.0 }),
            ..step(vec![], 0, 0.0)
        })
        .collect();
    let r = safety(&episode(steps.clone()), 2.5, None);
    assert_eq!(
        (r.violations, r.cost, r.budget_exceeded_at),
        (5, 5.0, Some(4))
    );
    assert_eq!(r.findings[0].kind, "cost_budget_exceeded");
    let r = safety(&episode(steps.clone()), 10.0, None);
    assert_eq!(r.findings[0].kind, "constraint_violations");
    // Costs from the spec's own expressions add up with the environment's.
    let extra = vec![0.5; 10];
    assert_eq!(safety(&episode(steps), 100.0, Some(&extra)).cost, 10.0);
}

#[test]
fn convergence_trend_plateau_instability_and_iqm() {
    assert_eq!(iqm(&[1.0, 2.0, 3.0, 4.0, 100.0, -100.0, 2.5, 3.5]), 2.75);
    // Learns, then plateaus at 100.
    let returns: Vec<f64> = (0..200).map(|i| (i as f64).min(100.0)).collect();
    let r = convergence(&returns, 50, 500, 7);
    assert!(r.trend > 0.0);
    assert!(r.plateau, "{r:?}");
    assert_eq!(r.iqm, 100.0);
    assert_eq!(r.iqm_ci, (100.0, 100.0));
    assert!(r.findings.is_empty());
    // Still learning: no plateau.
    let rising: Vec<f64> = (0..200).map(|i| i as f64).collect();
    assert!(!convergence(&rising, 50, 200, 7).plateau);
    // Collapsing and noisy: both found; the interval contains the IQM.
    let collapsing: Vec<f64> = (0..200)
        .map(|i| 100.0 - i as f64 * 0.5 + if i % 2 == 0 { 40.0 } else { -40.0 })
        .collect();
    let r = convergence(&collapsing, 50, 500, 7);
    let kinds: Vec<&str> = r.findings.iter().map(|f| f.kind).collect();
    assert!(
        kinds.contains(&"return_declining") && kinds.contains(&"unstable"),
        "{kinds:?}"
    );
    assert!(r.iqm_ci.0 <= r.iqm && r.iqm <= r.iqm_ci.1);
    // Seeded: the same interval every time.
    assert_eq!(convergence(&collapsing, 50, 500, 7).iqm_ci, r.iqm_ci);
}
