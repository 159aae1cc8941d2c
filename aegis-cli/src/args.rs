//! What clap parses.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Evaluate AI traces against the compiled rules of regulated domains.
#[derive(Debug, Parser)]
#[command(
    name = "aegis-eval",
    version,
    about = "Evaluate AI traces (LLM answers, agent traces, RL episodes) against the compiled rules of regulated domains.",
    long_about = None
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    /// Log what happens to standard error (-v: each trace; -vv: more). Logs only ever see
    /// sanitised text.
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    /// Read the organisation's PHI key from this file (64 hex digits, or a passphrase of 16
    /// characters or more). Default: the AEGIS_PHI_KEY environment variable; without either,
    /// a random key for this run only.
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) phi_key_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List the domains linked into this binary.
    Domains,
    /// Serve the API: ingest, evaluation in the request, explorer and analytics, review, a
    /// live feed and metrics, for every organisation of the service directory. Traces that
    /// are accepted (`202`) are queued durably and evaluated by worker threads.
    #[command(
        after_help = "Start: aegis-eval orgs create acme   (prints an API key once)\n       aegis-eval serve\nSend:  curl -H 'Authorization: Bearer <key>' --data-binary @examples/traces/healthcare.jsonl http://127.0.0.1:8420/v1/traces\nStop with Ctrl-C or SIGTERM: requests and batches in flight finish first."
    )]
    Serve(ServeArgs),
    /// A worker of a scaled-out service: takes traces from the Redis queue (`--queue`),
    /// evaluates them, and stores each result in its organisation's schema of the PostgreSQL
    /// database (`--store`). Run as many as the traffic needs, on as many machines.
    #[command(
        after_help = "aegis-eval serve  --queue redis://127.0.0.1:6379 --store postgres://aegis@127.0.0.1/aegis --workers 0
