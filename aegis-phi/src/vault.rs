//! The pseudonym vault: which original each pseudonym stands for, kept apart from the traces and
//! encrypted at rest with AES-256-GCM under a key derived from the organisation's key.

use std::collections::BTreeMap;
use std::path::Path;

use aegis_core::PhiClass;
use aes_gcm::aead::Aead;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use serde::{Deserialize, Serialize};

use crate::PhiError;
use crate::key::PhiKey;

const MAGIC: &[u8; 8] = b"AEGISPV1";

/// One original behind a pseudonym. `Debug` never shows the original.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultEntry {
    /// What the original was.
    pub class: PhiClass,
    /// The original text.
    pub original: String,
}

impl std::fmt::Debug for VaultEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultEntry")
            .field("class", &self.class)
            .field("original", &"…")
            .finish()
    }
}

/// Pseudonym → original. In memory it is plain; it has no public serialisation, and on disk it
/// is only ever encrypted ([`Vault::seal`]).
#[derive(Default, Clone, PartialEq, Eq)]
pub struct Vault {
    entries: BTreeMap<String, VaultEntry>,
}

/// What is sealed: the entries, as JSON.
#[derive(Serialize, Deserialize)]
struct Plain {
    entries: BTreeMap<String, VaultEntry>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Vault({} entries)", self.entries.len())
    }
}

impl Vault {
    /// An empty vault.
    pub fn new() -> Vault {
        Vault::default()
    }

    /// How many pseudonyms it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Records that `pseudonym` stands for `original`. Returns false (and records nothing) when
    /// the pseudonym already stands for a different original.
    pub fn record(&mut self, pseudonym: &str, class: PhiClass, original: &str) -> bool {
        match self.entries.get(pseudonym) {
            Some(e) => e.original == original,
            None => {
                self.entries.insert(
                    pseudonym.to_owned(),
                    VaultEntry {
                        class,
                        original: original.to_owned(),
                    },
                );
                true
            }
        }
    }

    /// The original behind a pseudonym.
    pub fn original(&self, pseudonym: &str) -> Option<&VaultEntry> {
        self.entries.get(pseudonym)
    }

    /// Puts the originals back into a text that was pseudonymised with this vault.
    pub fn reidentify(&self, text: &str) -> String {
        if self.entries.is_empty() {
            return text.to_owned();
        }
        let keys: Vec<&str> = self.entries.keys().map(String::as_str).collect();
        let Ok(ac) = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(&keys)
        else {
            return text.to_owned();
        };
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for m in ac.find_iter(text) {
            let bounded = |i: usize, before: bool| {
                let c = if before {
                    text[..i].chars().next_back()
                } else {
                    text[i..].chars().next()
                };
                !c.is_some_and(char::is_alphanumeric)
            };
            if !bounded(m.start(), true) || !bounded(m.end(), false) {
                continue;
            }
            out.push_str(&text[last..m.start()]);
            out.push_str(&self.entries[keys[m.pattern().as_usize()]].original);
            last = m.end();
        }
        out.push_str(&text[last..]);
        out
    }

    /// The vault encrypted under `key`: a magic header, a random nonce, then AES-256-GCM.
    pub fn seal(&self, key: &PhiKey) -> Result<Vec<u8>, PhiError> {
        let plain = serde_json::to_vec(&Plain {
            entries: self.entries.clone(),
        })
        .map_err(|_| PhiError::Vault("cannot encode the vault".into()))?;
        let cipher = cipher(key)?;
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|e| PhiError::Vault(format!("no randomness: {e}")))?;
        let n = Nonce::try_from(&nonce[..]).map_err(|_| PhiError::Vault("nonce".into()))?;
        let sealed = cipher
            .encrypt(&n, plain.as_slice())
            .map_err(|_| PhiError::Vault("encryption failed".into()))?;
        let mut out = Vec::with_capacity(MAGIC.len() + 12 + sealed.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens what [`Vault::seal`] wrote; fails if the key is not the one it was sealed with or
    /// the bytes were changed.
    pub fn open(bytes: &[u8], key: &PhiKey) -> Result<Vault, PhiError> {
        let body = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or_else(|| PhiError::Vault("not an Aegis pseudonym vault".into()))?;
        if body.len() < 12 + 16 {
            return Err(PhiError::Vault("the vault file is truncated".into()));
        }
        let (nonce, sealed) = body.split_at(12);
        let n = Nonce::try_from(nonce).map_err(|_| PhiError::Vault("nonce".into()))?;
        let plain = cipher(key)?.decrypt(&n, sealed).map_err(|_| {
            PhiError::Vault(
                "the vault cannot be decrypted: wrong key, or the file was changed".into(),
            )
        })?;
        // The message never quotes the decrypted content.
        serde_json::from_slice::<Plain>(&plain)
            .map(|p| Vault { entries: p.entries })
            .map_err(|e| {
                PhiError::Vault(format!(
                    "the vault's content is not readable: {}",
                    aegis_core::redact_quoted(&e.to_string())
                ))
            })
    }

    /// Reads and opens a vault file.
    pub fn load(path: &Path, key: &PhiKey) -> Result<Vault, PhiError> {
        let bytes = std::fs::read(path).map_err(|e| PhiError::Io {
            path: path.display().to_string(),
            source: e,
        })?;
        Vault::open(&bytes, key)
    }

    /// Seals the vault and writes it to `path` (through a temporary file in the same
    /// directory, so a crash never leaves half a vault).
    pub fn save(&self, path: &Path, key: &PhiKey) -> Result<(), PhiError> {
        let sealed = self.seal(key)?;
        let io = |e| PhiError::Io {
            path: path.display().to_string(),
            source: e,
        };
        let tmp = path.with_extension("tmp-vault");
        std::fs::write(&tmp, &sealed).map_err(io)?;
        // Sealed or not, the map is the organisation's alone: owner read/write only.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
        }
        std::fs::rename(&tmp, path).map_err(io)
    }
}

fn cipher(key: &PhiKey) -> Result<Aes256Gcm, PhiError> {
    Aes256Gcm::new_from_slice(&key.derive(b"aegis-phi vault v1"))
        .map_err(|_| PhiError::Vault("bad key length".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> PhiKey {
        PhiKey::from_config(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn sealed_vaults_open_only_with_their_key_and_hide_originals() {
        let mut v = Vault::new();
        assert!(v.record("Ellis Carter", PhiClass::Name, "Jane Doe"));
        assert!(!v.record("Ellis Carter", PhiClass::Name, "John Roe"));
        let sealed = v.seal(&key("the right passphrase")).unwrap_or_default();
        assert!(!sealed.windows(8).any(|w| w == b"Jane Doe"));
        let opened = Vault::open(&sealed, &key("the right passphrase")).ok();
        assert_eq!(opened.as_ref(), Some(&v));
        assert!(Vault::open(&sealed, &key("the wrong passphrase!")).is_err());
        let mut tampered = sealed.clone();
        if let Some(last) = tampered.last_mut() {
            *last ^= 1;
        }
        assert!(Vault::open(&tampered, &key("the right passphrase")).is_err());
        assert_eq!(
            v.reidentify("Seen: Ellis Carter, not Ellis Carterson."),
            "Seen: Jane Doe, not Ellis Carterson."
        );
    }
}
