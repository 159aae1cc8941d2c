//! The `hashed_ngrams` backbone: character and word n-grams hashed into a fixed number of
//! buckets, each bucket a trained row of a dense embedding; a text is the mean of its n-grams'
//! rows (as fastText does), through a ReLU.
//!
//! The hash is FNV-1a over bytes, fixed here forever: trained weights stay valid across Rust
//! versions and machines.

use serde::{Deserialize, Serialize};

/// How texts are cut into features, and how wide the embedding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HashedConfig {
    /// Number of hash buckets (rows of the embedding). A power of two.
    pub buckets: u32,
    /// Width of the embedding (the hidden layer).
    pub hidden: u32,
    /// Shortest character n-gram.
    pub char_min: u8,
    /// Longest character n-gram.
    pub char_max: u8,
    /// Longest word n-gram (1: words only, 2: also word pairs).
    pub word_max: u8,
}

impl Default for HashedConfig {
    fn default() -> Self {
        HashedConfig {
            buckets: 1 << 14,
            hidden: 16,
            char_min: 3,
            char_max: 5,
            word_max: 2,
        }
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
/// Seeds that keep character n-grams, words and word pairs in separate hash spaces.
const WORD_SEED: u64 = 0x9e37_79b9_7f4a_7c15;

#[inline]
fn fnv_step(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)
}

#[inline]
fn bucket(h: u64, buckets: u32) -> u32 {
    // Fold the high bits in: FNV's low bits alone are weak.
    ((h ^ (h >> 29) ^ (h >> 47)) as u32) & (buckets - 1)
}

impl HashedConfig {
    /// Checks the configuration; `Err` names what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if !self.buckets.is_power_of_two() || self.buckets < 64 || self.buckets > 1 << 22 {
            return Err(format!(
                "buckets must be a power of two between 64 and 4194304, not {}",
                self.buckets
            ));
        }
        if self.hidden == 0 || self.hidden > 1024 {
            return Err(format!("hidden must be 1..=1024, not {}", self.hidden));
        }
        if self.char_min == 0 || self.char_min > self.char_max || self.char_max > 8 {
            return Err(format!(
                "character n-grams must satisfy 1 <= char_min <= char_max <= 8, not {}..={}",
                self.char_min, self.char_max
            ));
        }
        if self.word_max > 3 {
            return Err(format!("word_max must be 0..=3, not {}", self.word_max));
        }
        Ok(())
    }

    /// Calls `emit` with the bucket of every n-gram of `text`, duplicates included, and returns
    /// how many there were. The text is lower-cased (ASCII) and read as bytes; a space is added at
    /// both ends so that word starts and ends make n-grams of their own.
    pub fn for_each_feature(&self, text: &str, mut emit: impl FnMut(u32)) -> usize {
        let bytes = text.as_bytes();
        let mut count = 0usize;
        let (lo, hi) = (usize::from(self.char_min), usize::from(self.char_max));
        let at = |i: usize| -> u8 {
            if i == 0 || i > bytes.len() {
                b' '
            } else {
                bytes[i - 1].to_ascii_lowercase()
            }
        };
        let padded = bytes.len() + 2;
        for start in 0..padded {
            let mut h = FNV_OFFSET;
            for n in 1..=hi.min(padded - start) {
                h = fnv_step(h, at(start + n - 1));
                if n >= lo {
                    emit(bucket(h ^ (n as u64), self.buckets));
                    count += 1;
                }
            }
        }
        if self.word_max > 0 {
            let mut prev: [u64; 2] = [0; 2];
            let words = bytes
                .split(|b| !b.is_ascii_alphanumeric() && *b < 0x80)
                .filter(|w| !w.is_empty());
            for (seen, word) in words.enumerate() {
                let h = word.iter().fold(FNV_OFFSET ^ WORD_SEED, |h, b| {
                    fnv_step(h, b.to_ascii_lowercase())
                });
                emit(bucket(h, self.buckets));
                count += 1;
                if self.word_max >= 2 && seen >= 1 {
                    emit(bucket(prev[0].rotate_left(17) ^ h ^ 2, self.buckets));
                    count += 1;
                }
                if self.word_max >= 3 && seen >= 2 {
                    emit(bucket(
                        prev[1].rotate_left(34) ^ prev[0].rotate_left(17) ^ h ^ 3,
                        self.buckets,
                    ));
                    count += 1;
                }
                prev[1] = prev[0];
                prev[0] = h;
            }
        }
        count
    }

    /// The embedding of `text` under trained weights: ReLU(mean of the n-grams' rows + bias).
    /// `embedding` is `buckets × hidden`, row-major; `out` must hold `hidden` values.
    pub fn embed(&self, text: &str, embedding: &[f32], bias: &[f32], out: &mut [f32]) {
        let hidden = self.hidden as usize;
        out.fill(0.0);
        let n = self.for_each_feature(text, |b| {
            let row = &embedding[b as usize * hidden..(b as usize + 1) * hidden];
            for (o, w) in out.iter_mut().zip(row) {
                *o += w;
            }
        });
        let scale = if n == 0 { 0.0 } else { 1.0 / n as f32 };
        for (o, b) in out.iter_mut().zip(bias) {
            *o = (*o * scale + b).max(0.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_are_stable_and_case_blind() {
        let cfg = HashedConfig::default();
        let mut a = Vec::new();
        let mut b = Vec::new();
        cfg.for_each_feature("Take Ibuprofen", |x| a.push(x));
        cfg.for_each_feature("take ibuprofen", |x| b.push(x));
        assert_eq!(a, b);
        // 16 padded bytes: 14 + 13 + 12 character n-grams, 2 words, 1 pair.
        assert_eq!(a.len(), 14 + 13 + 12 + 3);
        // The hash is fixed: this value must never change, or checked-in weights break.
        let mut first = Vec::new();
        cfg.for_each_feature("abc", |x| first.push(x));
        assert_eq!(first.len(), 3 + 2 + 1 + 1);
        assert!(first.iter().all(|&x| x < cfg.buckets));
    }

    #[test]
    fn empty_and_non_ascii_text_do_not_panic() {
        let cfg = HashedConfig::default();
        let mut n = 0;
        cfg.for_each_feature("", |_| n += 1);
        assert_eq!(n, 0);
        let count = cfg.for_each_feature("é 日本語 😀", |x| assert!(x < cfg.buckets));
        assert!(count > 0);
    }

    #[test]
    fn bad_configs_are_refused() {
        let cfg = HashedConfig {
            buckets: 1000,
            ..HashedConfig::default()
        };
        assert!(cfg.validate().is_err());
        let cfg = HashedConfig {
            char_min: 4,
            char_max: 3,
            ..HashedConfig::default()
        };
        assert!(cfg.validate().is_err());
        assert!(HashedConfig::default().validate().is_ok());
    }
}
