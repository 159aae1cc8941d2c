//! The store for every front end: writing results in durable batches (with provenance, and
//! queueing for review), opening an existing store, filters with human time bounds, and the
//! queries (list, search, show with the audit trail, delete).

use std::path::{Path, PathBuf};

use aegis_core::{DomainInfo, EvaluationResult, Sanitized, Severity, Trace, Verdict, calendar};
use aegis_store::{AuditEntry, Filter, SqliteStore, Store, StoredRecord, StoredRow};

use crate::AppError;

/// Results written per transaction: one durable commit per batch. A run killed mid-way loses
/// at most the batch in progress; running it again fills it in (writes are idempotent).
pub const WRITE_BATCH: usize = 5000;

/// The default store file when none is named.
pub const DEFAULT_STORE: &str = "aegis.db";

/// Milliseconds since the epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The provenance of a result evaluated now by `domain`: its spec hash and version, and this
/// build of Aegis.
pub fn provenance(domain: &DomainInfo) -> aegis_store::Provenance {
    aegis_store::Provenance {
        spec_hash: domain.spec_hash.to_owned(),
        domain_version: domain.version.to_owned(),
        aegis_version: env!("CARGO_PKG_VERSION").to_owned(),
    }
}

/// Buffers results and writes them to the store a batch at a time.
pub struct StoreWriter {
    store: SqliteStore,
    pending: Vec<StoredRecord>,
    /// The input's name: lines that are not traces are kept by file and line.
    source: String,
}

impl StoreWriter {
    /// Opens (or creates) the store at `path`; results of lines that were not traces are kept
    /// under `source` (the input's name) and their line.
    pub fn open(path: &Path, source: &str) -> Result<StoreWriter, AppError> {
        Ok(StoreWriter {
            store: SqliteStore::open(path)?,
            pending: Vec::with_capacity(WRITE_BATCH),
            source: source.to_owned(),
        })
    }

    /// Adds a result (with its trace as Tier 0 left it, and its domain for provenance);
    /// writes a batch when one is full.
    pub fn add(
        &mut self,
        result: EvaluationResult,
        trace: Option<&Sanitized<Trace>>,
        domain: Option<&DomainInfo>,
    ) -> Result<(), AppError> {
        // A result without a sanitised trace was not evaluated (a bad line, an unknown domain, a
        // repeated id): it is kept by input and line, never under a trace id, whose evaluated
        // result it would replace.
        let mut record = match trace {
            Some(t) => StoredRecord::new(result, Some(t), now_ms()),
            None => StoredRecord::of_bad_line(result, &self.source, now_ms()),
        };
        if let Some(d) = domain {
            record = record.with_provenance(provenance(d));
        }
        self.pending.push(record);
        if self.pending.len() >= WRITE_BATCH {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes what is buffered, in one durable transaction.
    pub fn flush(&mut self) -> Result<(), AppError> {
        if !self.pending.is_empty() {
            self.store.write(&self.pending)?;
            self.pending.clear();
        }
        Ok(())
    }

    /// Writes what is left and brings the full-text index up to date.
    pub fn finish(&mut self) -> Result<(), AppError> {
        self.flush()?;
        self.store.index_text()?;
        Ok(())
    }
}

/// Opens a store that must exist already (`None`: `aegis.db`); the error says how to make one.
pub fn open_existing(store: Option<&Path>) -> Result<SqliteStore, AppError> {
    let path = store.map_or_else(|| PathBuf::from(DEFAULT_STORE), Path::to_path_buf);
    if !path.exists() {
        return Err(AppError::Store(format!(
            "no store at {}: run `aegis-eval run … --store {}` first, or pass --store",
            path.display(),
            path.display()
        )));
    }
    Ok(SqliteStore::open(&path)?)
}

/// Opens the results at `store` for reading and review: a SQLite file that must exist already
/// (`None`: `aegis.db`), or a PostgreSQL database (`postgres://…`), whose schema `#<schema>`
/// after the URL chooses — a scaled-out service keeps each organisation's results in the
/// schema named by its id (`postgres://…/aegis#org_…`) —, else `aegis`.
pub fn open_results(store: Option<&Path>) -> Result<Box<dyn Store>, AppError> {
    if let Some(s) = store.and_then(Path::to_str)
        && crate::shared::is_postgres_url(s)
    {
        let (url, schema) = s.rsplit_once('#').unwrap_or((s, "aegis"));
        return Ok(Box::new(aegis_store::PostgresStore::open(url, schema)?));
    }
    Ok(Box::new(open_existing(store)?))
}

/// A selection of stored results as people write it: times as `2026-11-01`,
/// `2026-11-01T12:00:00Z` or a span back from now (`90m`, `24h`, `7d`).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only this domain.
    pub domain: Option<String>,
    /// Only this verdict.
    pub verdict: Option<Verdict>,
    /// Only results with an issue at or above this severity.
    pub min_severity: Option<Severity>,
    /// Only this application.
    pub application: Option<String>,
    /// Only traces of this model.
    pub model: Option<String>,
    /// Only results with an issue raised by this validator.
    pub validator: Option<String>,
    /// Only traces carrying this tag.
    pub tag: Option<String>,
    /// Only results after this one (the next page of a list).
    pub after: Option<aegis_store::Cursor>,
    /// Evaluated at or after.
    pub since: Option<String>,
    /// Evaluated before.
    pub until: Option<String>,
    /// At most this many results, newest first (`None`: all).
    pub limit: Option<usize>,
}

impl Selection {
    /// Whether anything narrows the selection (the limit aside).
    pub fn narrows(&self) -> bool {
        self.domain.is_some()
            || self.verdict.is_some()
            || self.min_severity.is_some()
            || self.application.is_some()
            || self.model.is_some()
            || self.validator.is_some()
            || self.tag.is_some()
            || self.after.is_some()
            || self.since.is_some()
            || self.until.is_some()
    }