aegis-eval worker --queue redis://127.0.0.1:6379 --store postgres://aegis@127.0.0.1/aegis
Stop with Ctrl-C or SIGTERM: the batch in flight is stored first; what a killed worker held is taken over after --claim-idle."
    )]
    Worker(WorkerArgs),
    /// Ask a running `serve` or `worker --listen` whether it is up: exit 0 when the URL
    /// answers 2xx, else 1 with why (a container's health check; the image needs no curl).
    Health {
        /// What to ask.
        #[arg(
            long,
            env = "AEGIS_HEALTH_URL",
            default_value = "http://127.0.0.1:8420/healthz"
        )]
        url: String,
        /// Seconds to wait for the answer.
        #[arg(long, default_value_t = 3)]
        timeout: u64,
        /// Accept any TLS certificate (a server on this machine whose certificate names
        /// another host).
        #[arg(long)]
        insecure: bool,
    },
    /// The scaled-out queue: how many traces wait and are being worked, and the dead letters
    /// (traces given up on after their deliveries, with why), newest first.
    Queue {
        /// The Redis queue (as `serve --queue` names it).
        #[arg(long, value_name = "URL", env = "AEGIS_QUEUE")]
        queue: String,
        /// Only this organisation's dead letters (its id).
        #[arg(long)]
        org: Option<String>,
        /// At most this many dead letters.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Organisations of a service directory: each has its own store, Tier-0 key and API keys.
    Orgs {
        #[command(subcommand)]
        command: OrgsCommand,
        /// The service directory, or a scaled-out service's PostgreSQL database
        /// (`postgres://…`), which keeps the organisations and keys every API process shares
        /// (the Tier-0 key files still go to --dir).
        #[arg(long, default_value = DEFAULT_SERVICE_DIR, global = true, value_name = "DIR|URL", env = "AEGIS_STORE")]
        store: String,
        /// With a PostgreSQL --store: the service directory of the Tier-0 key files.
        #[arg(long, default_value = DEFAULT_SERVICE_DIR, global = true, env = "AEGIS_DIR")]
        dir: PathBuf,
        /// With a PostgreSQL --store: keep each organisation's Tier-0 key here as
        /// `<org id>.key` instead (what `serve --tier0-keys` reads, e.g. from a Kubernetes
        /// Secret).
        #[arg(long, global = true, value_name = "DIR", env = "AEGIS_TIER0_KEYS")]
        tier0_keys: Option<PathBuf>,
    },
    /// API keys of a service directory's organisations.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
        /// The service directory, or a scaled-out service's PostgreSQL database
        /// (`postgres://…`), as for `orgs`.
        #[arg(long, default_value = DEFAULT_SERVICE_DIR, global = true, value_name = "DIR|URL", env = "AEGIS_STORE")]
        store: String,
        /// With a PostgreSQL --store: the service directory of the Tier-0 key files.
        #[arg(long, default_value = DEFAULT_SERVICE_DIR, global = true, env = "AEGIS_DIR")]
        dir: PathBuf,
        /// With a PostgreSQL --store: keep each organisation's Tier-0 key here as
        /// `<org id>.key` instead (what `serve --tier0-keys` reads, e.g. from a Kubernetes
        /// Secret).
        #[arg(long, global = true, value_name = "DIR", env = "AEGIS_TIER0_KEYS")]
        tier0_keys: Option<PathBuf>,
    },
    /// Alerts of an organisation of a service directory: fired and resolved, each one's
    /// notifications and delivery attempts (rules: a spec's `alerts`, and `[alerts]` in
    /// aegis.toml).
    Alerts {
        #[command(subcommand)]
        command: AlertsCommand,
        /// The service directory.
        #[arg(long, default_value = DEFAULT_SERVICE_DIR, global = true)]
        store: PathBuf,
    },
    /// Show what a domain contains: validators, tables, extractors, models, prompts, simulators.
    Inspect {
        /// The domain's name.
        domain: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Evaluate traces (JSONL, one per line; or a JSON array, or pretty-printed JSON objects) and
    /// print one result per trace.
    #[command(
        after_help = "Exit codes: 0 ok; 1 an issue at or above --fail-on was found; 2 usage or I/O error; 3 some lines could not be evaluated (3 comes before 1: a batch not wholly evaluated proves nothing either way)."
    )]
    Run(RunArgs),
    /// Run a domain's simulator under a policy: write the episodes as traces (JSONL) and
    /// evaluate them as `run` does, with the RL evaluators (reward shaping, safety, exploration
    /// per episode; convergence and policy shifts over the run).
    #[command(
        after_help = "Exit codes as for `run`. Policy files: JSON, a linear policy, e.g.\n  {\"name\": \"balance\", \"weights\": [[0, 0, -1, -0.5], [0, 0, 1, 0.5]]}\n(a row of weights per discrete action, or per action dimension of a box; optional \"bias\", \"version\", \"temperature\" for a softmax over discrete actions, \"noise\" for continuous ones)."
    )]
    Simulate(SimulateArgs),
    /// Sim-to-real transfer: fit a predictor of a real outcome from simulation metrics, with
    /// split-conformal prediction intervals; predict, evaluate, or write synthetic pairs.
    #[command(
        after_help = "Pairs are JSON lines: {\"sim\": {\"sim_return\": 0.8, \"cost_rate\": 0.1}, \"real\": 0.74} (optional \"id\"). predict reads lines with \"sim\" (and optional \"id\")."
    )]
    Transfer {
        #[command(subcommand)]
        command: TransferCommand,
    },
    /// Replace PHI/PII in JSON lines (traces or any JSON objects) and write sanitised JSON lines.
    #[command(
        after_help = "Exit codes: 0 ok; 2 usage or I/O error; 3 some lines were not valid JSON (they are left out; the rest is written)."
    )]
    Sanitize(SanitizeArgs),
    /// Train a domain's Tier-2 model (on labelled JSONL, synthetic data from the spec, or both),
    /// report held-out metrics and store it as a new version in the model registry.
    Train(TrainArgs),
    /// Write the synthetic cold-start examples a model's spec templates make, as JSONL; where the
    /// spec's `label_by_rules` asks, the domain's Tier-1 rules label them, and each line says
    /// where its label came from (`labelled_by`, `failed_rules`).
    Synth {
        /// The domain.
        domain: String,
        /// The model's id in the domain's spec.
        model: String,
        /// How many examples (default: the spec's `synthetic.count`).
        #[arg(long)]
        count: Option<usize>,
        /// Seed of the draw.
        #[arg(long, default_value_t = 17)]
        seed: u64,
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// List, promote and roll back model versions in the registry.
    Models {
        #[command(subcommand)]
        command: ModelsCommand,
        /// The model registry (default: $AEGIS_MODEL_REGISTRY, else models/registry).
        #[arg(long, global = true)]
        registry: Option<PathBuf>,
    },
    /// Explore the store: list, show, search and delete stored results.
    Traces {
        #[command(subcommand)]
        command: TracesCommand,
        /// The store (default: $AEGIS_STORE, else ./aegis.db).
        #[arg(long, global = true, value_name = "FILE", env = "AEGIS_STORE")]
        store: Option<PathBuf>,
    },
    /// Tier 4: review the queued traces (severity first, then uncertainty), one key each:
    /// accept the machine's verdict, pass, fail (with a severity), skip or quit; then a note.
    Review {
        #[command(subcommand)]
        command: Option<ReviewCommand>,
        /// Who is reviewing (recorded with each label).
        #[arg(long, global = true, env = "AEGIS_REVIEWER")]
        reviewer: Option<String>,
        /// At most this many tasks.
        #[arg(long, global = true, default_value_t = 50)]
        limit: usize,
        /// The store (default: $AEGIS_STORE, else ./aegis.db).
        #[arg(long, global = true, value_name = "FILE", env = "AEGIS_STORE")]
        store: Option<PathBuf>,
    },
    /// Sum up the store: pass rate, verdicts, deciding tiers, cost by tier, latency p50/p95,
    /// top issues, breakdowns by domain, model and application, and a time series.
    Report {
        #[command(flatten)]
        filter: FilterArgs,
        /// `table` for the terminal, `json`, or `html` (one self-contained page with charts).
        #[arg(long, short, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// The store (default: $AEGIS_STORE, else ./aegis.db).
        #[arg(long, value_name = "FILE", env = "AEGIS_STORE")]
        store: Option<PathBuf>,
    },
    /// Re-evaluate a stored trace with today's domain (rules, models, judges) and show what
    /// changed since it was stored.
    #[command(
        after_help = "Exit codes: 0 the verdict and issues are unchanged; 1 something changed; 2 usage or store error."
    )]
    Replay(ReplayArgs),
    /// Put the originals back into text that was pseudonymised with --vault (needs the same key).
    Reidentify {
        /// The pseudonymised text: a file, or `-` for standard input.
        input: PathBuf,
        /// The vault written when the text was pseudonymised.
        #[arg(long)]
        vault: PathBuf,
    },
}

