//! `aegis-eval report`: what the store holds, summed up — as a terminal table, JSON, or a
//! self-contained HTML page with charts (inline SVG: no script, no network).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

use aegis_core::{Severity, Tier, UsdCost, Verdict};
use aegis_store::{Store, StoredRow};
use serde::Serialize;

use super::CliError;
use super::args::{FilterArgs, ReportFormat};

/// Counts by verdict, with the pass rate.
#[derive(Debug, Default, Clone, Serialize)]
pub(crate) struct Counts {
    total: u64,
    pass: u64,
    fail: u64,
    needs_review: u64,
    error: u64,
    /// Passes among the traces that were evaluated (errors left out).
    pass_rate: f64,
    cost_usd: UsdCost,
}

impl Counts {
    fn add(&mut self, row: &StoredRow) {
        self.total += 1;
        match row.result.verdict {
            Verdict::Pass => self.pass += 1,
            Verdict::Fail => self.fail += 1,
            Verdict::NeedsReview => self.needs_review += 1,
            Verdict::Error => self.error += 1,
        }
        self.cost_usd += row.result.cost_usd;
        let evaluated = self.total - self.error;
        self.pass_rate = if evaluated > 0 {
            self.pass as f64 / evaluated as f64
        } else {
            0.0
        };
    }
}

/// One issue's count.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct IssueCount {
    validator: String,
    count: u64,
    worst: Severity,
}

/// How often a machine criterion (a model, a judge, or the final verdict) agrees with the
/// experts' labels.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Agreement {
    /// The model or judge id, or `verdict` for the final machine verdict.
    criterion: String,
    /// `models`, `judge` or `all`.
    tier: String,
    /// Labelled results the criterion judged (pass or fail).
    n: u64,
    /// The share on which it agreed with the expert.
    agreement: f64,
    /// Cohen's kappa (agreement beyond chance); `null` when every answer was the same.
    kappa: Option<f64>,
}

/// Cohen's kappa of two binary raters, from `(machine fails, expert fails)` pairs.
fn cohen_kappa(pairs: &[(bool, bool)]) -> (f64, Option<f64>) {
    let n = pairs.len() as f64;
    if pairs.is_empty() {
        return (0.0, None);
    }
    let agree = pairs.iter().filter(|(a, b)| a == b).count() as f64 / n;
    let a_fail = pairs.iter().filter(|(a, _)| *a).count() as f64 / n;
    let b_fail = pairs.iter().filter(|(_, b)| *b).count() as f64 / n;
    let chance = a_fail * b_fail + (1.0 - a_fail) * (1.0 - b_fail);
    if (1.0 - chance).abs() < 1e-12 {
        return (agree, None);
    }
    (agree, Some((agree - chance) / (1.0 - chance)))
}

fn agreements(rows: &[StoredRow], labels: &BTreeMap<String, Verdict>) -> Vec<Agreement> {
    use aegis_core::ModuleOutcome;
    let mut pairs: BTreeMap<(String, String), Vec<(bool, bool)>> = BTreeMap::new();
    for row in rows {
        let Some(human) = labels.get(&row.key) else {
            continue;
        };
        let human_fails = *human == Verdict::Fail;
        if matches!(row.result.verdict, Verdict::Pass | Verdict::Fail) {
            pairs
                .entry(("all".to_owned(), "verdict".to_owned()))
                .or_default()
                .push((row.result.verdict == Verdict::Fail, human_fails));
        }
        for t in &row.result.tiers {
            if !matches!(t.tier, Tier::Models | Tier::Judge) {
                continue;
            }
            for m in &t.modules {
                let machine = match m.outcome {
                    ModuleOutcome::Failed => true,
                    ModuleOutcome::Passed => false,
                    _ => continue,
                };
                pairs
                    .entry((t.tier.as_str().to_owned(), m.module.to_string()))
                    .or_default()
                    .push((machine, human_fails));
            }
        }
    }
    pairs
        .into_iter()
        .map(|((tier, criterion), p)| {
            let (agreement, kappa) = cohen_kappa(&p);
            Agreement {
                criterion,
                tier,
                n: p.len() as u64,
                agreement,
                kappa,
            }
        })
        .collect()
}

