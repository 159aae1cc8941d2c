//! The model registry: a directory of trained versions per domain and model, and which one is
//! in production.
//!
//! ```text
//! <root>/<domain>/<model>/v1/{model.safetensors, card.json}
//! <root>/<domain>/<model>/v2/…
//! <root>/<domain>/<model>/production.json   {"version": 2, "history": [1]}
//! ```
//!
//! Every file is written to a temporary name and renamed into place, so a crash never leaves a
//! half-written version or pointer. `promote` keeps the previous production version in
//! `history`; `rollback` returns to it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::card::ModelCard;
use crate::error::{ModelError, Result};
use crate::model::{Backbones, CARD_FILE, TextModel, WEIGHTS_FILE};
use crate::train::Trained;

/// The default registry directory, relative to the current directory.
pub const DEFAULT_ROOT: &str = "models/registry";

/// The environment variable that names the registry directory.
pub const ROOT_ENV: &str = "AEGIS_MODEL_REGISTRY";

/// A registry rooted at a directory (which need not exist until something is saved).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    root: PathBuf,
}

/// Which version of a model is in production, and the ones before it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Production {
    /// The version in production.
    pub version: u32,
    /// Earlier production versions, oldest first.
    #[serde(default)]
    pub history: Vec<u32>,
}

/// One model of the registry, for `models list`.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The domain.
    pub domain: String,
    /// The model id.
    pub model: String,
    /// Every stored version's card, oldest first.
    pub versions: Vec<ModelCard>,
    /// The production pointer, if one is set.
    pub production: Option<Production>,
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl Registry {
    /// A registry at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Registry { root: root.into() }
    }

    /// The registry at `$AEGIS_MODEL_REGISTRY`, else `models/registry`.
    pub fn from_env() -> Self {
        Registry::new(
            std::env::var_os(ROOT_ENV).map_or_else(|| PathBuf::from(DEFAULT_ROOT), PathBuf::from),
        )
    }

    /// Its root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn model_dir(&self, domain: &str, model: &str) -> Result<PathBuf> {
        if !is_name(domain) || !is_name(model) {
            return Err(ModelError::Registry(
                "domain and model names are letters, digits, `_` and `-`".into(),
            ));
        }
        Ok(self.root.join(domain).join(model))
    }

    /// The directory of one version.
    pub fn version_dir(&self, domain: &str, model: &str, version: u32) -> Result<PathBuf> {
        Ok(self.model_dir(domain, model)?.join(format!("v{version}")))
    }

    /// Stored versions of a model, ascending.
    pub fn versions(&self, domain: &str, model: &str) -> Result<Vec<u32>> {
        let dir = self.model_dir(domain, model)?;
        let read = match std::fs::read_dir(&dir) {
            Ok(r) => r,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(ModelError::io(&dir, e)),
        };
        let mut versions: Vec<u32> = read
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str()?.strip_prefix('v')?.parse().ok())
            .filter(|v: &u32| dir.join(format!("v{v}")).join(CARD_FILE).is_file())
            .collect();
        versions.sort_unstable();
        Ok(versions)
    }

    /// Stores a trained model as the next version; returns its card (with the version set).
    /// The new version is not in production until promoted.
    pub fn save(&self, trained: &Trained) -> Result<ModelCard> {
        let (domain, model) = (&trained.card.domain, &trained.card.model);
        let version = self.versions(domain, model)?.last().map_or(1, |v| v + 1);
        let dir = self.version_dir(domain, model, version)?;
        let staging = self
            .model_dir(domain, model)?
            .join(format!(".v{version}.tmp"));
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging).map_err(|e| ModelError::io(&staging, e))?;
        let mut card = trained.card.clone();
        card.version = version;
        write_file(&staging.join(WEIGHTS_FILE), &trained.weights)?;
        write_file(&staging.join(CARD_FILE), card_json(&card).as_bytes())?;
        std::fs::rename(&staging, &dir).map_err(|e| ModelError::io(&dir, e))?;
        Ok(card)
    }

    /// The card of one version.
    pub fn card(&self, domain: &str, model: &str, version: u32) -> Result<ModelCard> {
        let path = self.version_dir(domain, model, version)?.join(CARD_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ModelError::Registry(format!(
                    "{domain}/{model} has no version {version} in {}",
                    self.root.display()
                )));
            }
            Err(e) => return Err(ModelError::io(&path, e)),
        };
        serde_json::from_str(&text).map_err(|e| ModelError::BadFile {
            path,
            message: e.to_string(),
        })
    }

    /// The production pointer of a model, if set.
    pub fn production(&self, domain: &str, model: &str) -> Result<Option<Production>> {
        let path = self.model_dir(domain, model)?.join("production.json");
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| ModelError::BadFile {
                    path,
                    message: e.to_string(),
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ModelError::io(&path, e)),
        }
    }

    fn set_production(&self, domain: &str, model: &str, p: &Production) -> Result<()> {
        let path = self.model_dir(domain, model)?.join("production.json");
        let json = serde_json::to_string_pretty(p).unwrap_or_default();
        write_file(&path, json.as_bytes())
    }

    /// Puts `version` in production; the one it replaces goes into the history.
    pub fn promote(&self, domain: &str, model: &str, version: u32) -> Result<Production> {
        self.card(domain, model, version)?;
        let mut p = self.production(domain, model)?.unwrap_or_default();
        if p.version == version {
            return Ok(p);
        }
        if p.version != 0 {
            p.history.push(p.version);
        }
        p.version = version;
        self.set_production(domain, model, &p)?;
        Ok(p)
    }

    /// Returns to the previous production version.
    pub fn rollback(&self, domain: &str, model: &str) -> Result<Production> {
        let mut p = self.production(domain, model)?.ok_or_else(|| {
            ModelError::Registry(format!("{domain}/{model} has no version in production"))
        })?;
        let previous = p.history.pop().ok_or_else(|| {
            ModelError::Registry(format!(
                "{domain}/{model}: v{} is the first production version; there is nothing to roll back to",
                p.version
            ))
        })?;
        p.version = previous;
        self.set_production(domain, model, &p)?;
        Ok(p)
    }

    /// Loads the production version of a model; `Ok(None)` when none is in production.
    pub fn load_production(
        &self,
        domain: &str,
        model: &str,
        backbones: &Backbones,
    ) -> Result<Option<TextModel>> {
        match self.production(domain, model)? {
            Some(p) => TextModel::load_dir(&self.version_dir(domain, model, p.version)?, backbones)
                .map(Some),
            None => Ok(None),
        }
    }

    /// Every model in the registry, sorted by domain and model.
    pub fn list(&self) -> Result<Vec<Entry>> {
        let mut out = Vec::new();
        for domain in sorted_dirs(&self.root)? {
            for model in sorted_dirs(&self.root.join(&domain))? {
                let versions = self
                    .versions(&domain, &model)?
                    .into_iter()
                    .map(|v| self.card(&domain, &model, v))
                    .collect::<Result<Vec<_>>>()?;
                if versions.is_empty() {
                    continue;
                }
                let production = self.production(&domain, &model)?;
                out.push(Entry {
                    domain: domain.clone(),
                    model,
                    versions,
                    production,
                });
            }
        }
        Ok(out)
    }
}

/// A card as the JSON saved beside its weights.
pub fn card_json(card: &ModelCard) -> String {
    serde_json::to_string_pretty(card).unwrap_or_default() + "\n"
}

fn sorted_dirs(dir: &Path) -> Result<Vec<String>> {
    let read = match std::fs::read_dir(dir) {
        Ok(r) => r,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(ModelError::io(dir, e)),
    };
    let mut names: Vec<String> = read
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| is_name(n))
        .collect();
    names.sort();
    Ok(names)
}

/// Writes a file through a temporary name and a rename, so readers never see half of it.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| ModelError::io(parent, e))?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(|e| ModelError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| ModelError::io(path, e))
}
