//! Judge configuration: which provider each domain's judges use, and the limits around it.
//!
//! Read from a TOML file (`aegis.toml`, or the file `--config` / `AEGIS_CONFIG` names) and then
//! from environment variables, which win:
//!
//! ```toml
//! [judge]
//! provider = "openai"            # openai | anthropic | azure | openai-compatible
//! model = "gpt-4o-mini"
//! # base_url = "http://127.0.0.1:8080/v1"   # required for openai-compatible and azure
//! # api_key_env = "OPENAI_API_KEY"          # the variable holding the key (never the key)
//! timeout_secs = 60
//! max_retries = 4
//! concurrency = 8
//! cache_dir = ".aegis/judge-cache"
//! spend_cap_usd = 5.0            # per organisation (a trace's metadata.organisation)
//! # spend_ledger = ".aegis/spend.json"      # keeps the spend across runs (a ledger given to
//!                                          # LlmJudge::from_config, the store's, replaces it)
//!
//! [judge.prices."gpt-4o-mini"]   # dollars per million tokens
//! input = 0.15
//! output = 0.60
//!
//! [judge.domains.healthcare]     # any key of [judge], for one domain's judges
//! provider = "anthropic"
//! model = "claude-sonnet-4-5"
//! ```
//!
//! Environment: `AEGIS_JUDGE_PROVIDER`, `AEGIS_JUDGE_MODEL`, `AEGIS_JUDGE_BASE_URL`,
//! `AEGIS_JUDGE_API_KEY`, `AEGIS_JUDGE_SPEND_CAP_USD`, `AEGIS_JUDGE_CONCURRENCY`,
//! `AEGIS_JUDGE_PRICE_INPUT` / `AEGIS_JUDGE_PRICE_OUTPUT` (dollars per million tokens); each
//! also as `AEGIS_JUDGE_<DOMAIN>_<NAME>` (`AEGIS_JUDGE_HEALTHCARE_MODEL`) for one domain.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use aegis_core::UsdCost;
use serde::Deserialize;

use crate::error::ConfigError;

/// Which wire format a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProviderKind {
    /// OpenAI Chat Completions, with structured outputs (JSON Schema).
    #[serde(rename = "openai")]
    OpenAi,
    /// Anthropic Messages.
    Anthropic,
    /// Azure OpenAI: OpenAI's body on a deployment URL, with an `api-key` header.
    Azure,
    /// Any server with OpenAI's Chat Completions API (vLLM, llama.cpp's server, Ollama).
    #[serde(rename = "openai-compatible")]
    OpenAiCompatible,
}

impl ProviderKind {
    /// The name used in configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "openai",
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::Azure => "azure",
            ProviderKind::OpenAiCompatible => "openai-compatible",
        }
    }

    fn parse(s: &str) -> Option<ProviderKind> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "openai" => ProviderKind::OpenAi,
            "anthropic" => ProviderKind::Anthropic,
            "azure" | "azure-openai" => ProviderKind::Azure,
            "openai-compatible" | "compatible" | "vllm" | "llama.cpp" | "ollama" => {
                ProviderKind::OpenAiCompatible
            }
            _ => return None,
        })
    }

    fn default_key_env(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "OPENAI_API_KEY",
            ProviderKind::Anthropic => "ANTHROPIC_API_KEY",
            ProviderKind::Azure => "AZURE_OPENAI_API_KEY",
            ProviderKind::OpenAiCompatible => "OPENAI_API_KEY",
        }
    }
}

/// A secret (an API key): shown as `***` by `Debug`, so it cannot reach a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// A price: dollars per million tokens, in and out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Price {
    /// Pico-dollars per input token (= micro-dollars per million tokens).
    pub input_picos_per_token: u64,
    /// Pico-dollars per output token.
    pub output_picos_per_token: u64,
}

impl Price {
    /// A price from dollars per million tokens; exact to the micro-dollar per million.
    pub fn per_million(input_usd: f64, output_usd: f64) -> Result<Price, String> {
        let picos = |usd: f64, what: &str| {
            if !(0.0..=1_000_000.0).contains(&usd) {
                return Err(format!(
                    "the {what} price must be a number of dollars per million tokens between 0 and 1000000"
                ));
            }
            Ok((usd * 1e6).round() as u64)
        };
        Ok(Price {
            input_picos_per_token: picos(input_usd, "input")?,
            output_picos_per_token: picos(output_usd, "output")?,
        })
    }

