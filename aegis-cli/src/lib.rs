//! The `aegis-eval` command line: a thin front end over the application layer (`aegis-app`).
//! A generated `aegis-eval` binary calls [`main`] with the domains it links.
//!
//! Each command parses its arguments (clap; `args` is the raw layer, converted into the
//! application layer's typed options), calls `aegis-app`, and renders what comes back: tables,
//! JSON, JUnit, HTML, progress bars, the interactive review prompt. What a second front end
//! (the HTTP service, a worker) would also need lives in `aegis-app`, not here.

mod args;
mod inspect;
mod models;
mod output;
mod phi;
mod report;
mod review;
mod run;
mod serve;
mod simulate;
mod traces;
mod transfer;

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use aegis_core::Domain;
use clap::Parser;

pub use aegis_app::RunSummary;

/// The allocator of every program built on this front end: mimalloc. The service's threads
/// (HTTP, ingest, workers) allocate and free small objects on different threads all the
/// time, and glibc's allocator spent a sixth of the server's time doing so under load
/// (profiled with `perf` on the OTLP ingest benchmark).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit code: success (no gate tripped, every line evaluated).
pub const EXIT_OK: u8 = 0;
/// Exit code: an issue at or above `--fail-on` was found.
pub const EXIT_GATE: u8 = 1;
/// Exit code: bad usage, an unknown domain, or an input/output error.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: some input lines could not be evaluated (and no gate tripped).
pub const EXIT_INPUT_ERRORS: u8 = 3;

/// The exit code of an evaluation: some lines not evaluated (3) comes before a tripped gate (1),
/// since a batch that was not wholly evaluated proves nothing either way; usage and I/O errors
/// (2) end a command before either is known.
pub fn exit_code(gate_tripped: bool, lines_not_evaluated: bool) -> u8 {
    if lines_not_evaluated {
        EXIT_INPUT_ERRORS
    } else if gate_tripped {
        EXIT_GATE
    } else {
        EXIT_OK
    }
}

/// Runs the `aegis-eval` command line with these domains; returns the process exit code.
pub fn main(domains: &[&'static dyn Domain]) -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run_command(cli, domains) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let _ = std::io::stdout().flush();
            eprintln!("error: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn run_command(cli: args::Cli, domains: &[&'static dyn Domain]) -> Result<u8, CliError> {
    phi::init_logging(cli.verbose);
    let key_file = cli.phi_key_file.as_deref();
    match cli.command {
        args::Command::Domains => {
            inspect::list_domains(domains, &mut std::io::stdout().lock())?;
            Ok(EXIT_OK)
        }
        args::Command::Inspect { domain, json } => {
            let d = find_domain(domains, &domain)?;
            inspect::inspect(d, json, &mut std::io::stdout().lock())?;
            Ok(EXIT_OK)
        }
        args::Command::Run(run_args) => run::run(run_args, domains, key_file),
        args::Command::Serve(a) => serve::serve(a, domains),
        args::Command::Worker(a) => serve::worker(a, domains),
        args::Command::Health {
            url,
            timeout,
            insecure,
        } => serve::health(&url, Duration::from_secs(timeout.max(1)), insecure),
        args::Command::Queue {
            queue,
            org,
            limit,
            json,
        } => serve::queue(&queue, org.as_deref(), limit, json),
        args::Command::Orgs {
            command,
            store,
            dir,
            tier0_keys,
        } => serve::orgs(command, &serve::registry(&store, &dir, tier0_keys), domains),
        args::Command::Keys {
            command,
            store,
            dir,
            tier0_keys,
        } => serve::keys(command, &serve::registry(&store, &dir, tier0_keys), domains),
        args::Command::Alerts { command, store } => {
            serve::alerts(command, &serve::Registry::Directory(store), domains)
        }
        args::Command::Simulate(a) => simulate::simulate(a, domains, key_file),
        args::Command::Transfer { command } => transfer::transfer(command),
        args::Command::Sanitize(a) => phi::sanitize(a, key_file),
        args::Command::Reidentify { input, vault } => phi::reidentify(&input, &vault, key_file),
        args::Command::Train(a) => models::train(a, domains, key_file),
        args::Command::Synth {
            domain,
            model,
            count,
            seed,
            output,
        } => models::synth(domains, &domain, &model, count, seed, output.as_deref()),
        args::Command::Models { command, registry } => {
            models::manage(command, registry, domains, key_file)
        }
        args::Command::Traces { command, store } => traces::traces(command, store.as_deref()),
        args::Command::Replay(a) => traces::replay(a, domains),
        args::Command::Review {
            command,
            reviewer,
            limit,
            store,
        } => match command {
            None => review::review(store, reviewer, limit, domains, key_file),
            Some(args::ReviewCommand::Export { output }) => review::export(store, limit, output),
            Some(args::ReviewCommand::Import { input }) => {
                review::import(store, &input, reviewer, domains, key_file)
            }
            Some(args::ReviewCommand::Labels { for_model }) => {
                review::labels(store, for_model.as_deref(), domains)
            }
            Some(args::ReviewCommand::Sample {
                budget,
                strategy,
                filter,
            }) => review::sample(store, budget, strategy, &filter),
        },
        args::Command::Report {
            filter,
            format,
            output,
            store,
        } => report::report(store, filter, format, output),
    }
}

/// Finds a linked domain by name.
fn find_domain(
    domains: &[&'static dyn Domain],
    name: &str,
) -> Result<&'static dyn Domain, CliError> {
    aegis_app::find_domain(domains, name)
}

/// An error that stops a command: the application layer's, reported at the top level.
pub type CliError = aegis_app::AppError;
