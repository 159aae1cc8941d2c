//! Simulation into traces: a domain's simulator run under a policy, each episode a trace that
//! the evaluation takes like any logged one (and the RL evaluators read).

use aegis_core::env::Environment;
use aegis_core::{Domain, Metadata, PolicyInfo, SimulatorInfo, Trace};
use aegis_runtime::rl::{LinearPolicy, random_choice, run_vectorised};

use crate::AppError;

/// The policy that chooses the actions.
#[derive(Debug, Clone)]
pub enum Policy {
    /// Uniformly random actions.
    Random,
    /// A linear policy (see [`LinearPolicy`]), and where it came from (named in errors).
    Linear {
        /// The policy.
        policy: LinearPolicy,
        /// Its file, or another name for where it came from.
        source: String,
    },
}

impl Policy {
    /// A linear policy from its JSON text; `name` (the file) is named in an error, with the
    /// line and column, never with a value.
    pub fn from_json(text: &str, name: &str) -> Result<Policy, AppError> {
        let policy: LinearPolicy = serde_json::from_str(text).map_err(|e| {
            AppError::Simulate(format!(
                "{name}:{}:{}: not a policy file: {}",
                e.line(),
                e.column(),
                aegis_core::redact_quoted(&e.to_string())
            ))
        })?;
        Ok(Policy::Linear {
            policy,
            source: name.to_owned(),
        })
    }
}

/// What to simulate.
#[derive(Debug, Clone)]
pub struct SimulationRequest {
    /// The simulator's id in the domain's spec.
    pub simulator: String,
    /// The policy.
    pub policy: Policy,
    /// Episodes to run.
    pub episodes: usize,
    /// At most this many steps an episode.
    pub max_steps: usize,
    /// The first episode's seed (episode k has `seed + k`).
    pub seed: u64,
    /// Threads (default: every core); the episodes are the same for any number.
    pub threads: Option<usize>,
}

/// Episodes as traces.
#[derive(Debug)]
pub struct Simulation {
    /// One trace per episode that ran to its end, in order.
    pub traces: Vec<Trace>,
    /// Why each refused episode stopped (the simulator refused an action).
    pub refused: Vec<String>,
    /// Steps taken in all.
    pub steps: usize,
    /// Wall-clock seconds.
    pub elapsed_seconds: f64,
    /// Threads used.
    pub threads: usize,
    /// The simulator.
    pub simulator: &'static SimulatorInfo,
    /// The policy's name.
    pub policy_name: String,
}

/// Finds the domain's simulator; the error lists those it has.
pub fn find_simulator(domain: &dyn Domain, id: &str) -> Result<&'static SimulatorInfo, AppError> {
    let info = domain.info();
    info.simulators.iter().find(|s| s.id == id).ok_or_else(|| {
        let known: Vec<&str> = info.simulators.iter().map(|s| s.id).collect();
        AppError::Simulate(format!(
            "the `{}` domain has no simulator `{id}`; it has: {}",
            info.name,
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ))
    })
}

/// Runs the request's episodes on its simulator; each becomes a trace of `domain`.
pub fn simulate(domain: &dyn Domain, request: &SimulationRequest) -> Result<Simulation, AppError> {
    let info = domain.info();
    let sim = find_simulator(domain, &request.simulator)?;
    if request.episodes == 0 {
        return Err(AppError::Simulate("--episodes must be at least 1".into()));
    }
    let probe = (sim.make)();
    let space = probe.action_space();
    let policy_info = match &request.policy {
        Policy::Random => PolicyInfo {
            name: "random".into(),
            ..PolicyInfo::default()
        },
        Policy::Linear { policy, source } => {
            policy
                .check(probe.observation_size(), &space)
                .map_err(|e| AppError::Simulate(format!("{source}: {e}")))?;
            PolicyInfo {
                name: policy.name.clone(),
                version: policy.version.clone(),
                ..PolicyInfo::default()
            }
        }
    };
    let threads = request
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, request.episodes);
    let mut envs: Vec<Box<dyn Environment>> = (0..threads).map(|_| (sim.make)()).collect();
    let choose = |obs: &[f64], seed: u64| match &request.policy {
        Policy::Linear { policy, .. } => policy.choose(&space, obs, seed),
        Policy::Random => random_choice(&space, seed),
    };
    let started = std::time::Instant::now();
    let episodes = run_vectorised(
        &mut envs,
        &choose,
        request.episodes,
        request.max_steps,
        request.seed,
    );
    let elapsed_seconds = started.elapsed().as_secs_f64();
    let mut traces = Vec::with_capacity(episodes.len());
    let mut refused = Vec::new();
    let mut steps = 0;
    for (k, episode) in episodes.into_iter().enumerate() {
        match episode {
            Ok(mut ep) => {
                steps += ep.steps.len();
                ep.policy = Some(policy_info.clone());
                traces.push(Trace {
                    id: Some(format!(
                        "{}-{}-{}",
                        info.name,
                        sim.id,
                        request.seed.wrapping_add(k as u64)
                    )),
                    model: Some(policy_info.name.clone()),
                    metadata: Metadata {
                        domain: Some(info.name.to_owned()),
                        application: Some(format!("simulate {}", sim.id)),
                        ..Metadata::default()
                    },
                    episode: Some(ep),
                    ..Trace::default()
                });
            }
            Err(e) => refused.push(format!("{}: {e}", sim.id)),
        }
    }
    Ok(Simulation {
        traces,
        refused,
        steps,
        elapsed_seconds,
        threads,
        simulator: sim,
        policy_name: policy_info.name,
    })
}