/// `aegis-eval traces …`.
#[derive(Debug, Subcommand)]
pub(crate) enum TracesCommand {
    /// Stored results that match the filters, newest first.
    List {
        #[command(flatten)]
        filter: FilterArgs,
        /// Print JSON lines (each stored result with its sanitised trace) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// One stored result with its sanitised trace.
    Show {
        /// The trace id (or the record key, `id:…` / `sha256:…`).
        id: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Full-text search (SQLite FTS5 syntax: words, "phrases", AND, OR, NOT, prefix*) over the
    /// sanitised input, output and issue messages, best match first.
    Search {
        /// The query.
        query: String,
        #[command(flatten)]
        filter: FilterArgs,
        /// Print JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Delete one stored result, or every result that matches the filters (`--all` to delete
    /// with no filter).
    Delete {
        /// The trace id (or record key) to delete.
        id: Option<String>,
        #[command(flatten)]
        filter: FilterArgs,
        /// Delete every result when no id or filter is given.
        #[arg(long)]
        all: bool,
    },
}

#[derive(Debug, Args)]
pub(crate) struct ReplayArgs {
    /// The trace id (or the record key).
    pub(crate) id: String,
    /// The store (default: $AEGIS_STORE, else ./aegis.db).
    #[arg(long, value_name = "FILE", env = "AEGIS_STORE")]
    pub(crate) store: Option<PathBuf>,
    /// Write the new result to the store (and its audit log).
    #[arg(long)]
    pub(crate) save: bool,
    /// Print JSON: the stored and the new result, and what changed.
    #[arg(long)]
    pub(crate) json: bool,
    #[command(flatten)]
    pub(crate) tiers: TierArgs,
}

/// Which tiers after Tier 1 to install, and from where (`run` and `replay`).
#[derive(Debug, Args, Default)]
pub(crate) struct TierArgs {
    /// The model registry whose production versions Tier 2 uses (default: $AEGIS_MODEL_REGISTRY,
    /// else models/registry when it exists; models without one use their compiled-in weights).
    #[arg(long)]
    pub(crate) registry: Option<PathBuf>,
    /// The MiniLM directory, for models on the minilm backbone.
    #[arg(long)]
    pub(crate) minilm_dir: Option<PathBuf>,
    /// Run without Tier 2 (traces Tier 1 passes are then decided by Tier 1).
    #[arg(long)]
    pub(crate) no_models: bool,
    /// The configuration file with the Tier-3 judge settings (default: $AEGIS_CONFIG, else
    /// ./aegis.toml when it exists). AEGIS_JUDGE_* environment variables override it.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Run without Tier 3 even when a provider is configured (traces that reach it end
    /// `needs_review`).
    #[arg(long)]
    pub(crate) no_judge: bool,
}

/// `aegis-eval review …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ReviewCommand {
    /// Write the open tasks as JSONL (sanitised trace, findings, machine verdict), for another
    /// labelling tool.
    Export {
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Read labels as JSONL (`key` or `trace_id`, `verdict`: pass|fail, optional `severity`,
    /// `notes`, `reviewer`) and record them.
    #[command(
        after_help = "Exit codes: 0 ok; 2 usage or store error; 3 some lines were skipped (each is named)."
    )]
    Import {
        /// The labels file.
        input: PathBuf,
    },
    /// Every label recorded, as JSONL (oldest first); with `--for`, as training data for a
    /// Tier-2 model (`aegis-eval train <domain> <model> --data …`).
    Labels {
        /// `<domain>/<model>`: write `{"text", "label"}` lines for this model, the expert's
        /// fail and pass mapped to the labels its spec's `synthetic.label_by_rules` names.
        #[arg(long = "for", value_name = "DOMAIN/MODEL")]
        for_model: Option<String>,
    },
    /// Active learning: queue stored results no expert has seen, chosen under a budget by
    /// uncertainty, by disagreement between the machine tiers, and for diversity.
    Sample {
        /// How many to queue.
        #[arg(long)]
        budget: usize,
        /// How to choose.
        #[arg(long, value_enum, default_value_t = SampleStrategy::Mixed)]
        strategy: SampleStrategy,
        #[command(flatten)]
        filter: FilterArgs,
    },
}

/// Active-learning strategies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SampleStrategy {
    /// The results the models and judges were least sure of.
    Uncertainty,
    /// Results on which the rules, the models and the judges disagree.
    Disagreement,
    /// A spread of results far apart from each other in what they say.
    Diversity,
    /// A third of the budget each (disagreement first).
    Mixed,
}

/// Filters over stored results.
#[derive(Debug, Args, Default)]
pub(crate) struct FilterArgs {
    /// Only this domain.
    #[arg(long)]
    pub(crate) domain: Option<String>,
    /// Only this verdict.
    #[arg(long, value_enum)]
    pub(crate) verdict: Option<VerdictArg>,
    /// Only results with an issue at or above this severity.
    #[arg(long, value_enum)]
    pub(crate) severity: Option<SeverityArg>,
    /// Only this application (`metadata.application`).
    #[arg(long)]
    pub(crate) application: Option<String>,
    /// Only traces of this model (the trace's `model`).
    #[arg(long)]
    pub(crate) model: Option<String>,
    /// Only results with an issue raised by this validator (rule, model or judge id).
    #[arg(long)]
    pub(crate) validator: Option<String>,
    /// Only traces carrying this tag (`metadata.tags`).
    #[arg(long)]
    pub(crate) tag: Option<String>,
    /// Evaluated at or after: `2026-11-01`, `2026-11-01T12:00:00Z`, or a span back from now
    /// (`90m`, `24h`, `7d`).
    #[arg(long)]
    pub(crate) since: Option<String>,
    /// Evaluated before (same forms as --since).
    #[arg(long)]
    pub(crate) until: Option<String>,
    /// At most this many results.
    #[arg(long, default_value_t = 50)]
    pub(crate) limit: usize,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// Text for the terminal.
    Table,
    /// One JSON document.
    Json,
    /// A self-contained HTML page with charts.
    Html,
}

/// Verdicts, as command-line values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum VerdictArg {
    Pass,
    Fail,
    NeedsReview,
    Error,
}