/// A model's escalation thresholds as the experts' labels would set them.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Calibration {
    /// The model.
    model: String,
    /// Labelled results it scored.
    n: u64,
    /// The score above which failing agrees best with the experts, and how often it does.
    best_threshold: f64,
    best_accuracy: f64,
    /// The narrowest uncertain band (escalate inside it) outside which the model agrees with
    /// the experts at least `target_accuracy` of the time; `None` when no band reaches it.
    band: Option<(f64, f64)>,
    /// The share of labelled results inside that band (what would be escalated).
    escalated_share: Option<f64>,
    target_accuracy: f64,
}

/// Suggests a model's fail threshold and uncertain band from `(score, expert fails)` pairs
/// (the score is the model's last label, which the shipped specs make the failing one).
fn calibrate(model: &str, mut pairs: Vec<(f64, bool)>, target: f64) -> Calibration {
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = pairs.len();
    // fails_below[i]: experts' fails among the i lowest scores.
    let mut fails_below = vec![0usize; n + 1];
    for (i, (_, f)) in pairs.iter().enumerate() {
        fails_below[i + 1] = fails_below[i] + usize::from(*f);
    }
    let total_fails = fails_below[n];
    let cut = |i: usize| -> f64 {
        match i {
            0 => 0.0,
            i if i >= n => 1.0,
            i => (pairs[i - 1].0 + pairs[i].0) / 2.0,
        }
    };
    // A cut can only fall between different scores.
    let can_cut = |i: usize| i == 0 || i == n || pairs[i - 1].0 < pairs[i].0;
    // Pass below index i, fail from i on.
    let (mut best_i, mut best_correct) = (0, 0);
    for (i, below) in fails_below.iter().enumerate() {
        if !can_cut(i) {
            continue;
        }
        let correct = (i - below) + (total_fails - below);
        if correct > best_correct {
            (best_i, best_correct) = (i, correct);
        }
    }
    // Pass below i, escalate [i, j), fail from j on: the narrowest band that reaches the target.
    let mut band: Option<(usize, usize)> = None;
    for i in (0..=n).filter(|i| can_cut(*i)) {
        for j in (i..=n).filter(|j| can_cut(*j)) {
            let outside = n - (j - i);
            if outside == 0 {
                continue;
            }
            let wrong = fails_below[i] + ((n - j) - (total_fails - fails_below[j]));
            let accuracy = 1.0 - wrong as f64 / outside as f64;
            let wider = band.is_some_and(|(bi, bj)| bj - bi <= j - i);
            if accuracy >= target && !wider {
                band = Some((i, j));
            }
        }
    }
    Calibration {
        model: model.to_owned(),
        n: n as u64,
        best_threshold: cut(best_i),
        best_accuracy: if n > 0 {
            best_correct as f64 / n as f64
        } else {
            0.0
        },
        band: band.map(|(i, j)| (cut(i), cut(j))),
        escalated_share: band.map(|(i, j)| (j - i) as f64 / n.max(1) as f64),
        target_accuracy: target,
    }
}

fn calibrations(rows: &[StoredRow], labels: &BTreeMap<String, Verdict>) -> Vec<Calibration> {
    let mut pairs: BTreeMap<String, Vec<(f64, bool)>> = BTreeMap::new();
    for row in rows {
        let Some(human) = labels.get(&row.key) else {
            continue;
        };
        for t in row.result.tiers.iter().filter(|t| t.tier == Tier::Models) {
            for m in &t.modules {
                if let Some(score) = m.score.filter(|s| s.is_finite()) {
                    pairs
                        .entry(m.module.to_string())
                        .or_default()
                        .push((score, *human == Verdict::Fail));
                }
            }
        }
    }
    pairs
        .into_iter()
        .map(|(model, p)| calibrate(&model, p, 0.95))
        .collect()
}

