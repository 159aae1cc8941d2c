//! Simulator speed: the CartPole and Pendulum generated from `domains/control/domain_spec.yaml`.
//!
//! ```text
//! cargo bench -p aegis-tests --bench simulators [-- SECONDS]
//! bash benches/rl/run.sh [SECONDS]     # this, then Gymnasium's CartPole-v1, in one run
//! ```
//!
//! * single environment, random actions drawn beforehand (as `benches/rl/gym_cartpole.py`
//!   draws them for Gymnasium), reset when an episode ends: steps per second;
//! * the same with an action drawn from the simulator-independent `SimRng` at every step;
//! * `run_vectorised` (episodes recorded as traces' steps, a random policy) on one environment
//!   and thread, then on one per core, in rounds of 20,000 episodes: steps per second, and the
//!   speed-up.

use std::hint::black_box;
use std::time::{Duration, Instant};

use aegis_core::Action;
use aegis_core::env::{Environment, SimRng};
use aegis_domain_control::simulators::{cartpole::Cartpole, pendulum::Pendulum};
use aegis_runtime::rl::{random_choice, run_vectorised};

/// Steps `env` with `actions` (cycled) for at least `secs`; steps per second.
fn single(env: &mut dyn Environment, actions: &[Action], secs: f64) -> (f64, u64) {
    env.reset(0);
    let (mut steps, mut episodes) = (0u64, 0u64);
    let started = Instant::now();
    let budget = Duration::from_secs_f64(secs);
    let mut i = 0;
    loop {
        for _ in 0..8192 {
            let out = env.step(&actions[i]).unwrap_or_else(|e| panic!("{e}"));
            i = (i + 1) % actions.len();
            steps += 1;
            if out.terminated || out.truncated {
                episodes += 1;
                black_box(env.reset(episodes));
            }
            black_box(&out);
        }
        if started.elapsed() >= budget {
            break;
        }
    }
    (steps as f64 / started.elapsed().as_secs_f64(), episodes)
}

fn sampled(env: &mut dyn Environment, secs: f64) -> f64 {
    let space = env.action_space();
    let mut rng = SimRng::seeded(1);
    env.reset(0);
    let mut steps = 0u64;
    let started = Instant::now();
    let budget = Duration::from_secs_f64(secs);
    loop {
        for _ in 0..8192 {
            let a = space.sample(&mut rng);
            let out = env.step(&a).unwrap_or_else(|e| panic!("{e}"));
            steps += 1;
            if out.terminated || out.truncated {
                black_box(env.reset(steps));
            }
        }
        if started.elapsed() >= budget {
            break;
        }
    }
    steps as f64 / started.elapsed().as_secs_f64()
}

/// `run_vectorised` on `envs` environments, in rounds of 20,000 episodes (dropped after each
/// round, so memory stays small) for at least `secs`: steps per second and steps run.
fn vectorised(envs: usize, secs: f64) -> (f64, usize) {
    let mut list: Vec<Box<dyn Environment>> = (0..envs)
        .map(|_| Box::new(Cartpole::default()) as Box<dyn Environment>)
        .collect();
    let space = list[0].action_space();
    let policy = |_: &[f64], seed: u64| random_choice(&space, seed);
    let started = Instant::now();
    let (mut steps, mut round) = (0usize, 0u64);
    while started.elapsed().as_secs_f64() < secs {
        let eps = run_vectorised(&mut list, &policy, 20_000, 500, round * 20_000);
        steps += eps
            .iter()
            .map(|e| e.as_ref().map_or(0, |e| e.steps.len()))
            .sum::<usize>();
        round += 1;
    }
    (steps as f64 / started.elapsed().as_secs_f64(), steps)
}

fn main() {
    let secs: f64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5.0);
    let mut rng = SimRng::seeded(7);
    let discrete: Vec<Action> = (0..1 << 16)
        .map(|_| Action::Discrete(rng.below(2) as i64))
        .collect();
    let torques: Vec<Action> = (0..1 << 16)
        .map(|_| Action::Continuous(vec![rng.uniform(-2.0, 2.0)]))
        .collect();
    println!("aegis generated simulators, at least {secs} s each, one core unless said");
    let (rate, episodes) = single(&mut Cartpole::default(), &discrete, secs);
    println!(
        "aegis cartpole (pre-drawn actions): {rate:.0} steps/s, {:.1} ns/step ({episodes} episodes)",
        1e9 / rate
    );
    let rate = sampled(&mut Cartpole::default(), secs);
    println!(
        "aegis cartpole (SimRng action per step): {rate:.0} steps/s, {:.1} ns/step",
        1e9 / rate
    );
    let (rate, _) = single(&mut Pendulum::default(), &torques, secs);
    println!(
        "aegis pendulum (pre-drawn actions): {rate:.0} steps/s, {:.1} ns/step",
        1e9 / rate
    );
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (one, steps_one) = vectorised(1, secs);
    let (all, steps_all) = vectorised(cores, secs);
    println!(
        "aegis run_vectorised cartpole, random policy, rounds of 20,000 episodes, every step recorded: 1 thread {one:.0} steps/s ({steps_one} steps); {cores} threads {all:.0} steps/s ({steps_all} steps) (x{:.2})",
        all / one
    );
}
