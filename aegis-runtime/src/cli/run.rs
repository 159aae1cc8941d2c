//! `aegis-eval run`: streams traces through the orchestrator and writes one result per trace.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::Path;
use std::time::Instant;

use aegis_core::{Domain, EvaluationResult, Severity, Tier, UsdCost, Verdict};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use super::args::{Format, RunArgs, TierArgs};
use super::{CliError, EXIT_GATE, EXIT_INPUT_ERRORS, EXIT_OK, find_domain, output};
use crate::Orchestrator;
use crate::input::{Record, TraceReader};

/// The run-level RL evaluators over the episodes of a run.
#[derive(Debug, Clone, Serialize)]
pub struct RlRunSummary {
    /// Episodes seen.
    pub episodes: usize,
    /// Trend, plateau, instability and IQM (with its bootstrap interval) of the returns.
    pub convergence: aegis_rl::ConvergenceReport,
    /// Jensen–Shannon divergence (bits) of each policy version's actions from the previous
    /// version's, in order of first appearance.
    pub policy_shifts: Vec<(String, String, f64)>,
}

/// Totals of a run, printed at the end and included in JSON output.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunSummary {
    /// Traces (and erroneous lines) seen.
    pub total: u64,
    /// Over the run's RL episodes (in input order): convergence of the return, and how far
    /// each policy version's actions moved from the previous version's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rl: Option<RlRunSummary>,
    /// Per episode: policy version and the actions' counts, and the return.
    #[serde(skip)]
    episodes: Vec<(Option<String>, Vec<u64>, f64)>,
    /// Results per verdict.
    pub verdicts: BTreeMap<&'static str, u64>,
    /// Results per deciding tier.
    pub decided_by: BTreeMap<&'static str, u64>,
    /// Issues per severity.
    pub issues_by_severity: BTreeMap<&'static str, u64>,
    /// Issues per validator.
    pub issues_by_validator: BTreeMap<String, u64>,
    /// Money spent in all tiers.
    pub cost_usd: UsdCost,
    /// Money spent per tier (only tiers that spent any).
    pub cost_by_tier: BTreeMap<&'static str, UsdCost>,
    /// Tier-3 judge calls: asked of a provider, and answered from the cache.
    pub judge_calls: u64,
    /// Tier-3 judge answers that came from the cache.
    pub judge_cached: u64,
    /// Wall-clock seconds of the whole run.
    pub elapsed_seconds: f64,
    /// Traces per second.
    pub traces_per_second: f64,
    /// The `--fail-on` severity, if one was given.
    pub fail_on: Option<Severity>,
    /// Whether an issue at or above `fail_on` was found.
    pub gate_tripped: bool,
}

impl RunSummary {
    fn add(&mut self, r: &EvaluationResult) {
        self.total += 1;
        *self.verdicts.entry(r.verdict.as_str()).or_default() += 1;
        if let Some(t) = r.decided_by {
            *self.decided_by.entry(t.as_str()).or_default() += 1;
        }
        for i in &r.issues {
            *self
                .issues_by_severity
                .entry(i.severity.as_str())
                .or_default() += 1;
            *self
                .issues_by_validator
                .entry(i.validator.clone())
                .or_default() += 1;
            if self.fail_on.is_some_and(|f| i.severity >= f) {
                self.gate_tripped = true;
            }
        }
        self.cost_usd += r.cost_usd;
        for t in &r.tiers {
            if t.cost_usd > UsdCost::ZERO {
                *self.cost_by_tier.entry(t.tier.as_str()).or_default() += t.cost_usd;
            }
            for m in &t.modules {
                if let Some(call) = &m.call {
                    self.judge_calls += 1;
                    self.judge_cached += u64::from(call.cached);
                }
            }
        }
    }

    /// Notes an episode for the run-level RL evaluators.
    fn add_episode(&mut self, episode: &aegis_core::Episode) {
        let mut counts: Vec<u64> = Vec::new();
        for s in &episode.steps {
            if let aegis_core::Action::Discrete(a) = s.action
                && let Ok(a) = usize::try_from(a)
                && a < 4096
            {
                if counts.len() <= a {
                    counts.resize(a + 1, 0);
                }
                counts[a] += 1;
            }
        }
        let ret = episode.steps.iter().map(|s| s.reward).sum();
        let version = episode
            .policy
            .as_ref()
            .map(|p| format!("{}@{}", p.name, p.version.as_deref().unwrap_or("-")));
        self.episodes.push((version, counts, ret));
    }