impl VerdictArg {
    pub(crate) fn verdict(self) -> aegis_core::Verdict {
        match self {
            VerdictArg::Pass => aegis_core::Verdict::Pass,
            VerdictArg::Fail => aegis_core::Verdict::Fail,
            VerdictArg::NeedsReview => aegis_core::Verdict::NeedsReview,
            VerdictArg::Error => aegis_core::Verdict::Error,
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct SanitizeArgs {
    /// The JSON lines: a file, or `-` for standard input.
    pub(crate) input: PathBuf,
    /// What replaces an identifier.
    #[arg(long, value_enum, default_value_t = ModeArg::Pseudonymize)]
    pub(crate) mode: ModeArg,
    /// Detect only these classes (comma-separated labels such as NAME,DATE,PHONE); default all.
    #[arg(long, value_delimiter = ',')]
    pub(crate) classes: Vec<String>,
    /// The field (dotted path, such as `domain_data.patient.id`) naming the person each line is
    /// about: their dates move by one offset. Default: the line's `id`.
    #[arg(long)]
    pub(crate) subject_field: Option<String>,
    /// Keep what HIPAA Safe Harbor allows of replaced identifiers (comma-separated): `year` (a
    /// date's year; with --mode redact or mask) and `zip3` (a US ZIP code's first three digits).
    #[arg(long, value_delimiter = ',', value_parser = ["year", "zip3"])]
    pub(crate) keep: Vec<String>,
    /// Record pseudonym → original in this vault file (sealed with AES-256-GCM under the key;
    /// an existing vault is opened and extended).
    #[arg(long)]
    pub(crate) vault: Option<PathBuf>,
    /// Write here instead of standard output.
    #[arg(long, short)]
    pub(crate) output: Option<PathBuf>,
}

/// Tier-0 modes, as command-line values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ModeArg {
    /// Consistent, format-preserving pseudonyms.
    Pseudonymize,
    /// `[NAME]`.
    Redact,
    /// `****`.
    Mask,
    /// `<NAME:5f2a9c1b07e4d8a3>`.
    Hash,
}

impl ModeArg {
    pub(crate) fn mode(self) -> aegis_core::PhiMode {
        match self {
            ModeArg::Pseudonymize => aegis_core::PhiMode::Pseudonymize,
            ModeArg::Redact => aegis_core::PhiMode::Redact,
            ModeArg::Mask => aegis_core::PhiMode::Mask,
            ModeArg::Hash => aegis_core::PhiMode::Hash,
        }
    }
}

/// `aegis-eval models …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ModelsCommand {
    /// Every model version in the registry, with its metrics; `*` marks production.
    List {
        /// Print JSON (every card) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Put a version into production (the one it replaces can be rolled back to).
    Promote {
        /// `<domain>/<model>`.
        model: String,
        /// The version (`3` or `v3`).
        version: String,
    },
    /// Return a model to its previous production version.
    Rollback {
        /// `<domain>/<model>`.
        model: String,
    },
    /// Score labelled examples with the model evaluation would use (the registry's production
    /// version, else the compiled-in weights) and report accuracy, F1, ROC-AUC and calibration.
    Eval {
        /// `<domain>/<model>`.
        model: String,
        /// Labelled examples, JSONL, as for `train --data`.
        #[arg(long)]
        data: PathBuf,
        /// The MiniLM directory, for models on the minilm backbone.
        #[arg(long)]
        minilm_dir: Option<PathBuf>,
        /// Print the metrics as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub(crate) struct TrainArgs {
    /// The domain.
    pub(crate) domain: String,
    /// The model's id in the domain's spec.
    pub(crate) model: String,
    /// Labelled examples, JSONL: `{"text": …, "label": …}` (classifiers) or `{"text": …,
    /// "score": 0.8}` (risk regressors); instead of `text`, a trace's `input` and `output`.
    /// Text is sanitised by Tier 0 first when the domain carries PHI, as at evaluation.
    #[arg(long)]
    pub(crate) data: Option<PathBuf>,
    /// Add this many synthetic examples from the spec's templates (default: the spec's count
    /// when no --data is given, else none).
    #[arg(long)]
    pub(crate) synthetic: Option<usize>,
    /// The model registry (default: $AEGIS_MODEL_REGISTRY, else models/registry).
    #[arg(long)]
    pub(crate) registry: Option<PathBuf>,
    /// Also write the weights and card to this directory (e.g. the spec's `weights:` directory,
    /// to compile them into the domain crate).
    #[arg(long)]
    pub(crate) export: Option<PathBuf>,
    /// Put the new version into production right away.
    #[arg(long)]
    pub(crate) promote: bool,
    /// Seed of the split, shuffles, initial weights and synthetic draw.
    #[arg(long, default_value_t = 17)]
    pub(crate) seed: u64,
    /// Most epochs (early stopping usually ends sooner).
    #[arg(long, default_value_t = 40)]
    pub(crate) max_epochs: usize,
    /// The MiniLM directory, for models on the minilm backbone.
    #[arg(long)]
    pub(crate) minilm_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The traces: a file, or `-` for standard input.
    pub(crate) input: PathBuf,
    /// The domain to evaluate against; by default each trace's `metadata.domain`.
    #[arg(long, short)]
    pub(crate) domain: Option<String>,
    #[command(flatten)]
    pub(crate) results: ResultArgs,
    /// Record pseudonym → original of Tier 0 in this vault file (sealed with AES-256-GCM under
    /// the PHI key).
    #[arg(long)]
    pub(crate) phi_vault: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) tiers: TierArgs,
    /// Keep every result, with its trace's sanitised text, in this store (an SQLite file,
    /// created when missing; default: $AEGIS_STORE when set). Re-running a batch replaces its
    /// results: one result per trace.
    #[arg(long, value_name = "FILE", env = "AEGIS_STORE")]
    pub(crate) store: Option<PathBuf>,
    /// Give each trace at most this many milliseconds: a trace still being evaluated then gets
    /// an `error` result and the run goes on (default: no limit).
    #[arg(long, value_name = "MS")]
    pub(crate) time_budget_ms: Option<u64>,
}

/// `aegis-eval transfer …`.
#[derive(Debug, Subcommand)]
pub(crate) enum TransferCommand {
    /// Fit a transfer model on (simulation metrics, real outcome) pairs and save it as JSON.
    Fit {
        /// The pairs (JSON lines; `-` for standard input).
        pairs: PathBuf,
        /// Write the model here.
        #[arg(long, short)]
        output: PathBuf,
        /// Share of the pairs kept aside to calibrate the intervals.
        #[arg(long, default_value_t = 0.25)]
        calibration: f64,
        /// Ridge penalty of the regression.
        #[arg(long, default_value_t = 1e-3)]
        ridge: f64,
        /// Seed of the train/calibration split.
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
    /// Predict real outcomes, with intervals, for simulation metrics (JSON lines in, JSON
    /// lines out).
    Predict {
        /// The model `fit` saved.
        #[arg(long, short)]
        model: PathBuf,
        /// Lines with `sim` metrics (`-` for standard input).
        input: PathBuf,
        /// The intervals' coverage.
        #[arg(long, default_value_t = 0.9)]
        coverage: f64,
    },
    /// Measure a model on held-out pairs: mean absolute error and the intervals' coverage.
    Eval {
        /// The model `fit` saved.
        #[arg(long, short)]
        model: PathBuf,
        /// Held-out pairs (JSON lines).
        pairs: PathBuf,
        /// The intervals' coverage.
        #[arg(long, default_value_t = 0.9)]
        coverage: f64,
    },
    /// Write synthetic pairs (a documented nonlinear reality gap with noise; see
    /// `aegis_rl::transfer::synthetic_pairs`), to try the workflow or reproduce its accuracy.
    Synth {
        /// How many pairs.
        #[arg(long, default_value_t = 1000)]
        count: usize,
        /// Seed of the draw.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

/// `aegis-eval simulate`.
#[derive(Debug, Args)]
pub(crate) struct SimulateArgs {
    /// The domain.
    pub(crate) domain: String,
    /// The simulator's id in the domain's spec (`aegis-eval inspect <domain>` lists them).
    pub(crate) simulator: String,
    /// `random` (uniform actions), or a policy file (JSON; see below).
    #[arg(long, default_value = "random")]
    pub(crate) policy: String,
    /// How many episodes.
    #[arg(long, default_value_t = 10)]
    pub(crate) episodes: usize,
    /// Seed of the first episode (episode k is seeded seed + k).
    #[arg(long, default_value_t = 0)]
    pub(crate) seed: u64,
    /// Cut episodes at this many steps (the simulator's own time limit applies first).
    #[arg(long, default_value_t = 10_000)]
    pub(crate) max_steps: usize,
    /// Simulate on this many threads (default: every core).
    #[arg(long)]
    pub(crate) threads: Option<usize>,
    /// Write the episode traces here (default: <domain>-<simulator>.episodes.jsonl).
    #[arg(long, value_name = "FILE")]
    pub(crate) traces: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) results: ResultArgs,
}

/// How results are printed (`run` and `simulate`).
#[derive(Debug, Args)]
pub(crate) struct ResultArgs {
    /// How to print results.
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
    /// Exit with code 1 when any issue at or above this severity is found (a CI gate).
    #[arg(long, value_enum)]
    pub(crate) fail_on: Option<SeverityArg>,
    /// Write results to this file instead of standard output (`-`: standard output).
    #[arg(long, short)]
    pub(crate) output: Option<PathBuf>,
    /// Print no summary and no progress bar.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// A table for people, then a summary.
    Table,
    /// One JSON document: `{"results": [...], "summary": {...}}`.
    Json,
    /// One JSON result per line; the summary goes to standard error.
    Jsonl,
    /// JUnit XML, one test case per trace, for CI dashboards.
    Junit,
}

/// Severities, as command-line values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SeverityArg {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl SeverityArg {
    pub(crate) fn severity(self) -> aegis_core::Severity {
        match self {
            SeverityArg::Info => aegis_core::Severity::Info,
            SeverityArg::Low => aegis_core::Severity::Low,
            SeverityArg::Medium => aegis_core::Severity::Medium,
            SeverityArg::High => aegis_core::Severity::High,
            SeverityArg::Critical => aegis_core::Severity::Critical,
        }
    }
}

/// The service directory when none is named.
pub(crate) const DEFAULT_SERVICE_DIR: &str = "aegis-service";

/// `aegis-eval serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8420", env = "AEGIS_ADDR")]
    pub(crate) addr: std::net::SocketAddr,
    /// The service directory (organisations and keys, and per organisation its store, with
    /// the durable ingest queue, and Tier-0 key), or, scaled out with --queue, a PostgreSQL
    /// database (`postgres://user@host/db`; the password from PGPASSWORD or the URL) holding
    /// every organisation's results, each in a schema of its own.
    #[arg(long, default_value = DEFAULT_SERVICE_DIR, value_name = "DIR|URL", env = "AEGIS_STORE")]
    pub(crate) store: String,
    #[command(flatten)]
    pub(crate) scale: ScaleArgs,
    #[command(flatten)]
    pub(crate) tiers: TierArgs,
    /// Worker threads evaluating queued traces (default: one per core; scaled out, 0 makes
    /// an API-only process).
    #[arg(long)]
    pub(crate) workers: Option<usize>,
    /// The largest request body in bytes, before and after decompression (20 MiB: what
    /// OpenTelemetry collectors expect an OTLP receiver to take).
    #[arg(long, default_value_t = 20 * 1024 * 1024)]
    pub(crate) body_limit: usize,
    /// The longest a request may take, in seconds.
    #[arg(long, default_value_t = 30)]
    pub(crate) request_timeout: u64,
    /// How long one trace may take, in milliseconds, before it gets an `error` result.
    #[arg(long, default_value_t = 30_000)]
    pub(crate) time_budget_ms: u64,
    /// How long, in milliseconds, a worker that emptied the queue waits before it looks
    /// again, so that traces arriving a few at a time are stored in fewer, larger batches
    /// (0: at once; a backlog is never slowed).
    #[arg(long, default_value_t = 20)]
    pub(crate) gather_ms: u64,
    /// The domain of OpenTelemetry traces that name none (no `aegis.domain` attribute, no
    /// `x-aegis-domain` header).
    #[arg(long, value_name = "DOMAIN")]
    pub(crate) default_domain: Option<String>,
    /// How long, in seconds, a trace sent span by span may be quiet without its root span
    /// before it is evaluated from the spans it has.
    #[arg(long, default_value_t = 30)]
    pub(crate) otlp_quiet: u64,
    /// Requests per second an organisation may make.
    #[arg(long, default_value_t = 10_000)]
    pub(crate) rate_limit: u32,
    /// Send an organisation's results, as they are stored, to an Arize Phoenix as trace
    /// annotations (`ORG=URL`: the organisation's id or name, and Phoenix's base URL, e.g.
    /// `acme=http://127.0.0.1:6006`). Only results of traces that came with an OpenTelemetry
    /// trace id are sent. Repeat for more organisations; Phoenix's API key, if it needs one,
    /// is read from PHOENIX_API_KEY.
    #[arg(long, value_name = "ORG=URL")]
    pub(crate) export_phoenix: Vec<String>,
    /// Send an organisation's results, as they are stored, to an OTLP/HTTP logs endpoint as
    /// OpenTelemetry GenAI `gen_ai.evaluation.result` events parented to the evaluated span
    /// (`ORG=URL`, e.g. `acme=http://127.0.0.1:4318`; `/v1/logs` is added unless the URL ends
    /// so). Headers, if the endpoint needs any, are read from OTEL_EXPORTER_OTLP_LOGS_HEADERS
    /// or OTEL_EXPORTER_OTLP_HEADERS (`key=value,key=value`). Repeat for more organisations.
    #[arg(long, value_name = "ORG=URL")]
    pub(crate) export_otlp: Vec<String>,
    /// Send an organisation's results, as they are stored, to Langfuse as scores (`ORG=URL`,
    /// Langfuse's base URL, e.g. `acme=https://cloud.langfuse.com`), with the keys of
    /// LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY. Repeat for more organisations.
    #[arg(long, value_name = "ORG=URL")]
    pub(crate) export_langfuse: Vec<String>,
    #[command(flatten)]
    pub(crate) metrics: MetricsTokenArgs,
    /// A PEM certificate chain: serve HTTPS (with --tls-key).
    #[arg(long, requires = "tls_key")]
    pub(crate) tls_cert: Option<PathBuf>,
    /// The certificate's PEM private key.
    #[arg(long, requires = "tls_cert")]
    pub(crate) tls_key: Option<PathBuf>,
}

/// Where a scaled-out service's queue is, and its limits.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ScaleArgs {
    /// Scale out: queue accepted traces in this Redis (`redis://host:6379/0`) for any number
    /// of `aegis-eval worker` processes, with --store a PostgreSQL URL.
    #[arg(long, value_name = "URL", env = "AEGIS_QUEUE", requires = "store")]
    pub(crate) queue: Option<String>,
    /// Scaled out: the service directory (organisations, API keys, Tier-0 keys), which every
    /// API process reads.
    #[arg(long, default_value = DEFAULT_SERVICE_DIR, env = "AEGIS_DIR")]
    pub(crate) dir: PathBuf,
    /// Scaled out: the organisations' Tier-0 keys, one file `<org id>.key` each (e.g. a
    /// mounted Kubernetes Secret), instead of those in --dir; --dir then needs only to be
    /// writable, and may be empty.
    #[arg(long, value_name = "DIR", env = "AEGIS_TIER0_KEYS")]
    pub(crate) tier0_keys: Option<PathBuf>,
    /// Scaled out: ingest answers 503 (Retry-After) while this many traces wait.
    #[arg(long, default_value_t = 1_000_000)]
    pub(crate) max_backlog: u64,
    /// Scaled out: seconds a trace a worker took may stay unfinished before another worker
    /// takes it over (a worker that died).
    #[arg(long, default_value_t = 60)]
    pub(crate) claim_idle: u64,
    /// Scaled out: deliveries after which a trace that never got a result is a dead letter.
    #[arg(long, default_value_t = 5)]
    pub(crate) max_deliveries: u64,
}

/// Who may read `/metrics` (of `serve`, and of `worker --listen`).
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct MetricsTokenArgs {
    /// The bearer token `/metrics` asks for (better from the environment, or a file, than the
    /// command line). Metrics count every organisation's traffic: without a token, only a
    /// client on the process's own machine may read them.
    #[arg(
        long,
        env = "AEGIS_METRICS_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub(crate) metrics_token: Option<String>,
    /// A file whose first line is the metrics token (a mounted secret), instead of
    /// --metrics-token.
    #[arg(
        long,
        env = "AEGIS_METRICS_TOKEN_FILE",
        value_name = "FILE",
        conflicts_with = "metrics_token"
    )]
    pub(crate) metrics_token_file: Option<PathBuf>,
}

