//! [`Store::summarize`](crate::Store::summarize) for PostgreSQL: every statistic aggregated by
//! the database over the selected results and their side tables; only groups cross the wire.

use aegis_core::{Severity, UsdCost, Verdict};

use super::{COLUMNS, PostgresStore, Query};
use crate::codec::{count, verdict_of};
use crate::{Filter, IssueSummary, LabelledResult, StoreError, StoreSummary, TimeBucket};

pub(super) fn summarize(
    store: &PostgresStore,
    filter: &Filter,
) -> Result<StoreSummary, StoreError> {
    let mut q = Query::default();
    let sel = q.selection(filter);
    let values = q.values();
    let mut client = store.client.borrow_mut();
    let e = || store.err("cannot summarize");
    let mut s = StoreSummary::default();

    // The span decides the bucket: hours under two days, else days.
    let edges = client
        .query_one(
            &format!("SELECT min(results.evaluated_at), max(results.evaluated_at) FROM results WHERE {sel}"),
            &values,
        )
        .map_err(e())?;
    s.bucket = match (
        edges.get::<_, Option<i64>>(0),
        edges.get::<_, Option<i64>>(1),
    ) {
        (Some(lo), Some(hi)) if hi.saturating_sub(lo) >= 2 * 86_400_000 => TimeBucket::Day,
        _ => TimeBucket::Hour,
    };
    let b = s.bucket.millis();

    // Every dimension at once: one row per group.
    let sql = format!(
        "SELECT results.verdict, results.decided_by, \
         results.evaluated_at - ((results.evaluated_at % {b}) + {b}) % {b}, \
         results.domain, results.model, results.application, \
         count(*), sum(results.cost_picos)::BIGINT \
         FROM results WHERE {sel} GROUP BY 1, 2, 3, 4, 5, 6"
    );
    for r in client.query(&sql, &values).map_err(e())? {
        let Some(verdict) = verdict_of(r.get(0)) else {
            continue;
        };
        let blank = |v: Option<String>| v.filter(|v| !v.is_empty());
        let n = count(r.get(6));
        if n == 0 {
            continue;
        }
        s.add_group(crate::SummaryGroup {
            verdict,
            decided_by: blank(r.get(1)),
            bucket: r.get(2),
            domain: blank(r.get(3)),
            model: blank(r.get(4)),
            application: blank(r.get(5)),
            n,
            cost: UsdCost::from_picos(count(r.get(7))),
        });
    }

    // Latency percentiles over the evaluated records: the values at indexes
    // round((n - 1) * p) of their sorted latencies, as the SQLite store reads them.
    let evaluated = s.overall.total - s.overall.error;
    if evaluated > 0 {
        let at = |p: f64| ((evaluated - 1) as f64 * p).round() as i64;
        let sql = format!(
            "SELECT results.latency_ns FROM results WHERE ({sel}) AND results.verdict <> 'error' \
             ORDER BY results.latency_ns OFFSET $OFFSET LIMIT 1"
        );
        for (p, slot) in [(0.5, &mut s.latency_ns_p50), (0.95, &mut s.latency_ns_p95)] {
            let sql = sql.replace("$OFFSET", &at(p).to_string());
            *slot = client
                .query_opt(&sql, &values)
                .map_err(e())?
                .map(|r| count(r.get(0)));
        }
    }

    // Cost per tier, from the side table (only the tiers that spent anything have rows).
    let sql = format!(
        "SELECT result_tier_costs.tier, sum(result_tier_costs.cost_picos)::BIGINT \
         FROM result_tier_costs JOIN results ON results.key = result_tier_costs.key \
         WHERE {sel} GROUP BY 1"
    );
    for r in client.query(&sql, &values).map_err(e())? {
        s.cost_by_tier
            .insert(r.get(0), UsdCost::from_picos(count(r.get(1))));
    }

    // Issues per validator.
    let sql = format!(
        "SELECT result_issues.validator, count(*), max(result_issues.severity) \
         FROM result_issues JOIN results ON results.key = result_issues.key \
         WHERE {sel} GROUP BY 1"
    );
    for r in client.query(&sql, &values).map_err(e())? {
        let worst: i32 = r.get(2);
        s.issues.push(IssueSummary {
            validator: r.get(0),
            count: count(r.get(1)),
            worst: crate::codec::severity_of_rank(i64::from(worst)).unwrap_or(Severity::Info),
        });
    }
    s.issues.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.validator.cmp(&b.validator))
    });

    // The labelled records (few), whole, with each one's latest label.
    let sql = format!(
        "SELECT {COLUMNS}, latest.verdict FROM results JOIN \
         (SELECT DISTINCT ON (key) key, verdict FROM review_labels ORDER BY key, seq DESC) AS latest \
         ON latest.key = results.key WHERE {sel} \
         ORDER BY results.evaluated_at DESC, results.key"
    );
    let rows = client.query(&sql, &values).map_err(e())?;
    drop(client);
    for r in rows {
        match store.row(&r, 0) {
            Ok(row) => s.labelled.push(LabelledResult {
                key: row.key,
                result: row.result,
                label: match verdict_of(r.get(4)) {
                    Some(Verdict::NeedsReview) | None => Verdict::NeedsReview,
                    Some(v) => v,
                },
            }),
            Err(err) => {
                let key: Option<String> = r.try_get(0).ok();
                tracing::warn!(key = ?key, error = %err, "a stored result cannot be read; left out");
            }
        }
    }
    Ok(s)
}
