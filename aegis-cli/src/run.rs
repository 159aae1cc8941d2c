//! `aegis-eval run`: streams traces from a file or standard input through the application
//! layer's evaluation, and renders one result per trace (table, JSON, JSONL, JUnit) with a
//! progress bar and the run's summary.

use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::path::Path;

use aegis_app::files::{Kept, Output, Written, refuse_overwrite};
use aegis_app::{EvaluateOptions, Evaluation, RunSummary, TierOptions};
use aegis_core::{Domain, Severity, Tier, Verdict};
use aegis_runtime::input::TraceReader;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::args::{Format, RunArgs, TierArgs};
use super::{CliError, EXIT_OK, find_domain, output};

/// Writes the run's summary for people.
pub fn write_summary(summary: &RunSummary, out: &mut impl Write) -> io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "{} traces: {} pass, {} fail, {} needs review, {} error",
        summary.total,
        summary.count(Verdict::Pass),
        summary.count(Verdict::Fail),
        summary.count(Verdict::NeedsReview),
        summary.count(Verdict::Error)
    )?;
    let decided: Vec<String> = Tier::ALL
        .iter()
        .filter_map(|t| {
            summary
                .decided_by
                .get(t.as_str())
                .map(|n| format!("{n} by {}", t.as_str()))
        })
        .collect();
    if !decided.is_empty() {
        writeln!(out, "decided: {}", decided.join(", "))?;
    }
    let sev: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .filter_map(|s| {
            summary
                .issues_by_severity
                .get(s.as_str())
                .map(|n| format!("{n} {}", s.as_str()))
        })
        .collect();
    if sev.is_empty() {
        writeln!(out, "issues: none")?;
    } else {
        writeln!(out, "issues: {}", sev.join(", "))?;
        let mut top: Vec<(&String, &u64)> = summary.issues_by_validator.iter().collect();
        top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (v, n) in top.iter().take(10) {
            writeln!(out, "  {n:>6}  {v}")?;
        }
    }
    writeln!(
        out,
        "cost {}  time {:.3} s  ({:.0} traces/s)",
        summary.cost_usd, summary.elapsed_seconds, summary.traces_per_second
    )?;
    if summary.judge_calls > 0 || !summary.cost_by_tier.is_empty() {
        let by_tier: Vec<String> = summary
            .cost_by_tier
            .iter()
            .map(|(t, c)| format!("{t} {c}"))
            .collect();
        writeln!(
            out,
            "cost by tier: {}  judge calls: {} ({} from the cache)",
            if by_tier.is_empty() {
                "none".to_owned()
            } else {
                by_tier.join(", ")
            },
            summary.judge_calls,
            summary.judge_cached
        )?;
    }
    if let Some(rl) = &summary.rl {
        let c = &rl.convergence;
        writeln!(
            out,
            "RL: {} episodes; return trend {:+.3}/episode, IQM of the last quarter {:.3} (95 % CI {:.3}–{:.3}), {}{}",
            rl.episodes,
            c.trend,
            c.iqm,
            c.iqm_ci.0,
            c.iqm_ci.1,
            if c.plateau {
                "plateaued"
            } else {
                "not plateaued"
            },
            if c.instability > 0.5 {
                ", unstable"
            } else {
                ""
            }
        )?;
        for (a, b, js) in &rl.policy_shifts {
            writeln!(
                out,
                "RL: policy {a} → {b}: actions diverge by {js:.3} bits (Jensen–Shannon)"
            )?;
        }
    }
    if let Some(f) = summary.fail_on {
        if summary.gate_tripped {
            writeln!(out, "gate: FAILED (issues at or above {f})")?;
        } else {
            writeln!(out, "gate: passed (no issue at or above {f})")?;
        }
    }
    Ok(())
}

/// Opens the input (`-` is standard input) and says its size when known. A directory is
/// refused before anything is written.
pub(super) fn open_input(input: &Path) -> Result<(Box<dyn BufRead>, Option<u64>), CliError> {
    let name = input.display().to_string();
    if name == "-" {
        return Ok((Box::new(io::stdin().lock()), None));
    }
    let file = File::open(input).map_err(|source| CliError::Open {
        path: name.clone(),
        source,
    })?;
    let metadata = file.metadata().ok();
    if metadata.as_ref().is_some_and(std::fs::Metadata::is_dir) {
        return Err(CliError::Open {
            path: name,
            source: io::Error::new(
                io::ErrorKind::IsADirectory,
                "it is a directory; give a JSONL or JSON file, or - for standard input",
            ),
        });
    }
    let size = metadata.map(|m| m.len());
    Ok((Box::new(BufReader::with_capacity(1 << 16, file)), size))
}

