//! Alerts in the store: each alert's life (fired, matched again, resolved) and the outbox of
//! its notifications, one row per channel and event, with every delivery attempt and its
//! answer. An alert and its notifications are written in one transaction, so a notification
//! is never lost between deciding to send it and sending it: the outbox is read again after a
//! restart. Each notification has an id of its own (`message_id`), the same on every attempt,
//! which receivers use to drop a message they already had.

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::SqliteStore;
use crate::StoreError;

/// 10: alerts, their notifications (the outbox), delivery attempts, channels turned off.
pub(super) const MIGRATION: &str = r#"
    CREATE TABLE alerts (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        rule            TEXT NOT NULL,
        domain          TEXT NOT NULL,
        group_key       TEXT NOT NULL,
        severity        TEXT NOT NULL,
        summary         TEXT NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('firing', 'resolved')),
        fired_at        INTEGER NOT NULL,
        last_matched_at INTEGER NOT NULL,
        resolved_at     INTEGER,
        matches         INTEGER NOT NULL DEFAULT 1,
        value           REAL
    );
    CREATE UNIQUE INDEX alerts_firing ON alerts(rule, domain, group_key) WHERE state = 'firing';
    CREATE TABLE alert_deliveries (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        alert_id        INTEGER NOT NULL REFERENCES alerts(id),
        event           TEXT NOT NULL CHECK (event IN ('trigger', 'resolve')),
        channel         TEXT NOT NULL,
        message_id      TEXT NOT NULL UNIQUE,
        state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'dropped')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_at         INTEGER NOT NULL,
        created_at      INTEGER NOT NULL,
        done_at         INTEGER
    );
    CREATE INDEX alert_deliveries_due ON alert_deliveries(next_at) WHERE state = 'pending';
    CREATE INDEX alert_deliveries_alert ON alert_deliveries(alert_id);
    CREATE TABLE alert_attempts (
        delivery_id     INTEGER NOT NULL REFERENCES alert_deliveries(id),
        at              INTEGER NOT NULL,
        status          INTEGER,
        outcome         TEXT NOT NULL
    );
    CREATE INDEX alert_attempts_delivery ON alert_attempts(delivery_id);
    CREATE TABLE alert_channels_off (
        channel         TEXT PRIMARY KEY,
        since           INTEGER NOT NULL,
        reason          TEXT NOT NULL
    );
"#;

/// An alert a rule raises now (for a group that has none firing, a new alert; otherwise a
/// match of the one firing).
#[derive(Debug, Clone, PartialEq)]
pub struct AlertFiring {
    /// The rule's id.
    pub rule: String,
    /// The domain it is about.
    pub domain: String,
    /// Its group within the rule (a validator, an application, or the domain).
    pub group_key: String,
    /// `info`, `warning`, `error` or `critical`.
    pub severity: String,
    /// What happened, in sanitised words.
    pub summary: String,
    /// The measured value of a windowed rule (a rate, milliseconds, dollars, seconds).
    pub value: Option<f64>,
    /// How many times the condition held (results matched) since the last raise.
    pub matches: i64,
}

/// An alert as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertRow {
    /// Its id.
    pub id: i64,
    /// The rule's id.
    pub rule: String,
    /// The domain.
    pub domain: String,
    /// Its group within the rule.
    pub group_key: String,
    /// Its severity.
    pub severity: String,
    /// What happened.
    pub summary: String,
    /// `firing` or `resolved`.
    pub state: String,
    /// When it fired (ms since the epoch).
    pub fired_at_ms: i64,
    /// When its condition last held.
    pub last_matched_at_ms: i64,
    /// When it resolved.
    pub resolved_at_ms: Option<i64>,
    /// How many times its condition held while it was firing (results, or looks).
    pub matches: i64,
    /// The last measured value of a windowed rule.
    pub value: Option<f64>,
}

