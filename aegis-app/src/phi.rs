//! Tier 0 for every front end: the organisation's key, the shared engine, sanitising JSON
//! lines, re-identifying text, and sanitising what people type (review notes).

use std::path::Path;
use std::sync::Arc;

use aegis_core::tiers::Sanitizer;
use aegis_core::{
    Domain, PhiClass, PhiClasses, PhiKeep, PhiMode, PhiSettings, SanitizeReport, Sanitized, Trace,
};
use aegis_phi::{PhiEngine, PhiKey, Vault};

use crate::AppError;

fn phi_error(e: aegis_phi::PhiError) -> AppError {
    AppError::Phi(e.to_string())
}

/// Where the organisation's key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOrigin {
    /// A key file (`--phi-key-file`).
    File,
    /// The `AEGIS_PHI_KEY` environment variable.
    Environment,
    /// The key file that goes with the store (`<store>.key`).
    StoreFile,
    /// Neither was given: a random key, good for this run only (pseudonyms are consistent
    /// within it, not across runs). A front end should say so.
    Random,
}

/// The organisation's key: `file`, else `AEGIS_PHI_KEY`, else a random key for this run.
pub fn load_key(file: Option<&Path>) -> Result<(PhiKey, KeyOrigin), AppError> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|source| AppError::Open {
            path: path.display().to_string(),
            source,
        })?;
        let key = PhiKey::from_config(&text)
            .map_err(|e| AppError::Phi(format!("{}: {e}", path.display())))?;
        return Ok((key, KeyOrigin::File));
    }
    match PhiKey::from_env().map_err(phi_error)? {
        Some(k) => Ok((k, KeyOrigin::Environment)),
        None => Ok((PhiKey::random().map_err(phi_error)?, KeyOrigin::Random)),
    }
}

/// The key file that goes with a store: `<store>.key` beside it (`aegis.db.key`). A store's
/// trace ids are pseudonymised, so every run that writes to it must use the same key: when
/// neither `--phi-key-file` nor `AEGIS_PHI_KEY` gives one, this file does (created, readable
/// by this user only, on first use). The service keeps each organisation's key the same way,
/// so `aegis-eval run --store <service>/orgs/<org>/store.db` pseudonymises as the service
/// does for that organisation.
pub fn store_key_file(store: &Path) -> std::path::PathBuf {
    let mut name = store
        .file_name()
        .map(std::ffi::OsStr::to_os_string)
        .unwrap_or_default();
    name.push(".key");
    store.with_file_name(name)
}

/// The key for a run that writes to `store`: `file`, else `AEGIS_PHI_KEY`, else the store's
/// key file ([`store_key_file`]), created when it does not exist yet.
pub fn key_for_store(file: Option<&Path>, store: &Path) -> Result<(PhiKey, KeyOrigin), AppError> {
    if key_configured(file) {
        return load_key(file);
    }
    let path = store_key_file(store);
    if !path.exists() {
        create_key_file(&path)?;
    }
    load_key(Some(&path)).map(|(k, _)| (k, KeyOrigin::StoreFile))
}

/// The organisation's key when one is configured (`file`, else `AEGIS_PHI_KEY`); an error
/// saying what `purpose` needs it otherwise.
pub fn configured_key(file: Option<&Path>, purpose: &str) -> Result<PhiKey, AppError> {
    match load_key(file)? {
        (_, KeyOrigin::Random) => Err(AppError::Phi(format!(
            "{purpose} needs the organisation's key: set {} or pass --phi-key-file",
            aegis_phi::KEY_ENV
        ))),
        (key, _) => Ok(key),
    }
}

/// Whether a key is configured (a key file, or `AEGIS_PHI_KEY`), without reading it.
pub fn key_configured(file: Option<&Path>) -> bool {
    file.is_some() || std::env::var_os(aegis_phi::KEY_ENV).is_some()
}

/// A vault sealed under a random key could never be opened again: refuses it.
pub fn vault_needs_key(vault: Option<&Path>, key_file: Option<&Path>) -> Result<(), AppError> {
    if vault.is_some() && !key_configured(key_file) {
        return Err(AppError::Phi(format!(
            "a pseudonym vault is sealed with the organisation's key: set {} or pass --phi-key-file",
            aegis_phi::KEY_ENV
        )));
    }
    Ok(())
}

/// Creates a key file holding a new random key, readable and writable by this user only
/// (mode 0600 from the moment it exists); refuses to replace a file that is there already.
pub fn create_key_file(path: &Path) -> Result<(), AppError> {
    use std::io::Write;
    let text = PhiKey::generate_config().map_err(phi_error)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let cannot = |source| AppError::Io {
        context: format!("cannot create the key file {}", path.display()),
        source,
    };
    let mut file = options.open(path).map_err(cannot)?;
    file.write_all(format!("{text}\n").as_bytes())
        .map_err(cannot)?;
    file.sync_all().map_err(cannot)?;
    Ok(())
}

/// Builds the engine, with the vault at `vault` opened (or started) when one is given.
pub fn engine(key: PhiKey, vault: Option<&Path>) -> Result<Arc<PhiEngine>, AppError> {
    let engine = PhiEngine::new(key.clone()).map_err(phi_error)?;
    let engine = match vault {
        Some(path) if path.exists() => {
            engine.with_vault(Vault::load(path, &key).map_err(phi_error)?)
        }
        Some(_) => engine.with_vault(Vault::new()),
        None => engine,
    };
    Ok(Arc::new(engine))
}

