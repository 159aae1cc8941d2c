//! Where the judge's spend is kept and its cap enforced.
//!
//! A judge call first reserves its most expensive outcome against its organisation's cap
//! ([`Ledger::reserve`]), is sent only if the reservation is granted, and then settles it with
//! what the call really cost ([`Ledger::settle`]), which releases the difference. Concurrent
//! calls therefore cannot together pass the cap: each sees the others' reservations.
//!
//! [`SpendLedger`] keeps the ledger in this process (saved to a JSON file when configured with
//! `spend_ledger`), so two processes each see only their own reservations. A ledger shared by
//! several processes (the store's, in `aegis-app`) implements the same trait, and is handed to
//! [`LlmJudge::from_config`](crate::LlmJudge::from_config) instead.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use aegis_core::UsdCost;
use serde_json::Value;

use crate::error::CallError;

/// What each organisation has spent on judge calls and what calls in flight may still spend,
/// with the cap enforced between the two. Implementations are shared by every thread of a
/// judge (`Send + Sync`); `Debug` must not print secrets.
pub trait Ledger: Send + Sync + std::fmt::Debug {
    /// Reserves `estimate` (the most the call can cost) for a call of `organisation`, unless
    /// what it has spent, plus what is reserved for its calls in flight, plus `estimate`
    /// would exceed `cap` (`None`: no cap). A refusal is [`CallError::SpendCap`]; a ledger that
    /// cannot be read or written is [`CallError::Ledger`] (no call is made: the cap could not
    /// be checked).
    fn reserve(
        &self,
        organisation: &str,
        cap: Option<UsdCost>,
        estimate: UsdCost,
    ) -> Result<Reservation, CallError>;

    /// Ends `reservation` (made for `organisation`) with what the call really cost: the
    /// reservation no longer counts, and `actual` is added to what was spent.
    fn settle(
        &self,
        organisation: &str,
        reservation: Reservation,
        actual: UsdCost,
    ) -> Result<(), LedgerError>;

    /// What `organisation` has spent (settled calls only).
    fn spent(&self, organisation: &str) -> Result<UsdCost, LedgerError>;
}

/// A reservation against a [`Ledger`], settled once when the call ends (hence not `Clone`).
#[derive(Debug, PartialEq, Eq)]
pub struct Reservation {
    id: u64,
    amount: UsdCost,
}

impl Reservation {
    /// A reservation of `amount`, which the ledger that made it knows as `id` (a ledger that
    /// needs no id uses 0).
    pub fn new(id: u64, amount: UsdCost) -> Reservation {
        Reservation { id, amount }
    }

    /// The ledger's id for it.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The amount reserved.
    pub fn amount(&self) -> UsdCost {
        self.amount
    }
}

/// A ledger that cannot be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the spend ledger cannot be used: {message}")]
pub struct LedgerError {
    /// What failed, naming the ledger (its file) and the cause.
    pub message: String,
}

impl LedgerError {
    /// An error saying `message`.
    pub fn new(message: impl Into<String>) -> LedgerError {
        LedgerError {
            message: message.into(),
        }
    }
}

/// The [`Ledger`] of one process: what each organisation has spent on judge calls, and what
/// calls in flight may still spend, in memory, with the spend saved to a JSON file (when
/// given) after each settled call. Another process using the same file sees neither this
/// one's reservations nor its spend until it opens the file again: for several processes
/// sharing one cap, use a ledger kept in a shared store.
#[derive(Debug)]
pub struct SpendLedger {
    state: Mutex<LedgerState>,
    path: Option<PathBuf>,
}

#[derive(Debug, Default)]
struct LedgerState {
    spent: BTreeMap<String, u64>,
    reserved: BTreeMap<String, u64>,
}

impl SpendLedger {
    /// A ledger that starts from the spend saved at `path` (when given and present).
    pub fn open(path: Option<PathBuf>) -> Result<SpendLedger, String> {
        let mut state = LedgerState::default();
        let text = match &path {
            Some(p) => match std::fs::read_to_string(p) {
                Ok(t) => Some(t),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                // Starting from zero would lift the cap: refuse instead.
                Err(e) => {
                    return Err(format!("cannot read the spend ledger {}: {e}", p.display()));
                }
            },
            None => None,
        };
        if let (Some(p), Some(text)) = (&path, text) {
            let v: Value = serde_json::from_str(&text)
                .map_err(|e| format!("{}: not a spend ledger: {e}", p.display()))?;
            if let Some(orgs) = v.get("organisations").and_then(Value::as_object) {
                for (org, entry) in orgs {
                    if let Some(p) = entry.get("spent_picos").and_then(Value::as_u64) {
                        state.spent.insert(org.clone(), p);
                    }
                }
            }
        }
        Ok(SpendLedger {
            state: Mutex::new(state),
            path,
        })
    }

