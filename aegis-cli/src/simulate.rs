//! `aegis-eval simulate`: a domain's simulator under a policy, its episodes written as traces
//! and evaluated as `run` evaluates logged traces.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use aegis_core::env::Environment;
use aegis_core::{Domain, Metadata, PolicyInfo, Trace};

use super::CliError;
use super::args::{RunArgs, SimulateArgs, TierArgs};
use aegis_runtime::rl::{LinearPolicy, random_choice, run_vectorised};

pub(crate) fn simulate(
    args: SimulateArgs,
    domains: &[&'static dyn Domain],
    key_file: Option<&std::path::Path>,
) -> Result<u8, CliError> {
    let domain = super::find_domain(domains, &args.domain)?;
    let info = domain.info();
    let Some(sim) = info.simulators.iter().find(|s| s.id == args.simulator) else {
        let known: Vec<&str> = info.simulators.iter().map(|s| s.id).collect();
        return Err(CliError::Simulate(format!(
            "the `{}` domain has no simulator `{}`; it has: {}",
            info.name,
            args.simulator,
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        )));
    };
    if args.episodes == 0 {
        return Err(CliError::Simulate("--episodes must be at least 1".into()));
    }
    let probe = (sim.make)();
    let space = probe.action_space();
    let observation_size = probe.observation_size();
    let (policy_info, linear) = if args.policy == "random" {
        (
            PolicyInfo {
                name: "random".into(),
                ..PolicyInfo::default()
            },
            None,
        )
    } else {
        let path = PathBuf::from(&args.policy);
        let text = std::fs::read_to_string(&path).map_err(|source| CliError::Open {
            path: args.policy.clone(),
            source,
        })?;
        let policy: LinearPolicy = serde_json::from_str(&text).map_err(|e| {
            CliError::Simulate(format!(
                "{}:{}:{}: not a policy file: {}",
                args.policy,
                e.line(),
                e.column(),
                aegis_core::redact_quoted(&e.to_string())
            ))
        })?;
        policy
            .check(observation_size, &space)
            .map_err(|e| CliError::Simulate(format!("{}: {e}", args.policy)))?;
        (
            PolicyInfo {
                name: policy.name.clone(),
                version: policy.version.clone(),
                ..PolicyInfo::default()
            },
            Some(policy),
        )
    };
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, args.episodes);
    let mut envs: Vec<Box<dyn Environment>> = (0..threads).map(|_| (sim.make)()).collect();
    let choose = |obs: &[f64], seed: u64| match &linear {
        Some(p) => p.choose(&space, obs, seed),
        None => random_choice(&space, seed),
    };
    let started = std::time::Instant::now();
    let episodes = run_vectorised(&mut envs, &choose, args.episodes, args.max_steps, args.seed);
    let elapsed = started.elapsed().as_secs_f64();

    let traces_path = args
        .traces
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}-{}.episodes.jsonl", info.name, sim.id)));
    let file = std::fs::File::create(&traces_path).map_err(|source| CliError::Io {
        context: format!("cannot write {}", traces_path.display()),
        source,
    })?;
    let mut out = BufWriter::new(file);
    let (mut steps, mut refused) = (0usize, 0usize);
    for (k, episode) in episodes.into_iter().enumerate() {
        match episode {
            Ok(mut ep) => {
                steps += ep.steps.len();
                ep.policy = Some(policy_info.clone());
                let trace = Trace {
                    id: Some(format!(
                        "{}-{}-{}",
                        info.name,
                        sim.id,
                        args.seed.wrapping_add(k as u64)
                    )),
                    model: Some(policy_info.name.clone()),
                    metadata: Metadata {
                        domain: Some(info.name.to_owned()),
                        application: Some(format!("simulate {}", sim.id)),
                        ..Metadata::default()
                    },
                    episode: Some(ep),
                    ..Trace::default()
                };
                let line = serde_json::to_string(&trace).map_err(|e| {
                    CliError::Simulate(format!("an episode could not be written: {e}"))
                })?;
                writeln!(out, "{line}").map_err(|source| CliError::Io {
                    context: format!("cannot write {}", traces_path.display()),
                    source,
                })?;
            }
            Err(e) => {
                // The simulator refused an action: report it and keep the other episodes.
                refused += 1;
                eprintln!("error: {}: {e}", sim.id);
            }
        }
    }
    out.flush().map_err(|source| CliError::Io {
        context: format!("cannot write {}", traces_path.display()),
        source,
    })?;
    if !args.results.quiet {
        eprintln!(
            "simulated {} episode(s) of {}/{} ({steps} steps, {:.0} steps/s on {threads} thread(s)) with policy `{}`; traces in {}",
            args.episodes - refused,
            info.name,
            sim.id,
            steps as f64 / elapsed.max(1e-9),
            policy_info.name,
            traces_path.display()
        );
    }
    let run_args = RunArgs {
        input: traces_path,
        domain: Some(info.name.to_owned()),
        results: args.results,
        phi_vault: None,
        tiers: TierArgs::default(),
        store: None,
    };
    let code = super::run::run(run_args, domains, key_file)?;
    Ok(if refused > 0 && code == super::EXIT_OK {
        super::EXIT_INPUT_ERRORS
    } else {
        code
    })
}
