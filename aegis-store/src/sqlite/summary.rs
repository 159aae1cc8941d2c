//! Report statistics aggregated in SQLite ([`Store::summarize`](crate::Store::summarize)):
//! counts, costs and times from the `results` columns, issues and per-tier costs from two side
//! tables written with each result, latency percentiles by an exact ordered scan, and the
//! labelled results (few) read whole for the agreement and calibration figures.

use std::path::Path;

use aegis_core::{EvaluationResult, Severity, Tier, UsdCost, Verdict};
use rusqlite::types::Value;
use rusqlite::{Connection, params, params_from_iter};

use super::{COLUMNS, SqliteStore};
use crate::codec::{count, severity_rank, unpack, verdict_of};
use crate::{Filter, IssueSummary, LabelledResult, StoreError, StoreSummary, TimeBucket};

/// The schema version that adds the tables below.
pub(super) const VERSION: usize = 4;

/// 4: what reports aggregate that the `results` columns do not hold (it is inside the
/// compressed result): each issue's validator and severity, and each tier's cost where it is
/// not zero. Written with each result; filled from the stored results by [`backfill`] when a
/// store is migrated. Keyed by the result's rowid, clustered (no extra index to keep).
pub(super) const MIGRATION: &str = r#"
    CREATE TABLE result_issues (
        result_id      INTEGER NOT NULL,
        n              INTEGER NOT NULL,
        validator      TEXT NOT NULL,
        severity       INTEGER NOT NULL,
        PRIMARY KEY (result_id, n)
    ) WITHOUT ROWID;
    CREATE TABLE result_tier_costs (
        result_id      INTEGER NOT NULL,
        tier           TEXT NOT NULL,
        cost_picos     INTEGER NOT NULL,
        PRIMARY KEY (result_id, tier)
    ) WITHOUT ROWID;
    CREATE TRIGGER results_ad_summary AFTER DELETE ON results BEGIN
        DELETE FROM result_issues WHERE result_id = old.id;
        DELETE FROM result_tier_costs WHERE result_id = old.id;
    END;
"#;

/// Replaces the side-table rows of the result just written under `key`.
/// A latency's bucket in the roll-up: its number of decimal digits and its first two digits
/// (`1234567` ns is `712`): two significant digits, so a percentile read from the buckets is
/// within 5 % of the exact one.
const LATENCY_BUCKET: &str =
    "(length(CAST({x} AS TEXT)) * 100 + CAST(substr(CAST({x} AS TEXT), 1, 2) AS INTEGER))";
/// An hour, in ms.
const HOUR_MS: i64 = 3_600_000;

/// The start of the hour holding `t` (ms): the roll-ups' key.
pub(super) fn hour_floor(t: i64) -> i64 {
    t - t.rem_euclid(HOUR_MS)
}

/// The first whole hour starting at or after `t` (ms).
pub(super) fn hour_ceil(t: i64) -> i64 {
    hour_floor(t)
        + if t.rem_euclid(HOUR_MS) == 0 {
            0
        } else {
            HOUR_MS
        }
}

/// An evaluation time's hour (ms), as [`hour_floor`] computes it, in SQL.
const HOUR_OF: &str = "({t} - (({t} % 3600000) + 3600000) % 3600000)";

/// 11: hourly roll-ups of the results, kept by the writes (`Rollup`: a batch's results added
/// and the results they replace taken away, one statement per group) and by a trigger on
/// every delete, so that a report over all of a store, or over whole hours of it, reads thousands
/// of rows instead of millions: counts and cost per hour, domain, verdict, deciding tier,
/// model and application, and a latency histogram per hour and domain. Filled in from the
/// results already stored. And an index by verdict and time, so that a list of the newest
/// failures does not scan the results (its inserts land at the end of each verdict's range).
pub(super) const ROLLUP_MIGRATION: &str = "-- 11: the hourly roll-ups (summary::rollup_migration)";