/// Everything `report` shows.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Report {
    /// Machine–expert agreement per criterion, over the labelled results.
    agreement: Vec<Agreement>,
    /// Labelled results in the selection.
    labelled: u64,
    /// Tier-2 thresholds as the labels would set them.
    calibration: Vec<Calibration>,
    /// All selected results.
    overall: Counts,
    /// Results by the tier that decided (`none`: no tier was sure).
    decided_by: BTreeMap<String, u64>,
    /// Money spent per tier.
    cost_by_tier: BTreeMap<String, UsdCost>,
    /// Evaluation latency percentiles, in milliseconds.
    latency_ms_p50: f64,
    latency_ms_p95: f64,
    /// The most frequent issues.
    top_issues: Vec<IssueCount>,
    by_domain: BTreeMap<String, Counts>,
    by_model: BTreeMap<String, Counts>,
    by_application: BTreeMap<String, Counts>,
    /// Counts per day (UTC), or per hour when the results span less than two days.
    time_series: Vec<(String, Counts)>,
    /// `day` or `hour`.
    bucket: String,
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)] as f64 / 1e6
}

fn build(rows: &[StoredRow], labels: &BTreeMap<String, Verdict>) -> Report {
    let mut r = Report {
        agreement: agreements(rows, labels),
        calibration: calibrations(rows, labels),
        labelled: rows
            .iter()
            .filter(|row| labels.contains_key(&row.key))
            .count() as u64,
        ..Report::default()
    };
    let mut latencies: Vec<u64> = Vec::with_capacity(rows.len());
    let mut issues: BTreeMap<String, (u64, Severity)> = BTreeMap::new();
    let (min_t, max_t) = rows.iter().fold((i64::MAX, i64::MIN), |(a, b), row| {
        (a.min(row.evaluated_at_ms), b.max(row.evaluated_at_ms))
    });
    let hourly = max_t.saturating_sub(min_t) < 2 * 86_400_000;
    r.bucket = if hourly { "hour" } else { "day" }.to_owned();
    let mut series: BTreeMap<String, Counts> = BTreeMap::new();
    for row in rows {
        let res = &row.result;
        r.overall.add(row);
        *r.decided_by
            .entry(res.decided_by.map_or("none", |t| t.as_str()).to_owned())
            .or_default() += 1;
        for t in &res.tiers {
            if t.cost_usd > UsdCost::ZERO {
                *r.cost_by_tier
                    .entry(t.tier.as_str().to_owned())
                    .or_default() += t.cost_usd;
            }
        }
        if res.verdict != Verdict::Error {
            latencies.push(res.latency_ns);
        }
        for i in &res.issues {
            let e = issues.entry(i.validator.clone()).or_insert((0, i.severity));
            e.0 += 1;
            e.1 = e.1.max(i.severity);
        }
        let t = row.trace.as_ref();
        r.by_domain
            .entry(res.domain.clone().unwrap_or_else(|| "(none)".to_owned()))
            .or_default()
            .add(row);
        r.by_model
            .entry(
                t.and_then(|t| t.model.clone())
                    .unwrap_or_else(|| "(not given)".to_owned()),
            )
            .or_default()
            .add(row);
        r.by_application
            .entry(
                t.and_then(|t| t.application().map(str::to_owned))
                    .unwrap_or_else(|| "(not given)".to_owned()),
            )
            .or_default()
            .add(row);
        let stamp = super::traces::time_text(row.evaluated_at_ms);
        let key = if hourly {
            format!("{}:00", &stamp[..13])
        } else {
            stamp[..10].to_owned()
        };
        series.entry(key).or_default().add(row);
    }
    latencies.sort_unstable();
    r.latency_ms_p50 = percentile(&latencies, 0.5);
    r.latency_ms_p95 = percentile(&latencies, 0.95);
    let mut top: Vec<IssueCount> = issues
        .into_iter()
        .map(|(validator, (count, worst))| IssueCount {
            validator,
            count,
            worst,
        })
        .collect();
    top.sort_by(|a, b| b.count.cmp(&a.count).then(a.validator.cmp(&b.validator)));
    top.truncate(15);
    r.top_issues = top;
    r.time_series = series.into_iter().collect();
    r
}

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