    /// The exact cost of a call.
    pub fn cost(&self, input_tokens: u64, output_tokens: u64) -> UsdCost {
        UsdCost::from_picos(
            input_tokens
                .saturating_mul(self.input_picos_per_token)
                .saturating_add(output_tokens.saturating_mul(self.output_picos_per_token)),
        )
    }
}

/// Everything one domain's judges need to reach their provider.
#[derive(Debug, Clone, PartialEq)]
pub struct JudgeSettings {
    /// The wire format.
    pub provider: ProviderKind,
    /// The model (for Azure: the deployment).
    pub model: String,
    /// The API's base URL (`https://api.openai.com/v1`; for Azure the resource endpoint).
    pub base_url: String,
    /// The API key, if the provider needs one; its `Debug` never shows it.
    pub api_key: Option<Secret>,
    /// Azure's `api-version`.
    pub api_version: String,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Retries after the first attempt, on 429, 5xx, timeouts and dropped connections.
    pub max_retries: u32,
    /// The first backoff delay; each retry doubles it, with jitter, up to `max_backoff`.
    pub initial_backoff: Duration,
    /// The longest backoff delay.
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured; a provider that asks for longer gets no retry.
    pub max_retry_after: Duration,
    /// Requests in flight at once, across all threads.
    pub concurrency: usize,
    /// The answer's token limit.
    pub max_output_tokens: u32,
    /// The price of the model.
    pub price: Price,
    /// Where answers are cached (by model and prompt hash); `None`: in memory only.
    pub cache_dir: Option<PathBuf>,
    /// The most each organisation may spend on judge calls; `None`: no cap.
    pub spend_cap: Option<UsdCost>,
    /// Where spend is kept across runs; `None`: within this run only. Not used when the judge
    /// is given a ledger (see [`LlmJudge::from_config`](crate::LlmJudge::from_config)).
    pub spend_ledger: Option<PathBuf>,
}

/// The raw `[judge]` table (and each `[judge.domains.<name>]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJudge {
    provider: Option<String>,
    model: Option<String>,
    base_url: Option<String>,
    api_key_env: Option<String>,
    api_version: Option<String>,
    timeout_secs: Option<f64>,
    max_retries: Option<u32>,
    initial_backoff_ms: Option<u64>,
    max_backoff_secs: Option<f64>,
    max_retry_after_secs: Option<f64>,
    concurrency: Option<usize>,
    max_output_tokens: Option<u32>,
    cache_dir: Option<PathBuf>,
    spend_cap_usd: Option<f64>,
    spend_ledger: Option<PathBuf>,
    #[serde(default)]
    prices: BTreeMap<String, RawPrice>,
    #[serde(default)]
    domains: BTreeMap<String, RawJudge>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrice {
    input: f64,
    output: f64,
}

#[derive(Debug, Default, Deserialize)]
struct RawFile {
    #[serde(default)]
    judge: Option<RawJudge>,
}

/// The judge configuration of every domain. Its `Debug` shows where it came from, never the
/// environment it holds (API keys).
#[derive(Clone, Default)]
pub struct JudgeConfig {
    base: RawJudge,
    source: Option<PathBuf>,
    env: BTreeMap<String, String>,
}