/// The SQL of migration 11 ([`ROLLUP_MIGRATION`]).
pub(super) fn rollup_migration() -> String {
    let hour = |t: &str| HOUR_OF.replace("{t}", t);
    let bucket = |x: &str| LATENCY_BUCKET.replace("{x}", x);
    let remove = |r: &str| {
        format!(
            "UPDATE result_rollup SET n = n - 1, cost_picos = cost_picos - {r}.cost_picos \
             WHERE hour = {h} AND domain = coalesce({r}.domain, '') AND verdict = {r}.verdict \
               AND decided_by = coalesce({r}.decided_by, '') AND model = coalesce({r}.model, '') \
               AND application = coalesce({r}.application, ''); \
             UPDATE result_latency_rollup SET n = n - 1 \
             WHERE {r}.verdict != 'error' AND hour = {h} AND domain = coalesce({r}.domain, '') AND bucket = {b};",
            h = hour(&format!("{r}.evaluated_at")),
            b = bucket(&format!("{r}.latency_ns")),
        )
    };
    format!(
        "CREATE TABLE result_rollup (
            hour INTEGER NOT NULL, domain TEXT NOT NULL, verdict TEXT NOT NULL,
            decided_by TEXT NOT NULL, model TEXT NOT NULL, application TEXT NOT NULL,
            n INTEGER NOT NULL, cost_picos INTEGER NOT NULL,
            PRIMARY KEY (hour, domain, verdict, decided_by, model, application)
        ) WITHOUT ROWID;
        CREATE TABLE result_latency_rollup (
            hour INTEGER NOT NULL, domain TEXT NOT NULL, bucket INTEGER NOT NULL, n INTEGER NOT NULL,
            PRIMARY KEY (hour, domain, bucket)
        ) WITHOUT ROWID;
        CREATE INDEX results_verdict_time ON results(verdict, evaluated_at);
        CREATE TRIGGER results_ad_rollup AFTER DELETE ON results BEGIN {remove_old} END;
        INSERT INTO result_rollup (hour, domain, verdict, decided_by, model, application, n, cost_picos)
            SELECT {h}, coalesce(domain, ''), verdict, coalesce(decided_by, ''), coalesce(model, ''),
                   coalesce(application, ''), count(*), sum(cost_picos)
            FROM results GROUP BY 1, 2, 3, 4, 5, 6;
        INSERT INTO result_latency_rollup (hour, domain, bucket, n)
            SELECT {h}, coalesce(domain, ''), {b}, count(*) FROM results WHERE verdict != 'error'
            GROUP BY 1, 2, 3;",
        remove_old = remove("old"),
        h = hour("evaluated_at"),
        b = bucket("latency_ns"),
    )
}

/// What the roll-ups count of one result.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RolledUp {
    pub(super) evaluated_at_ms: i64,
    pub(super) domain: Option<String>,
    pub(super) verdict: String,
    pub(super) decided_by: Option<String>,
    pub(super) model: Option<String>,
    pub(super) application: Option<String>,
    pub(super) cost_picos: i64,
    pub(super) latency_ns: i64,
}

type RollupKey = (i64, String, String, String, String, String);

/// A batch's changes to the roll-ups, summed per group before they are written: a batch of
/// results is a few statements, not two per result.
#[derive(Debug, Default)]
pub(super) struct Rollup {
    counts: std::collections::BTreeMap<RollupKey, (i64, i64)>,
    latencies: std::collections::BTreeMap<(i64, String, i64), i64>,
}

impl Rollup {
    fn change(&mut self, r: &RolledUp, sign: i64) {
        let hour = hour_floor(r.evaluated_at_ms);
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let c = self
            .counts
            .entry((
                hour,
                text(&r.domain),
                r.verdict.clone(),
                text(&r.decided_by),
                text(&r.model),
                text(&r.application),
            ))
            .or_default();
        c.0 += sign;
        c.1 += sign * r.cost_picos;
        if r.verdict != "error" {
            *self
                .latencies
                .entry((
                    hour,
                    text(&r.domain),
                    bucket_of(u64::try_from(r.latency_ns).unwrap_or(0)),
                ))
                .or_default() += sign;
        }
    }