fn write_table(r: &Report, out: &mut impl Write) -> std::io::Result<()> {
    let o = &r.overall;
    writeln!(
        out,
        "{} results: {} pass, {} fail, {} needs review, {} error — pass rate {}",
        o.total,
        o.pass,
        o.fail,
        o.needs_review,
        o.error,
        pct(o.pass_rate)
    )?;
    let decided: Vec<String> = r
        .decided_by
        .iter()
        .map(|(t, n)| format!("{t} {n}"))
        .collect();
    writeln!(out, "decided by: {}", decided.join(", "))?;
    let cost: Vec<String> = r
        .cost_by_tier
        .iter()
        .map(|(t, c)| format!("{t} {c}"))
        .collect();
    writeln!(
        out,
        "cost: {} ({})",
        o.cost_usd,
        if cost.is_empty() {
            "no tier spent any".to_owned()
        } else {
            cost.join(", ")
        }
    )?;
    writeln!(
        out,
        "latency: p50 {:.3} ms, p95 {:.3} ms",
        r.latency_ms_p50, r.latency_ms_p95
    )?;
    writeln!(
        out,
        "\nagreement with experts ({} labelled results)",
        r.labelled
    )?;
    for a in &r.agreement {
        writeln!(
            out,
            "  {:<8} {:<28} n {:>6}  agreement {:>8}  kappa {}",
            a.tier,
            a.criterion,
            a.n,
            pct(a.agreement),
            a.kappa.map_or("-".to_owned(), |k| format!("{k:.3}"))
        )?;
    }
    for c in &r.calibration {
        writeln!(
            out,
            "  calibration of {} from {} labels: fail above {:.3} ({} agree); {}",
            c.model,
            c.n,
            c.best_threshold,
            pct(c.best_accuracy),
            match (c.band, c.escalated_share) {
                (Some((lo, hi)), Some(share)) => format!(
                    "escalate {lo:.3}..{hi:.3} for {} agreement outside it ({} escalated)",
                    pct(c.target_accuracy),
                    pct(share)
                ),
                _ => format!("no band reaches {}", pct(c.target_accuracy)),
            }
        )?;
    }
    writeln!(out, "\ntop issues")?;
    for i in &r.top_issues {
        writeln!(
            out,
            "  {:>7}  {:<9} {}",
            i.count,
            i.worst.as_str(),
            i.validator
        )?;
    }
    for (title, map) in [
        ("domain", &r.by_domain),
        ("model", &r.by_model),
        ("application", &r.by_application),
    ] {
        writeln!(out, "\nby {title}")?;
        writeln!(
            out,
            "  {:<28} {:>8} {:>8} {:>8} {:>8} {:>8} {:>10} {:>12}",
            title, "total", "pass", "fail", "review", "error", "pass rate", "cost"
        )?;
        for (k, c) in map {
            writeln!(
                out,
                "  {:<28} {:>8} {:>8} {:>8} {:>8} {:>8} {:>10} {:>12}",
                k,
                c.total,
                c.pass,
                c.fail,
                c.needs_review,
                c.error,
                pct(c.pass_rate),
                c.cost_usd
            )?;
        }
    }
    writeln!(out, "\nby {} (UTC)", r.bucket)?;
    for (k, c) in &r.time_series {
        writeln!(
            out,
            "  {k:<16} {:>8} total {:>8} pass {:>8} fail {:>8} review  {}",
            c.total,
            c.pass,
            c.fail,
            c.needs_review,
            pct(c.pass_rate)
        )?;
    }
    Ok(())
}

/// Text for HTML: `& < > " '` escaped (domain, model and application names come from traces).
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

const COLOURS: [(&str, &str); 4] = [
    ("pass", "#2e7d32"),
    ("fail", "#c62828"),
    ("needs review", "#f9a825"),
    ("error", "#6d6d6d"),
];

