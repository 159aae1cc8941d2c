//! The store from the command line: `run --store` writes to it in batches, `aegis-eval traces
//! list|show|search|delete` explore it.

use std::io::Write;
use std::path::{Path, PathBuf};

use aegis_core::{EvaluationResult, Sanitized, Trace, calendar};
use aegis_store::{Filter, SqliteStore, Store, StoredRecord, StoredRow};

use super::args::{FilterArgs, TracesCommand};
use super::{CliError, EXIT_OK};

/// Results written per transaction: one durable commit per batch. A run killed mid-way loses
/// at most the batch in progress; running it again fills it in (writes are idempotent).
const BATCH: usize = 5000;

/// Buffers results and writes them to the store a batch at a time.
pub(crate) struct StoreWriter {
    store: SqliteStore,
    pending: Vec<StoredRecord>,
    /// The input's name: lines that are not traces are kept by file and line.
    source: String,
}

pub(crate) fn store_error(e: aegis_store::StoreError) -> CliError {
    CliError::Store(e.to_string())
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl StoreWriter {
    /// Opens (or creates) the store.
    pub(crate) fn open(path: &Path, source: &str) -> Result<StoreWriter, CliError> {
        Ok(StoreWriter {
            store: SqliteStore::open(path).map_err(store_error)?,
            pending: Vec::with_capacity(BATCH),
            source: source.to_owned(),
        })
    }

    /// Adds a result (with its trace as Tier 0 left it); writes a batch when one is full.
    pub(crate) fn add(
        &mut self,
        result: EvaluationResult,
        trace: Option<&Sanitized<Trace>>,
        domain: Option<&aegis_core::DomainInfo>,
    ) -> Result<(), CliError> {
        let mut record = match trace {
            Some(t) => StoredRecord::new(result, Some(t), now_ms()),
            None if result.trace_id.is_none() => {
                StoredRecord::of_bad_line(result, &self.source, now_ms())
            }
            None => StoredRecord::new(result, None, now_ms()),
        };
        if let Some(d) = domain {
            record = record.with_provenance(aegis_store::Provenance {
                spec_hash: d.spec_hash.to_owned(),
                domain_version: d.version.to_owned(),
                aegis_version: env!("CARGO_PKG_VERSION").to_owned(),
            });
        }
        self.pending.push(record);
        if self.pending.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), CliError> {
        if !self.pending.is_empty() {
            self.store.write(&self.pending).map_err(store_error)?;
            self.pending.clear();
        }
        Ok(())
    }

    /// Writes what is left and brings the full-text index up to date.
    pub(crate) fn finish(&mut self) -> Result<(), CliError> {
        self.flush()?;
        self.store.index_text().map_err(store_error)?;
        Ok(())
    }
}

/// Parses `--since`/`--until`: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS]Z`, or a span back from now
/// (`90m`, `24h`, `7d`). Milliseconds since the epoch.
fn parse_time(s: &str, now: i64) -> Result<i64, String> {
    let t = s.trim();
    let bad = || {
        format!(
            "`{t}` is not a time: use 2026-11-01, 2026-11-01T12:00:00Z, or a span such as 90m, 24h, 7d"
        )
    };
    if let Some(n) = t.strip_suffix(['m', 'h', 'd'])
        && let Ok(n) = n.parse::<i64>()
        && n >= 0
    {
        let unit = match t.chars().last() {
            Some('m') => 60_000,
            Some('h') => 3_600_000,
            _ => 86_400_000,
        };
        return n
            .checked_mul(unit)
            .map(|span| now.saturating_sub(span))
            .ok_or_else(bad);
    }
    let (date, time) = t.split_once('T').unwrap_or((t, ""));
    let mut d = date.split('-').map(|p| p.parse::<i64>());
    let (Some(Ok(y)), Some(Ok(m)), Some(Ok(day)), None) = (d.next(), d.next(), d.next(), d.next())
    else {
        return Err(bad());
    };
    let (Ok(m), Ok(day)) = (u32::try_from(m), u32::try_from(day)) else {
        return Err(bad());
    };
    if !(0..=9999).contains(&y)
        || !(1..=12).contains(&m)
        || !(1..=calendar::days_in_month(y, m)).contains(&day)
    {
        return Err(bad());
    }
    let mut secs = calendar::days_from_civil(y, m, day) * 86_400;
    if !time.is_empty() {
        let hms = time.strip_suffix('Z').ok_or_else(bad)?;
        let parts: Vec<i64> = hms
            .split(':')
            .map(|p| p.parse::<i64>().map_err(|_| bad()))
            .collect::<Result<_, _>>()?;
        let (h, mi, se) = match parts.as_slice() {
            [h, mi] => (*h, *mi, 0),
            [h, mi, se] => (*h, *mi, *se),
            _ => return Err(bad()),
        };
        if !(0..24).contains(&h) || !(0..60).contains(&mi) || !(0..61).contains(&se) {
            return Err(bad());
        }
        secs += h * 3600 + mi * 60 + se;
    }
    Ok(secs * 1000)
}

pub(crate) fn filter_of(a: &FilterArgs) -> Result<Filter, CliError> {
    let now = now_ms();
    let time = |s: &Option<String>| {
        s.as_deref()
            .map(|s| parse_time(s, now))
            .transpose()
            .map_err(CliError::Store)
    };
    Ok(Filter {
        domain: a.domain.clone(),
        verdict: a.verdict.map(|v| v.verdict()),
        min_severity: a.severity.map(|s| s.severity()),
        application: a.application.clone(),
        since_ms: time(&a.since)?,
        until_ms: time(&a.until)?,
        limit: Some(a.limit),
    })
}

fn has_filter(a: &FilterArgs) -> bool {
    a.domain.is_some()
        || a.verdict.is_some()
        || a.severity.is_some()
        || a.application.is_some()
        || a.since.is_some()
        || a.until.is_some()
}

pub(crate) fn open_existing(store: Option<PathBuf>) -> Result<SqliteStore, CliError> {
    let path = store.unwrap_or_else(|| PathBuf::from("aegis.db"));
    if !path.exists() {
        return Err(CliError::Store(format!(
            "no store at {}: run `aegis-eval run … --store {}` first, or pass --store",
            path.display(),
            path.display()
        )));
    }
    SqliteStore::open(&path).map_err(store_error)
}

pub(crate) fn time_text(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = calendar::civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn print_rows(rows: &[StoredRow], json: bool, out: &mut impl Write) -> Result<(), CliError> {
    if json {
        for r in rows {
            writeln!(out, "{}", row_json(r))?;
        }
        return Ok(());
    }
    writeln!(
        out,
        "{:<24} {:<12} {:<13} {:<8} {:<19} top issue",
        "trace", "domain", "verdict", "by", "evaluated (UTC)"
    )?;
    for r in rows {
        let res = &r.result;
        let top = res
            .issues
            .first()
            .map(|i| format!("{} {}", i.severity, i.validator))
            .unwrap_or_default();
        writeln!(
            out,
            "{:<24} {:<12} {:<13} {:<8} {:<19} {top}",
            res.trace_id.as_deref().unwrap_or(&r.key),
            res.domain.as_deref().unwrap_or("-"),
            res.verdict.as_str(),
            res.decided_by.map_or("-", |t| t.as_str()),
            time_text(r.evaluated_at_ms),
        )?;
    }
    writeln!(out, "{} results", rows.len())?;
    Ok(())
}

fn row_json(r: &StoredRow) -> serde_json::Value {
    serde_json::json!({
        "key": r.key,
        "evaluated_at_ms": r.evaluated_at_ms,
        "result": r.result,
        "trace": r.trace,
    })
}

/// `aegis-eval traces …`.
pub(crate) fn traces(command: TracesCommand, store: Option<PathBuf>) -> Result<u8, CliError> {
    let mut out = std::io::stdout().lock();
    match command {
        TracesCommand::List { filter, json } => {
            let s = open_existing(store)?;
            let rows = s.list(&filter_of(&filter)?).map_err(store_error)?;
            print_rows(&rows, json, &mut out)?;
        }
        TracesCommand::Search {
            query,
            filter,
            json,
        } => {
            let s = open_existing(store)?;
            let rows = s.search(&query, &filter_of(&filter)?).map_err(|e| {
                CliError::Store(format!(
                    "{e} (FTS5 query syntax: words, \"a phrase\", AND, OR, NOT, prefix*)"
                ))
            })?;
            print_rows(&rows, json, &mut out)?;
        }
        TracesCommand::Show { id, json } => {
            let s = open_existing(store)?;
            let Some(row) = s.get(&id).map_err(store_error)? else {
                return Err(CliError::Store(format!(
                    "no stored result for trace `{id}`"
                )));
            };
            let trail = s.audit_trail(&row.key).map_err(store_error)?;
            if json {
                let mut v = row_json(&row);
                v["audit"] = serde_json::to_value(&trail).unwrap_or_default();
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&v).unwrap_or_default()
                )?;
            } else {
                let r = &row.result;
                writeln!(
                    out,
                    "trace     {}",
                    r.trace_id.as_deref().unwrap_or(&row.key)
                )?;
                writeln!(out, "domain    {}", r.domain.as_deref().unwrap_or("-"))?;
                writeln!(
                    out,
                    "verdict   {} (decided by {})",
                    r.verdict.as_str(),
                    r.decided_by.map_or("no tier", |t| t.as_str())
                )?;
                writeln!(
                    out,
                    "evaluated {} UTC   cost {}",
                    time_text(row.evaluated_at_ms),
                    r.cost_usd
                )?;
                if let Some(t) = &row.trace {
                    writeln!(
                        out,
                        "\ninput (sanitised):\n  {}",
                        t.input.replace('\n', "\n  ")
                    )?;
                    writeln!(
                        out,
                        "\noutput (sanitised):\n  {}",
                        t.output.replace('\n', "\n  ")
                    )?;
                }
                writeln!(out, "\nissues ({}):", r.issues.len())?;
                for i in &r.issues {
                    writeln!(
                        out,
                        "  [{}] {} ({}): {}",
                        i.severity,
                        i.validator,
                        i.tier.as_str(),
                        i.message
                    )?;
                }
                writeln!(
                    out,
                    "\naudit trail ({} entries, oldest first):",
                    trail.len()
                )?;
                for a in &trail {
                    let p = a.provenance.as_ref();
                    writeln!(
                        out,
                        "  {} UTC  {:<12} spec {} v{}  aegis {}  judges {}",
                        time_text(a.evaluated_at_ms),
                        a.verdict,
                        p.map_or("-", |p| p.spec_hash.get(..12).unwrap_or(&p.spec_hash)),
                        p.map_or("-", |p| p.domain_version.as_str()),
                        p.map_or("-", |p| p.aegis_version.as_str()),
                        a.judges.as_array().map_or(0, Vec::len),
                    )?;
                }
                writeln!(out, "\ntiers:")?;
                for t in &r.tiers {
                    writeln!(out, "  {:<9} {}", t.tier.as_str(), t.outcome.status())?;
                }
            }
        }
        TracesCommand::Delete { id, filter, all } => {
            if id.is_none() && !has_filter(&filter) && !all {
                return Err(CliError::Store(
                    "give a trace id, a filter (--domain, --verdict, --since, …), or --all to delete every stored result".to_owned(),
                ));
            }
            let mut s = open_existing(store)?;
            let mut f = filter_of(&filter)?;
            f.limit = None;
            let n = s.delete(&f, id.as_deref()).map_err(store_error)?;
            writeln!(out, "deleted {n} results")?;
        }
    }
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_and_print() {
        assert_eq!(parse_time("1970-01-02", 0), Ok(86_400_000));
        assert_eq!(
            parse_time("2026-11-22T12:30:00Z", 0).map(time_text),
            Ok("2026-11-22 12:30:00".to_owned())
        );
        assert_eq!(parse_time("24h", 100_000_000), Ok(100_000_000 - 86_400_000));
        assert_eq!(parse_time("7d", 0), Ok(-7 * 86_400_000));
        assert!(parse_time("yesterday", 0).is_err());
        assert!(parse_time("2026-13-01", 0).is_err());
        assert!(parse_time("2026-11-22T25:00Z", 0).is_err());
        assert!(parse_time("99999999999999999d", 0).is_err());
        assert!(parse_time("-5d", 0).is_err());
        assert!(parse_time("2026-02-31", 0).is_err());
        assert!(parse_time("2024-02-29", 0).is_ok());
        assert!(parse_time("99999999999999-01-01", 0).is_err());
        assert_eq!(time_text(0), "1970-01-01 00:00:00");
        assert_eq!(time_text(951_782_400_000), "2000-02-29 00:00:00");
    }
}

