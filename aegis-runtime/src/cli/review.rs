//! Tier 4 from the command line: `aegis-eval review` (a keyboard-driven pass through the queue),
//! `review export` and `review import` (tasks and labels as JSONL for other labelling tools).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use aegis_core::{Domain, Severity, Trace, Verdict};
use aegis_store::{ReviewLabel, ReviewTask, Store, StoredRow};

use super::traces::{now_ms, open_existing, store_error, time_text};
use super::{CliError, EXIT_INPUT_ERRORS, EXIT_OK};

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
    let mut reader = std::io::BufReader::new(file);
    let mut bytes = Vec::new();
    let mut n = 0;
    loop {
        bytes.clear();
        if reader
            .read_until(b'\n', &mut bytes)
            .map_err(|source| CliError::Io {
                context: format!("cannot read {}", input.display()),
                source,
            })?
            == 0
        {
            break;
        }
        n += 1;
        let Ok(line) = std::str::from_utf8(&bytes) else {
            eprintln!("{}:{n}: not UTF-8 text; line skipped", input.display());
            bad += 1;
            continue;
        };
        if line.trim().is_empty() {
            continue;
        }
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(line);
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

/// `aegis-eval review labels`: every label as JSONL, or training data for one model.
pub(crate) fn labels(
    store: Option<PathBuf>,
    for_model: Option<&str>,
    domains: &[&'static dyn Domain],
) -> Result<u8, CliError> {
    let s = open_existing(store)?;
    let mut out = std::io::stdout().lock();
    let all = s.labels().map_err(store_error)?;
    let Some(spec) = for_model else {
        for l in all {
            writeln!(out, "{}", serde_json::to_string(&l).unwrap_or_default())?;
        }
        return Ok(EXIT_OK);
    };
    let (domain_name, model_id) = spec
        .split_once('/')
        .ok_or_else(|| CliError::Store(format!("`{spec}`: expected <domain>/<model>")))?;
    let domain = super::find_domain(domains, domain_name)?;
    let model = domain
        .info()
        .models
        .iter()
        .find(|m| m.id == model_id)
        .ok_or_else(|| {
            CliError::Models(format!("domain `{domain_name}` has no model `{model_id}`"))
        })?;
    let targets = model
        .synthetic
        .as_ref()
        .and_then(|s| s.rule_labels.as_ref())
        .ok_or_else(|| {
            CliError::Models(format!(
                "model `{model_id}`: its spec's `synthetic.label_by_rules` names the labels of a failing and a passing trace; without it, expert verdicts cannot be mapped to its labels"
            ))
        })?;
    // The latest label of each result of the domain.
    let mut latest: std::collections::BTreeMap<String, ReviewLabel> =
        std::collections::BTreeMap::new();
    for l in all {
        latest.insert(l.key.clone(), l);
    }
    let mut written = 0;
    for (key, l) in latest {
        let Some(row) = s.get(&key).map_err(store_error)? else {
            continue;
        };
        if row.result.domain.as_deref() != Some(domain_name) {
            continue;
        }
        let Some(t) = &row.trace else { continue };
        let trace = Trace {
            input: t.input.clone(),
            output: t.output.clone(),
            ..Trace::default()
        };
        let label = if l.verdict == Verdict::Fail {
            targets.fail
        } else {
            targets.pass
        };
        writeln!(
            out,
            "{}",
            serde_json::json!({ "text": model.text_of(&trace), "label": label, "source": format!("review:{}", l.reviewer) })
        )?;
        written += 1;
    }
    eprintln!("{written} labelled examples for {spec}");
    Ok(EXIT_OK)
}

/// How a machine tier judged a result: `Some(true)` fail, `Some(false)` pass, `None` no
/// opinion.
fn opinions(r: &aegis_core::EvaluationResult) -> Vec<(aegis_core::Tier, bool)> {
    use aegis_core::{ModuleOutcome, Tier};
    let mut out = Vec::new();
    for t in &r.tiers {
        let decided: Vec<bool> = t
            .modules
            .iter()
            .filter_map(|m| match m.outcome {
                ModuleOutcome::Failed => Some(true),
                ModuleOutcome::Passed => Some(false),
                _ => None,
            })
            .collect();
        if decided.is_empty() {
            continue;
        }
        // A tier fails a trace when one of its modules does.
        if matches!(t.tier, Tier::Rules | Tier::Models | Tier::Judge) {
            out.push((t.tier, decided.iter().any(|d| *d)));
        }
    }
    out
}

/// 1 when the machine tiers that judged the result disagree (one fails it, another passes it).
fn disagreement(r: &aegis_core::EvaluationResult) -> f64 {
    let o = opinions(r);
    let fails = o.iter().any(|(_, f)| *f);
    let passes = o.iter().any(|(_, f)| !*f);
    if fails && passes { 1.0 } else { 0.0 }
}

/// A 256-dimensional hashed bag of words of a text, unit length (for diversity sampling).
fn embed(text: &str) -> [f32; 256] {
    let mut v = [0f32; 256];
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
    {
        let mut h: u32 = 2_166_136_261;
        for b in w.to_lowercase().bytes() {
            h = (h ^ u32::from(b)).wrapping_mul(16_777_619);
        }
        v[(h % 256) as usize] += 1.0;
    }
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
    v.map(|x| x / norm)
}

/// Picks `k` of `items` far apart from each other (greedy k-centre on cosine distance),
/// starting from the most uncertain.
fn diverse(items: &[(usize, [f32; 256])], k: usize) -> Vec<usize> {
    let mut chosen: Vec<usize> = Vec::new();
    let mut dist = vec![f32::INFINITY; items.len()];
    let mut next = 0;
    while chosen.len() < k.min(items.len()) {
        chosen.push(next);
        let c = &items[next].1;
        for (j, (_, v)) in items.iter().enumerate() {
            let d = 1.0 - v.iter().zip(c).map(|(a, b)| a * b).sum::<f32>();
            dist[j] = dist[j].min(d);
        }
        next = match dist
            .iter()
            .enumerate()
            .filter(|(j, _)| !chosen.contains(j))
            .max_by(|a, b| a.1.total_cmp(b.1))
        {
            Some((j, _)) => j,
            None => break,
        };
    }
    chosen.into_iter().map(|i| items[i].0).collect()
}

/// Most uncertain first (ties by key, so the order is stable).
fn by_uncertainty(mut v: Vec<&StoredRow>) -> Vec<&StoredRow> {
    let u = |r: &StoredRow| ReviewTask::of(&r.key, &r.result, "").uncertainty;
    v.sort_by(|a, b| u(b).total_cmp(&u(a)).then(a.key.cmp(&b.key)));
    v
}

/// `aegis-eval review sample`: active learning. Chooses results no expert has seen (and not
/// queued yet) for the review queue, under a budget: the most uncertain, those on which the
/// machine tiers disagree, and a diverse spread of the rest.
pub(crate) fn sample(
    store: Option<PathBuf>,
    budget: usize,
    strategy: super::args::SampleStrategy,
    filter: &super::args::FilterArgs,
) -> Result<u8, CliError> {
    use super::args::SampleStrategy as S;
    let mut s = open_existing(store)?;
    let mut f = super::traces::filter_of(filter)?;
    f.limit = None;
    let rows = s.list(&f).map_err(store_error)?;
    let mut seen: std::collections::BTreeSet<String> = s
        .labels()
        .map_err(store_error)?
        .into_iter()
        .map(|l| l.key)
        .collect();
    seen.extend(
        s.open_tasks(usize::MAX)
            .map_err(store_error)?
            .into_iter()
            .map(|(t, _)| t.key),
    );
    let candidates: Vec<&StoredRow> = rows
        .iter()
        .filter(|r| !seen.contains(&r.key) && r.result.verdict != Verdict::Error)
        .collect();
    let task = |r: &StoredRow, reason: &str| ReviewTask::of(&r.key, &r.result, reason);
    let mut picked: Vec<ReviewTask> = Vec::new();
    let take = |reason: &str, order: Vec<&StoredRow>, n: usize, picked: &mut Vec<ReviewTask>| {
        for r in order {
            if picked.len() >= budget || n == 0 {
                break;
            }
            if picked
                .iter()
                .filter(|t| t.reason == format!("sampled:{reason}"))
                .count()
                >= n
            {
                break;
            }
            if !picked.iter().any(|t| t.key == r.key) {
                picked.push(task(r, &format!("sampled:{reason}")));
            }
        }
    };
    let (n_unc, n_dis, n_div) = match strategy {
        S::Uncertainty => (budget, 0, 0),
        S::Disagreement => (0, budget, 0),
        S::Diversity => (0, 0, budget),
        S::Mixed => {
            let third = budget / 3;
            (budget - 2 * third, third, third)
        }
    };
    let disagreeing: Vec<&StoredRow> = by_uncertainty(
        candidates
            .iter()
            .copied()
            .filter(|r| disagreement(&r.result) > 0.0)
            .collect(),
    );
    take("disagreement", disagreeing, n_dis, &mut picked);
    take(
        "uncertainty",
        by_uncertainty(candidates.clone()),
        n_unc,
        &mut picked,
    );
    if n_div > 0 {
        let rest: Vec<&StoredRow> = by_uncertainty(
            candidates
                .iter()
                .copied()
                .filter(|r| !picked.iter().any(|t| t.key == r.key))
                .collect(),
        );
        let items: Vec<(usize, [f32; 256])> = rest
            .iter()
            .enumerate()
            .map(|(i, r)| (i, embed(r.trace.as_ref().map_or("", |t| t.output.as_str()))))
            .collect();
        let order: Vec<&StoredRow> = diverse(&items, n_div)
            .into_iter()
            .map(|i| rest[i])
            .collect();
        take("diversity", order, n_div, &mut picked);
    }
    let queued = s.enqueue(&picked).map_err(store_error)?;
    let mut by_reason: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for t in &picked {
        *by_reason.entry(t.reason.as_str()).or_default() += 1;
    }
    let shown: Vec<String> = by_reason.iter().map(|(r, n)| format!("{n} {r}")).collect();
    println!(
        "queued {queued} of {} candidates for review (budget {budget}): {}",
        candidates.len(),
        if shown.is_empty() {
            "none".to_owned()
        } else {
            shown.join(", ")
        }
    );
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diversity_picks_texts_far_apart() {
        let texts = [
            "take ibuprofen with food for the pain",
            "take ibuprofen with food for pain relief",
            "guaranteed returns on this penny stock",
            "take ibuprofen with water for the pain",
            "call 911 for crushing chest pain now",
        ];
        let items: Vec<(usize, [f32; 256])> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| (i, embed(t)))
            .collect();
        let picked = diverse(&items, 3);
        assert_eq!(picked[0], 0, "starts from the first (most uncertain)");
        // The stock and the chest-pain texts, not another ibuprofen one.
        let mut rest = picked[1..].to_vec();
        rest.sort_unstable();
        assert_eq!(rest, [2, 4]);
    }

    #[test]
    fn disagreement_is_rules_or_models_against_another_tier() {
        use aegis_core::{
            EvaluationResult, ModuleOutcome, ModuleResult, Tier, TierOutcome, TierReport, UsdCost,
        };
        let tier = |t: Tier, o: ModuleOutcome| TierReport {
            tier: t,
            outcome: TierOutcome::Completed,
            latency_ns: 0,
            cost_usd: UsdCost::ZERO,
            modules: vec![ModuleResult {
                module: "m".into(),
                outcome: o,
                issues: 0,
                score: None,
                scores: Vec::new(),
                call: None,
                weights: None,
            }],
        };
        let mut r = EvaluationResult::error(None, None, String::new());
        r.tiers = vec![
            tier(Tier::Rules, ModuleOutcome::Passed),
            tier(Tier::Models, ModuleOutcome::Failed),
        ];
        assert_eq!(disagreement(&r), 1.0);
        r.tiers = vec![
            tier(Tier::Rules, ModuleOutcome::Passed),
            tier(Tier::Models, ModuleOutcome::Passed),
        ];
        assert_eq!(disagreement(&r), 0.0);
        r.tiers = vec![
            tier(Tier::Rules, ModuleOutcome::NotApplicable),
            tier(Tier::Judge, ModuleOutcome::Failed),
        ];
        assert_eq!(disagreement(&r), 0.0);
    }
}