impl std::fmt::Debug for JudgeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JudgeConfig")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl JudgeConfig {
    /// Reads `file` (when given; a missing file is an error) or `./aegis.toml` (when it exists),
    /// then the `AEGIS_JUDGE_*` environment variables.
    pub fn load(file: Option<&Path>) -> Result<JudgeConfig, ConfigError> {
        // Every variable: `api_key_env` may name any of them.
        let env: BTreeMap<String, String> = std::env::vars().collect();
        let named = file
            .map(Path::to_path_buf)
            .or_else(|| env.get("AEGIS_CONFIG").map(PathBuf::from));
        let (text, source) = match named {
            Some(p) => (
                Some(std::fs::read_to_string(&p).map_err(|e| ConfigError::Read {
                    path: p.clone(),
                    source: e,
                })?),
                Some(p),
            ),
            None => {
                let p = PathBuf::from("aegis.toml");
                match std::fs::read_to_string(&p) {
                    Ok(t) => (Some(t), Some(p)),
                    Err(_) => (None, None),
                }
            }
        };
        Self::from_parts(text.as_deref(), source, env)
    }

    /// A configuration from TOML text and environment variables (for tests and embedding).
    pub fn from_parts(
        toml_text: Option<&str>,
        source: Option<PathBuf>,
        env: BTreeMap<String, String>,
    ) -> Result<JudgeConfig, ConfigError> {
        let raw: RawFile = match toml_text {
            Some(t) => toml::from_str(t).map_err(|e| ConfigError::Parse {
                path: source.clone().unwrap_or_else(|| PathBuf::from("(config)")),
                line: e
                    .span()
                    .map(|s| t[..s.start.min(t.len())].matches('\n').count() + 1),
                message: e.message().to_owned(),
            })?,
            None => RawFile::default(),
        };
        Ok(JudgeConfig {
            base: raw.judge.unwrap_or_default(),
            source,
            env,
        })
    }

    /// The settings for a domain's judges; `Ok(None)` when no provider is configured for it.
    pub fn for_domain(&self, domain: &str) -> Result<Option<JudgeSettings>, ConfigError> {
        let over = self.base.domains.get(domain);
        let pick = |f: fn(&RawJudge) -> Option<String>| over.and_then(f).or_else(|| f(&self.base));
        // `AEGIS_JUDGE_<DOMAIN>_<KEY>` for one domain, else `AEGIS_JUDGE_<KEY>`.
        let upper = domain.to_ascii_uppercase();
        let env = |k: &str| {
            [
                format!("AEGIS_JUDGE_{upper}_{k}"),
                format!("AEGIS_JUDGE_{k}"),
            ]
            .iter()
            .find_map(|name| self.env.get(name).filter(|v| !v.trim().is_empty()))
            .cloned()
        };
        let bad = |field: &str, message: String| ConfigError::Invalid {
            domain: domain.to_owned(),
            field: field.to_owned(),
            message,
        };
        let Some(provider) = env("PROVIDER").or_else(|| pick(|r| r.provider.clone())) else {
            return Ok(None);
        };
        let provider = ProviderKind::parse(&provider).ok_or_else(|| {
            bad(
                "provider",
                "expected openai, anthropic, azure or openai-compatible".to_owned(),
            )
        })?;
        let model = env("MODEL")
            .or_else(|| pick(|r| r.model.clone()))
            .ok_or_else(|| bad("model", "no model is configured".to_owned()))?;
        let base_url = match env("BASE_URL").or_else(|| pick(|r| r.base_url.clone())) {
            Some(u) => u.trim_end_matches('/').to_owned(),
            None => match provider {
                ProviderKind::OpenAi => "https://api.openai.com/v1".to_owned(),
                ProviderKind::Anthropic => "https://api.anthropic.com/v1".to_owned(),
                ProviderKind::Azure | ProviderKind::OpenAiCompatible => {
                    return Err(bad(
                        "base_url",
                        format!("the {} provider needs a base URL", provider.as_str()),
                    ));
                }
            },
        };
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(bad(
                "base_url",
                "expected an http:// or https:// URL".to_owned(),
            ));
        }
        let key_env = pick(|r| r.api_key_env.clone())
            .unwrap_or_else(|| provider.default_key_env().to_owned());
        let api_key = env("API_KEY")
            .or_else(|| self.env.get(&key_env).cloned())
            .filter(|k| !k.trim().is_empty())
            .map(Secret);
        if api_key.is_none() && provider != ProviderKind::OpenAiCompatible {
            return Err(bad(
                "api_key_env",
                format!("no API key: set {key_env} (or AEGIS_JUDGE_API_KEY)"),
            ));
        }
        let num = |v: Option<f64>, field: &str, default: f64| -> Result<f64, ConfigError> {
            // Durations in seconds, at most a day.
            let v = v.unwrap_or(default);
            if (0.0..=86_400.0).contains(&v) {
                Ok(v)
            } else {
                Err(bad(
                    field,
                    "expected a number of seconds from 0 to 86400".to_owned(),
                ))
            }
        };
        let parse_env = |k: &str| -> Result<Option<f64>, ConfigError> {
            env(k)
                .map(|v| {
                    v.trim().parse::<f64>().map_err(|_| {
                        bad(&format!("AEGIS_JUDGE_{k}"), "expected a number".to_owned())
                    })
                })
                .transpose()
        };
        let field = |f: fn(&RawJudge) -> Option<f64>| over.and_then(f).or_else(|| f(&self.base));
        let timeout = num(field(|r| r.timeout_secs), "timeout_secs", 60.0)?;
        let max_backoff = num(field(|r| r.max_backoff_secs), "max_backoff_secs", 30.0)?;
        let max_retry_after = num(
            field(|r| r.max_retry_after_secs),
            "max_retry_after_secs",
            120.0,
        )?;
        let concurrency = match env("CONCURRENCY") {
            Some(c) => c.trim().parse::<usize>().map_err(|_| {
                bad(
                    "AEGIS_JUDGE_CONCURRENCY",
                    "expected a whole number from 1 to 256".to_owned(),
                )
            })?,
            None => over
                .and_then(|r| r.concurrency)
                .or(self.base.concurrency)
                .unwrap_or(4),
        };
        if !(1..=256).contains(&concurrency) {
            return Err(bad(
                "concurrency",
                "expected a whole number from 1 to 256".to_owned(),
            ));
        }
        let price = match (parse_env("PRICE_INPUT")?, parse_env("PRICE_OUTPUT")?) {
            (Some(i), Some(o)) => Price::per_million(i, o).map_err(|m| bad("prices", m))?,
            (None, None) => {
                let raw = over
                    .and_then(|r| r.prices.get(&model))
                    .or_else(|| self.base.prices.get(&model));
                match raw {
                    Some(p) => {
                        Price::per_million(p.input, p.output).map_err(|m| bad("prices", m))?
                    }
                    None => {
                        return Err(bad(
                            "prices",
                            format!(
                                "no price for model `{model}`: add [judge.prices.\"{model}\"] with input and output dollars per million tokens (0 for a local server), or set AEGIS_JUDGE_PRICE_INPUT and AEGIS_JUDGE_PRICE_OUTPUT"
                            ),
                        ));
                    }
                }
            }
            _ => {
                return Err(bad(
                    "prices",
                    "set both AEGIS_JUDGE_PRICE_INPUT and AEGIS_JUDGE_PRICE_OUTPUT".to_owned(),
                ));
            }
        };
        let spend_cap = match parse_env("SPEND_CAP_USD")?.or_else(|| field(|r| r.spend_cap_usd)) {
            Some(c) if (0.0..=1_000_000.0).contains(&c) => {
                Some(UsdCost::from_picos((c * 1e12).round() as u64))
            }
            Some(_) => {
                return Err(bad(
                    "spend_cap_usd",
                    "expected a number of dollars from 0 to 1000000".to_owned(),
                ));
            }
            None => None,
        };
        let base_dir = self
            .source
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let path_field = |f: fn(&RawJudge) -> Option<PathBuf>| {
            over.and_then(f)
                .or_else(|| f(&self.base))
                .map(|p| base_dir.join(p))
        };
        Ok(Some(JudgeSettings {
            provider,
            model,
            base_url,
            api_key,
            api_version: pick(|r| r.api_version.clone()).unwrap_or_else(|| "2024-10-21".to_owned()),
            timeout: Duration::from_secs_f64(timeout.max(0.001)),
            max_retries: over
                .and_then(|r| r.max_retries)
                .or(self.base.max_retries)
                .unwrap_or(4),
            initial_backoff: Duration::from_millis(
                over.and_then(|r| r.initial_backoff_ms)
                    .or(self.base.initial_backoff_ms)
                    .unwrap_or(500),
            ),
            max_backoff: Duration::from_secs_f64(max_backoff),
            max_retry_after: Duration::from_secs_f64(max_retry_after),
            concurrency,
            max_output_tokens: over
                .and_then(|r| r.max_output_tokens)
                .or(self.base.max_output_tokens)
                .unwrap_or(1024),
            price,
            cache_dir: path_field(|r| r.cache_dir.clone()),
            spend_cap,
            spend_ledger: path_field(|r| r.spend_ledger.clone()),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn no_provider_means_no_judge() {
        let c = JudgeConfig::from_parts(None, None, env(&[])).unwrap();
        assert_eq!(c.for_domain("healthcare").unwrap(), None);
    }

    #[test]
    fn a_domain_section_overrides_and_the_environment_wins() {
        let toml = r#"
[judge]
provider = "openai"
model = "gpt-4o-mini"
[judge.prices."gpt-4o-mini"]
input = 0.15
output = 0.6
[judge.prices."claude-x"]
input = 3
output = 15
[judge.domains.healthcare]
provider = "anthropic"
model = "claude-x"
"#;
        let c = JudgeConfig::from_parts(
            Some(toml),
            None,
            env(&[("OPENAI_API_KEY", "k1"), ("ANTHROPIC_API_KEY", "k2")]),
        )
        .unwrap();
        let t = c.for_domain("trading").unwrap().unwrap();
        assert_eq!(
            (t.provider, t.model.as_str()),
            (ProviderKind::OpenAi, "gpt-4o-mini")
        );
        assert_eq!(t.price.input_picos_per_token, 150_000);
        let h = c.for_domain("healthcare").unwrap().unwrap();
        assert_eq!(h.provider, ProviderKind::Anthropic);
        assert_eq!(h.api_key.as_ref().map(|k| k.0.as_str()), Some("k2"));
        assert!(!format!("{h:?}").contains("k2"));
        assert_eq!(h.price.output_picos_per_token, 15_000_000);
        let c = JudgeConfig::from_parts(
            Some(toml),
            None,
            env(&[
                ("OPENAI_API_KEY", "k1"),
                ("AEGIS_JUDGE_MODEL", "claude-x"),
                ("AEGIS_JUDGE_PROVIDER", "openai"),
            ]),
        )
        .unwrap();
        assert_eq!(
            c.for_domain("healthcare").unwrap().unwrap().model,
            "claude-x"
        );
    }

    #[test]
    fn a_missing_price_or_key_is_an_error_that_says_what_to_set() {
        let c = JudgeConfig::from_parts(
            Some("[judge]\nprovider = \"openai\"\nmodel = \"m\"\n"),
            None,
            env(&[("OPENAI_API_KEY", "k")]),
        )
        .unwrap();
        let e = c.for_domain("x").unwrap_err().to_string();
        assert!(e.contains("[judge.prices.\"m\"]"), "{e}");
        let c = JudgeConfig::from_parts(
            Some("[judge]\nprovider = \"anthropic\"\nmodel = \"m\"\n"),
            None,
            env(&[]),
        )
        .unwrap();
        let e = c.for_domain("x").unwrap_err().to_string();
        assert!(e.contains("ANTHROPIC_API_KEY"), "{e}");
    }

    #[test]
    fn a_toml_error_names_its_line() {
        let e = JudgeConfig::from_parts(Some("[judge]\nprovider = \nmodel = 1\n"), None, env(&[]))
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2"), "{e}");
    }

    #[test]
    fn the_example_configuration_is_valid() {
        let text = include_str!("../../aegis.toml.example");
        let c = JudgeConfig::from_parts(
            Some(text),
            Some(PathBuf::from("/srv/app/aegis.toml")),
            env(&[("OPENAI_API_KEY", "k")]),
        )
        .unwrap();
        let s = c.for_domain("healthcare").unwrap().unwrap();
        assert_eq!(s.spend_cap, Some(UsdCost::from_micros(5_000_000)));
        assert_eq!(
            s.cache_dir,
            Some(PathBuf::from("/srv/app/.aegis/judge-cache"))
        );
        assert_eq!(s.concurrency, 4);
    }

    #[test]
    fn absurd_limits_are_errors_not_panics() {
        let base = "[judge]\nprovider = \"openai-compatible\"\nbase_url = \"http://x\"\nmodel = \"m\"\n[judge.prices.m]\ninput = 0\noutput = 0\n";
        for envs in [
            vec![("AEGIS_JUDGE_CONCURRENCY", "inf")],
            vec![("AEGIS_JUDGE_CONCURRENCY", "100000")],
            vec![("AEGIS_JUDGE_SPEND_CAP_USD", "1e300")],
        ] {
            let c = JudgeConfig::from_parts(Some(base), None, env(&envs)).unwrap();
            assert!(c.for_domain("x").is_err(), "{envs:?}");
        }
        let text = base.replace("[judge]\n", "[judge]\ntimeout_secs = 1e300\n");
        let c = JudgeConfig::from_parts(Some(&text), None, env(&[])).unwrap();
        assert!(
            c.for_domain("x")
                .unwrap_err()
                .to_string()
                .contains("timeout_secs")
        );
        let c = JudgeConfig::from_parts(Some(base), None, env(&[("SECRET_API_KEY", "sk-hidden")]))
            .unwrap();
        assert!(!format!("{c:?}").contains("sk-hidden"));
    }

    #[test]
    fn prices_are_exact() {
        let p = Price::per_million(0.15, 0.6).unwrap();
        // 1,234 in + 567 out tokens: 0.0001851 + 0.0003402 = $0.0005253 exactly.
        assert_eq!(p.cost(1234, 567).picos(), 525_300_000);
    }
}