    /// Counts `r`.
    pub(super) fn add(&mut self, r: &RolledUp) {
        self.change(r, 1);
    }

    /// Takes `r` away (a result replaced).
    pub(super) fn remove(&mut self, r: &RolledUp) {
        self.change(r, -1);
    }

    /// Writes the changes.
    pub(super) fn apply(&self, conn: &Connection) -> rusqlite::Result<()> {
        let mut counts = conn.prepare_cached(
            "INSERT INTO result_rollup (hour, domain, verdict, decided_by, model, application, n, cost_picos) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
             ON CONFLICT DO UPDATE SET n = n + excluded.n, cost_picos = cost_picos + excluded.cost_picos",
        )?;
        for ((hour, domain, verdict, decided_by, model, application), (n, cost)) in &self.counts {
            if *n != 0 || *cost != 0 {
                counts.execute(params![
                    hour,
                    domain,
                    verdict,
                    decided_by,
                    model,
                    application,
                    n,
                    cost
                ])?;
            }
        }
        let mut latencies = conn.prepare_cached(
            "INSERT INTO result_latency_rollup (hour, domain, bucket, n) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT DO UPDATE SET n = n + excluded.n",
        )?;
        for ((hour, domain, bucket), n) in &self.latencies {
            if *n != 0 {
                latencies.execute(params![hour, domain, bucket, n])?;
            }
        }
        Ok(())
    }
}

/// The middle of latency bucket `b` (see [`LATENCY_BUCKET`]), in ns.
fn bucket_value(b: i64) -> u64 {
    let (digits, lead) = (b / 100, b % 100);
    if digits <= 1 {
        return u64::try_from(lead).unwrap_or(0);
    }
    let scale = 10f64.powi(i32::try_from(digits - 2).unwrap_or(0));
    ((lead as f64 + 0.5) * scale).round() as u64
}

/// The bucket of latency `ns`, as [`LATENCY_BUCKET`] computes it in SQL.
fn bucket_of(ns: u64) -> i64 {
    let text = ns.to_string();
    let lead: i64 = text[..text.len().min(2)].parse().unwrap_or(0);
    i64::try_from(text.len()).unwrap_or(0) * 100 + lead
}

/// Whether a report over `filter` may read the roll-ups: it selects by domain and time only.
fn rollup_serves(filter: &Filter) -> bool {
    filter.verdict.is_none()
        && filter.min_severity.is_none()
        && filter.application.is_none()
        && filter.model.is_none()
        && filter.validator.is_none()
        && filter.tag.is_none()
        && filter.after.is_none()
        && filter.limit.is_none()
}

pub(super) fn write_facts(
    conn: &Connection,
    key: &str,
    result: &EvaluationResult,
) -> rusqlite::Result<()> {
    let id: i64 = conn
        .prepare_cached("SELECT id FROM results WHERE key = ?1")?
        .query_row([key], |r| r.get(0))?;
    write_facts_of(conn, id, result)
}

/// Replaces the side-table rows of the result with rowid `id`.
fn write_facts_of(conn: &Connection, id: i64, result: &EvaluationResult) -> rusqlite::Result<()> {
    // A rewritten result keeps its rowid: its old rows go first.
    conn.prepare_cached("DELETE FROM result_issues WHERE result_id = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM result_tier_costs WHERE result_id = ?1")?
        .execute([id])?;
    if !result.issues.is_empty() {
        let mut insert = conn.prepare_cached(
            "INSERT INTO result_issues (result_id, n, validator, severity) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (n, issue) in result.issues.iter().enumerate() {
            insert.execute(params![
                id,
                i64::try_from(n).unwrap_or(i64::MAX),
                issue.validator,
                severity_rank(issue.severity)
            ])?;
        }
    }
    let mut costs = [UsdCost::ZERO; Tier::ALL.len()];
    for t in &result.tiers {
        costs[usize::from(t.tier.number())] += t.cost_usd;
    }
    if costs.iter().any(|c| *c > UsdCost::ZERO) {
        let mut insert = conn.prepare_cached(
            "INSERT INTO result_tier_costs (result_id, tier, cost_picos) VALUES (?1, ?2, ?3)",
        )?;
        for (tier, cost) in Tier::ALL.iter().zip(costs) {
            if cost > UsdCost::ZERO {
                insert.execute(params![
                    id,
                    tier.as_str(),
                    i64::try_from(cost.picos()).unwrap_or(i64::MAX)
                ])?;
            }
        }
    }
    Ok(())
}