/// What changed between a stored result and a replay.
#[derive(Debug, serde::Serialize)]
struct Changes {
    verdict: Option<(String, String)>,
    decided_by: Option<(Option<String>, Option<String>)>,
    issues_added: Vec<String>,
    issues_removed: Vec<String>,
    spec_changed: Option<(String, String)>,
}

impl Changes {
    fn any(&self) -> bool {
        self.verdict.is_some()
            || self.decided_by.is_some()
            || !self.issues_added.is_empty()
            || !self.issues_removed.is_empty()
    }
}

fn issue_lines(r: &EvaluationResult) -> Vec<String> {
    let mut v: Vec<String> = r
        .issues
        .iter()
        .map(|i| format!("[{}] {}: {}", i.severity, i.validator, i.message))
        .collect();
    v.sort();
    v
}

/// `aegis-eval replay <id>`.
pub(crate) fn replay(
    a: super::args::ReplayArgs,
    domains: &[&'static dyn aegis_core::Domain],
) -> Result<u8, CliError> {
    let mut store = open_existing(a.store.clone())?;
    let Some(row) = store.get(&a.id).map_err(store_error)? else {
        return Err(CliError::Store(format!(
            "no stored result for trace `{}`",
            a.id
        )));
    };
    let Some(stored) = row.trace.clone() else {
        return Err(CliError::Store(
            "the stored line was not a trace (it has no text to evaluate again)".to_owned(),
        ));
    };
    let domain_name = row.result.domain.clone().unwrap_or_default();
    let domain = super::find_domain(domains, &domain_name)?;
    let (orchestrator, _) = super::run::install_tiers(
        crate::Orchestrator::without_sanitizer(),
        &[domain],
        &a.tiers,
    )?;
    let trace = Trace {
        id: row.result.trace_id.clone(),
        model: stored.model.clone(),
        input: stored.input.clone(),
        output: stored.output.clone(),
        context: stored.context.clone(),
        // Tags, times, token counts and latency as they were stored: the rules see what they
        // saw then.
        metadata: aegis_core::Metadata {
            domain: Some(domain_name.clone()),
            ..stored.metadata.clone()
        },
        domain_data: stored.domain_data.clone(),
        ..Trace::default()
    };
    let sanitized = Sanitized::from_sanitized_store(trace);
    let mut new = orchestrator.evaluate_sanitized(domain, sanitized.clone());
    new.line = row.result.line;
    let old = &row.result;
    let (before, after) = (issue_lines(old), issue_lines(&new));
    let trail = store.audit_trail(&row.key).map_err(store_error)?;
    let then_spec = trail
        .iter()
        .rev()
        .find_map(|e| e.provenance.as_ref().map(|p| p.spec_hash.clone()));
    let now_spec = domain.info().spec_hash.to_owned();
    let changes = Changes {
        verdict: (old.verdict != new.verdict).then(|| {
            (
                old.verdict.as_str().to_owned(),
                new.verdict.as_str().to_owned(),
            )
        }),
        decided_by: (old.decided_by != new.decided_by).then(|| {
            (
                old.decided_by.map(|t| t.as_str().to_owned()),
                new.decided_by.map(|t| t.as_str().to_owned()),
            )
        }),
        issues_added: after
            .iter()
            .filter(|i| !before.contains(i))
            .cloned()
            .collect(),
        issues_removed: before
            .iter()
            .filter(|i| !after.contains(i))
            .cloned()
            .collect(),
        spec_changed: then_spec
            .filter(|then| *then != now_spec)
            .map(|then| (then, now_spec.clone())),
    };
    let changed = changes.any();
    let mut out = std::io::stdout().lock();
    if a.json {
        let v = serde_json::json!({
            "key": row.key,
            "stored": old,
            "replayed": new,
            "changes": changes,
            "changed": changed,
        });
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&v).unwrap_or_default()
        )?;
    } else {
        writeln!(
            out,
            "trace {} ({}), stored {} UTC",
            old.trace_id.as_deref().unwrap_or(&row.key),
            domain_name,
            time_text(row.evaluated_at_ms)
        )?;
        match &changes.spec_changed {
            Some((then, now)) => writeln!(
                out,
                "spec      changed: {} → {}",
                &then[..then.len().min(12)],
                &now[..now.len().min(12)]
            )?,
            None => writeln!(
                out,
                "spec      unchanged ({})",
                &now_spec[..now_spec.len().min(12)]
            )?,
        }
        writeln!(
            out,
            "verdict   {} → {}",
            old.verdict.as_str(),
            new.verdict.as_str()
        )?;
        writeln!(
            out,
            "decided   {} → {}",
            old.decided_by.map_or("-", |t| t.as_str()),
            new.decided_by.map_or("-", |t| t.as_str())
        )?;
        for i in &changes.issues_added {
            writeln!(out, "  + {i}")?;
        }
        for i in &changes.issues_removed {
            writeln!(out, "  - {i}")?;
        }
        writeln!(out, "{}", if changed { "changed" } else { "unchanged" })?;
    }
    if a.save {
        let mut record = StoredRecord::new(new, Some(&sanitized), now_ms());
        record.key = row.key.clone();
        let info = domain.info();
        record = record.with_provenance(aegis_store::Provenance {
            spec_hash: info.spec_hash.to_owned(),
            domain_version: info.version.to_owned(),
            aegis_version: env!("CARGO_PKG_VERSION").to_owned(),
        });
        store.write(&[record]).map_err(store_error)?;
        store.index_text().map_err(store_error)?;
    }
    Ok(if changed { super::EXIT_GATE } else { EXIT_OK })
}
