//! `cargo xtask`: workspace automation over `aegis-codegen`. Every command is a thin wrapper; the
//! logic lives in the generator library.
//!
//! * `cargo xtask gen-domain <name>…` creates or refreshes `domain-crates/aegis-domain-<name>`
//!   (after checking the spec) and the `aegis-eval` crate's domain list.
//! * `cargo xtask gen-domain --all [--check]` does so for every `domains/*/domain_spec.yaml`, and
//!   refreshes the JSON Schema; `--check` changes nothing and fails when anything is stale.
//! * `cargo xtask schema [--check]` writes `domains/domain_spec.schema.json`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aegis_codegen::scaffold::{self, ScaffoldFile};
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
    /// Write the JSON Schema of domain specs to `domains/domain_spec.schema.json`.
    Schema {
        /// Change nothing; fail if the schema file is stale.
        #[arg(long)]
        check: bool,
    },
}

const SCHEMA_PATH: &str = "domains/domain_spec.schema.json";

fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// Every domain with a spec under `domains/`, sorted.
fn all_domains(root: &Path) -> Result<Vec<String>, String> {
    let dir = root.join("domains");
    let entries =
        std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().join("domain_spec.yaml").is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .collect();
    names.sort();
    Ok(names)
}

/// Formats Rust source with the workspace's rustfmt, so that generated scaffolding passes
/// `cargo fmt --check`; returns the source unchanged when rustfmt is not installed.
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

/// Writes (or, with `check`, compares) files; returns the stale ones.
fn sync(root: &Path, files: &[ScaffoldFile], check: bool) -> Result<Vec<String>, String> {
    let mut stale = Vec::new();
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
    for f in &files {
        let path = root.join(&f.path);
        let current = std::fs::read_to_string(&path).ok();
        if current.as_deref() == Some(f.content.as_str()) {
            continue;
        }
        stale.push(f.path.clone());
        if !check {
            scaffold::write_if_changed(&path, &f.content)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            println!("wrote {}", f.path);
        }
    }
    Ok(stale)
}

fn gen_domains(root: &Path, names: &[String], all: bool, check: bool) -> Result<(), String> {
    let known = all_domains(root)?;
    let names = if all { known.clone() } else { names.to_vec() };
    let mut files = Vec::new();
    let mut failed = false;
    for name in &names {
        let spec = root.join("domains").join(name).join("domain_spec.yaml");
        if !spec.is_file() {
            return Err(format!(
                "no spec for domain `{name}`: {} does not exist (domains: {})",
                spec.display(),
                known.join(", ")
            ));
        }
        // The spec must generate cleanly; its errors are the user's to see, all at once.
        match aegis_codegen::generate(&spec) {
            Ok(generated) => {
                if generated.name() != name {
                    eprintln!(
                        "error: domains/{name}/domain_spec.yaml names its domain `{}`; it must be `{name}` (its folder's name)",
                        generated.name()
                    );
                    failed = true;
                    continue;
                }
                let description = spec_description(&spec);
                files.extend(scaffold::domain_crate(name, &description));
            }
            Err(errors) => {
                eprintln!("{errors}");
                failed = true;
            }
        }
    }
    if failed {
        return Err("the specs above have errors".into());
    }
    files.extend(scaffold::eval_crate(&known));
    if all {
        files.push(ScaffoldFile {
            path: SCHEMA_PATH.into(),
            content: aegis_codegen::json_schema(),
        });
    }
    let stale = sync(root, &files, check)?;
    if check && !stale.is_empty() {
        let fix = if all {
            "cargo xtask gen-domain --all".to_owned()
        } else {
            format!("cargo xtask gen-domain {}", names.join(" "))
        };
        return Err(format!(
            "generated files are stale:\n  {}\nrun `{fix}` to refresh them",
            stale.join("\n  ")
        ));
    }
    if check {
        println!(
            "{} domain(s) checked: generated files are up to date",
            names.len()
        );
    } else if stale.is_empty() {
        println!("{} domain(s) generated: nothing changed", names.len());
    }
    Ok(())
}

/// The spec's one-line description, for the crate's manifest.
fn spec_description(spec: &Path) -> String {
    let text = std::fs::read_to_string(spec).unwrap_or_default();
    aegis_codegen::spec::parse_spec(&text)
        .map(|s| s.description)
        .unwrap_or_default()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = workspace_root();
    let result = match cli.command {
        Command::GenDomain { names, all, check } => gen_domains(&root, &names, all, check),
        Command::Schema { check } => {
            let file = ScaffoldFile {
                path: SCHEMA_PATH.into(),
                content: aegis_codegen::json_schema(),
            };
            sync(&root, &[file], check).and_then(|stale| {
                if check && !stale.is_empty() {
                    Err(format!("{SCHEMA_PATH} is stale; run `cargo xtask schema`"))
                } else {
                    Ok(())
                }
            })
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
