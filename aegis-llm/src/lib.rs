//! Tier 3 of Aegis: LLM-as-judge over providers' HTTP APIs.
//!
//! * [`config`]: which provider, model and price each domain's judges use (TOML file and
//!   environment), with the limits around them.
//! * [`provider`]: the wire formats — OpenAI Chat Completions (structured outputs), Anthropic
//!   Messages, Azure OpenAI, and OpenAI-compatible servers (vLLM, llama.cpp, Ollama), with the
//!   fallback from `json_schema` to `json_object` to prompt-only JSON.
//! * [`client`]: one provider called robustly — timeouts, retries with backoff and jitter
//!   honouring `Retry-After`, a concurrency limit, a response cache keyed by model and prompt
//!   hash, exact cost, and a per-organisation spend cap.
//! * [`ledger`]: where the spend is kept and the cap enforced — the [`Ledger`] trait (reserve a
//!   call's most expensive outcome before it is sent, settle with its actual cost after), the
//!   in-process [`SpendLedger`], and room for a ledger shared by several processes.
//! * [`LlmJudge`]: the [`aegis_core::tiers::JudgeTier`] the orchestrator installs: it builds
//!   each generated judge's prompt (trace text fenced as data), asks, and reads the typed
//!   verdict (one repair attempt for a malformed answer, then `needs_review`).
//!
//! This crate knows no domain: the judges, their prompts and verdict types are generated into
//! the domain crates from their specs.

pub mod client;
pub mod config;
mod error;
mod judge;
pub mod ledger;
pub mod provider;

pub use client::{JudgeClient, JudgeFailure, Judged};
pub use config::{JudgeConfig, JudgeSettings, Price, ProviderKind, Secret};
pub use error::{CallError, ConfigError};
pub use judge::{DEFAULT_ORGANISATION, LlmJudge};
pub use ledger::{Ledger, LedgerError, Reservation, SpendLedger};