/// `aegis-eval worker`.
#[derive(Debug, clap::Args)]
pub(crate) struct WorkerArgs {
    /// The PostgreSQL database results are stored in (as `serve --store` names it).
    #[arg(long, value_name = "URL", env = "AEGIS_STORE")]
    pub(crate) store: String,
    #[command(flatten)]
    pub(crate) scale: ScaleArgs,
    #[command(flatten)]
    pub(crate) tiers: TierArgs,
    /// Worker threads in this process (default: one per core).
    #[arg(long)]
    pub(crate) workers: Option<usize>,
    /// How long one trace may take, in milliseconds, before it gets an `error` result.
    #[arg(long, default_value_t = 30_000)]
    pub(crate) time_budget_ms: u64,
    /// Traces a worker takes at once.
    #[arg(long, default_value_t = 256)]
    pub(crate) batch: usize,
    /// Serve `/healthz`, `/readyz` and `/metrics` here (e.g. `0.0.0.0:9420`), for an
    /// orchestrator's probes and Prometheus.
    #[arg(long, value_name = "ADDR", env = "AEGIS_WORKER_LISTEN")]
    pub(crate) listen: Option<std::net::SocketAddr>,
    #[command(flatten)]
    pub(crate) metrics: MetricsTokenArgs,
}