/// A notification of an alert to one channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeliveryRow {
    /// Its id.
    pub id: i64,
    /// The alert's id.
    pub alert_id: i64,
    /// `trigger` or `resolve`.
    pub event: String,
    /// The channel's name.
    pub channel: String,
    /// The notification's id, the same on every attempt (`webhook-id`, PagerDuty's event).
    pub message_id: String,
    /// `pending`, `delivered`, `failed` (gave up) or `dropped` (its channel is off).
    pub state: String,
    /// Attempts made.
    pub attempts: i64,
    /// When the next attempt is due (ms since the epoch).
    pub next_at_ms: i64,
    /// When it was queued.
    pub created_at_ms: i64,
    /// When it was delivered or given up.
    pub done_at_ms: Option<i64>,
}

/// One attempt to deliver a notification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttemptRow {
    /// The notification's id.
    pub delivery_id: i64,
    /// When (ms since the epoch).
    pub at_ms: i64,
    /// The HTTP status (or SMTP reply code) the receiver answered, if it answered.
    pub status: Option<i64>,
    /// What happened, in words (never a secret).
    pub outcome: String,
}

/// An alert, its notifications, and every attempt to deliver them.
pub type AlertHistory = (AlertRow, Vec<DeliveryRow>, Vec<AttemptRow>);

/// What an attempt leads to.
#[derive(Debug, Clone, PartialEq)]
pub enum AttemptResult {
    /// Delivered.
    Delivered,
    /// Try again at this time (ms since the epoch).
    Retry {
        /// When.
        at_ms: i64,
    },
    /// Given up: out of attempts, or refused for good.
    Failed,
}

const ALERT_COLUMNS: &str = "id, rule, domain, group_key, severity, summary, state, fired_at, \
    last_matched_at, resolved_at, matches, value";
const DELIVERY_COLUMNS: &str =
    "id, alert_id, event, channel, message_id, state, attempts, next_at, created_at, done_at";

fn alert_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AlertRow> {
    alert_row_at(r, 0)
}

