//! Tier 4 from the command line: `aegis-eval review` (a keyboard-driven pass through the queue),
//! `review export` and `review import` (tasks and labels as JSONL for other labelling tools),
//! `review labels` and `review sample`. The work is `aegis_app::review`'s.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use aegis_app::review::{Judgement, Labeller, SampleStrategy, severity_named};
use aegis_app::store::utc_text;
use aegis_core::{Domain, Severity, Verdict};
use aegis_store::{ReviewTask, StoredRow};

use super::traces::open_existing;
use super::{CliError, EXIT_INPUT_ERRORS, EXIT_OK};

/// The labeller: notes are sanitised under the organisation's key.
fn labeller(
    domains: &[&'static dyn Domain],
    key_file: Option<&Path>,
) -> Result<Labeller, CliError> {
    let key = super::phi::key(key_file, true)?;
    Ok(Labeller::new(aegis_app::phi::engine(key, None)?, domains))
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
    writeln!(out, "evaluated {} UTC", utc_text(row.evaluated_at_ms))?;
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
        let status = tier.outcome.status();
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
    let mut s = open_existing(store.as_deref())?;
    let tasks = s.open_tasks(limit)?;
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut out = std::io::stdout().lock();
    if tasks.is_empty() {
        writeln!(out, "the review queue is empty")?;
        return Ok(EXIT_OK);
    }
    let labeller = labeller(domains, key_file)?;
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
                match severity_named(&k) {
                    Some(s) => break Some(s),
                    None => writeln!(out, "  c, h, m, l or i")?,
                }
            }
        } else {
            None
        };
        let note = ask("note (Enter: none): ", &mut input, &mut out)?.unwrap_or_default();
        labeller.record(
            &mut *s,
            row,
            Judgement {
                verdict,
                severity,
                notes: note,
                reviewer: reviewer.clone(),
                accepted: choice == "a",
            },
        )?;
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
    let s = open_existing(store.as_deref())?;
    let tasks = aegis_app::review::export(&*s, limit)?;
    let mut buf = Vec::new();
    for task in &tasks {
        serde_json::to_writer(&mut buf, task).map_err(std::io::Error::other)?;
        buf.push(b'\n');
    }
    super::run::write_from_store(&buf, output.as_deref(), store.as_deref())?;
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
    let mut s = open_existing(store.as_deref())?;
    let file = std::fs::File::open(input).map_err(|source| CliError::Open {
        path: input.display().to_string(),
        source,
    })?;
    let labeller = labeller(domains, key_file)?;
    let (mut ok, mut bad) = (0, 0);
    let name = input.display().to_string();
    aegis_app::lines::for_each_line(std::io::BufReader::new(file), &name, |n, line| {
        match line.and_then(|line| labeller.import_line(&mut *s, line, reviewer.as_deref())) {
            Ok(_) => ok += 1,
            Err(why) => {
                eprintln!("{name}:{n}: {why}; line skipped");
                bad += 1;
            }
        }
    })?;
    eprintln!("{ok} labels imported, {bad} lines skipped");
    Ok(if bad > 0 { EXIT_INPUT_ERRORS } else { EXIT_OK })
}

/// `aegis-eval review labels`: every label as JSONL, or training data for one model.
pub(crate) fn labels(
    store: Option<PathBuf>,
    for_model: Option<&str>,
    domains: &[&'static dyn Domain],
) -> Result<u8, CliError> {
    let s = open_existing(store.as_deref())?;
    let mut out = std::io::stdout().lock();
    let Some(spec) = for_model else {
        for l in s.labels()? {
            writeln!(out, "{}", serde_json::to_string(&l).unwrap_or_default())?;
        }
        return Ok(EXIT_OK);
    };
    let examples = aegis_app::review::training_examples(&*s, domains, spec)?;
    for e in &examples {
        writeln!(out, "{}", serde_json::to_string(e).unwrap_or_default())?;
    }
    eprintln!("{} labelled examples for {spec}", examples.len());
    Ok(EXIT_OK)
}

/// `aegis-eval review sample`: active learning (see `aegis_app::review::sample`).
pub(crate) fn sample(
    store: Option<PathBuf>,
    budget: usize,
    strategy: super::args::SampleStrategy,
    filter: &super::args::FilterArgs,
) -> Result<u8, CliError> {
    use super::args::SampleStrategy as S;
    let strategy = match strategy {
        S::Uncertainty => SampleStrategy::Uncertainty,
        S::Disagreement => SampleStrategy::Disagreement,
        S::Diversity => SampleStrategy::Diversity,
        S::Mixed => SampleStrategy::Mixed,
    };
    let mut s = open_existing(store.as_deref())?;
    let sampled = aegis_app::review::sample(&mut *s, budget, strategy, &filter.selection())?;
    let shown: Vec<String> = sampled
        .by_reason
        .iter()
        .map(|(r, n)| format!("{n} {r}"))
        .collect();
    println!(
        "queued {} of {} candidates for review (budget {budget}): {}",
        sampled.queued,
        sampled.candidates,
        if shown.is_empty() {
            "none".to_owned()
        } else {
            shown.join(", ")
        }
    );
    Ok(EXIT_OK)
}
