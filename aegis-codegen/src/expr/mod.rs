//! The typed expression language of specs: parsed ([`parse`]), type-checked against the
//! domain's data, tables and extractors, and compiled to Rust tokens ([`check`]).

pub(crate) mod check;
pub(crate) mod parse;

pub(crate) use check::{Checker, Compiled, Scope, Ty};