/// A horizontal bar chart of `(label, value, shown)`; `colour` for every bar, unless the label
/// is a verdict (which has its own colour).
fn bars(items: &[(String, f64, String)], colour: &str) -> String {
    let max = items.iter().map(|i| i.1).fold(0.0_f64, f64::max).max(1e-12);
    let h = 26 * items.len() + 10;
    let mut s =
        format!(r#"<svg class="chart" viewBox="0 0 640 {h}" width="640" height="{h}" role="img">"#);
    for (n, (label, v, shown)) in items.iter().enumerate() {
        let y = 5 + n * 26;
        // Room on the right for the value's text.
        let w = (v / max * 320.0).max(1.0);
        let colour = COLOURS
            .iter()
            .find(|(l, _)| *l == label)
            .map_or(colour, |(_, c)| c);
        let _ = write!(
            s,
            r#"<text x="0" y="{}" class="label">{}</text><rect x="200" y="{y}" width="{w:.1}" height="18" fill="{colour}"/><text x="{:.1}" y="{}" class="value">{}</text>"#,
            y + 14,
            esc(label),
            200.0 + w + 6.0,
            y + 14,
            esc(shown)
        );
    }
    s.push_str("</svg>");
    s
}

/// Stacked columns of verdict counts over time.
fn time_chart(series: &[(String, Counts)]) -> String {
    let n = series.len().max(1);
    let max = series
        .iter()
        .map(|(_, c)| c.total)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let (w, h) = (640.0, 220.0);
    let col = ((w - 40.0) / n as f64).min(60.0);
    let mut s = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {}" width="{w}" height="{}" role="img">"#,
        h + 40.0,
        h + 40.0
    );
    for (i, (label, c)) in series.iter().enumerate() {
        let x = 30.0 + i as f64 * col;
        let mut y = h;
        for (v, (_, colour)) in [c.pass, c.fail, c.needs_review, c.error]
            .iter()
            .zip(COLOURS)
        {
            let bh = *v as f64 / max * (h - 10.0);
            y -= bh;
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{bh:.1}" fill="{colour}"><title>{} {v}</title></rect>"#,
                (col - 4.0).max(1.0),
                esc(label)
            );
        }
        // A label every `step` columns, so that labels (~80 px) never overlap.
        let step = (80.0 / col).ceil().max(1.0) as usize;
        if i % step == 0 {
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{}" class="tick">{}</text>"#,
                x,
                h + 16.0,
                esc(label)
            );
        }
    }
    let _ = write!(
        s,
        r#"<text x="0" y="12" class="tick">{max:.0}</text></svg>"#
    );
    s
}

fn table_html(title: &str, map: &BTreeMap<String, Counts>) -> String {
    let mut s = format!(
        "<h2>By {title}</h2><table><tr><th>{title}</th><th>total</th><th>pass</th><th>fail</th><th>needs review</th><th>error</th><th>pass rate</th><th>cost</th></tr>"
    );
    for (k, c) in map {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(k),
            c.total,
            c.pass,
            c.fail,
            c.needs_review,
            c.error,
            pct(c.pass_rate),
            c.cost_usd
        );
    }
    s.push_str("</table>");
    s
}

