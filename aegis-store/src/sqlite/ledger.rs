//! The Tier-3 spend ledger kept in the store, shared by every process that opens the file.
//!
//! A judge call reserves its most expensive outcome before it is sent and settles with what it
//! really cost afterwards. Each reservation and each settlement is one SQLite transaction
//! begun `IMMEDIATE` (the database's write lock is taken before anything is read), so the
//! check "spent + reserved + this call ≤ cap" and the reservation it allows are one atomic
//! step across every connection to the file: several processes sharing a store (the service,
//! an `aegis-eval run --store` on the same file, a second server) share one cap exactly.
//!
//! A reservation carries its own expiry (its creation time plus the hold of the ledger that
//! made it, generously longer than a call can take). A process that dies holding one does not
//! block the cap for ever: once expired, the reservation no longer counts and the next
//! reservation removes it. Reservation ids are never reused (`AUTOINCREMENT`), so a late
//! settlement of an expired reservation can only add its cost, never end another call's
//! reservation.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use aegis_core::UsdCost;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::SqliteStore;
use crate::StoreError;

/// 6: the Tier-3 spend ledger. `judge_spend`: what each organisation has spent on settled judge
/// calls, in pico-dollars (the cap in `[judge]` is a total per organisation, not per period).
/// `judge_reservations`: calls in flight, each with the most it may cost, when it was made and
/// when it stops counting (ms since the epoch).
pub(super) const MIGRATION: &str = r#"
    CREATE TABLE judge_spend (
        organisation   TEXT PRIMARY KEY,
        spent_picos    INTEGER NOT NULL CHECK (spent_picos >= 0),
        updated_at     INTEGER NOT NULL
    );
    CREATE TABLE judge_reservations (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        organisation   TEXT NOT NULL,
        amount_picos   INTEGER NOT NULL CHECK (amount_picos >= 0),
        created_at     INTEGER NOT NULL,
        expires_at     INTEGER NOT NULL
    );
    CREATE INDEX judge_reservations_org ON judge_reservations(organisation, expires_at);
"#;

/// The answer to [`SqliteLedger::reserve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reserve {
    /// Reserved: settle it with [`SqliteLedger::settle`] and this id.
    Reserved {
        /// The reservation's id (never reused).
        id: i64,
    },
    /// Refused: the call could take the organisation past its cap. Nothing was reserved.
    Refused {
        /// What the organisation has spent.
        spent: UsdCost,
        /// What its calls in flight (live reservations, in every process) hold.
        reserved: UsdCost,
    },
}

