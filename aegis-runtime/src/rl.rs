//! Running simulators: episodes from one environment, and a vectorised runner that spreads many
//! environments over threads.

use aegis_core::env::{EnvError, Environment};
use aegis_core::{Action, Episode, Step};

/// A policy: the action for an observation, given a seed for any randomness it needs (derived
/// from the episode's seed and the step, so episodes are reproducible).
pub type Policy<'a> = &'a (dyn Fn(&[f64], u64) -> Action + Sync);

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
        let action = policy(
            &observation,
            seed.wrapping_mul(1_000_003).wrapping_add(t as u64),
        );
        let out = env.step(&action).map_err(|error| EpisodeError {
            seed,
            step: t,
            error,
        })?;
        let last = t + 1 == max_steps;
        steps.push(Step {
            state: std::mem::replace(&mut observation, out.observation),
            action,
            reward: out.reward,
            cost: Some(out.cost),
            terminated: out.terminated,
            truncated: out.truncated || (last && !out.terminated),
            action_probs: None,
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

/// Runs `episodes` episodes on each environment, the environments spread over `threads`
/// threads; episode `k` of environment `i` is seeded `base_seed + i * episodes + k`. Episodes
/// come back grouped by environment, in order, whatever the threads; an episode a simulator
/// refused an action of is an error in its place.
pub fn run_vectorised(
    envs: &mut [Box<dyn Environment>],
    policy: Policy<'_>,
    episodes: usize,
    max_steps: usize,
    base_seed: u64,
    threads: usize,
) -> Vec<Result<Episode, EpisodeError>> {
    let threads = threads.clamp(1, envs.len().max(1));
    let chunk = envs.len().div_ceil(threads).max(1);
    let mut out: Vec<Vec<Result<Episode, EpisodeError>>> = Vec::new();
    std::thread::scope(|scope| {
        let handles: Vec<_> = envs
            .chunks_mut(chunk)
            .enumerate()
            .map(|(c, group)| {
                scope.spawn(move || {
                    let mut eps = Vec::with_capacity(group.len() * episodes);
                    for (j, env) in group.iter_mut().enumerate() {
                        let i = (c * chunk + j) as u64;
                        for k in 0..episodes as u64 {
                            let seed = base_seed.wrapping_add(i * episodes as u64 + k);
                            eps.push(run_episode(env.as_mut(), policy, seed, max_steps));
                        }
                    }
                    eps
                })
            })
            .collect();
        for h in handles {
            // A panicking simulator is a bug in it: its episodes are left out.
            if let Ok(eps) = h.join() {
                out.push(eps);
            }
        }
    });
    out.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aegis_core::env::{ActionSpace, EnvError, StepOutcome};

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

    fn right(_: &[f64], _: u64) -> Action {
        Action::Discrete(1)
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
        let bad = |_: &[f64], _: u64| Action::Discrete(7);
        let err = run_episode(&mut env, &bad, 4, 10).unwrap_err();
        assert_eq!((err.seed, err.step), (4, 0));
        assert!(
            err.to_string()
                .contains("outside the discrete action space"),
            "{err}"
        );
    }

    #[test]
    fn the_vectorised_runner_gives_the_same_episodes_on_any_number_of_threads() {
        let make = || -> Vec<Box<dyn Environment>> {
            (0..6)
                .map(|_| Box::new(Walk { x: 0.0 }) as Box<dyn Environment>)
                .collect()
        };
        let policy =
            |obs: &[f64], seed: u64| Action::Discrete(((seed ^ obs[0].to_bits()) % 2) as i64);
        let one = run_vectorised(&mut make(), &policy, 3, 50, 7, 1);
        let two = run_vectorised(&mut make(), &policy, 3, 50, 7, 2);
        assert_eq!(one.len(), 18);
        assert_eq!(one, two);
        assert_eq!(one[4].as_ref().unwrap().seed, Some(11));
    }
}
