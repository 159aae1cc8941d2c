//! Tier 4 from the command line: `aegis-eval review` (a keyboard-driven pass through the queue),
//! `review export` and `review import` (tasks and labels as JSONL for other labelling tools).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use aegis_core::{Domain, Severity, Trace, Verdict};
use aegis_store::{ReviewLabel, ReviewTask, Store, StoredRow};

use super::traces::{open_existing, time_text};
use super::{CliError, EXIT_INPUT_ERRORS, EXIT_OK};

fn store_error(e: aegis_store::StoreError) -> CliError {
    CliError::Store(e.to_string())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Sanitises a reviewer's notes with the domain's Tier 0 before they are stored: a note may
/// quote a name the reviewer knows.
struct NoteSanitizer {
    engine: std::sync::Arc<aegis_phi::PhiEngine>,
}

impl NoteSanitizer {
    fn new(key_file: Option<&Path>) -> Result<NoteSanitizer, CliError> {
        let key = super::phi::key(key_file, true)?;
        Ok(NoteSanitizer {
            engine: super::phi::engine(key, None)?,
        })
    }

    fn clean(&self, notes: &str, domain: Option<&dyn Domain>) -> String {
        let settings = domain
            .and_then(|d| d.info().phi)
            .unwrap_or(aegis_core::PhiSettings {
                classes: aegis_core::PhiClasses::ALL,
                mode: aegis_core::PhiMode::Redact,
                subject_field: None,
            });
        let mut t = Trace {
            output: notes.to_owned(),
            ..Trace::default()
        };
        aegis_core::tiers::Sanitizer::sanitize(self.engine.as_ref(), &mut t, &settings);
        t.output
    }
}

fn domain_of<'a>(domains: &[&'a dyn Domain], row: &StoredRow) -> Option<&'a dyn Domain> {
    let name = row.result.domain.as_deref()?;
    domains.iter().copied().find(|d| d.info().name == name)
}

fn show_task(
    n: usize,
    of: usize,
    task: &ReviewTask,
    row: &StoredRow,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let r = &row.result;
    writeln!(
        out,
        "\n── {n} of {of} ── {} ({}) — machine verdict {}, worst issue {}, uncertainty {:.2}, queued for {}",
        r.trace_id.as_deref().unwrap_or(&row.key),
        r.domain.as_deref().unwrap_or("-"),
        r.verdict.as_str(),
        task.severity.map_or("none", |s| s.as_str()),
        task.uncertainty,
        task.reason
    )?;
    writeln!(out, "evaluated {} UTC", time_text(row.evaluated_at_ms))?;
    if let Some(t) = &row.trace {
        writeln!(
            out,
            "input (sanitised):\n  {}",
            t.input.replace('\n', "\n  ")
        )?;
        writeln!(
            out,
            "output (sanitised):\n  {}",
            t.output.replace('\n', "\n  ")
        )?;
        for (i, c) in t.context.iter().enumerate() {
            writeln!(out, "context [{}]:\n  {}", i + 1, c.replace('\n', "\n  "))?;
        }
    }
    writeln!(out, "findings:")?;
    for tier in &r.tiers {
        let status = serde_json::to_value(&tier.outcome)
            .ok()
            .and_then(|v| v.get("status").and_then(|s| s.as_str().map(str::to_owned)))
            .unwrap_or_default();
        let issues: Vec<String> = r
            .issues
            .iter()
            .filter(|i| i.tier == tier.tier)
            .map(|i| format!("[{}] {}: {}", i.severity, i.validator, i.message))
            .collect();
        let scores: Vec<String> = tier
            .modules
            .iter()
            .filter_map(|m| m.score.map(|s| format!("{} {:.2}", m.module, s)))
            .collect();
        if issues.is_empty() && scores.is_empty() && status == "skipped" {
            continue;
        }
        writeln!(
            out,
            "  {:<8} {status}{}",
            tier.tier.as_str(),
            if scores.is_empty() {
                String::new()
            } else {
                format!(" ({})", scores.join(", "))
            }
        )?;
        for i in issues {
            writeln!(out, "           {i}")?;
        }
    }
    Ok(())
}