/// `aegis-eval orgs …`.
#[derive(Debug, Subcommand)]
pub(crate) enum OrgsCommand {
    /// Create an organisation: its store, its Tier-0 key file and a first API key, printed
    /// once (only its hash is kept).
    Create {
        /// Its name (unique).
        name: String,
    },
    /// List the organisations.
    List,
}

/// `aegis-eval alerts …`.
#[derive(Debug, Subcommand)]
pub(crate) enum AlertsCommand {
    /// The organisation's alerts, newest first.
    List {
        /// The organisation (name or id).
        org: String,
        /// Only `firing` or `resolved` alerts.
        #[arg(long, value_parser = ["firing", "resolved"])]
        state: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// One alert, its notifications and every delivery attempt with the receiver's answer.
    Show {
        /// The organisation (name or id).
        org: String,
        /// The alert's id.
        id: i64,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// `aegis-eval keys …`.
#[derive(Debug, Subcommand)]
pub(crate) enum KeysCommand {
    /// Create an API key for an organisation (printed once).
    Create {
        /// The organisation (name or id).
        org: String,
        /// What the key is for.
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List the keys (ids, never secrets), of one organisation or all.
    List {
        /// Only this organisation (name or id).
        org: Option<String>,
    },
    /// Revoke a key: requests with it are refused from now on.
    Revoke {
        /// The key's id (as `keys list` shows it).
        key_id: String,
    },
}

impl MetricsTokenArgs {
    /// The token: given, or the first line of the file (none when empty).
    pub(crate) fn token(&self) -> Result<Option<String>, crate::CliError> {
        let token = match &self.metrics_token_file {
            Some(file) => std::fs::read_to_string(file)
                .map_err(|source| aegis_app::AppError::Io {
                    context: format!("cannot read the metrics token file {}", file.display()),
                    source,
                })?
                .lines()
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned(),
            None => self.metrics_token.clone().unwrap_or_default(),
        };
        Ok(Some(token).filter(|t| !t.is_empty()))
    }
}
