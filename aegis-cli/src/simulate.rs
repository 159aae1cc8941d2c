//! `aegis-eval simulate`: a domain's simulator under a policy (`aegis_app::simulate`), its
//! episodes written as traces and evaluated as `run` evaluates logged traces.

use std::io::Write;
use std::path::PathBuf;

use aegis_app::simulate::{Policy, SimulationRequest};
use aegis_core::Domain;

use super::CliError;
use super::args::{RunArgs, SimulateArgs, TierArgs};

pub(crate) fn simulate(
    args: SimulateArgs,
    domains: &[&'static dyn Domain],
    key_file: Option<&std::path::Path>,
) -> Result<u8, CliError> {
    let domain = super::find_domain(domains, &args.domain)?;
    let info = domain.info();
    let policy = if args.policy == "random" {
        Policy::Random
    } else {
        let text = std::fs::read_to_string(&args.policy).map_err(|source| CliError::Open {
            path: args.policy.clone(),
            source,
        })?;
        Policy::from_json(&text, &args.policy)?
    };
    let simulation = aegis_app::simulate::simulate(
        domain,
        &SimulationRequest {
            simulator: args.simulator.clone(),
            policy,
            episodes: args.episodes,
            max_steps: args.max_steps,
            seed: args.seed,
            threads: args.threads,
        },
    )?;
    let sim = simulation.simulator;
    let traces_path = args
        .traces
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}-{}.episodes.jsonl", info.name, sim.id)));
    let mut kept = super::run::kept_files(None, key_file, None, None);
    if args.policy != "random" {
        kept.push(aegis_app::files::Kept::new(
            args.policy.as_ref(),
            "the policy file",
        ));
    }
    let mut out = super::run::create_output(
        Some(&traces_path),
        &kept,
        aegis_app::files::Written {
            what: "the episodes",
            flag: "--traces",
        },
    )?;
    for trace in &simulation.traces {
        serde_json::to_writer(&mut out, trace).map_err(std::io::Error::from)?;
        out.write_all(b"\n")?;
    }
    out.commit()?;
    for why in &simulation.refused {
        // The simulator refused an action: the other episodes are kept.
        eprintln!("error: {why}");
    }
    if !args.results.quiet {
        eprintln!(
            "simulated {} episode(s) of {}/{} ({} steps, {:.0} steps/s on {} thread(s)) with policy `{}`; traces in {}",
            simulation.traces.len(),
            info.name,
            sim.id,
            simulation.steps,
            simulation.steps as f64 / simulation.elapsed_seconds.max(1e-9),
            simulation.threads,
            simulation.policy_name,
            traces_path.display()
        );
    }
    let refused = !simulation.refused.is_empty();
    let run_args = RunArgs {
        input: traces_path,
        domain: Some(info.name.to_owned()),
        results: args.results,
        phi_vault: None,
        tiers: TierArgs::default(),
        store: None,
        time_budget_ms: None,
    };
    let code = super::run::run(run_args, domains, key_file)?;
    // Episodes the simulator refused are lines not evaluated: 3 comes before the gate's 1.
    Ok(if refused && code != super::EXIT_USAGE {
        super::EXIT_INPUT_ERRORS
    } else {
        code
    })
}