    /// Runs the run-level RL evaluators over the episodes seen.
    fn finish_rl(&mut self) {
        if self.episodes.len() < 2 {
            return;
        }
        let returns: Vec<f64> = self.episodes.iter().map(|e| e.2).collect();
        let window = (returns.len() / 4).max(2);
        let convergence = aegis_rl::convergence(&returns, window, 1000, 17);
        // Action counts per policy version, in order of first appearance.
        let mut versions: Vec<(String, Vec<u64>)> = Vec::new();
        for (v, counts, _) in &self.episodes {
            let Some(v) = v else { continue };
            let slot = match versions.iter().position(|(name, _)| name == v) {
                Some(i) => i,
                None => {
                    versions.push((v.clone(), Vec::new()));
                    versions.len() - 1
                }
            };
            let total = &mut versions[slot].1;
            if total.len() < counts.len() {
                total.resize(counts.len(), 0);
            }
            for (t, c) in total.iter_mut().zip(counts) {
                *t += c;
            }
        }
        let n = versions.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
        let dist = |c: &[u64]| {
            let total: u64 = c.iter().sum();
            (0..n)
                .map(|i| c.get(i).copied().unwrap_or(0) as f64 / total.max(1) as f64)
                .collect::<Vec<f64>>()
        };
        let policy_shifts = versions
            .windows(2)
            .map(|w| {
                let d = aegis_rl::policy_divergence(&dist(&w[0].1), &dist(&w[1].1), 1.0);
                (w[0].0.clone(), w[1].0.clone(), d.js)
            })
            .collect();
        self.rl = Some(RlRunSummary {
            episodes: self.episodes.len(),
            convergence,
            policy_shifts,
        });
    }

    pub(crate) fn count(&self, v: Verdict) -> u64 {
        self.verdicts.get(v.as_str()).copied().unwrap_or(0)
    }

    /// Writes the summary for people.
    pub fn write_text(&self, out: &mut impl Write) -> io::Result<()> {
        writeln!(out)?;
        writeln!(
            out,
            "{} traces: {} pass, {} fail, {} needs review, {} error",
            self.total,
            self.count(Verdict::Pass),
            self.count(Verdict::Fail),
            self.count(Verdict::NeedsReview),
            self.count(Verdict::Error)
        )?;
        let decided: Vec<String> = Tier::ALL
            .iter()
            .filter_map(|t| {
                self.decided_by
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
                self.issues_by_severity
                    .get(s.as_str())
                    .map(|n| format!("{n} {}", s.as_str()))
            })
            .collect();
        if sev.is_empty() {
            writeln!(out, "issues: none")?;
        } else {
            writeln!(out, "issues: {}", sev.join(", "))?;
            let mut top: Vec<(&String, &u64)> = self.issues_by_validator.iter().collect();
            top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            for (v, n) in top.iter().take(10) {
                writeln!(out, "  {n:>6}  {v}")?;
            }
        }
        writeln!(
            out,
            "cost {}  time {:.3} s  ({:.0} traces/s)",
            self.cost_usd, self.elapsed_seconds, self.traces_per_second
        )?;
        if self.judge_calls > 0 || !self.cost_by_tier.is_empty() {
            let by_tier: Vec<String> = self
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
                self.judge_calls,
                self.judge_cached
            )?;
        }
        if let Some(rl) = &self.rl {
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
        if let Some(f) = self.fail_on {
            if self.gate_tripped {
                writeln!(out, "gate: FAILED (issues at or above {f})")?;
            } else {
                writeln!(out, "gate: passed (no issue at or above {f})")?;
            }
        }
        Ok(())
    }
}

/// Whether two paths name the same existing file (the same inode: links count too). `-` is
/// standard input, which may be redirected from a file.
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    let a = if a.as_os_str() == "-" {
        std::path::Path::new("/dev/stdin")
    } else {
        a
    };
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        #[cfg(unix)]
        (Ok(a), Ok(b)) => {
            use std::os::unix::fs::MetadataExt;
            a.is_file() && a.dev() == b.dev() && a.ino() == b.ino()
        }
        #[cfg(not(unix))]
        (Ok(_), Ok(_)) => false,
        _ => false,
    }
}

