//! The spec's sections, one module each: the checks of a section (methods of
//! [`crate::load::Builder`], collecting errors with `file:line:col`) beside its emitter (methods
//! of [`crate::emit::Emitter`], or free functions), so that what a section accepts and what it
//! generates read together.
//!
//! `load` drives the checks in the order sections depend on each other (data, tables and
//! extractors make the [`crate::checked::Schema`] the expressions of rules, models and judges are
//! typed against); `emit` puts the sections' items together in a fixed order.

pub(crate) mod alerts;
pub(crate) mod data;
pub(crate) mod extractors;
pub(crate) mod judges;
pub(crate) mod models;
pub(crate) mod phi;
pub(crate) mod rl;
pub(crate) mod rules;
pub(crate) mod simulators;
pub(crate) mod tables;
pub(crate) mod tools;