/// Fills the side tables from every stored result (migration 4). A result that cannot be
/// read is named by rowid and left out, as `list` leaves it out.
pub(super) fn backfill(conn: &Connection, path: &Path) -> rusqlite::Result<()> {
    let mut read = conn.prepare("SELECT id, result FROM results")?;
    let mut rows = read.query([])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let blob: Vec<u8> = row.get(1)?;
        match unpack(&blob)
            .ok()
            .and_then(|json| serde_json::from_str::<EvaluationResult>(&json).ok())
        {
            Some(result) => write_facts_of(conn, id, &result)?,
            None => tracing::warn!(
                store = %path.display(),
                id,
                "a stored result cannot be read; left out of the report statistics"
            ),
        }
    }
    Ok(())
}

/// The condition selecting exactly the records `list` returns for `filter`, its limit included
/// (the newest `limit`, ties by key).
fn selection(filter: &Filter, params: &mut Vec<Value>) -> String {
    let w = SqliteStore::where_clause(filter, params);
    match filter.limit {
        None => w,
        Some(n) => {
            let inner = SqliteStore::where_clause(filter, params);
            format!(
                "({w}) AND results.id IN (SELECT results.id FROM results WHERE {inner} \
                 ORDER BY results.evaluated_at DESC, results.key LIMIT {})",
                i64::try_from(n).unwrap_or(i64::MAX)
            )
        }
    }
}

/// The page cache while summarising, in KiB (SQLite's sorter spills to temporary files beyond
/// the same size): a summary scans the whole selection once or twice, so a large cache buys
/// nothing and would only hold memory (the store's 64 MiB suits batched writes).
const SUMMARY_CACHE_KIB: i64 = 16 * 1024;

/// [`Store::summarize`](crate::Store::summarize) for the SQLite store, with a smaller page cache
/// (restored afterwards), so that memory stays flat whatever the store's size.
pub(super) fn summarize(store: &SqliteStore, filter: &Filter) -> Result<StoreSummary, StoreError> {
    let conn = &store.conn;
    let cache: i64 = conn
        .query_row("PRAGMA cache_size", [], |r| r.get(0))
        .map_err(store.err("cannot read the cache size"))?;
    conn.pragma_update(None, "cache_size", -SUMMARY_CACHE_KIB)
        .map_err(store.err("cannot set the cache size"))?;
    let summary = summarize_with(store, filter);
    let restored = conn
        .pragma_update(None, "cache_size", cache)
        .map_err(store.err("cannot set the cache size"));
    let summary = summary?;
    restored?;
    Ok(summary)
}