/// The output (`None` or `-` is standard output), refused when it is one of `kept`; written
/// to a temporary file until committed.
pub(super) fn create_output(
    output: Option<&Path>,
    kept: &[Kept],
    written: Written<'_>,
) -> Result<Output, CliError> {
    match output {
        Some(path) => Output::create(path, kept, written),
        None => Ok(Output::stdout()),
    }
}

/// Results named by `--output`.
pub(super) const RESULTS: Written<'static> = Written {
    what: "results",
    flag: "--output",
};

/// Writes `bytes` to `output` (standard output when `None`), never over the store the command
/// read them from (`None`: the default store).
pub(super) fn write_from_store(
    bytes: &[u8],
    output: Option<&Path>,
    store: Option<&Path>,
) -> Result<(), CliError> {
    let store = store.unwrap_or(Path::new(aegis_app::store::DEFAULT_STORE));
    let mut out = create_output(output, &Kept::store(store), RESULTS)?;
    out.write_all(bytes)?;
    out.commit()
}

/// The files a command reads or keeps: its input (unless standard input), the key file, the
/// vault and the store (with its logs).
pub(super) fn kept_files(
    input: Option<&Path>,
    key_file: Option<&Path>,
    vault: Option<&Path>,
    store: Option<&Path>,
) -> Vec<Kept> {
    let mut kept = Vec::new();
    if let Some(p) = input.filter(|p| p.as_os_str() != "-") {
        kept.push(Kept::new(p, "the input"));
    }
    if let Some(p) = key_file {
        kept.push(Kept::new(p, "the key file"));
    }
    if let Some(p) = vault {
        kept.push(Kept::new(p, "the pseudonym vault"));
    }
    if let Some(p) = store {
        kept.extend(Kept::store(p));
    }
    kept
}

