//! The store from the command line: `aegis-eval traces list|show|search|delete` and `replay`,
//! rendered over `aegis_app::store` and `aegis_app::replay`.

use std::io::Write;
use std::path::Path;

use aegis_app::store::{self as app_store, Selection, utc_text};
use aegis_store::{Store, StoredRow};

use super::args::{FilterArgs, TracesCommand};
use super::{CliError, EXIT_OK};

/// Opens the results at `--store`: a SQLite file that must exist already, or a PostgreSQL
/// URL (`#<schema>` after it for an organisation's schema).
pub(crate) fn open_existing(store: Option<&Path>) -> Result<Box<dyn Store>, CliError> {
    app_store::open_results(store)
}

impl FilterArgs {
    /// The application layer's selection.
    pub(crate) fn selection(&self) -> Selection {
        Selection {
            domain: self.domain.clone(),
            verdict: self.verdict.map(|v| v.verdict()),
            min_severity: self.severity.map(|s| s.severity()),
            application: self.application.clone(),
            model: self.model.clone(),
            validator: self.validator.clone(),
            tag: self.tag.clone(),
            after: None,
            since: self.since.clone(),
            until: self.until.clone(),
            limit: Some(self.limit),
        }
    }
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
            utc_text(r.evaluated_at_ms),
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
pub(crate) fn traces(command: TracesCommand, store: Option<&Path>) -> Result<u8, CliError> {
    let mut out = std::io::stdout().lock();
    match command {
        TracesCommand::List { filter, json } => {
            let s = open_existing(store)?;
            let rows = app_store::list(&*s, &filter.selection())?;
            print_rows(&rows, json, &mut out)?;
        }
        TracesCommand::Search {
            query,
            filter,
            json,
        } => {
            let s = open_existing(store)?;
            let rows = app_store::search(&*s, &query, &filter.selection())?;
            print_rows(&rows, json, &mut out)?;
        }
        TracesCommand::Show { id, json } => {
            let s = open_existing(store)?;
            let (row, trail) = app_store::show(&*s, &id)?;
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
                    utc_text(row.evaluated_at_ms),
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
                        utc_text(a.evaluated_at_ms),
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
            let mut s = open_existing(store)?;
            let n = app_store::delete(&mut *s, id.as_deref(), &filter.selection(), all)?;
            writeln!(out, "deleted {n} results")?;
        }
    }
    Ok(EXIT_OK)
}

/// `aegis-eval replay <id>`.
pub(crate) fn replay(
    a: super::args::ReplayArgs,
    domains: &[&'static dyn aegis_core::Domain],
) -> Result<u8, CliError> {
    let mut store = open_existing(a.store.as_deref())?;
    let r = aegis_app::replay::replay(&mut *store, &a.id, domains, &a.tiers.options(), a.save)?;
    let changes = &r.changes;
    let changed = changes.any();
    let (old, new) = (&r.stored, &r.replayed);
    let mut out = std::io::stdout().lock();
    if a.json {
        let v = serde_json::json!({
            "key": r.key,
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
            old.trace_id.as_deref().unwrap_or(&r.key),
            r.domain,
            utc_text(r.stored_at_ms)
        )?;
        let short = |h: &str| h.chars().take(12).collect::<String>();
        match &changes.spec_changed {
            Some((then, now)) => {
                writeln!(out, "spec      changed: {} → {}", short(then), short(now))?
            }
            None => writeln!(out, "spec      unchanged ({})", short(&r.spec_now))?,
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
    Ok(if changed { super::EXIT_GATE } else { EXIT_OK })
}