    /// What `organisation` has spent.
    pub fn spent(&self, organisation: &str) -> UsdCost {
        self.state
            .lock()
            .map(|s| UsdCost::from_picos(s.spent.get(organisation).copied().unwrap_or(0)))
            .unwrap_or(UsdCost::ZERO)
    }

    /// Reserves `estimate` for a call, unless that could take `organisation` past `cap`.
    pub fn reserve(
        &self,
        organisation: &str,
        cap: Option<UsdCost>,
        estimate: UsdCost,
    ) -> Result<Reservation, CallError> {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let spent = s.spent.get(organisation).copied().unwrap_or(0);
        let reserved = s.reserved.get(organisation).copied().unwrap_or(0);
        if let Some(cap) = cap
            && spent
                .saturating_add(reserved)
                .saturating_add(estimate.picos())
                > cap.picos()
        {
            return Err(CallError::SpendCap {
                organisation: organisation.to_owned(),
                cap,
                spent: UsdCost::from_picos(spent),
            });
        }
        let r = s.reserved.entry(organisation.to_owned()).or_default();
        *r = r.saturating_add(estimate.picos());
        Ok(Reservation::new(0, estimate))
    }

    /// Ends a reservation with what the call really cost, and saves the ledger.
    pub fn settle(&self, organisation: &str, reservation: Reservation, actual: UsdCost) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = s.reserved.get_mut(organisation) {
            *r = r.saturating_sub(reservation.amount.picos());
        }
        if actual.picos() == 0 {
            return;
        }
        let spent = s.spent.entry(organisation.to_owned()).or_default();
        *spent = spent.saturating_add(actual.picos());
        if let Some(path) = &self.path {
            let orgs: serde_json::Map<String, Value> = s
                .spent
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        serde_json::json!({ "spent_picos": v, "spent_usd": UsdCost::from_picos(*v).dollars() }),
                    )
                })
                .collect();
            let text = serde_json::json!({ "organisations": orgs }).to_string();
            let tmp = path.with_extension("tmp");
            let written = path
                .parent()
                .map_or(Ok(()), |d| {
                    if d.as_os_str().is_empty() {
                        Ok(())
                    } else {
                        std::fs::create_dir_all(d)
                    }
                })
                .and_then(|()| std::fs::write(&tmp, text))
                .and_then(|()| std::fs::rename(&tmp, path));
            if let Err(e) = written {
                tracing::warn!(path = %path.display(), error = %e, "cannot save the spend ledger");
            }
        }
    }
}

impl Ledger for SpendLedger {
    fn reserve(
        &self,
        organisation: &str,
        cap: Option<UsdCost>,
        estimate: UsdCost,
    ) -> Result<Reservation, CallError> {
        SpendLedger::reserve(self, organisation, cap, estimate)
    }

    fn settle(
        &self,
        organisation: &str,
        reservation: Reservation,
        actual: UsdCost,
    ) -> Result<(), LedgerError> {
        // A file that cannot be written is logged, as before: the spend stays in memory.
        SpendLedger::settle(self, organisation, reservation, actual);
        Ok(())
    }

    fn spent(&self, organisation: &str) -> Result<UsdCost, LedgerError> {
        Ok(SpendLedger::spent(self, organisation))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ledger_refuses_a_call_that_could_pass_the_cap() {
        let l = SpendLedger::open(None).unwrap();
        let cap = Some(UsdCost::from_micros(100));
        let r = l.reserve("acme", cap, UsdCost::from_micros(60)).unwrap();
        // In flight: 60 reserved; another 60 could pass the cap.
        assert!(l.reserve("acme", cap, UsdCost::from_micros(60)).is_err());
        assert!(l.reserve("other", cap, UsdCost::from_micros(60)).is_ok());
        l.settle("acme", r, UsdCost::from_micros(30));
        assert_eq!(l.spent("acme"), UsdCost::from_micros(30));
        assert!(l.reserve("acme", cap, UsdCost::from_micros(60)).is_ok());
    }
}