/// The non-blank lines of `input` (`-` is standard input), numbered from 1; a read error
/// names the file.
pub(super) fn numbered_lines(
    input: &Path,
) -> Result<impl Iterator<Item = Result<(usize, String), CliError>>, CliError> {
    let (reader, _) = open_input(input)?;
    let name = input.display().to_string();
    Ok(reader
        .lines()
        .enumerate()
        .filter_map(move |(i, line)| match line {
            Ok(l) if l.trim().is_empty() => None,
            Ok(l) => Some(Ok((i + 1, l))),
            Err(source) => Some(Err(CliError::Io {
                context: format!("cannot read {name}"),
                source,
            })),
        }))
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

/// Creates the output (`None` or `-` is standard output); never the input file itself.
pub(super) fn create_output(
    input: &Path,
    output: Option<&Path>,
) -> Result<Box<dyn Write>, CliError> {
    let Some(path) = output.filter(|p| p.as_os_str() != "-") else {
        return Ok(Box::new(BufWriter::new(io::stdout().lock())));
    };
    if same_file(input, path) {
        return Err(CliError::Io {
            context: format!(
                "refusing to write results over the input {}",
                input.display()
            ),
            source: io::Error::new(io::ErrorKind::AlreadyExists, "choose another --output"),
        });
    }
    let file = File::create(path).map_err(|source| CliError::Io {
        context: format!("cannot create {}", path.display()),
        source,
    })?;
    Ok(Box::new(BufWriter::new(file)))
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
    let out = create_output(&args.input, args.results.output.as_deref())?;
    let mut summary = RunSummary {
        fail_on: args.results.fail_on.map(|s| s.severity()),
        ..RunSummary::default()
    };
    // Tier 0 needs the key only when some domain pseudonymises.
    let pseudonymising = domains.iter().any(|d| {
        d.info()
            .phi
            .is_some_and(|p| p.mode == aegis_core::PhiMode::Pseudonymize)
    });
    super::phi::vault_needs_key(args.phi_vault.as_deref(), key_file)?;
    if args.store.is_some()
        && pseudonymising
        && key_file.is_none()
        && std::env::var_os(aegis_phi::KEY_ENV).is_none()
    {
        return Err(CliError::Phi(format!(
            "--store keeps one result per trace across runs, and trace ids are pseudonymised with the organisation's key: set {} or pass --phi-key-file (with a key for this run only, every run would store its traces again)",
            aegis_phi::KEY_ENV
        )));
    }
    let key = super::phi::key(key_file, args.results.quiet || !pseudonymising)?;
    let engine = super::phi::engine(key, args.phi_vault.as_deref())?;
    match evaluate_all(
        reader,
        size,
        &input_name,
        out,
        fixed,
        domains,
        &args,
        &engine,
        &mut summary,
    ) {
        Ok(()) => {}
        Err(e) if is_broken_pipe(&e) => {}
        Err(e) => {
            // What was written so far is pseudonymised: keep its vault even when the run stops.
            if let Some(path) = &args.phi_vault {
                let _ = engine.save_vault(path);
            }
            return Err(e);
        }
    }
    if let Some(path) = &args.phi_vault {
        engine
            .save_vault(path)
            .map_err(|e| CliError::Phi(e.to_string()))?;
    }
    if summary.gate_tripped {
        Ok(EXIT_GATE)
    } else if summary.count(Verdict::Error) > 0 {
        Ok(EXIT_INPUT_ERRORS)
    } else {
        Ok(EXIT_OK)
    }
}

/// Installs the domains' Tier-2 models and the Tier-3 judge (where a provider is configured);
/// returns the orchestrator and how many traces to evaluate at once.
pub(crate) fn install_tiers(
    mut orchestrator: Orchestrator,
    domains: &[&'static dyn Domain],
    options: &TierArgs,
) -> Result<(Orchestrator, usize), CliError> {
    if !options.no_models {
        let source = aegis_core::tiers::ModelSource {
            registry: super::models::registry_root(options.registry.clone()),
            minilm_dir: options.minilm_dir.clone(),
        };
        for d in domains {
            let loaded = orchestrator.load_models(*d, &source).map_err(|e| {
                CliError::Models(format!(
                    "domain `{}`: {e}\n(run with --no-models to evaluate without Tier 2)",
                    d.info().name
                ))
            })?;
            if loaded {
                tracing::debug!(domain = d.info().name, "Tier-2 models loaded");
            }
        }
    }
    // Tier 3: the judges of every domain that has a provider configured.
    let mut workers = 1;
    if !options.no_judge {
        let config = aegis_llm::JudgeConfig::load(options.config.as_deref())
            .map_err(|e| CliError::Judge(e.to_string()))?;
        let infos: Vec<&'static aegis_core::DomainInfo> =
            domains.iter().map(|d| d.info()).collect();
        if let Some(judge) = aegis_llm::LlmJudge::from_config(&config, &infos)
            .map_err(|e| CliError::Judge(e.to_string()))?
        {
            workers = judge.concurrency();
            tracing::debug!(workers, "Tier-3 judge configured");
            orchestrator = orchestrator.with_judge(Box::new(judge));
        }
    }
    Ok((orchestrator, workers))
}

/// A line read, before evaluation: a result already (a bad line, an unknown domain) or a
/// trace to evaluate.
enum Pending {
    Done(EvaluationResult),
    Evaluate {
        line: u64,
        domain: &'static dyn Domain,
        trace: Box<aegis_core::Trace>,
    },
}

fn pending(
    record: Record,
    fixed: Option<&'static dyn Domain>,
    domains: &[&'static dyn Domain],
    engine: &std::sync::Arc<aegis_phi::PhiEngine>,
) -> Pending {
    match record {
        Record::Trace { line, trace } => {
            let named = trace.metadata.domain.clone();
            let domain = match (fixed, named) {
                (Some(d), _) => Ok(d),
                (None, Some(name)) => find_domain(domains, &name).map_err(|_| {
                    // The name comes from the trace: not repeated, since traces may carry PHI.
                    let known: Vec<&str> = domains.iter().map(|d| d.info().name).collect();
                    format!(
                        "the trace's metadata.domain is not a domain of this aegis-eval (it knows: {}); pass --domain to choose one",
                        known.join(", ")
                    )
                }),
                (None, None) => Err(
                    "the trace names no domain (metadata.domain) and no --domain was given"
                        .to_owned(),
                ),
            };
            match domain {
                Ok(domain) => Pending::Evaluate {
                    line,
                    domain,
                    trace,
                },
                Err(message) => Pending::Done(EvaluationResult::error(
                    Some(line),
                    super::phi::safe_id(engine, trace.id.clone()),
                    format!("line {line}: {message}"),
                )),
            }
        }
        Record::Error { line, id, message } => Pending::Done(EvaluationResult::error(
            Some(line),
            super::phi::safe_id(engine, id),
            message,
        )),
    }
}

/// A result, with its trace as Tier 0 left it and its domain (for the store).
type Evaluated = (
    EvaluationResult,
    Option<aegis_core::Sanitized<aegis_core::Trace>>,
    Option<&'static aegis_core::DomainInfo>,
);

/// Evaluates a batch on up to `workers` threads; results in input order.
fn evaluate_pending(
    orchestrator: &Orchestrator,
    batch: Vec<Pending>,
    workers: usize,
) -> Vec<Evaluated> {
    let mut lines = Vec::new();
    let mut jobs: Vec<(&dyn Domain, aegis_core::Trace)> = Vec::new();
    let mut slots: Vec<Option<Evaluated>> = Vec::with_capacity(batch.len());
    for p in batch {
        match p {
            Pending::Done(r) => slots.push(Some((r, None, None))),
            Pending::Evaluate {
                line,
                domain,
                trace,
            } => {
                lines.push((slots.len(), line, domain.info()));
                slots.push(None);
                jobs.push((domain, *trace));
            }
        }
    }
    for ((slot, line, info), (mut r, trace)) in lines
        .into_iter()
        .zip(orchestrator.evaluate_batch_keeping_traces(jobs, workers))
    {
        r.line = Some(line);
        slots[slot] = Some((r, trace, Some(info)));
    }
    slots.into_iter().flatten().collect()
}

#[allow(clippy::too_many_arguments)]
fn evaluate_all(
    reader: Box<dyn BufRead>,
    size: Option<u64>,
    input_name: &str,
    out: Box<dyn Write>,
    fixed: Option<&'static dyn Domain>,
    domains: &[&'static dyn Domain],
    args: &RunArgs,
    engine: &std::sync::Arc<aegis_phi::PhiEngine>,
    summary: &mut RunSummary,
) -> Result<(), CliError> {
    let started = Instant::now();
    let progress = progress_bar(size, args.results.quiet, args.results.output.as_deref());
    let orchestrator = Orchestrator::without_sanitizer().with_sanitizer(Box::new(
        super::phi::SharedEngine(std::sync::Arc::clone(engine)),
    ));
    let scope = fixed.map_or_else(|| domains.to_vec(), |d| vec![d]);
    let (orchestrator, workers) = install_tiers(orchestrator, &scope, &args.tiers)?;
    let mut store = args
        .store
        .as_deref()
        .map(|p| super::traces::StoreWriter::open(p, input_name))
        .transpose()?;
    let mut sink = output::Sink::new(args.results.format, out, !args.results.quiet)?;
    let mut traces = TraceReader::new(reader);
    let mut n: u64 = 0;
    // Traces are read and evaluated in batches (in parallel when a judge waits on the
    // network); results are written in input order.
    let batch_size = if workers > 1 { workers * 4 } else { 1 };
    let mut batch: Vec<Pending> = Vec::with_capacity(batch_size);
    let mut more = true;
    while more {
        match traces.next() {
            Some(record) => {
                let record = record.map_err(|source| CliError::Io {
                    context: format!("cannot read {input_name}"),
                    source,
                })?;
                batch.push(pending(record, fixed, domains, engine));
                if batch.len() < batch_size {
                    continue;
                }
            }
            None => more = false,
        }
        for (mut result, sanitized, info) in
            evaluate_pending(&orchestrator, std::mem::take(&mut batch), workers)
        {
            tracing::debug!(
                line = result.line,
                trace = result.trace_id.as_deref().unwrap_or("-"),
                verdict = result.verdict.as_str(),
                decided_by = result.decided_by.map(|t| t.as_str()),
                issues = result.issues.len(),
                "evaluated"
            );
            for issue in &result.issues {
                tracing::trace!(validator = %issue.validator, message = %issue.message, "issue");
            }
            if let Some(error) = &result.error {
                tracing::debug!(line = result.line, %error, "not evaluated");
            }
            if store.is_some() && result.verdict == Verdict::NeedsReview {
                // The store queues it for Tier 4 (`aegis-eval review`).
                if let Some(t) = result.tiers.iter_mut().find(|t| t.tier == Tier::Human) {
                    t.outcome = aegis_core::TierOutcome::Escalated {
                        to: Tier::Human,
                        reason: "queued for expert review in the store (aegis-eval review)".into(),
                    };
                }
            }
            summary.add(&result);
            if let Some(episode) = sanitized.as_ref().and_then(|t| t.episode.as_ref()) {
                summary.add_episode(episode);
            }
            sink.result(&result)?;
            if let Some(store) = &mut store {
                store.add(result, sanitized.as_ref(), info)?;
            }
            n += 1;
            if n.is_multiple_of(256) || workers > 1 {
                progress.set_position(traces.bytes_read());
                progress.set_message(format!("{n} traces"));
            }
        }
    }
    if let Some(store) = &mut store {
        store.finish()?;
    }
    summary.finish_rl();
    progress.finish_and_clear();
    summary.elapsed_seconds = started.elapsed().as_secs_f64();
    summary.traces_per_second = if summary.elapsed_seconds > 0.0 {
        summary.total as f64 / summary.elapsed_seconds
    } else {
        0.0
    };
    sink.finish(summary)?;
    if summary.total == 0 && !args.results.quiet {
        eprintln!("warning: {input_name} holds no traces");
    }
    if !args.results.quiet && args.results.format != Format::Table {
        let mut err = io::stderr().lock();
        summary.write_text(&mut err)?;
    }
    Ok(())
}
