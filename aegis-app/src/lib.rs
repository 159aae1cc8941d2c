//! The Aegis application layer: every operation of the product as a typed function that
//! returns values and never prints or exits. Front ends — the `aegis-eval` command line, the
//! HTTP service, a queue worker — parse their input, call these, and render what they return.
//!
//! * [`pipeline`]: the tier pipeline from configuration (Tier 0 with the organisation's key,
//!   each domain's Tier-2 models from the registry, the Tier-3 judge where configured), with
//!   [`ledger`]: the judge's spend cap kept in the store, shared by every process using it.
//! * [`evaluate`]: evaluate-and-store — routing each record to its domain, batches evaluated
//!   in parallel, results stored with provenance, results that need review queued for Tier 4,
//!   and the run's totals ([`summary`]).
//! * [`store`]: opening the store, selections with human time bounds, list, search, show,
//!   delete; [`replay`]: a stored trace evaluated again and what changed.
//! * [`report`]: the statistics over stored results (agreement with experts, Cohen's kappa,
//!   Tier-2 calibration).
//! * [`rl_view`]: a domain's stored RL episodes: returns and costs in order, the returns' IQM
//!   with its bootstrap interval, the cost budget.
//! * [`review`]: expert labels (notes sanitised), export, training data from labels,
//!   active-learning samples.
//! * [`models`]: Tier-2 training, synthetic data, model evaluation and the registry.
//! * [`simulate`]: a domain's simulator under a policy, episodes as traces; [`transfer`]:
//!   sim-to-real transfer over JSON lines.
//! * [`phi`]: the organisation's key, the Tier-0 engine, sanitising JSON lines, re-identifying.
//! * [`lines`]: typed JSON lines through the runtime's one reader, bad lines named.
//! * [`alerts`]: alert rules from the specs and the server's configuration, evaluated on
//!   stored results and over windows, notifications kept in the store's outbox and delivered
//!   to Slack, signed webhooks, PagerDuty and SMS.
//! * [`service`]: evaluation as a service — organisations and keys, durable ingest, queue
//!   workers, evaluation in the request with a decision, a live feed of results.
//!
//! What it is not: no argument parsing, no terminal, no HTTP. The runtime below it
//! (`aegis-runtime`) knows no store, model or judge crate; this layer plugs them in.

pub mod alerts;
pub mod domains;
pub mod error;
pub mod evaluate;
pub mod files;
mod group_commit;
pub mod ledger;
pub mod lines;
pub mod models;
pub mod otlp;
pub mod phi;
pub mod pipeline;
pub mod replay;
pub mod report;
pub mod review;
pub mod rl_view;
pub mod service;
pub mod shared;
pub mod simulate;
pub mod store;
pub mod summary;
pub mod transfer;

pub use domains::{any_pseudonymises, domain_names, find_domain};
pub use error::{AppError, Result};
pub use evaluate::{EvaluateOptions, Evaluation};
pub use pipeline::{Pipeline, TierOptions};
pub use summary::{RlRunSummary, RunSummary};