fn summarize_with(store: &SqliteStore, filter: &Filter) -> Result<StoreSummary, StoreError> {
    let mut params = Vec::new();
    let sel = selection(filter, &mut params);
    let conn = &store.conn;
    let e = || store.err("cannot summarize");
    let mut s = StoreSummary::default();

    // The span decides the bucket: hours under two days, else days. `min` and `max` in
    // separate statements so that each can walk an index (`results_time`, or
    // `results_domain_time` for a domain).
    let edge = |f: &str| -> Result<Option<i64>, StoreError> {
        conn.query_row(
            &format!("SELECT {f}(results.evaluated_at) FROM results WHERE {sel}"),
            params_from_iter(params.iter()),
            |r| r.get(0),
        )
        .map_err(e())
    };
    s.bucket = match (edge("min")?, edge("max")?) {
        (Some(lo), Some(hi)) if hi.saturating_sub(lo) >= 2 * 86_400_000 => TimeBucket::Day,
        _ => TimeBucket::Hour,
    };
    let b = s.bucket.millis();

    // Every dimension at once, from the hourly roll-ups where the filter allows (whole hours;
    // the partial hours at the window's edges from the results), else one pass over the
    // selection. The verdict leads the grouping so that SQLite sorts the selection rather than
    // walking `results_domain_time` for the order and reading each row at random (4 s instead
    // of 1 s per million results).
    let mut absorb = |r: &rusqlite::Row<'_>| -> Result<(), StoreError> {
        let verdict: String = r.get(0).map_err(e())?;
        let Some(verdict) = verdict_of(&verdict) else {
            return Ok(());
        };
        let blank = |v: Option<String>| v.filter(|v| !v.is_empty());
        let decided_by: Option<String> = blank(r.get(1).map_err(e())?);
        let bucket: i64 = r.get(2).map_err(e())?;
        let domain: Option<String> = blank(r.get(3).map_err(e())?);
        let model: Option<String> = blank(r.get(4).map_err(e())?);
        let application: Option<String> = blank(r.get(5).map_err(e())?);
        let n = count(r.get(6).map_err(e())?);
        if n == 0 {
            return Ok(());
        }
        let cost = UsdCost::from_picos(count(r.get(7).map_err(e())?));
        s.add_group(crate::SummaryGroup {
            verdict,
            decided_by,
            bucket,
            domain,
            model,
            application,
            n,
            cost,
        });
        Ok(())
    };
    let grouped = |sel: &str| {
        format!(
            "SELECT results.verdict, results.decided_by, \
             results.evaluated_at - ((results.evaluated_at % {b}) + {b}) % {b}, \
             results.domain, results.model, results.application, \
             count(*), sum(results.cost_picos) \
             FROM results WHERE {sel} GROUP BY 1, 2, 3, 4, 5, 6"
        )
    };
    // The whole hours the roll-ups answer for, and the edges the results do.
    let plan = rollup_serves(filter)
        .then(|| {
            (
                filter.since_ms.map(hour_ceil),
                filter.until_ms.map(hour_floor),
            )
        })
        .filter(|(lo, hi)| match (lo, hi) {
            (Some(lo), Some(hi)) => lo < hi,
            _ => true,
        });
    let mut histogram: std::collections::BTreeMap<i64, u64> = std::collections::BTreeMap::new();
    match plan {
        None => {
            let mut stmt = conn.prepare(&grouped(&sel)).map_err(e())?;
            let mut rows = stmt.query(params_from_iter(params.iter())).map_err(e())?;
            while let Some(r) = rows.next().map_err(e())? {
                absorb(r)?;
            }
        }
        Some((lo, hi)) => {
            let mut cond = String::from("1");
            let mut p: Vec<Value> = Vec::new();
            if let Some(d) = &filter.domain {
                cond.push_str(" AND domain = ?");
                p.push(Value::Text(d.clone()));
            }
            if let Some(lo) = lo {
                cond.push_str(" AND hour >= ?");
                p.push(Value::Integer(lo));
            }
            if let Some(hi) = hi {
                cond.push_str(" AND hour < ?");
                p.push(Value::Integer(hi));
            }
            let sql = format!(
                "SELECT verdict, decided_by, hour - ((hour % {b}) + {b}) % {b}, domain, model, \
                 application, sum(n), sum(cost_picos) FROM result_rollup WHERE {cond} \
                 GROUP BY 1, 2, 3, 4, 5, 6"
            );
            let mut stmt = conn.prepare(&sql).map_err(e())?;
            let mut rows = stmt.query(params_from_iter(p.iter())).map_err(e())?;
            while let Some(r) = rows.next().map_err(e())? {
                absorb(r)?;
            }
            drop(rows);
            drop(stmt);
            let sql =
                format!("SELECT bucket, sum(n) FROM result_latency_rollup WHERE {cond} GROUP BY 1");
            let mut stmt = conn.prepare(&sql).map_err(e())?;
            let mut rows = stmt.query(params_from_iter(p.iter())).map_err(e())?;
            while let Some(r) = rows.next().map_err(e())? {
                let (bucket, n): (i64, i64) = (r.get(0).map_err(e())?, r.get(1).map_err(e())?);
                *histogram.entry(bucket).or_default() += count(n);
            }
            drop(rows);
            drop(stmt);
            // The partial hours at the edges, from the results themselves.
            let mut edges = Vec::new();
            if let Some(lo) = lo
                && filter.since_ms.is_some_and(|t| t < lo)
            {
                edges.push((filter.since_ms, Some(lo)));
            }
            if let Some(hi) = hi
                && filter.until_ms.is_none_or(|t| t > hi)
            {
                edges.push((Some(hi), filter.until_ms));
            }
            for (since_ms, until_ms) in edges {
                let edge = Filter {
                    since_ms,
                    until_ms,
                    ..filter.clone()
                };
                let mut ep = Vec::new();
                let esel = selection(&edge, &mut ep);
                let mut stmt = conn.prepare(&grouped(&esel)).map_err(e())?;
                let mut rows = stmt.query(params_from_iter(ep.iter())).map_err(e())?;
                while let Some(r) = rows.next().map_err(e())? {
                    absorb(r)?;
                }
                drop(rows);
                drop(stmt);
                let sql = format!(
                    "SELECT results.latency_ns FROM results WHERE ({esel}) AND results.verdict != 'error'"
                );
                let mut stmt = conn.prepare(&sql).map_err(e())?;
                let mut rows = stmt.query(params_from_iter(ep.iter())).map_err(e())?;
                while let Some(r) = rows.next().map_err(e())? {
                    *histogram
                        .entry(bucket_of(count(r.get(0).map_err(e())?)))
                        .or_default() += 1;
                }
            }
        }
    }

    let evaluated = s.overall.total - s.overall.error;
    if evaluated > 0 {
        let at = |p: f64| ((evaluated - 1) as f64 * p).round() as u64;
        let (k50, k95) = (at(0.5), at(0.95));
        if plan.is_some() {
            // From the histogram: the bucket holding each rank, at its middle.
            let mut seen = 0u64;
            for (bucket, n) in &histogram {
                let next = seen + n;
                if s.latency_ns_p50.is_none() && k50 < next {
                    s.latency_ns_p50 = Some(bucket_value(*bucket));
                }
                if s.latency_ns_p95.is_none() && k95 < next {
                    s.latency_ns_p95 = Some(bucket_value(*bucket));
                }
                seen = next;
            }
        } else {
            // Exact: the evaluated records' latencies in order, read up to the 95th
            // percentile's index. No `LIMIT`: with one SQLite keeps the order in a B-tree
            // (3 s per million results) rather than sorting (under 1 s).
            let sql = format!(
                "SELECT results.latency_ns FROM results WHERE ({sel}) AND results.verdict != 'error' \
                 ORDER BY results.latency_ns"
            );
            let mut stmt = conn.prepare(&sql).map_err(e())?;
            let mut rows = stmt.query(params_from_iter(params.iter())).map_err(e())?;
            let mut i = 0u64;
            while let Some(r) = rows.next().map_err(e())? {
                if i > k95 {
                    break;
                }
                if i == k50 || i == k95 {
                    let ns = count(r.get(0).map_err(e())?);
                    if i == k50 {
                        s.latency_ns_p50 = Some(ns);
                    }
                    if i == k95 {
                        s.latency_ns_p95 = Some(ns);
                    }
                }
                i += 1;
            }
        }
    }

    // Cost per tier, from the side table (only the tiers that spent anything have rows).
    let sql = format!(
        "SELECT result_tier_costs.tier, sum(result_tier_costs.cost_picos) FROM result_tier_costs \
         JOIN results ON results.id = result_tier_costs.result_id WHERE {sel} GROUP BY 1"
    );
    let mut stmt = conn.prepare(&sql).map_err(e())?;
    let tiers = stmt
        .query_map(params_from_iter(params.iter()), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })
        .map_err(e())?;
    for t in tiers {
        let (tier, picos) = t.map_err(e())?;
        s.cost_by_tier
            .insert(tier, UsdCost::from_picos(count(picos)));
    }
    drop(stmt);

    // Issues per validator, from the side table (whose rows go with their results: without a
    // filter, no join is needed).
    let sql = if *filter == Filter::default() {
        "SELECT validator, count(*), max(severity) FROM result_issues GROUP BY 1".to_owned()
    } else {
        format!(
            "SELECT result_issues.validator, count(*), max(result_issues.severity) FROM result_issues \
             JOIN results ON results.id = result_issues.result_id WHERE {sel} GROUP BY 1"
        )
    };
    let mut stmt = conn.prepare(&sql).map_err(e())?;
    let issues = stmt
        .query_map(params_from_iter(params.iter()), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })
        .map_err(e())?;
    for i in issues {
        let (validator, n, worst) = i.map_err(e())?;
        s.issues.push(IssueSummary {
            validator,
            count: count(n),
            worst: crate::codec::severity_of_rank(worst).unwrap_or(Severity::Info),
        });
    }
    drop(stmt);
    s.issues.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.validator.cmp(&b.validator))
    });

    // The labelled records (few), whole, with each one's latest label.
    let sql = format!(
        "SELECT {COLUMNS}, latest.verdict FROM results JOIN \
         (SELECT key, verdict FROM review_labels \
          WHERE seq IN (SELECT max(seq) FROM review_labels GROUP BY key)) AS latest \
         ON latest.key = results.key WHERE {sel} \
         ORDER BY results.evaluated_at DESC, results.key"
    );
    let mut stmt = conn.prepare(&sql).map_err(e())?;
    let raw = stmt
        .query_map(params_from_iter(params.iter()), |r| {
            Ok((super::raw_row(r)?, r.get::<_, String>(6)?))
        })
        .map_err(e())?
        .collect::<Result<Vec<_>, _>>()
        .map_err(e())?;
    for (row, label) in raw {
        let key = row.0.clone();
        match store.row(row) {
            Ok(row) => s.labelled.push(LabelledResult {
                key: row.key,
                result: row.result,
                // As `labels` reads it.
                label: match verdict_of(&label) {
                    Some(Verdict::NeedsReview) | None => Verdict::NeedsReview,
                    Some(v) => v,
                },
            }),
            Err(err) => {
                tracing::warn!(key = %key, error = %err, "a stored result cannot be read; left out");
            }
        }
    }
    Ok(s)
}