fn write_html(r: &Report, scope: &str, out: &mut impl Write) -> std::io::Result<()> {
    let o = &r.overall;
    let verdicts: Vec<(String, f64, String)> = [o.pass, o.fail, o.needs_review, o.error]
        .iter()
        .zip(COLOURS)
        .map(|(v, (l, _))| (l.to_owned(), *v as f64, v.to_string()))
        .collect();
    let tiers: Vec<(String, f64, String)> = Tier::ALL
        .iter()
        .map(|t| t.as_str())
        .chain(["none"])
        .filter_map(|t| {
            r.decided_by
                .get(t)
                .map(|n| (t.to_owned(), *n as f64, n.to_string()))
        })
        .collect();
    let costs: Vec<(String, f64, String)> = r
        .cost_by_tier
        .iter()
        .map(|(t, c)| (t.clone(), c.dollars(), c.to_string()))
        .collect();
    let issues: Vec<(String, f64, String)> = r
        .top_issues
        .iter()
        .map(|i| {
            (
                i.validator.clone(),
                i.count as f64,
                format!("{} ({})", i.count, i.worst),
            )
        })
        .collect();
    let legend: String = COLOURS
        .iter()
        .map(|(l, c)| format!(r#"<span class="key" style="background:{c}"></span>{l} "#))
        .collect();
    write!(
        out,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Aegis report</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 960px; color: #222; }}
h1 {{ font-size: 1.6em; }} h2 {{ font-size: 1.15em; margin-top: 2em; }}
.tiles {{ display: flex; gap: 1em; flex-wrap: wrap; }}
.tile {{ border: 1px solid #ddd; border-radius: 6px; padding: .6em 1em; min-width: 9em; }}
.tile b {{ display: block; font-size: 1.5em; }}
table {{ border-collapse: collapse; width: 100%; }} td, th {{ border-bottom: 1px solid #eee; padding: .25em .5em; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }}
svg text.label, svg text.value, svg text.tick {{ font: 12px system-ui, sans-serif; fill: #333; }}
.key {{ display: inline-block; width: .9em; height: .9em; margin: 0 .3em 0 .8em; vertical-align: middle; }}
</style></head><body>
<h1>Aegis evaluation report</h1>
<p>{scope}</p>
<div class="tiles">
<div class="tile">results<b>{}</b></div>
<div class="tile">pass rate<b>{}</b></div>
<div class="tile">cost<b>{}</b></div>
<div class="tile">latency p50<b>{:.2} ms</b></div>
<div class="tile">latency p95<b>{:.2} ms</b></div>
</div>
<h2>Verdicts</h2>{}
<h2>Deciding tier</h2>{}
<h2>Cost by tier</h2>{}
<h2>Top issues</h2>{}
<h2>Over time (per {}, UTC)</h2><p>{legend}</p>{}
{}{}{}{}
</body></html>
"#,
        o.total,
        pct(o.pass_rate),
        o.cost_usd,
        r.latency_ms_p50,
        r.latency_ms_p95,
        bars(&verdicts, "#1565c0"),
        bars(&tiers, "#5e35b1"),
        if costs.is_empty() {
            "<p>No tier spent any money.</p>".to_owned()
        } else {
            bars(&costs, "#00838f")
        },
        if issues.is_empty() {
            "<p>No issues.</p>".to_owned()
        } else {
            bars(&issues, "#c62828")
        },
        r.bucket,
        time_chart(&r.time_series),
        table_html("domain", &r.by_domain),
        table_html("model", &r.by_model),
        table_html("application", &r.by_application),
        agreement_html(r),
    )
}

fn agreement_html(r: &Report) -> String {
    let mut s = format!(
        "<h2>Agreement with experts ({} labelled results)</h2><table><tr><th>criterion</th><th>tier</th><th>n</th><th>agreement</th><th>Cohen's kappa</th></tr>",
        r.labelled
    );
    for a in &r.agreement {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&a.criterion),
            esc(&a.tier),
            a.n,
            pct(a.agreement),
            a.kappa.map_or("–".to_owned(), |k| format!("{k:.3}"))
        );
    }
    s.push_str("</table>");
    if !r.calibration.is_empty() {
        s.push_str("<h2>Tier-2 thresholds the labels suggest</h2><table><tr><th>model</th><th>labels</th><th>fail above</th><th>agreement</th><th>uncertain band</th><th>escalated</th></tr>");
        for c in &r.calibration {
            let (band, share) = match (c.band, c.escalated_share) {
                (Some((lo, hi)), Some(x)) => (format!("{lo:.3} – {hi:.3}"), pct(x)),
                _ => (
                    format!("none reaches {}", pct(c.target_accuracy)),
                    "–".to_owned(),
                ),
            };
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{:.3}</td><td>{}</td><td>{band}</td><td>{share}</td></tr>",
                esc(&c.model),
                c.n,
                c.best_threshold,
                pct(c.best_accuracy)
            );
        }
        s.push_str("</table>");
    }
    s
}

/// `aegis-eval report`.
pub(crate) fn report(
    store: Option<PathBuf>,
    filter: FilterArgs,
    format: ReportFormat,
    output: Option<PathBuf>,
) -> Result<u8, CliError> {
    let s = super::traces::open_existing(store)?;
    let mut f = super::traces::filter_of(&filter)?;
    f.limit = None;
    let rows = s.list(&f).map_err(super::traces::store_error)?;
    // The latest label of each result.
    let labels: BTreeMap<String, Verdict> = s
        .labels()
        .map_err(super::traces::store_error)?
        .into_iter()
        .map(|l| (l.key, l.verdict))
        .collect();
    let r = build(&rows, &labels);
    let mut buf: Vec<u8> = Vec::new();
    match format {
        ReportFormat::Table => write_table(&r, &mut buf)?,
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut buf, &r).map_err(std::io::Error::other)?;
            buf.push(b'\n');
        }
        ReportFormat::Html => {
            let mut scope = vec![format!("{} results", r.overall.total)];
            if let Some(d) = &filter.domain {
                scope.push(format!("domain {d}"));
            }
            if let Some(a) = &filter.application {
                scope.push(format!("application {a}"));
            }
            if let Some(t) = &filter.since {
                scope.push(format!("since {t}"));
            }
            if let Some(t) = &filter.until {
                scope.push(format!("until {t}"));
            }
            write_html(&r, &esc(&scope.join(", ")), &mut buf)?;
        }
    }
    match output {
        Some(path) if path.as_os_str() != "-" => {
            std::fs::write(&path, &buf).map_err(|source| CliError::Io {
                context: format!("cannot write {}", path.display()),
                source,
            })?;
        }
        _ => std::io::stdout().lock().write_all(&buf)?,
    }
    Ok(super::EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aegis_core::{EvaluationResult, Issue, TierOutcome, TierReport};
    use aegis_store::StoredTrace;

    fn row(i: usize) -> StoredRow {
        let verdict = [
            Verdict::Pass,
            Verdict::Fail,
            Verdict::NeedsReview,
            Verdict::Pass,
        ][i % 4];
        let judged = i.is_multiple_of(5);
        StoredRow {
            key: format!("id:t{i}"),
            result: EvaluationResult {
                trace_id: Some(format!("t{i}")),
                line: Some(i as u64),
                domain: Some(
                    if i.is_multiple_of(3) {
                        "trading"
                    } else {
                        "healthcare"
                    }
                    .to_owned(),
                ),
                verdict,
                decided_by: Some(if judged { Tier::Judge } else { Tier::Rules }),
                issues: if verdict == Verdict::Fail {
                    vec![Issue {
                        validator: if i % 8 == 1 {
                            "no_medication_overdose"
                        } else {
                            "drug_interaction"
                        }
                        .to_owned(),
                        tier: Tier::Rules,
                        severity: Severity::High,
                        message: "m".to_owned(),
                        evidence: Vec::new(),
                    }]
                } else {
                    Vec::new()
                },
                tiers: vec![TierReport {
                    tier: Tier::Judge,
                    outcome: TierOutcome::Skipped,
                    latency_ns: 0,
                    cost_usd: if judged {
                        UsdCost::from_micros(1500)
                    } else {
                        UsdCost::ZERO
                    },
                    modules: Vec::new(),
                }],
                cost_usd: if judged {
                    UsdCost::from_micros(1500)
                } else {
                    UsdCost::ZERO
                },
                latency_ns: (i as u64 + 1) * 1_000_000,
                error: None,
            },
            trace: Some(StoredTrace {
                model: Some(
                    if i.is_multiple_of(2) {
                        "gpt-4o"
                    } else {
                        "<script>alert(1)</script>"
                    }
                    .to_owned(),
                ),
                metadata: aegis_core::Metadata {
                    application: Some("triage-bot".to_owned()),
                    ..aegis_core::Metadata::default()
                },
                ..StoredTrace::default()
            }),
            // Over five days.
            evaluated_at_ms: 1_763_856_000_000 + (i as i64 % 5) * 86_400_000,
        }
    }

    #[test]
    fn the_report_sums_up_and_renders() {
        let rows: Vec<StoredRow> = (0..100).map(row).collect();
        // Experts label the first 40: they fail exactly what the machine failed, except two.
        let labels: BTreeMap<String, Verdict> = rows[..40]
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let mut v = if row.result.verdict == Verdict::Fail {
                    Verdict::Fail
                } else {
                    Verdict::Pass
                };
                if i == 3 || i == 7 {
                    v = Verdict::Fail;
                }
                (row.key.clone(), v)
            })
            .collect();
        let r = build(&rows, &labels);
        assert_eq!(r.labelled, 40);
        let all = r
            .agreement
            .iter()
            .find(|a| a.criterion == "verdict")
            .unwrap();
        // 30 labelled results with a machine verdict (the needs_review ones have none).
        assert_eq!(all.n, 30);
        assert!((all.agreement - 28.0 / 30.0).abs() < 1e-9, "{all:?}");
        assert!(
            all.kappa.unwrap() > 0.8 && all.kappa.unwrap() < 1.0,
            "{all:?}"
        );
        assert_eq!(cohen_kappa(&[(true, true), (false, false)]).1, Some(1.0));
        assert_eq!(cohen_kappa(&[(true, false), (false, true)]).1, Some(-1.0));
        assert_eq!(cohen_kappa(&[(true, true), (true, true)]).1, None);
        // Calibration: scores that separate perfectly above 0.6 need no band.
        let c = calibrate(
            "m",
            vec![(0.1, false), (0.2, false), (0.7, true), (0.9, true)],
            0.95,
        );
        assert!(
            (c.best_threshold - 0.45).abs() < 1e-9 && c.best_accuracy == 1.0,
            "{c:?}"
        );
        assert_eq!(c.escalated_share, Some(0.0));
        // One expert fail among low scores: the band must take it in.
        let c = calibrate(
            "m",
            vec![
                (0.1, false),
                (0.3, true),
                (0.4, false),
                (0.8, true),
                (0.9, true),
            ],
            0.95,
        );
        let (lo, hi) = c.band.unwrap();
        assert!(lo <= 0.3 && (0.3..=0.8).contains(&hi), "{c:?}");
        // Tied scores cannot be split: all 0.5s, half failing, reach no better than half.
        let c = calibrate(
            "m",
            vec![(0.5, true), (0.5, false), (0.5, true), (0.5, false)],
            0.95,
        );
        assert!((c.best_accuracy - 0.5).abs() < 1e-9, "{c:?}");
        assert_eq!(r.overall.total, 100);
        assert_eq!(
            (r.overall.pass, r.overall.fail, r.overall.needs_review),
            (50, 25, 25)
        );
        assert!((r.overall.pass_rate - 0.5).abs() < 1e-9);
        assert_eq!(r.decided_by["judge"], 20);
        assert_eq!(r.cost_by_tier["judge"], UsdCost::from_micros(30_000));
        assert!(
            (r.latency_ms_p50 - 51.0).abs() < 1.01,
            "{}",
            r.latency_ms_p50
        );
        assert!(
            (r.latency_ms_p95 - 95.0).abs() < 1.01,
            "{}",
            r.latency_ms_p95
        );
        assert_eq!(r.bucket, "day");
        assert_eq!(r.time_series.len(), 5);
        assert_eq!(r.time_series.iter().map(|(_, c)| c.total).sum::<u64>(), 100);
        assert_eq!(r.by_domain["trading"].total, 34);
        assert_eq!(r.top_issues.len(), 2);
        let mut html = Vec::new();
        write_html(&r, "test", &mut html).unwrap();
        let html = String::from_utf8(html).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
        assert!(html.matches("<svg").count() >= 5);
        assert!(!html.contains("<script>"), "names from traces are escaped");
        assert!(html.contains("&lt;script&gt;"));
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "self-contained"
        );
        if let Ok(path) = std::env::var("AEGIS_REPORT_SAMPLE") {
            std::fs::write(path, &html).unwrap();
        }
        let mut text = Vec::new();
        write_table(&r, &mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(
            text.contains("pass rate 50.0 %") && text.contains("by day (UTC)"),
            "{text}"
        );
    }
}
