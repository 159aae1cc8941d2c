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
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List the domains linked into this binary.
    Domains,
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
        after_help = "Exit codes: 0 ok; 1 an issue at or above --fail-on was found; 2 usage or I/O error; 3 some lines could not be evaluated."
    )]
    Run(RunArgs),
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The traces: a file, or `-` for standard input.
    pub(crate) input: PathBuf,
    /// The domain to evaluate against; by default each trace's `metadata.domain`.
    #[arg(long, short)]
    pub(crate) domain: Option<String>,
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
