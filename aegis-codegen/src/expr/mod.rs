//! The typed expression language of specs: parsed ([`parse`]), type-checked against the
//! domain's data, tables and extractors, and compiled to Rust tokens ([`check`]).

pub(crate) mod check;
pub(crate) mod parse;

pub(crate) use check::{Checker, Compiled, Scope, Ty};

/// How tightly emitted Rust binds, loosest first, so that both emitters (rules here, simulators
/// in `sections::simulators`) parenthesise an operand only where Rust needs it, as a person
/// would write it.
pub(crate) mod prec {
    use proc_macro2::TokenStream;
    use quote::quote;

    use super::parse::BinOp;

    /// Any place: a function argument, a `let` value, a closure body, a condition.
    pub(crate) const ANY: u8 = 0;
    /// `if … else …` as an expression.
    pub(crate) const IF: u8 = 0;
    /// `!x`, `-x`, `&x`.
    pub(crate) const UNARY: u8 = 12;
    /// A literal, a path, a call, a method call, a field or an index: a receiver needs this.
    pub(crate) const ATOM: u8 = 20;

    /// A binary operator's precedence (Rust's order: `* / %`, `+ -`, comparisons, `&&`, `||`).
    pub(crate) fn of(op: BinOp) -> u8 {
        match op {
            BinOp::Mul | BinOp::Div | BinOp::Rem => 10,
            BinOp::Add | BinOp::Sub => 9,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 7,
            BinOp::And => 6,
            BinOp::Or => 5,
        }
    }

    /// The least precedence each operand of `op` needs: the left one binds at the operator's
    /// level (left-associative), the right one above it; comparisons do not chain, so both
    /// sides of one bind above it.
    pub(crate) fn operands(op: BinOp) -> (u8, u8) {
        let p = of(op);
        if p == 7 { (p + 1, p + 1) } else { (p, p + 1) }
    }

    /// `tokens` (of precedence `prec`) in a place that needs at least `min`: parenthesised only
    /// when it binds more loosely.
    pub(crate) fn place(tokens: TokenStream, prec: u8, min: u8) -> TokenStream {
        if prec < min {
            quote!((#tokens))
        } else {
            tokens
        }
    }
}
