//! The Tier-3 spend ledger kept in the store, as the judge uses it.
//!
//! [`StoreLedger`] adapts the store's [`SqliteLedger`] to the judge's
//! [`aegis_llm::Ledger`] trait. The adapter lives here, in the application layer that knows
//! both crates, so that the store does not depend on the judge's HTTP client and the judge
//! does not depend on SQLite. Every reservation and settlement is one `IMMEDIATE` transaction
//! on the store file: every process that evaluates with the same store (the service's
//! workers, an `aegis-eval run --store` on the same file, a second server) shares one spend cap
//! per organisation, exactly.

use std::path::Path;
use std::time::Duration;

use aegis_core::UsdCost;
use aegis_llm::{CallError, Ledger, LedgerError, Reservation};
use aegis_store::{Reserve, SqliteLedger};

use crate::AppError;

/// The spend ledger of a store, for the judge.
#[derive(Debug)]
pub struct StoreLedger {
    ledger: SqliteLedger,
}

impl StoreLedger {
    /// The ledger of the store at `path` (created, or its schema brought up to date, if need
    /// be), whose reservations count for `hold` at most: longer than any call can take (see
    /// [`SqliteLedger::with_hold`]).
    pub fn open(path: &Path, hold: Duration) -> Result<StoreLedger, AppError> {
        Ok(StoreLedger::new(SqliteLedger::open(path)?.with_hold(hold)))
    }

    /// The judge's view of `ledger`.
    pub fn new(ledger: SqliteLedger) -> StoreLedger {
        StoreLedger { ledger }
    }

    /// The store's ledger (what is spent and reserved, as the store keeps it).
    pub fn ledger(&self) -> &SqliteLedger {
        &self.ledger
    }
}

impl Ledger for StoreLedger {
    fn reserve(
        &self,
        organisation: &str,
        cap: Option<UsdCost>,
        estimate: UsdCost,
    ) -> Result<Reservation, CallError> {
        match self.ledger.reserve(organisation, cap, estimate) {
            Ok(Reserve::Reserved { id }) => match u64::try_from(id) {
                Ok(id) => Ok(Reservation::new(id, estimate)),
                // SQLite's AUTOINCREMENT ids are positive; anything else is a damaged file.
                Err(_) => Err(CallError::Ledger(LedgerError::new(format!(
                    "store {}: a reservation id is not positive",
                    self.ledger.path().display()
                )))),
            },
            Ok(Reserve::Refused { spent, .. }) => Err(CallError::SpendCap {
                organisation: organisation.to_owned(),
                cap: cap.unwrap_or(UsdCost::ZERO),
                spent,
            }),
            Err(e) => Err(CallError::Ledger(LedgerError::new(e.to_string()))),
        }
    }

    fn settle(
        &self,
        organisation: &str,
        reservation: Reservation,
        actual: UsdCost,
    ) -> Result<(), LedgerError> {
        let id = i64::try_from(reservation.id()).map_err(|_| {
            LedgerError::new(format!(
                "store {}: reservation {} was not made by this ledger",
                self.ledger.path().display(),
                reservation.id()
            ))
        })?;
        self.ledger
            .settle(id, organisation, actual)
            .map_err(|e| LedgerError::new(e.to_string()))
    }

    fn spent(&self, organisation: &str) -> Result<UsdCost, LedgerError> {
        self.ledger
            .spent(organisation)
            .map_err(|e| LedgerError::new(e.to_string()))
    }
}