fn ask(
    prompt: &str,
    input: &mut impl BufRead,
    out: &mut impl Write,
) -> Result<Option<String>, CliError> {
    write!(out, "{prompt}")?;
    out.flush()?;
    let mut line = String::new();
    if input.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    Ok(Some(line.trim().to_owned()))
}

fn severity_key(k: &str) -> Option<Severity> {
    Some(match k {
        "c" | "critical" => Severity::Critical,
        "h" | "high" => Severity::High,
        "m" | "medium" => Severity::Medium,
        "l" | "low" => Severity::Low,
        "i" | "info" => Severity::Info,
        _ => return None,
    })
}

/// `aegis-eval review`: the open tasks in priority order, one key press (and Enter) each.
pub(crate) fn review(
    store: Option<PathBuf>,
    reviewer: Option<String>,
    limit: usize,
    domains: &[&'static dyn Domain],
    key_file: Option<&Path>,
) -> Result<u8, CliError> {
    let reviewer = reviewer.filter(|r| !r.trim().is_empty()).ok_or_else(|| {
        CliError::Store("say who is reviewing: --reviewer NAME (or $AEGIS_REVIEWER)".to_owned())
    })?;
    let mut s = open_existing(store)?;
    let tasks = s.open_tasks(limit).map_err(store_error)?;
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut out = std::io::stdout().lock();
    if tasks.is_empty() {
        writeln!(out, "the review queue is empty")?;
        return Ok(EXIT_OK);
    }
    let notes = NoteSanitizer::new(key_file)?;
    let (mut done, mut skipped) = (0, 0);
    let started = std::time::Instant::now();
    let total = tasks.len();
    for (n, (task, row)) in tasks.iter().enumerate() {
        show_task(n + 1, total, task, row, &mut out)?;
        let machine = row.result.verdict;
        let choice = loop {
            let Some(k) = ask(
                "verdict? [a]ccept machine verdict  [p]ass  [f]ail  [s]kip  [q]uit: ",
                &mut input,
                &mut out,
            )?
            else {
                break "q".to_owned();
            };
            match k.as_str() {
                "a" if matches!(machine, Verdict::Pass | Verdict::Fail) => break k,
                "a" => writeln!(
                    out,
                    "  the machine reached no verdict ({}): choose p or f",
                    machine.as_str()
                )?,
                "p" | "f" | "s" | "q" => break k,
                _ => writeln!(out, "  a, p, f, s or q")?,
            }
        };
        let verdict = match choice.as_str() {
            "q" => break,
            "s" => {
                skipped += 1;
                continue;
            }
            "a" => machine,
            "p" => Verdict::Pass,
            _ => Verdict::Fail,
        };
        let severity = if verdict == Verdict::Fail {
            let default = row
                .result
                .issues
                .iter()
                .map(|i| i.severity)
                .max()
                .unwrap_or(Severity::High);
            loop {
                let k = ask(
                    &format!(
                        "severity? [c]ritical [h]igh [m]edium [l]ow [i]nfo (Enter: {default}): "
                    ),
                    &mut input,
                    &mut out,
                )?
                .unwrap_or_default();
                if k.is_empty() {
                    break Some(default);
                }
                match severity_key(&k) {
                    Some(s) => break Some(s),
                    None => writeln!(out, "  c, h, m, l or i")?,
                }
            }
        } else {
            None
        };
        let note = ask("note (Enter: none): ", &mut input, &mut out)?.unwrap_or_default();
        let label = ReviewLabel {
            key: row.key.clone(),
            verdict,
            severity,
            notes: notes.clean(&note, domain_of(domains, row)),
            reviewer: reviewer.clone(),
            accepted: choice == "a",
            labelled_at_ms: now_ms(),
        };
        s.add_label(&label).map_err(store_error)?;
        done += 1;
    }
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    writeln!(
        out,
        "\n{done} labelled, {skipped} skipped{}",
        if done > 0 && minutes > 0.0 {
            format!(
                " ({:.0} an hour at this pace)",
                done as f64 / minutes * 60.0
            )
        } else {
            String::new()
        }
    )?;
    Ok(EXIT_OK)
}

/// `aegis-eval review export`: open tasks as JSONL, with the sanitised trace and the findings.
pub(crate) fn export(
    store: Option<PathBuf>,
    limit: usize,
    output: Option<PathBuf>,
) -> Result<u8, CliError> {
    let s = open_existing(store)?;
    let tasks = s.open_tasks(limit).map_err(store_error)?;
    let mut buf = Vec::new();
    for (task, row) in &tasks {
        let line = serde_json::json!({
            "key": row.key,
            "trace_id": row.result.trace_id,
            "domain": row.result.domain,
            "reason": task.reason,
            "severity": task.severity,
            "uncertainty": task.uncertainty,
            "machine_verdict": row.result.verdict,
            "issues": row.result.issues,
            "trace": row.trace,
        });
        writeln!(buf, "{line}")?;
    }
    match output {
        Some(p) if p.as_os_str() != "-" => {
            std::fs::write(&p, &buf).map_err(|source| CliError::Io {
                context: format!("cannot write {}", p.display()),
                source,
            })?
        }
        _ => std::io::stdout().lock().write_all(&buf)?,
    }
    eprintln!("{} tasks exported", tasks.len());
    Ok(EXIT_OK)
}

/// `aegis-eval review import`: labels as JSONL (`key` or `trace_id`, `verdict`, optional
/// `severity`, `notes`, `reviewer`). A bad line is named by its number and skipped; the rest
/// are recorded.
pub(crate) fn import(
    store: Option<PathBuf>,
    input: &Path,
    reviewer: Option<String>,
    domains: &[&'static dyn Domain],
    key_file: Option<&Path>,
) -> Result<u8, CliError> {
    let mut s = open_existing(store)?;
    let file = std::fs::File::open(input).map_err(|source| CliError::Open {
        path: input.display().to_string(),
        source,
    })?;
    let notes = NoteSanitizer::new(key_file)?;
    let (mut ok, mut bad) = (0, 0);
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let n = i + 1;
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(&line);
        let label = parsed.map_err(|_| "not JSON".to_owned()).and_then(|v| {
            let id = v["key"]
                .as_str()
                .or(v["trace_id"].as_str())
                .ok_or("no `key` or `trace_id`")?;
            let row = s
                .get(id)
                .map_err(|e| e.to_string())?
                .ok_or("no stored result with this key or trace id")?;
            let verdict = match v["verdict"].as_str() {
                Some("pass") => Verdict::Pass,
                Some("fail") => Verdict::Fail,
                _ => return Err("`verdict` must be `pass` or `fail`".to_owned()),
            };
            let severity = match v.get("severity").and_then(|x| x.as_str()) {
                None => None,
                Some(k) => Some(
                    severity_key(k)
                        .ok_or("`severity` must be info, low, medium, high or critical")?,
                ),
            };
            let who = v["reviewer"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| reviewer.clone())
                .ok_or("no `reviewer` (give it in the line or with --reviewer)")?;
            Ok(ReviewLabel {
                key: row.key.clone(),
                verdict,
                severity,
                notes: notes.clean(v["notes"].as_str().unwrap_or(""), domain_of(domains, &row)),
                reviewer: who,
                accepted: v["accepted"].as_bool().unwrap_or(false),
                labelled_at_ms: now_ms(),
            })
        });
        match label {
            Ok(l) => {
                s.add_label(&l).map_err(store_error)?;
                ok += 1;
            }
            Err(why) => {
                eprintln!("{}:{n}: {why}; line skipped", input.display());
                bad += 1;
            }
        }
    }
    eprintln!("{ok} labels imported, {bad} lines skipped");
    Ok(if bad > 0 { EXIT_INPUT_ERRORS } else { EXIT_OK })
}

/// `aegis-eval review labels`: every label as JSONL.
pub(crate) fn labels(store: Option<PathBuf>) -> Result<u8, CliError> {
    let s = open_existing(store)?;
    let mut out = std::io::stdout().lock();
    for l in s.labels().map_err(store_error)? {
        writeln!(out, "{}", serde_json::to_string(&l).unwrap_or_default())?;
    }
    Ok(EXIT_OK)
}