    /// The store's filter, with times resolved against `now_ms`.
    pub fn filter_at(&self, now_ms: i64) -> Result<Filter, AppError> {
        let time = |s: &Option<String>| {
            s.as_deref()
                .map(|s| parse_time(s, now_ms))
                .transpose()
                .map_err(AppError::Store)
        };
        Ok(Filter {
            domain: self.domain.clone(),
            verdict: self.verdict,
            min_severity: self.min_severity,
            application: self.application.clone(),
            model: self.model.clone(),
            validator: self.validator.clone(),
            tag: self.tag.clone(),
            after: self.after.clone(),
            since_ms: time(&self.since)?,
            until_ms: time(&self.until)?,
            limit: self.limit,
        })
    }

    /// The store's filter, with times resolved now.
    pub fn filter(&self) -> Result<Filter, AppError> {
        self.filter_at(now_ms())
    }
}

/// Parses a time bound: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS]Z`, or a span back from now
/// (`90m`, `24h`, `7d`). Milliseconds since the epoch.
pub fn parse_time(s: &str, now: i64) -> Result<i64, String> {
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

/// `YYYY-MM-DD HH:MM:SS` (UTC) of milliseconds since the epoch.
pub fn utc_text(ms: i64) -> String {
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

/// Stored results that match `selection`, newest first.
pub fn list(store: &dyn Store, selection: &Selection) -> Result<Vec<StoredRow>, AppError> {
    Ok(store.list(&selection.filter()?)?)
}

/// Full-text search over the sanitised text, best match first.
pub fn search(
    store: &dyn Store,
    query: &str,
    selection: &Selection,
) -> Result<Vec<StoredRow>, AppError> {
    store
        .search(query, &selection.filter()?)
        .map_err(|e| AppError::Store(format!("{e} (query syntax: words, \"a phrase\", OR)")))
}

/// Stored results whose sanitised text is most like that of `id` (full-text search over its
/// distinctive words: any of them, best match first), the result itself left out.
pub fn similar(store: &dyn Store, id: &str, limit: usize) -> Result<Vec<StoredRow>, AppError> {
    let row = get(store, id)?;
    let Some(trace) = &row.trace else {
        return Ok(Vec::new());
    };
    let mut words: Vec<String> = Vec::new();
    for w in format!("{} {}", trace.input, trace.output)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4 && !w.chars().all(|c| c.is_ascii_digit()))
    {
        let w = w.to_lowercase();
        if !words.contains(&w) {
            words.push(w);
        }
        if words.len() == 24 {
            break;
        }
    }
    if words.is_empty() {
        return Ok(Vec::new());
    }
    // Each word quoted: a store reads it as a string, never as an operator.
    let query = words
        .iter()
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(" OR ");
    let filter = aegis_store::Filter {
        limit: Some(limit + 1),
        ..aegis_store::Filter::default()
    };
    let mut rows: Vec<StoredRow> = store
        .search(&query, &filter)?
        .into_iter()
        .filter(|r| r.key != row.key)
        .collect();
    rows.truncate(limit);
    Ok(rows)
}

/// One stored result (by trace id or record key) with its audit trail, oldest first.
pub fn show(store: &dyn Store, id: &str) -> Result<(StoredRow, Vec<AuditEntry>), AppError> {
    let row = get(store, id)?;
    let trail = store.audit_trail(&row.key)?;
    Ok((row, trail))
}

/// One stored result by trace id or record key; an error when there is none.
pub fn get(store: &dyn Store, id: &str) -> Result<StoredRow, AppError> {
    store
        .get(id)?
        .ok_or_else(|| AppError::Store(format!("no stored result for trace `{id}`")))
}

/// Deletes the result `id`, or every result the selection names (its limit ignored); refuses
/// to delete everything unless `all`. Returns how many were deleted.
pub fn delete(
    store: &mut dyn Store,
    id: Option<&str>,
    selection: &Selection,
    all: bool,
) -> Result<usize, AppError> {
    if id.is_none() && !selection.narrows() && !all {
        return Err(AppError::Store(
            "give a trace id, a filter (--domain, --verdict, --since, …), or --all to delete every stored result".to_owned(),
        ));
    }
    let mut f = selection.filter()?;
    f.limit = None;
    Ok(store.delete(&f, id)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_and_print() {
        assert_eq!(parse_time("1970-01-02", 0), Ok(86_400_000));
        assert_eq!(
            parse_time("2026-11-22T12:30:00Z", 0).map(utc_text),
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
        assert_eq!(utc_text(0), "1970-01-01 00:00:00");
        assert_eq!(utc_text(951_782_400_000), "2000-02-29 00:00:00");
    }
}
