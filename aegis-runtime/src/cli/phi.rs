//! Tier 0 on the command line: the organisation's key, the shared engine, `aegis-eval
//! sanitize` and `aegis-eval reidentify`, and verbose logging.

use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use aegis_core::tiers::Sanitizer;
use aegis_core::{PhiClass, PhiClasses, PhiSettings, SanitizeReport, Trace};
use aegis_phi::{PhiEngine, PhiKey, Vault};

use super::args::SanitizeArgs;
use super::{CliError, EXIT_INPUT_ERRORS, EXIT_OK};

/// Turns on logging to standard error: `-v` logs each trace, `-vv` more.
pub(crate) fn init_logging(verbose: u8) {
    if verbose == 0 {
        return;
    }
    let level = if verbose == 1 {
        tracing::Level::DEBUG
    } else {
        tracing::Level::TRACE
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(io::stderr)
        .with_ansi(false)
        .with_target(false)
        .try_init();
}

/// The organisation's key: `--phi-key-file`, else `AEGIS_PHI_KEY`, else a random key for this
/// run (said once on standard error).
pub(crate) fn key(file: Option<&Path>, quiet: bool) -> Result<PhiKey, CliError> {
    let phi = |e: aegis_phi::PhiError| CliError::Phi(e.to_string());
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|source| CliError::Open {
            path: path.display().to_string(),
            source,
        })?;
        return PhiKey::from_config(&text)
            .map_err(|e| CliError::Phi(format!("{}: {e}", path.display())));
    }
    match PhiKey::from_env().map_err(phi)? {
        Some(k) => Ok(k),
        None => {
            if !quiet {
                eprintln!(
                    "note: no PHI key configured ({} or --phi-key-file): pseudonyms are consistent within this run only",
                    aegis_phi::KEY_ENV
                );
            }
            PhiKey::random().map_err(phi)
        }
    }
}

/// The engine, shared between the orchestrator's Tier 0 and the CLI (which also sanitises the
/// ids of lines it could not evaluate, and seals the vault at the end).
pub(crate) struct SharedEngine(pub(crate) Arc<PhiEngine>);

impl Sanitizer for SharedEngine {
    fn sanitize(&self, trace: &mut Trace, settings: &PhiSettings) -> SanitizeReport {
        self.0.sanitize(trace, settings)
    }
}

/// A vault sealed under a random key could never be opened again: refuse it.
pub(crate) fn vault_needs_key(
    vault: Option<&Path>,
    key_file: Option<&Path>,
) -> Result<(), CliError> {
    if vault.is_some() && key_file.is_none() && std::env::var_os(aegis_phi::KEY_ENV).is_none() {
        return Err(CliError::Phi(format!(
            "a pseudonym vault is sealed with the organisation's key: set {} or pass --phi-key-file",
            aegis_phi::KEY_ENV
        )));
    }
    Ok(())
}

/// Builds the engine, with the vault at `vault` opened (or started) when one is given.
pub(crate) fn engine(key: PhiKey, vault: Option<&Path>) -> Result<Arc<PhiEngine>, CliError> {
    let phi = |e: aegis_phi::PhiError| CliError::Phi(e.to_string());
    let engine = PhiEngine::new(key.clone()).map_err(phi)?;
    let engine = match vault {
        Some(path) if path.exists() => engine.with_vault(Vault::load(path, &key).map_err(phi)?),
        Some(_) => engine.with_vault(Vault::new()),
        None => engine,
    };
    Ok(Arc::new(engine))
}

/// Redacts whatever looks like PHI in an id the CLI reports for a line it could not evaluate
/// (such a line never went through Tier 0).
pub(crate) fn safe_id(engine: &PhiEngine, id: Option<String>) -> Option<String> {
    let id = id?;
    let settings = aegis_phi::all_classes(aegis_core::PhiMode::Redact);
    let mut report = SanitizeReport::default();
    Some(engine.sanitize_text(&id, &settings, "", &mut report))
}