/// Seals the engine's vault at `path`.
pub fn save_vault(engine: &PhiEngine, path: &Path) -> Result<(), AppError> {
    engine.save_vault(path).map_err(phi_error)
}

/// The engine, shared between the orchestrator's Tier 0 and the application layer (which also
/// sanitises the ids of lines it could not evaluate, and seals the vault at the end).
pub struct SharedEngine(pub Arc<PhiEngine>);

impl Sanitizer for SharedEngine {
    fn sanitize(&self, trace: &mut Trace, settings: &PhiSettings) -> SanitizeReport {
        self.0.sanitize(trace, settings)
    }
}

/// Redacts whatever looks like PHI in an id reported for a line that could not be evaluated
/// (such a line never went through Tier 0).
pub fn safe_id(engine: &PhiEngine, id: Option<String>) -> Option<String> {
    let id = id?;
    let settings = aegis_phi::all_classes(PhiMode::Redact);
    let mut report = SanitizeReport::default();
    Some(engine.sanitize_text(&id, &settings, "", &mut report))
}

/// Sanitises free text people type (a reviewer's notes) before it is stored: with the
/// domain's Tier-0 settings, or every class redacted when the domain is unknown. The result is
/// [`Sanitized`], so the store can take it.
pub fn sanitize_note(
    engine: &PhiEngine,
    note: &str,
    domain: Option<&dyn Domain>,
) -> Sanitized<String> {
    let settings = domain.and_then(|d| d.info().phi).unwrap_or(PhiSettings {
        classes: PhiClasses::ALL,
        mode: PhiMode::Redact,
        subject_field: None,
        keep: PhiKeep::default(),
    });
    let trace = Trace {
        output: note.to_owned(),
        ..Trace::default()
    };
    let (sanitized, _) = Sanitized::sanitize(trace, engine, &settings);
    sanitized.into_output()
}

/// What `sanitize` does to each JSON line: the classes to replace and how.
#[derive(Debug, Clone)]
pub struct SanitizeOptions {
    /// Class labels to replace (`NAME`, `SSN`, …); empty: every class.
    pub classes: Vec<String>,
    /// Replace, pseudonymise, mask or hash.
    pub mode: PhiMode,
    /// The dotted path of the field naming whose text a line is (date shifts and pseudonyms
    /// follow the subject); default: the line's `id`.
    pub subject_field: Option<String>,
    /// What Safe Harbor lets the output keep (a date's year, a ZIP code's first three digits).
    pub keep: PhiKeep,
}

/// Tier 0 over arbitrary JSON lines (traces or any JSON objects).
pub struct JsonSanitizer {
    engine: Arc<PhiEngine>,
    settings: PhiSettings,
    subject_field: Option<String>,
}

impl JsonSanitizer {
    /// Checks the options (every class label must be known).
    pub fn new(engine: Arc<PhiEngine>, options: SanitizeOptions) -> Result<Self, AppError> {
        let mut classes = Vec::new();
        for label in &options.classes {
            let c: PhiClass = label
                .trim()
                .parse()
                .map_err(|e| AppError::Phi(format!("--classes: `{label}` is {e}")))?;
            classes.push(c);
        }
        if options.keep.year && matches!(options.mode, PhiMode::Pseudonymize | PhiMode::Hash) {
            return Err(AppError::Phi(format!(
                "--keep year goes with --mode redact or mask: `{}` replaces a whole date",
                options.mode.name()
            )));
        }
        Ok(JsonSanitizer {
            engine,
            settings: PhiSettings {
                classes: if classes.is_empty() {
                    PhiClasses::ALL
                } else {
                    PhiClasses::of(&classes)
                },
                mode: options.mode,
                subject_field: None,
                keep: options.keep,
            },
            subject_field: options.subject_field,
        })
    }

    /// Sanitises one line of JSON text; what was replaced is added to `report`. An error
    /// (the line is not JSON) names the position, never the text.
    pub fn sanitize_line(
        &self,
        text: &str,
        report: &mut SanitizeReport,
    ) -> Result<serde_json::Value, String> {
        let mut value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            format!(
                "not valid JSON ({})",
                aegis_core::redact_quoted(&e.to_string())
            )
        })?;
        let subject = subject_of(&value, self.subject_field.as_deref());
        // A report of its own per line: the pseudonyms it lists belong to one line.
        let mut line = SanitizeReport::default();
        self.engine
            .sanitize_value(&mut value, None, &self.settings, &subject, &mut line);
        report.add_counts(&line);
        Ok(value)
    }
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

/// Puts the original values back into pseudonymised `text`, with the vault at `vault` opened
/// under the key the text was pseudonymised with.
pub fn reidentify(text: &str, vault: &Path, key_file: Option<&Path>) -> Result<String, AppError> {
    let key = configured_key(
        key_file,
        "reidentify (the key the text was pseudonymised with)",
    )?;
    let vault = Vault::load(vault, &key).map_err(phi_error)?;
    Ok(vault.reidentify(text))
}
