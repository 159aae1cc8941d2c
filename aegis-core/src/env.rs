//! The `Environment` trait every simulator implements (generated from a domain spec's
//! `simulators`, or written by hand), Gymnasium-style: `reset`, `reset_to`, `step`; and
//! [`SimRng`], the seeded random numbers generated simulators draw from.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use crate::trace::Action;

/// What actions a simulator takes.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionSpace {
    /// `0..n`.
    Discrete(usize),
    /// A box: one `(low, high)` per dimension.
    Continuous(Vec<(f64, f64)>),
}

impl ActionSpace {
    /// Checks that `action` belongs to this space's kind and shape (a discrete index in range;
    /// a continuous vector of the right length with finite values; values outside the box are
    /// the simulator's to clip, as in Gymnasium).
    pub fn check(&self, action: &Action) -> Result<(), EnvError> {
        match self {
            ActionSpace::Discrete(n) => check_discrete(*n, action),
            ActionSpace::Continuous(b) => check_box(b.len(), action),
        }
    }

    /// A uniformly random action of this space.
    pub fn sample(&self, rng: &mut SimRng) -> Action {
        match self {
            ActionSpace::Discrete(n) => {
                Action::Discrete(rng.below(*n as u64).try_into().unwrap_or(0))
            }
            ActionSpace::Continuous(b) => {
                Action::Continuous(b.iter().map(|&(lo, hi)| rng.uniform(lo, hi)).collect())
            }
        }
    }
}

/// [`ActionSpace::check`] for `Discrete(n)`, without building the space (for a simulator's
/// every step).
pub fn check_discrete(n: usize, action: &Action) -> Result<(), EnvError> {
    match action {
        Action::Discrete(i) if usize::try_from(*i).is_ok_and(|i| i < n) => Ok(()),
        Action::Discrete(_) => Err(EnvError(format!(
            "the action is outside the discrete action space 0..{n}"
        ))),
        Action::Continuous(_) => Err(EnvError(format!(
            "the action space is discrete (0..{n}); the action is a list of numbers"
        ))),
    }
}

/// [`ActionSpace::check`] for a box of `dims` dimensions, without building the space.
pub fn check_box(dims: usize, action: &Action) -> Result<(), EnvError> {
    match action {
        Action::Continuous(v) if v.len() != dims => Err(EnvError(format!(
            "a continuous action needs {dims} values, this one has {}",
            v.len()
        ))),
        Action::Continuous(v) if v.iter().any(|x| !x.is_finite()) => {
            Err(EnvError("a continuous action value is not finite".into()))
        }
        Action::Continuous(_) => Ok(()),
        Action::Discrete(_) => Err(EnvError(format!(
            "the action space is continuous ({dims} values); the action is an index"
        ))),
    }
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

/// A simulator refused an action or a state: what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EnvError(pub String);

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
    fn reset_to(&mut self, state: &[f64]) -> Result<Vec<f64>, EnvError>;
    /// Takes one action; an action outside the action space's kind or shape is an error and
    /// leaves the simulator as it was.
    fn step(&mut self, action: &Action) -> Result<StepOutcome, EnvError>;
}

/// The seeded random numbers of a simulator: ChaCha8, so the same seed gives the same
/// episode on every platform and release.
#[derive(Debug, Clone)]
pub struct SimRng(ChaCha8Rng);

impl SimRng {
    /// A generator seeded with `seed`.
    pub fn seeded(seed: u64) -> Self {
        SimRng(ChaCha8Rng::seed_from_u64(seed))
    }

    /// A generator seeded from a state's values: `reset_to` the same state, the same random
    /// numbers follow.
    pub fn for_state(state: &[f64]) -> Self {
        let seed = state.iter().fold(0x9E37_79B9_7F4A_7C15_u64, |h, v| {
            (h ^ v.to_bits())
                .rotate_left(23)
                .wrapping_mul(0x2545_F491_4F6C_DD1D)
        });
        SimRng::seeded(seed)
    }

    /// Uniform between `low` and `high`, as NumPy's `uniform` draws: `low + (high - low) * u`
    /// with `u` in `[0, 1)` (so reversed bounds draw from `(high, low]`).
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        let u: f64 = self.0.random();
        let x = low + (high - low) * u;
        // Rounding can reach `high` itself; keep the range half-open.
        if low < high && x >= high { low } else { x }
    }

    /// Normal with `mean` and standard deviation `sd`.
    pub fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let z: f64 = self.0.sample(StandardNormal);
        mean + sd * z
    }

    /// Uniform over `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.0.random_range(0..n) }
    }
}