/// `aegis-eval sanitize`.
pub(crate) fn sanitize(args: SanitizeArgs, key_file: Option<&Path>) -> Result<u8, CliError> {
    let mut classes = Vec::new();
    for label in &args.classes {
        let c: PhiClass = label
            .trim()
            .parse()
            .map_err(|e| CliError::Phi(format!("--classes: `{label}` is {e}")))?;
        classes.push(c);
    }
    let settings = PhiSettings {
        classes: if classes.is_empty() {
            PhiClasses::ALL
        } else {
            PhiClasses::of(&classes)
        },
        mode: args.mode.mode(),
        subject_field: None,
    };
    vault_needs_key(args.vault.as_deref(), key_file)?;
    let key = key(key_file, false)?;
    let engine = engine(key.clone(), args.vault.as_deref())?;
    let input_name = args.input.display().to_string();
    let (reader, size) = super::run::open_input(&args.input)?;
    let progress = super::run::progress_bar(size, false, args.output.as_deref());
    let mut read: u64 = 0;
    let mut out = super::run::create_output(&args.input, args.output.as_deref())?;
    let mut bad = 0u64;
    let mut total = SanitizeReport::default();
    let each_line = || -> Result<(), CliError> {
        for (n, line) in reader.split(b'\n').enumerate() {
            let line_no = n + 1;
            let bytes = line.map_err(|source| CliError::Io {
                context: format!("cannot read {input_name}"),
                source,
            })?;
            read += bytes.len() as u64 + 1;
            if line_no.is_multiple_of(256) {
                progress.set_position(read);
            }
            let text = String::from_utf8_lossy(&bytes);
            if text.trim().is_empty() {
                continue;
            }
            let mut value: serde_json::Value = match serde_json::from_str(&text) {
                Ok(v) => v,
                Err(e) => {
                    bad += 1;
                    // serde_json's syntax errors name a position, never the text.
                    eprintln!(
                        "error: {input_name}:{line_no}: not valid JSON ({}); the line is left out",
                        aegis_core::redact_quoted(&e.to_string())
                    );
                    continue;
                }
            };
            let subject = subject_of(&value, args.subject_field.as_deref());
            let before = total.total();
            engine.sanitize_value(&mut value, None, &settings, &subject, &mut total);
            tracing::debug!(
                line = line_no,
                replaced = total.total() - before,
                "sanitised"
            );
            serde_json::to_writer(&mut out, &value).map_err(io::Error::from)?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
        Ok(())
    };
    let done = each_line();
    progress.finish_and_clear();
    // The lines written so far are pseudonymised: keep their vault even if reading failed.
    if let Some(path) = &args.vault {
        let saved = engine
            .save_vault(path)
            .map_err(|e| CliError::Phi(e.to_string()));
        done?;
        saved?;
    } else {
        done?;
    }
    let by_class: Vec<String> = total
        .replaced
        .iter()
        .map(|(c, n)| format!("{n} {c}"))
        .collect();
    eprintln!(
        "sanitised: {} identifiers replaced{}{}",
        total.total(),
        if by_class.is_empty() { "" } else { ": " },
        by_class.join(", ")
    );
    Ok(if bad > 0 { EXIT_INPUT_ERRORS } else { EXIT_OK })
}

/// Whose line this is: the value at `field` (dotted path), else the line's `id`, else a random
/// subject of its own.
fn subject_of(value: &serde_json::Value, field: Option<&str>) -> String {
    let at = |path: &str| {
        let mut v = value;
        for p in path.split('.') {
            v = v.get(p)?;
        }
        Some(match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    };
    field
        .and_then(at)
        .or_else(|| at("id"))
        // No subject: an offset of the line's own, never one shared with other lines or files.
        .unwrap_or_else(aegis_phi::random_subject)
}

/// `aegis-eval reidentify`.
pub(crate) fn reidentify(
    input: &PathBuf,
    vault: &Path,
    key_file: Option<&Path>,
) -> Result<u8, CliError> {
    let key = match key_file {
        Some(_) => key(key_file, true)?,
        None => PhiKey::from_env()
            .map_err(|e| CliError::Phi(e.to_string()))?
            .ok_or_else(|| {
                CliError::Phi(format!(
                    "reidentify needs the key the text was pseudonymised with: set {} or pass --phi-key-file",
                    aegis_phi::KEY_ENV
                ))
            })?,
    };
    let vault = Vault::load(vault, &key).map_err(|e| CliError::Phi(e.to_string()))?;
    let name = input.display().to_string();
    let mut text = String::new();
    if name == "-" {
        io::stdin().read_to_string(&mut text)?;
    } else {
        text = std::fs::read_to_string(input)
            .map_err(|source| CliError::Open { path: name, source })?;
    }
    let mut out = io::stdout().lock();
    out.write_all(vault.reidentify(&text).as_bytes())?;
    out.flush()?;
    Ok(EXIT_OK)
}