/// A progress bar on stderr, hidden when `quiet` or when the output goes to the terminal it
/// would garble.
pub(super) fn progress_bar(size: Option<u64>, quiet: bool, output: Option<&Path>) -> ProgressBar {
    let to_stdout = output.is_none_or(|p| p.as_os_str() == "-");
    if quiet || (to_stdout && io::stdout().is_terminal()) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(size, ProgressDrawTarget::stderr());
    let template = if size.is_some() {
        "{spinner} {bytes}/{total_bytes} {wide_bar} {bytes_per_sec} eta {eta} {msg}"
    } else {
        "{spinner} {bytes} read {bytes_per_sec} {msg}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

fn is_broken_pipe(e: &CliError) -> bool {
    matches!(e, CliError::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
}

impl TierArgs {
    /// The application layer's tier options.
    pub(crate) fn options(&self) -> TierOptions {
        TierOptions {
            registry: self.registry.clone(),
            minilm_dir: self.minilm_dir.clone(),
            no_models: self.no_models,
            judge_config: self.config.clone(),
            no_judge: self.no_judge,
            spend_store: None,
        }
    }
}

pub(crate) fn run(
    args: RunArgs,
    domains: &[&'static dyn Domain],
    key_file: Option<&std::path::Path>,
) -> Result<u8, CliError> {
    let fixed = args
        .domain
        .as_deref()
        .map(|d| find_domain(domains, d))
        .transpose()?;
    let input_name = args.input.display().to_string();
    let (reader, size) = open_input(&args.input)?;
    // Nothing given to read or keep is ever written over: not by the results, the vault or
    // the store.
    let input = Some(args.input.as_path());
    if let Some(vault) = &args.phi_vault {
        refuse_overwrite(
            vault,
            &kept_files(input, key_file, None, args.store.as_deref()),
            Written {
                what: "the vault",
                flag: "--phi-vault",
            },
        )?;
    }
    if let Some(store) = &args.store {
        let kept = kept_files(input, key_file, args.phi_vault.as_deref(), None);
        for file in Kept::store(store) {
            let written = Written {
                what: "the store",
                flag: "--store",
            };
            refuse_overwrite(file.path(), &kept, written)?;
        }
    }
    let out = create_output(
        args.results.output.as_deref(),
        &kept_files(
            input,
            key_file,
            args.phi_vault.as_deref(),
            args.store.as_deref(),
        ),
        RESULTS,
    )?;
    // Tier 0 needs the key only when some domain pseudonymises.
    let pseudonymising = aegis_app::any_pseudonymises(domains);
    aegis_app::phi::vault_needs_key(args.phi_vault.as_deref(), key_file)?;
    // A store's trace ids are pseudonymised: every run writing to it uses one key — the one
    // given, else the store's own key file (created on first use).
    let key = match &args.store {
        Some(store) if pseudonymising => {
            let (key, origin) = aegis_app::phi::key_for_store(key_file, store)?;
            if origin == aegis_app::phi::KeyOrigin::StoreFile && !args.results.quiet {
                eprintln!(
                    "note: pseudonymising with the store's key file {} (set {} or pass --phi-key-file to use another)",
                    aegis_app::phi::store_key_file(store).display(),
                    aegis_phi::KEY_ENV
                );
            }
            key
        }
        _ => super::phi::key(key_file, args.results.quiet || !pseudonymising)?,
    };
    let engine = aegis_app::phi::engine(key, args.phi_vault.as_deref())?;
    let summary = match evaluate_all(
        reader,
        size,
        &input_name,
        out,
        fixed,
        domains,
        &args,
        &engine,
    ) {
        Ok(summary) => summary,
        Err(e) if is_broken_pipe(&e) => None,
        Err(e) => {
            // What was written so far is pseudonymised: keep its vault even when the run stops.
            if let Some(path) = &args.phi_vault {
                let _ = aegis_app::phi::save_vault(&engine, path);
            }
            return Err(e);
        }
    };
    if let Some(path) = &args.phi_vault {
        aegis_app::phi::save_vault(&engine, path)?;
    }
    let Some(summary) = summary else {
        return Ok(EXIT_OK);
    };
    Ok(super::exit_code(
        summary.gate_tripped,
        summary.count(Verdict::Error) > 0,
    ))
}

/// Reads every record, evaluates it through the application layer and renders its result;
/// returns the run's totals (`None` when the reader of the results went away).
#[allow(clippy::too_many_arguments)]
fn evaluate_all(
    reader: Box<dyn BufRead>,
    size: Option<u64>,
    input_name: &str,
    out: Output,
    fixed: Option<&'static dyn Domain>,
    domains: &[&'static dyn Domain],
    args: &RunArgs,
    engine: &std::sync::Arc<aegis_phi::PhiEngine>,
) -> Result<Option<RunSummary>, CliError> {
    let progress = progress_bar(size, args.results.quiet, args.results.output.as_deref());
    let store = args
        .store
        .as_deref()
        .map(|p| aegis_app::store::StoreWriter::open(p, input_name))
        .transpose()?;
    let mut evaluation = Evaluation::new(
        domains,
        std::sync::Arc::clone(engine),
        EvaluateOptions {
            domain: fixed,
            // The judge's spend is kept in the store written to: one cap with every process
            // using it (the service, other runs).
            tiers: TierOptions {
                spend_store: args.store.clone(),
                ..args.tiers.options()
            },
            store,
            fail_on: args.results.fail_on.map(|s| s.severity()),
            time_budget: args.time_budget_ms.map(std::time::Duration::from_millis),
        },
    )?;
    let mut sink = output::Sink::new(args.results.format, out, !args.results.quiet)?;
    let mut traces = TraceReader::new(reader);
    let mut n: u64 = 0;
    // Traces are read and evaluated in batches (in parallel when a judge waits on the
    // network); results are written in input order.
    let batch_size = evaluation.batch_size();
    let mut batch = Vec::with_capacity(batch_size);
    let mut more = true;
    while more {
        match traces.next() {
            Some(record) => {
                batch.push(record.map_err(|source| CliError::Io {
                    context: format!("cannot read {input_name}"),
                    source,
                })?);
                if batch.len() < batch_size {
                    continue;
                }
            }
            None => more = false,
        }
        for result in evaluation.evaluate(std::mem::take(&mut batch))? {
            sink.result(&result)?;
            n += 1;
            if n.is_multiple_of(256) || batch_size > 1 {
                progress.set_position(traces.bytes_read());
                progress.set_message(format!("{n} traces"));
            }
        }
    }
    let summary = evaluation.finish()?;
    progress.finish_and_clear();
    sink.finish(&summary)?.commit()?;
    if summary.total == 0 && !args.results.quiet {
        eprintln!("warning: {input_name} holds no traces");
    }
    if !args.results.quiet && args.results.format != Format::Table {
        let mut err = io::stderr().lock();
        write_summary(&summary, &mut err)?;
    }
    Ok(Some(summary))
}