/// Findings at or above a severity over the records `filter` selects, one group per domain and
/// validator: how many records, the worst severity, first and last seen. What an operator
/// looks at first: the critical findings, newest group first.
pub(super) fn findings(
    store: &SqliteStore,
    filter: &Filter,
    min_severity: aegis_core::Severity,
) -> Result<Vec<crate::FindingGroup>, StoreError> {
    let mut params = Vec::new();
    let sel = selection(filter, &mut params);
    params.push(Value::Integer(severity_rank(min_severity)));
    let sql = format!(
        "SELECT results.domain, result_issues.validator, max(result_issues.severity), \
                count(DISTINCT results.id), min(results.evaluated_at), max(results.evaluated_at) \
         FROM result_issues JOIN results ON results.id = result_issues.result_id \
         WHERE ({sel}) AND result_issues.severity >= ? \
         GROUP BY results.domain, result_issues.validator \
         ORDER BY max(results.evaluated_at) DESC, count(DISTINCT results.id) DESC"
    );
    let mut stmt = store
        .conn
        .prepare(&sql)
        .map_err(store.err("cannot query findings"))?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(params), |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })
        .map_err(store.err("cannot query findings"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(store.err("cannot read findings"))?;
    Ok(rows
        .into_iter()
        .map(
            |(domain, validator, sev, n, first, last)| crate::FindingGroup {
                domain,
                validator,
                severity: aegis_core::Severity::ALL
                    .get(usize::try_from(sev).unwrap_or(0))
                    .copied()
                    .unwrap_or(min_severity),
                results: count(n),
                first_seen_ms: first,
                last_seen_ms: last,
            },
        )
        .collect())
}
