//! The organisation's key: pseudonyms, date offsets and the vault's encryption key all derive
//! from it, each under its own label.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::PhiError;

/// PBKDF2 rounds for a passphrase (OWASP's 2023 figure for PBKDF2-HMAC-SHA-256).
const PASSPHRASE_ROUNDS: u32 = 600_000;

/// The environment variable [`PhiKey::from_env`] reads.
pub const KEY_ENV: &str = "AEGIS_PHI_KEY";

/// A 256-bit secret. The same key gives the same pseudonyms; without it the vault cannot be
/// read. `Debug` never shows it.
#[derive(Clone)]
pub struct PhiKey([u8; 32]);

impl std::fmt::Debug for PhiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PhiKey(…)")
    }
}

impl PhiKey {
    /// A key from configuration text: 64 hex digits are the key itself (best: 32 random bytes);
    /// any other text of at least 16 characters is a passphrase, stretched with
    /// PBKDF2-HMAC-SHA-256 (600,000 iterations) so that guessing it is slow.
    pub fn from_config(text: &str) -> Result<PhiKey, PhiError> {
        let text = text.trim();
        if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            let mut key = [0u8; 32];
            for (i, k) in key.iter_mut().enumerate() {
                *k = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)
                    .map_err(|_| PhiError::Key("not hex".into()))?;
            }
            return Ok(PhiKey(key));
        }
        if text.chars().count() < 16 {
            return Err(PhiError::Key(
                "a PHI key must be 64 hex digits or a passphrase of at least 16 characters".into(),
            ));
        }
        let mut key = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha256>(
            text.as_bytes(),
            b"aegis-phi passphrase v2",
            PASSPHRASE_ROUNDS,
            &mut key,
        );
        Ok(PhiKey(key))
    }

    /// The key in [`KEY_ENV`], if it is set.
    pub fn from_env() -> Result<Option<PhiKey>, PhiError> {
        match std::env::var(KEY_ENV) {
            Ok(v) => PhiKey::from_config(&v).map(Some).map_err(|e| match e {
                PhiError::Key(m) => PhiError::Key(format!("{KEY_ENV}: {m}")),
                other => other,
            }),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => {
                Err(PhiError::Key(format!("{KEY_ENV} is not valid UTF-8")))
            }
        }
    }

    /// A random key for this process only: pseudonyms are consistent within the process and
    /// nowhere else.
    pub fn random() -> Result<PhiKey, PhiError> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| PhiError::Key(format!("no randomness: {e}")))?;
        Ok(PhiKey(key))
    }

    /// A new random key as configuration text (64 hex digits), for a key file that
    /// [`PhiKey::from_config`] reads back.
    pub fn generate_config() -> Result<String, PhiError> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| PhiError::Key(format!("no randomness: {e}")))?;
        Ok(key.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// A subkey for one purpose.
    pub(crate) fn derive(&self, label: &[u8]) -> [u8; 32] {
        derive(&self.0, label)
    }
}

/// HMAC-SHA-256 of `message` under `key`.
pub(crate) fn derive(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(message);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_from_hex_or_passphrase_and_hide_in_debug() {
        let hex = "00".repeat(31) + "ff";
        assert!(PhiKey::from_config(&hex).is_ok());
        assert!(PhiKey::from_config("short").is_err());
        let k = PhiKey::from_config("a long enough passphrase").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(format!("{k:?}"), "PhiKey(…)");
        assert_ne!(k.derive(b"a"), k.derive(b"b"));
    }
}
