//! The `Environment` trait every simulator implements (generated from a domain spec's
//! `simulators`, or written by hand), Gymnasium-style: `reset`, `reset_to`, `step`.

use crate::trace::Action;

/// What actions a simulator takes.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionSpace {
    /// `0..n`.
    Discrete(usize),
    /// A box: one `(low, high)` per dimension.
    Continuous(Vec<(f64, f64)>),
}

/// What one step produced.
#[derive(Debug, Clone, PartialEq)]
pub struct StepOutcome {
    /// The next observation.
    pub observation: Vec<f64>,
    /// The reward.
    pub reward: f64,
    /// The safety cost (0 when the simulator declares none).
    pub cost: f64,
    /// A terminal state was reached.
    pub terminated: bool,
    /// The episode was cut off (a time limit).
    pub truncated: bool,
}

/// A simulator: seeded resets, resets to a given state, and steps.
pub trait Environment: Send {
    /// Its name (`cartpole`).
    fn name(&self) -> &str;
    /// The length of an observation.
    fn observation_size(&self) -> usize;
    /// Its action space.
    fn action_space(&self) -> ActionSpace;
    /// Starts an episode from a state drawn with `seed`; returns the first observation.
    fn reset(&mut self, seed: u64) -> Vec<f64>;
    /// Starts an episode from `state` (for replaying recorded trajectories); an error names
    /// what is wrong with the state.
    fn reset_to(&mut self, state: &[f64]) -> Result<Vec<f64>, String>;
    /// Takes one action.
    fn step(&mut self, action: &Action) -> StepOutcome;
}
