//! The Aegis runtime: links domain crates into a tiered evaluation pipeline.
//!
//! * [`Orchestrator`] runs a trace through Tier 0 (sanitise), Tier 1 (the domain's compiled
//!   rules), and — as the domain's escalation policy asks — Tier 2 (models), Tier 3 (LLM judge)
//!   and Tier 4 (human review), stopping as soon as a tier is sure. A tier that a trace needs but
//!   this build lacks is reported as unavailable, and the trace ends `needs_review`: never a
//!   silent pass.
//! * [`input`] streams traces from JSONL, a JSON array or pretty-printed JSON (element by
//!   element, in one pass, memory flat), one record per input line; and `JsonLines`, the one
//!   JSON-lines reader every command uses.
//! * [`rl`] runs simulators (`aegis_core::env::Environment`): one episode, or many
//!   environments at once over threads.
//!
//! What it is not: it holds no front end and no operation of the product (evaluate-and-store,
//! reports, review…): those are `aegis-app`'s. Tier 2 (`aegis-models`), Tier 3 (`aegis-llm`)
//! and the store (`aegis-store`) plug in through `aegis_core`'s traits, so a program that
//! only evaluates never compiles candle, an HTTP client or SQLite.
//!
//! The runtime never names a domain: domains come in as `&dyn aegis_core::Domain`.

pub mod input;
mod orchestrator;
pub mod rl;

pub use orchestrator::Orchestrator;