/// An alert from the row's `ALERT_COLUMNS`, starting at column `at`.
fn alert_row_at(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<AlertRow> {
    Ok(AlertRow {
        id: r.get(at)?,
        rule: r.get(at + 1)?,
        domain: r.get(at + 2)?,
        group_key: r.get(at + 3)?,
        severity: r.get(at + 4)?,
        summary: r.get(at + 5)?,
        state: r.get(at + 6)?,
        fired_at_ms: r.get(at + 7)?,
        last_matched_at_ms: r.get(at + 8)?,
        resolved_at_ms: r.get(at + 9)?,
        matches: r.get(at + 10)?,
        value: r.get(at + 11)?,
    })
}

fn delivery_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeliveryRow> {
    Ok(DeliveryRow {
        id: r.get(0)?,
        alert_id: r.get(1)?,
        event: r.get(2)?,
        channel: r.get(3)?,
        message_id: r.get(4)?,
        state: r.get(5)?,
        attempts: r.get(6)?,
        next_at_ms: r.get(7)?,
        created_at_ms: r.get(8)?,
        done_at_ms: r.get(9)?,
    })
}

/// A fresh notification id: `msg_` and 24 random hex digits.
fn message_id() -> String {
    let mut bytes = [0u8; 12];
    // The id is for receivers to drop duplicates; a clock-based one serves if randomness fails.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes.copy_from_slice(&nanos.to_le_bytes()[..12]);
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("msg_{hex}")
}

impl SqliteStore {
    /// Raises `alert` at `now_ms`: a new alert, with a notification queued for each of
    /// `channels` in the same transaction, when its group has none firing; otherwise a match
    /// of the one firing (counted, its value and time updated, nothing sent). Returns the
    /// alert's id and whether it is new.
    pub fn raise_alert(
        &mut self,
        alert: &AlertFiring,
        channels: &[String],
        now_ms: i64,
    ) -> Result<(i64, bool), StoreError> {
        let e = self.sqlite_err("cannot raise an alert");
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        let firing: Option<i64> = tx
            .query_row(
                "SELECT id FROM alerts WHERE rule = ?1 AND domain = ?2 AND group_key = ?3 AND state = 'firing'",
                params![alert.rule, alert.domain, alert.group_key],
                |r| r.get(0),
            )
            .optional()
            .map_err(&e)?;
        let out = match firing {
            Some(id) => {
                tx.execute(
                    "UPDATE alerts SET matches = matches + ?4, last_matched_at = ?2, value = ?3 WHERE id = ?1",
                    params![id, now_ms, alert.value, alert.matches.max(1)],
                )
                .map_err(&e)?;
                (id, false)
            }
            None => {
                tx.execute(
                    "INSERT INTO alerts (rule, domain, group_key, severity, summary, state, fired_at, last_matched_at, value, matches) \
                     VALUES (?1, ?2, ?3, ?4, ?5, 'firing', ?6, ?6, ?7, ?8)",
                    params![alert.rule, alert.domain, alert.group_key, alert.severity, alert.summary, now_ms, alert.value, alert.matches.max(1)],
                )
                .map_err(&e)?;
                let id = tx.last_insert_rowid();
                queue_notifications(&tx, id, "trigger", channels, now_ms).map_err(&e)?;
                (id, true)
            }
        };
        tx.commit().map_err(&e)?;
        Ok(out)
    }

    /// Resolves the firing alert `id` at `now_ms`, queueing a `resolve` notification for each
    /// of `channels` in the same transaction. Returns whether it was firing.
    pub fn resolve_alert(
        &mut self,
        id: i64,
        channels: &[String],
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let e = self.sqlite_err("cannot resolve an alert");
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        let n = tx
            .execute(
                "UPDATE alerts SET state = 'resolved', resolved_at = ?2 WHERE id = ?1 AND state = 'firing'",
                params![id, now_ms],
            )
            .map_err(&e)?;
        if n == 1 {
            queue_notifications(&tx, id, "resolve", channels, now_ms).map_err(&e)?;
        }
        tx.commit().map_err(&e)?;
        Ok(n == 1)
    }

    /// The alerts firing now.
    pub fn firing_alerts(&self) -> Result<Vec<AlertRow>, StoreError> {
        let e = self.sqlite_err("cannot read the alerts");
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ALERT_COLUMNS} FROM alerts WHERE state = 'firing' ORDER BY id"
            ))
            .map_err(&e)?;
        stmt.query_map([], alert_row)
            .map_err(&e)?
            .collect::<Result<_, _>>()
            .map_err(&e)
    }

    /// Alerts, newest first: `state` `firing` or `resolved` (or every one), at most `limit`.
    pub fn alerts(&self, state: Option<&str>, limit: usize) -> Result<Vec<AlertRow>, StoreError> {
        let e = self.sqlite_err("cannot read the alerts");
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ALERT_COLUMNS} FROM alerts WHERE ?1 IS NULL OR state = ?1 ORDER BY id DESC LIMIT ?2"
            ))
            .map_err(&e)?;
        stmt.query_map(
            params![state, i64::try_from(limit).unwrap_or(i64::MAX)],
            alert_row,
        )
        .map_err(&e)?
        .collect::<Result<_, _>>()
        .map_err(&e)
    }

    /// One alert, its notifications, and each one's attempts.
    pub fn alert(&self, id: i64) -> Result<Option<AlertHistory>, StoreError> {
        let e = self.sqlite_err("cannot read an alert");
        let Some(alert) = self
            .conn
            .query_row(
                &format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?1"),
                [id],
                alert_row,
            )
            .optional()
            .map_err(&e)?
        else {
            return Ok(None);
        };
        let deliveries = self
            .conn
            .prepare_cached(&format!(
                "SELECT {DELIVERY_COLUMNS} FROM alert_deliveries WHERE alert_id = ?1 ORDER BY id"
            ))
            .map_err(&e)?
            .query_map([id], delivery_row)
            .map_err(&e)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(&e)?;
        let attempts = self
            .conn
            .prepare_cached(
                "SELECT a.delivery_id, a.at, a.status, a.outcome FROM alert_attempts a \
                 JOIN alert_deliveries d ON d.id = a.delivery_id WHERE d.alert_id = ?1 ORDER BY a.rowid",
            )
            .map_err(&e)?
            .query_map([id], |r| {
                Ok(AttemptRow {
                    delivery_id: r.get(0)?,
                    at_ms: r.get(1)?,
                    status: r.get(2)?,
                    outcome: r.get(3)?,
                })
            })
            .map_err(&e)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(&e)?;
        Ok(Some((alert, deliveries, attempts)))
    }

    /// Notifications due at `now_ms`, oldest first, with their alert; at most `limit`.
    pub fn due_notifications(
        &self,
        now_ms: i64,
        limit: usize,
    ) -> Result<Vec<(DeliveryRow, AlertRow)>, StoreError> {
        let e = self.sqlite_err("cannot read the alert outbox");
        let cols: String = DELIVERY_COLUMNS
            .split(", ")
            .map(|c| format!("d.{c}"))
            .chain(ALERT_COLUMNS.split(", ").map(|c| format!("a.{c}")))
            .collect::<Vec<_>>()
            .join(", ");
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {cols} FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id \
                 WHERE d.state = 'pending' AND d.next_at <= ?1 ORDER BY d.next_at, d.id LIMIT ?2"
            ))
            .map_err(&e)?;
        stmt.query_map(
            params![now_ms, i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| {
                let d = delivery_row(r)?;
                let a = alert_row_at(r, DELIVERY_COLUMNS.split(", ").count())?;
                Ok((d, a))
            },
        )
        .map_err(&e)?
        .collect::<Result<_, _>>()
        .map_err(&e)
    }

    /// When the next pending notification is due (ms since the epoch), if any.
    pub fn next_notification_at(&self) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_row(
                "SELECT min(next_at) FROM alert_deliveries WHERE state = 'pending'",
                [],
                |r| r.get(0),
            )
            .map_err(self.sqlite_err("cannot read the alert outbox"))
    }

    /// Records an attempt to deliver notification `id` and what follows from it, in one
    /// transaction.
    pub fn record_attempt(
        &mut self,
        id: i64,
        attempt: &AttemptRow,
        then: &AttemptResult,
    ) -> Result<(), StoreError> {
        let e = self.sqlite_err("cannot record a delivery attempt");
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        tx.execute(
            "INSERT INTO alert_attempts (delivery_id, at, status, outcome) VALUES (?1, ?2, ?3, ?4)",
            params![id, attempt.at_ms, attempt.status, attempt.outcome],
        )
        .map_err(&e)?;
        let (state, next_at, done_at) = match then {
            AttemptResult::Delivered => ("delivered", None, Some(attempt.at_ms)),
            AttemptResult::Retry { at_ms } => ("pending", Some(*at_ms), None),
            AttemptResult::Failed => ("failed", None, Some(attempt.at_ms)),
        };
        tx.execute(
            "UPDATE alert_deliveries SET attempts = attempts + 1, state = ?2, \
             next_at = coalesce(?3, next_at), done_at = ?4 WHERE id = ?1",
            params![id, state, next_at, done_at],
        )
        .map_err(&e)?;
        tx.commit().map_err(&e)?;
        Ok(())
    }

    /// Turns channel `name` off (its receiver said `410 Gone`): its pending notifications are
    /// dropped and no more are queued for it until [`channel_on`](Self::channel_on).
    pub fn channel_off(&mut self, name: &str, reason: &str, now_ms: i64) -> Result<(), StoreError> {
        let e = self.sqlite_err("cannot turn a channel off");
        let tx = self.conn.transaction().map_err(&e)?;
        tx.execute(
            "INSERT INTO alert_channels_off (channel, since, reason) VALUES (?1, ?2, ?3) \
             ON CONFLICT(channel) DO NOTHING",
            params![name, now_ms, reason],
        )
        .map_err(&e)?;
        tx.execute(
            "UPDATE alert_deliveries SET state = 'dropped', done_at = ?2 WHERE channel = ?1 AND state = 'pending'",
            params![name, now_ms],
        )
        .map_err(&e)?;
        tx.commit().map_err(&e)?;
        Ok(())
    }

    /// Turns channel `name` on again. Returns whether it was off.
    pub fn channel_on(&mut self, name: &str) -> Result<bool, StoreError> {
        let n = self
            .conn
            .execute("DELETE FROM alert_channels_off WHERE channel = ?1", [name])
            .map_err(self.sqlite_err("cannot turn a channel on"))?;
        Ok(n == 1)
    }

    /// The channels turned off, with since when and why.
    pub fn channels_off(&self) -> Result<Vec<(String, i64, String)>, StoreError> {
        let e = self.sqlite_err("cannot read the channels");
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT channel, since, reason FROM alert_channels_off ORDER BY channel",
            )
            .map_err(&e)?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(&e)?
            .collect::<Result<_, _>>()
            .map_err(&e)
    }

    /// A domain's results since `since_ms`: how many, and how many failed.
    pub fn results_since(&self, domain: &str, since_ms: i64) -> Result<(u64, u64), StoreError> {
        self.conn
            .query_row(
                "SELECT count(*), coalesce(sum(verdict = 'fail'), 0) FROM results \
                 WHERE domain = ?1 AND evaluated_at >= ?2",
                params![domain, since_ms],
                |r| {
                    Ok((
                        u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                        u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                    ))
                },
            )
            .map_err(self.sqlite_err("cannot count results"))
    }

    /// The 95th percentile of a domain's evaluation latency (ns) since `since_ms` (nearest
    /// rank), if it has results then. The window's latencies are read in the order of the
    /// `(domain, evaluated_at)` index and ranked here: no sort in SQLite.
    pub fn p95_latency_since(
        &self,
        domain: &str,
        since_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        let e = self.sqlite_err("cannot read latencies");
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT latency_ns FROM results WHERE domain = ?1 AND evaluated_at >= ?2",
            )
            .map_err(&e)?;
        let mut all: Vec<i64> = stmt
            .query_map(params![domain, since_ms], |r| r.get(0))
            .map_err(&e)?
            .collect::<Result<_, _>>()
            .map_err(&e)?;
        if all.is_empty() {
            return Ok(None);
        }
        let rank = (all.len() * 95).div_ceil(100).max(1) - 1;
        let (_, p95, _) = all.select_nth_unstable(rank);
        Ok(Some(*p95))
    }

    /// What a domain's results stored since `since_ms` cost, in pico-dollars (Tier 3 is the
    /// tier that costs). Whole hours come from the hourly roll-ups; the part of an hour before
    /// them from the results.
    pub fn cost_since(&self, domain: &str, since_ms: i64) -> Result<i64, StoreError> {
        let first_hour = super::summary::hour_ceil(since_ms);
        let e = self.sqlite_err("cannot add up costs");
        let rolled: i64 = self
            .conn
            .query_row(
                "SELECT coalesce(sum(cost_picos), 0) FROM result_rollup WHERE domain = ?1 AND hour >= ?2",
                params![domain, first_hour],
                |r| r.get(0),
            )
            .map_err(&e)?;
        let edge: i64 = self
            .conn
            .query_row(
                "SELECT coalesce(sum(cost_picos), 0) FROM results WHERE domain = ?1 \
                 AND evaluated_at >= ?2 AND evaluated_at < ?3",
                params![domain, since_ms, first_hour],
                |r| r.get(0),
            )
            .map_err(&e)?;
        Ok(rolled + edge)
    }

    /// When the domain's newest result was stored (ms since the epoch), if it has any.
    pub fn last_result_at(&self, domain: &str) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_row(
                "SELECT max(evaluated_at) FROM results WHERE domain = ?1",
                [domain],
                |r| r.get(0),
            )
            .map_err(self.sqlite_err("cannot read the newest result"))
    }
}

/// Queues a notification of `event` about alert `id` for each channel that is on.
fn queue_notifications(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    event: &str,
    channels: &[String],
    now_ms: i64,
) -> rusqlite::Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO alert_deliveries (alert_id, event, channel, message_id, state, next_at, created_at) \
         SELECT ?1, ?2, ?3, ?4, 'pending', ?5, ?5 \
         WHERE NOT EXISTS (SELECT 1 FROM alert_channels_off WHERE channel = ?3)",
    )?;
    for c in channels {
        insert.execute(params![id, event, c, message_id(), now_ms])?;
    }
    Ok(())
}
