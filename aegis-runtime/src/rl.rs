//! Running simulators: episodes from one environment, and a vectorised runner that spreads many
//! environments over threads.

use aegis_core::env::{ActionSpace, EnvError, Environment, SimRng};
use aegis_core::{Action, Episode, Step};

/// A policy: the action for an observation, given a seed for any randomness it needs (derived
/// from the episode's seed and the step, so episodes are reproducible).
pub type Policy<'a> = &'a (dyn Fn(&[f64], u64) -> Choice + Sync);

/// What a policy chose: the action, and the probabilities it gave each discrete action when it
/// knows them (logged in the episode for the policy-divergence evaluator).
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The action.
    pub action: Action,
    /// The probability of each discrete action, when known.
    pub action_probs: Option<Vec<f64>>,
}

impl From<Action> for Choice {
    fn from(action: Action) -> Self {
        Choice {
            action,
            action_probs: None,
        }
    }
}

/// A simulator refused one of the policy's actions.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("episode seeded {seed}, step {step}: {error}")]
pub struct EpisodeError {
    /// The episode's seed.
    pub seed: u64,
    /// The step (from 0) whose action was refused.
    pub step: usize,
    /// What the simulator said.
    pub error: EnvError,
}

/// The seed of the policy's randomness at step `t` of the episode seeded `seed`: mixed
/// (SplitMix64) so that it never repeats the simulator's own stream.
fn policy_seed(seed: u64, t: u64) -> u64 {
    let mut z = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(t)
        .wrapping_add(0xA076_1D64_78BD_642F);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Runs one episode: reset with `seed`, then `policy` until the episode terminates, is
/// truncated, or reaches `max_steps`.
pub fn run_episode(
    env: &mut dyn Environment,
    policy: Policy<'_>,
    seed: u64,
    max_steps: usize,
) -> Result<Episode, EpisodeError> {
    let mut observation = env.reset(seed);
    let mut steps = Vec::new();
    for t in 0..max_steps {
        let Choice {
            action,
            action_probs,
        } = policy(&observation, policy_seed(seed, t as u64));
        let out = env.step(&action).map_err(|error| EpisodeError {
            seed,
            step: t,
            error,
        })?;
        // A simulator that blew up (an explicit integrator, a division by zero) would write
        // `null`s into the trace; stop the episode with an error instead.
        if !(out.reward.is_finite()
            && out.cost.is_finite()
            && out.observation.iter().all(|v| v.is_finite()))
        {
            return Err(EpisodeError {
                seed,
                step: t,
                error: EnvError(
                    "the simulator produced a value that is not finite (observation, reward or cost)"
                        .into(),
                ),
            });
        }
        let last = t + 1 == max_steps;
        steps.push(Step {
            state: std::mem::replace(&mut observation, out.observation),
            action,
            reward: out.reward,
            cost: Some(out.cost),
            terminated: out.terminated,
            truncated: out.truncated || (last && !out.terminated),
            action_probs,
        });
        if out.terminated || out.truncated {
            break;
        }
    }
    Ok(Episode {
        policy: None,
        environment: Some(env.name().to_owned()),
        seed: Some(seed),
        steps,
    })
}

/// Runs `episodes` episodes spread over the environments, one thread per environment:
/// episode `k` is seeded `base_seed + k` and comes back at index `k`, so the episodes are the
/// same whatever the number of environments. An episode whose action a simulator refused is an
/// error in its place.
pub fn run_vectorised(
    envs: &mut [Box<dyn Environment>],
    policy: Policy<'_>,
    episodes: usize,
    max_steps: usize,
    base_seed: u64,
) -> Vec<Result<Episode, EpisodeError>> {
    if envs.is_empty() || episodes == 0 {
        return Vec::new();
    }
    let per_env = episodes.div_ceil(envs.len());
    let mut out: Vec<Vec<Result<Episode, EpisodeError>>> = Vec::new();
    std::thread::scope(|scope| {
        let handles: Vec<_> = envs
            .iter_mut()
            .enumerate()
            .map(|(i, env)| {
                let first = i * per_env;
                let last = ((i + 1) * per_env).min(episodes);
                scope.spawn(move || {
                    (first..last)
                        .map(|k| {
                            let seed = base_seed.wrapping_add(k as u64);
                            run_episode(env.as_mut(), policy, seed, max_steps)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            match h.join() {
                Ok(eps) => out.push(eps),
                // A panicking simulator is a bug in it; re-raise it rather than lose episodes.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    out.into_iter().flatten().collect()
}

/// A policy file for `aegis-eval simulate --policy`: a linear policy over the observation.
///
/// ```json
/// {"name": "balance", "version": "3", "weights": [[0, 0, -1, -0.5], [0, 0, 1, 0.5]], "bias": [0, 0]}
/// ```
///
/// For a discrete action space, `weights` has a row per action: the scores `W·obs + bias`
/// choose the best action, or, with a `temperature` above 0, one drawn from their softmax (its
/// probabilities are logged). For a continuous space, a row per action dimension: the action
/// is `W·obs + bias`, plus normal noise of standard deviation `noise`, clipped to the box.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct LinearPolicy {
    /// The policy's name (logged in each episode).
    pub name: String,
    /// Its version (a checkpoint), logged in each episode.
    #[serde(default)]
    pub version: Option<String>,
    /// One row of observation weights per action (discrete) or action dimension (continuous).
    pub weights: Vec<Vec<f64>>,
    /// One bias per row (default 0).
    #[serde(default)]
    pub bias: Vec<f64>,
    /// Discrete actions: sample from the softmax of the scores at this temperature (0: best).
    #[serde(default)]
    pub temperature: f64,
    /// Continuous actions: standard deviation of the exploration noise.
    #[serde(default)]
    pub noise: f64,
}

/// A policy file that does not fit its simulator.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct PolicyError(pub String);

impl LinearPolicy {
    /// Checks the policy against a simulator's observation size and action space.
    pub fn check(&self, observation_size: usize, space: &ActionSpace) -> Result<(), PolicyError> {
        let rows = match space {
            ActionSpace::Discrete(n) => *n,
            ActionSpace::Continuous(b) => b.len(),
        };
        if self.weights.len() != rows {
            return Err(PolicyError(format!(
                "`weights` has {} rows; the simulator needs {rows} (one per {})",
                self.weights.len(),
                if matches!(space, ActionSpace::Discrete(_)) {
                    "action"
                } else {
                    "action dimension"
                }
            )));
        }
        if let Some((i, row)) = self
            .weights
            .iter()
            .enumerate()
            .find(|(_, r)| r.len() != observation_size)
        {
            return Err(PolicyError(format!(
                "`weights` row {} has {} values; an observation has {observation_size}",
                i + 1,
                row.len()
            )));
        }
        if !self.bias.is_empty() && self.bias.len() != rows {
            return Err(PolicyError(format!(
                "`bias` has {} values; it needs {rows} (or none)",
                self.bias.len()
            )));
        }
        let finite = self
            .weights
            .iter()
            .flatten()
            .chain(&self.bias)
            .all(|v| v.is_finite());
        if !finite || !self.temperature.is_finite() || self.temperature < 0.0 {
            return Err(PolicyError(
                "weights, bias and temperature must be finite numbers (temperature at least 0)"
                    .into(),
            ));
        }
        if !self.noise.is_finite() || self.noise < 0.0 {
            return Err(PolicyError(
                "`noise` must be a finite number, at least 0".into(),
            ));
        }
        Ok(())
    }

    /// The policy's choice for `observation`, with `seed` for its randomness. Call `check` first.
    pub fn choose(&self, space: &ActionSpace, observation: &[f64], seed: u64) -> Choice {
        let scores: Vec<f64> = self
            .weights
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let dot: f64 = row.iter().zip(observation).map(|(w, x)| w * x).sum();
                dot + self.bias.get(i).copied().unwrap_or(0.0)
            })
            .collect();
        let mut rng = SimRng::seeded(seed);
        match space {
            ActionSpace::Discrete(_) => {
                if self.temperature > 0.0 {
                    let top = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let weights: Vec<f64> = scores
                        .iter()
                        .map(|s| ((s - top) / self.temperature).exp())
                        .collect();
                    let total: f64 = weights.iter().sum();
                    let probs: Vec<f64> = weights.iter().map(|w| w / total).collect();
                    let mut u = rng.uniform(0.0, 1.0);
                    let mut pick = probs.len() - 1;
                    for (i, p) in probs.iter().enumerate() {
                        if u < *p {
                            pick = i;
                            break;
                        }
                        u -= p;
                    }
                    Choice {
                        action: Action::Discrete(pick as i64),
                        action_probs: Some(probs),
                    }
                } else {
                    let best = scores
                        .iter()
                        .enumerate()
                        .fold(
                            (0, f64::NEG_INFINITY),
                            |b, (i, s)| if *s > b.1 { (i, *s) } else { b },
                        )
                        .0;
                    let mut probs = vec![0.0; scores.len()];
                    probs[best] = 1.0;
                    Choice {
                        action: Action::Discrete(best as i64),
                        action_probs: Some(probs),
                    }
                }
            }
            ActionSpace::Continuous(bounds) => Action::Continuous(
                scores
                    .iter()
                    .zip(bounds)
                    .map(|(s, (lo, hi))| {
                        let a = if self.noise > 0.0 {
                            rng.normal(*s, self.noise)
                        } else {
                            *s
                        };
                        a.max(*lo).min(*hi)
                    })
                    .collect(),
            )
            .into(),
        }
    }
}

/// The uniformly random policy: for a discrete space, every action with the same probability
/// (logged); for a box, uniform in the box.
pub fn random_choice(space: &ActionSpace, seed: u64) -> Choice {
    let mut rng = SimRng::seeded(seed);
    let action = space.sample(&mut rng);
    let action_probs = match space {
        ActionSpace::Discrete(n) => Some(vec![1.0 / *n as f64; *n]),
        ActionSpace::Continuous(_) => None,
    };
    Choice {
        action,
        action_probs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aegis_core::env::StepOutcome;

    /// A walk on a line: action 1 moves right, 0 left; reward 1 per step; ends at |x| >= 5.
    struct Walk {
        x: f64,
    }

    impl Environment for Walk {
        fn name(&self) -> &str {
            "walk"
        }
        fn observation_size(&self) -> usize {
            1
        }
        fn action_space(&self) -> ActionSpace {
            ActionSpace::Discrete(2)
        }
        fn reset(&mut self, seed: u64) -> Vec<f64> {
            self.x = (seed % 3) as f64 - 1.0;
            vec![self.x]
        }
        fn reset_to(&mut self, state: &[f64]) -> Result<Vec<f64>, EnvError> {
            match state {
                [x] => {
                    self.x = *x;
                    Ok(vec![self.x])
                }
                _ => Err(EnvError(format!("expected 1 value, got {}", state.len()))),
            }
        }
        fn step(&mut self, action: &Action) -> Result<StepOutcome, EnvError> {
            self.action_space().check(action)?;
            self.x += if *action == Action::Discrete(1) {
                1.0
            } else {
                -1.0
            };
            Ok(StepOutcome {
                observation: vec![self.x],
                reward: 1.0,
                cost: if self.x.abs() > 3.0 { 1.0 } else { 0.0 },
                terminated: self.x.abs() >= 5.0,
                truncated: false,
            })
        }
    }

    fn right(_: &[f64], _: u64) -> Choice {
        Action::Discrete(1).into()
    }

    #[test]
    fn an_episode_runs_to_its_end_and_records_every_step() {
        let mut env = Walk { x: 0.0 };
        let ep = run_episode(&mut env, &right, 1, 100).unwrap();
        // Seed 1 starts at 0: five steps right to x = 5.
        assert_eq!(ep.steps.len(), 5);
        assert_eq!(ep.steps[0].state, [0.0]);
        assert!(ep.steps[4].terminated);
        assert_eq!(ep.steps.iter().filter_map(|s| s.cost).sum::<f64>(), 2.0);
        // Cut at the step limit: the last step is truncated.
        let ep = run_episode(&mut env, &right, 1, 3).unwrap();
        assert!(ep.steps[2].truncated && !ep.steps[2].terminated);
        assert_eq!(
            env.reset_to(&[1.0, 2.0]).unwrap_err().0,
            "expected 1 value, got 2"
        );
        // An action the simulator refuses is an error naming the episode and the step.
        let bad = |_: &[f64], _: u64| Choice::from(Action::Discrete(7));
        let err = run_episode(&mut env, &bad, 4, 10).unwrap_err();
        assert_eq!((err.seed, err.step), (4, 0));
        assert!(
            err.to_string()
                .contains("outside the discrete action space"),
            "{err}"
        );
    }

    #[test]
    fn the_vectorised_runner_gives_the_same_episodes_on_any_number_of_environments() {
        let make = || -> Vec<Box<dyn Environment>> {
            (0..6)
                .map(|_| Box::new(Walk { x: 0.0 }) as Box<dyn Environment>)
                .collect()
        };
        let policy = |obs: &[f64], seed: u64| {
            Choice::from(Action::Discrete(((seed ^ obs[0].to_bits()) % 2) as i64))
        };
        let one = run_vectorised(&mut make()[..1], &policy, 17, 50, 7);
        let six = run_vectorised(&mut make(), &policy, 17, 50, 7);
        assert_eq!(one.len(), 17);
        assert_eq!(one, six);
        assert_eq!(one[4].as_ref().unwrap().seed, Some(11));
        assert!(run_vectorised(&mut make(), &policy, 0, 50, 7).is_empty());
    }
}
