//! Tier 0 on the command line: the key (with a note when it is random), `aegis-eval sanitize`,
//! `aegis-eval reidentify`, and verbose logging. The work is `aegis_app::phi`'s.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use aegis_app::phi::{JsonSanitizer, KeyOrigin, SanitizeOptions};
use aegis_core::SanitizeReport;
use aegis_phi::PhiKey;

use super::args::SanitizeArgs;
use super::{CliError, EXIT_INPUT_ERRORS, EXIT_OK};

/// Turns on logging to standard error: `-v` logs each trace, `-vv` more; without `-v`,
/// `RUST_LOG` (`info`, `warn,aegis_app=debug`, …) when it is set, as a service's deployment
/// sets it, else nothing.
pub(crate) fn init_logging(verbose: u8) {
    let builder = tracing_subscriber::fmt()
        .with_writer(io::stderr)
        .with_ansi(false)
        .with_target(false);
    if verbose == 0 {
        let Some(filter) = std::env::var("RUST_LOG")
            .ok()
            .filter(|f| !f.trim().is_empty())
        else {
            return;
        };
        let filter = tracing_subscriber::EnvFilter::try_new(&filter).unwrap_or_else(|e| {
            eprintln!("note: RUST_LOG is not a log filter ({e}): logging warnings only");
            tracing_subscriber::EnvFilter::new("warn")
        });
        let _ = builder.with_env_filter(filter).try_init();
        return;
    }
    let level = if verbose == 1 {
        tracing::Level::DEBUG
    } else {
        tracing::Level::TRACE
    };
    let _ = builder.with_max_level(level).try_init();
}

/// The organisation's key: `--phi-key-file`, else `AEGIS_PHI_KEY`, else a random key for this
/// run (said once on standard error unless `quiet`).
pub(crate) fn key(file: Option<&Path>, quiet: bool) -> Result<PhiKey, CliError> {
    let (key, origin) = aegis_app::phi::load_key(file)?;
    if origin == KeyOrigin::Random && !quiet {
        eprintln!(
            "note: no PHI key configured ({} or --phi-key-file): pseudonyms are consistent within this run only",
            aegis_phi::KEY_ENV
        );
    }
    Ok(key)
}

/// `aegis-eval sanitize`.
pub(crate) fn sanitize(args: SanitizeArgs, key_file: Option<&Path>) -> Result<u8, CliError> {
    aegis_app::phi::vault_needs_key(args.vault.as_deref(), key_file)?;
    let key = key(key_file, false)?;
    let engine = aegis_app::phi::engine(key, args.vault.as_deref())?;
    let sanitizer = JsonSanitizer::new(
        std::sync::Arc::clone(&engine),
        SanitizeOptions {
            classes: args.classes.clone(),
            mode: args.mode.mode(),
            subject_field: args.subject_field.clone(),
            keep: aegis_core::PhiKeep {
                year: args.keep.iter().any(|k| k == "year"),
                zip3: args.keep.iter().any(|k| k == "zip3"),
            },
        },
    )?;
    let input_name = args.input.display().to_string();
    let (reader, size) = super::run::open_input(&args.input)?;
    let progress = super::run::progress_bar(size, false, args.output.as_deref());
    if let Some(vault) = &args.vault {
        aegis_app::files::refuse_overwrite(
            vault,
            &super::run::kept_files(Some(&args.input), key_file, None, None),
            aegis_app::files::Written {
                what: "the vault",
                flag: "--vault",
            },
        )?;
    }
    let mut out = super::run::create_output(
        args.output.as_deref(),
        &super::run::kept_files(Some(&args.input), key_file, args.vault.as_deref(), None),
        super::run::RESULTS,
    )?;
    let mut bad = 0u64;
    let mut total = SanitizeReport::default();
    let mut lines = aegis_runtime::input::JsonLines::new(reader);
    let mut each_line = || -> Result<(), CliError> {
        while let Some((line_no, text)) = lines.next_line().map_err(|source| CliError::Io {
            context: format!("cannot read {input_name}"),
            source,
        })? {
            let before = total.total();
            match text.and_then(|text| sanitizer.sanitize_line(text, &mut total)) {
                Ok(value) => {
                    tracing::debug!(
                        line = line_no,
                        replaced = total.total() - before,
                        "sanitised"
                    );
                    serde_json::to_writer(&mut out, &value).map_err(io::Error::from)?;
                    out.write_all(b"\n")?;
                }
                Err(why) => {
                    bad += 1;
                    eprintln!("error: {input_name}:{line_no}: {why}; the line is left out");
                }
            }
            if line_no.is_multiple_of(256) {
                progress.set_position(lines.bytes_read());
            }
        }
        out.flush()?;
        Ok(())
    };
    let done = each_line();
    let done = done.and_then(|()| out.commit());
    progress.finish_and_clear();
    // The lines written so far are pseudonymised: keep their vault even if reading failed.
    if let Some(path) = &args.vault {
        let saved = aegis_app::phi::save_vault(&engine, path);
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

/// `aegis-eval reidentify`.
pub(crate) fn reidentify(
    input: &PathBuf,
    vault: &Path,
    key_file: Option<&Path>,
) -> Result<u8, CliError> {
    let name = input.display().to_string();
    let mut text = String::new();
    if name == "-" {
        io::stdin().read_to_string(&mut text)?;
    } else {
        text = std::fs::read_to_string(input)
            .map_err(|source| CliError::Open { path: name, source })?;
    }
    let restored = aegis_app::phi::reidentify(&text, vault, key_file)?;
    let mut out = io::stdout().lock();
    out.write_all(restored.as_bytes())?;
    out.flush()?;
    Ok(EXIT_OK)
}