/// The spend ledger in a store file, on a connection of its own, shareable by threads (`&self`
/// methods, one transaction at a time per ledger) and by processes (each with its own ledger
/// on the same file).
#[derive(Debug)]
pub struct SqliteLedger {
    conn: Mutex<Connection>,
    path: PathBuf,
    hold: Duration,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Pico-dollars as SQLite stores them (a signed 64-bit integer; $9.2 million at most, far above
/// the largest cap the configuration allows).
fn to_sql(c: UsdCost) -> i64 {
    i64::try_from(c.picos()).unwrap_or(i64::MAX)
}

fn from_sql(picos: i64) -> UsdCost {
    UsdCost::from_picos(u64::try_from(picos).unwrap_or(0))
}

impl SqliteLedger {
    /// How long a reservation counts unless [`SqliteLedger::with_hold`] says otherwise: an
    /// hour, far longer than one provider request (a minute by default).
    pub const DEFAULT_HOLD: Duration = Duration::from_secs(3600);

    /// Opens the ledger of the store at `path`, creating the store or bringing its schema up to
    /// date first, on a connection of its own (WAL, `synchronous=FULL`: a settled cost is on
    /// disk when `settle` returns).
    pub fn open(path: &Path) -> Result<SqliteLedger, StoreError> {
        // The store's own opening runs the migrations (and sets WAL, which is kept in the file).
        drop(SqliteStore::open(path)?);
        let shown = path.display().to_string();
        let err = |what: &'static str| {
            let shown = shown.clone();
            move |source| StoreError::Sqlite {
                path: shown,
                what,
                source,
            }
        };
        let conn = Connection::open(path).map_err(err("cannot open the spend ledger"))?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(err("cannot set synchronous=FULL"))?;
        // Other processes' reservations, and the store's batch writes, hold the write lock
        // briefly: wait for it rather than fail.
        conn.busy_timeout(Duration::from_secs(30))
            .map_err(err("cannot set the busy timeout"))?;
        Ok(SqliteLedger {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
            hold: Self::DEFAULT_HOLD,
        })
    }

    /// The ledger with reservations made from now on counting for `hold` (at least a
    /// millisecond): longer than any call can take, since a reservation that expires while its
    /// call is still in flight no longer holds the call's money against the cap.
    pub fn with_hold(mut self, hold: Duration) -> SqliteLedger {
        self.hold = hold.max(Duration::from_millis(1));
        self
    }

    /// How long a reservation made by this ledger counts.
    pub fn hold(&self) -> Duration {
        self.hold
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, what: &'static str) -> impl Fn(rusqlite::Error) -> StoreError + use<> {
        let path = self.path.display().to_string();
        move |source| StoreError::Sqlite {
            path: path.clone(),
            what,
            source,
        }
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A thread that panicked mid-transaction rolled it back when the transaction dropped.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reserves `amount` for a call of `organisation`, unless what it has spent, plus every live
    /// reservation for it (made by any process), plus `amount` would exceed `cap` (`None`: no
    /// cap; the reservation is still recorded, so that a process with a cap counts it). One
    /// `IMMEDIATE` transaction, which also removes expired reservations.
    pub fn reserve(
        &self,
        organisation: &str,
        cap: Option<UsdCost>,
        amount: UsdCost,
    ) -> Result<Reserve, StoreError> {
        let e = self.err("cannot reserve in the spend ledger");
        let now = now_ms();
        let expires = now.saturating_add(i64::try_from(self.hold.as_millis()).unwrap_or(i64::MAX));
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        let expired = tx
            .execute(
                "DELETE FROM judge_reservations WHERE expires_at <= ?1",
                params![now],
            )
            .map_err(&e)?;
        if expired > 0 {
            tracing::warn!(
                store = %self.path.display(),
                expired,
                "judge spend reservations expired unsettled (a process died during a call?); they no longer count"
            );
        }
        let spent = spent_in(&tx, organisation).map_err(&e)?;
        let reserved = reserved_in(&tx, organisation, now).map_err(&e)?;
        if let Some(cap) = cap
            && spent
                .picos()
                .saturating_add(reserved.picos())
                .saturating_add(amount.picos())
                > cap.picos()
        {
            tx.commit().map_err(&e)?;
            return Ok(Reserve::Refused { spent, reserved });
        }
        tx.execute(
            "INSERT INTO judge_reservations (organisation, amount_picos, created_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4)",
            params![organisation, to_sql(amount), now, expires],
        )
        .map_err(&e)?;
        let id = tx.last_insert_rowid();
        tx.commit().map_err(&e)?;
        Ok(Reserve::Reserved { id })
    }

    /// Ends reservation `id` of `organisation` with what the call really cost: the reservation
    /// no longer counts and `actual` is added to the organisation's spend, in one `IMMEDIATE`
    /// transaction. A reservation that already expired (and was removed) only adds its cost.
    pub fn settle(&self, id: i64, organisation: &str, actual: UsdCost) -> Result<(), StoreError> {
        let e = self.err("cannot settle in the spend ledger");
        let now = now_ms();
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        tx.execute("DELETE FROM judge_reservations WHERE id = ?1", params![id])
            .map_err(&e)?;
        if actual.picos() > 0 {
            // Added in Rust, saturating: SQLite's integers would turn to floats on overflow.
            let spent = spent_in(&tx, organisation).map_err(&e)? + actual;
            tx.execute(
                "INSERT INTO judge_spend (organisation, spent_picos, updated_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT(organisation) DO UPDATE SET spent_picos = excluded.spent_picos, \
                 updated_at = excluded.updated_at",
                params![organisation, to_sql(spent), now],
            )
            .map_err(&e)?;
        }
        tx.commit().map_err(&e)
    }

    /// What `organisation` has spent on settled calls.
    pub fn spent(&self, organisation: &str) -> Result<UsdCost, StoreError> {
        spent_in(&self.conn(), organisation).map_err(self.err("cannot read the spend ledger"))
    }

    /// What `organisation`'s calls in flight hold: its reservations that have not expired, made
    /// by any process.
    pub fn reserved(&self, organisation: &str) -> Result<UsdCost, StoreError> {
        reserved_in(&self.conn(), organisation, now_ms())
            .map_err(self.err("cannot read the spend ledger"))
    }
}

fn spent_in(conn: &Connection, organisation: &str) -> rusqlite::Result<UsdCost> {
    Ok(conn
        .query_row(
            "SELECT spent_picos FROM judge_spend WHERE organisation = ?1",
            params![organisation],
            |r| r.get::<_, i64>(0),
        )
        .optional()?
        .map_or(UsdCost::ZERO, from_sql))
}

/// Summed in Rust, saturating (a few rows: the calls in flight).
fn reserved_in(conn: &Connection, organisation: &str, now: i64) -> rusqlite::Result<UsdCost> {
    let mut stmt = conn.prepare_cached(
        "SELECT amount_picos FROM judge_reservations WHERE organisation = ?1 AND expires_at > ?2",
    )?;
    let rows = stmt.query_map(params![organisation, now], |r| r.get::<_, i64>(0))?;
    let mut total = UsdCost::ZERO;
    for amount in rows {
        total += from_sql(amount?);
    }
    Ok(total)
}
