//! `aegis-eval report`: renders the application layer's [`Report`] as a terminal table, JSON,
//! or a self-contained HTML page with charts (inline SVG: no script, no network).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

use aegis_app::report::{Counts, Report};
use aegis_core::Tier;

use super::CliError;
use super::args::{FilterArgs, ReportFormat};

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
    let s = super::traces::open_existing(store.as_deref())?;
    let store = store.clone();
    let r = aegis_app::report::report(&*s, &filter.selection())?;
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
    super::run::write_from_store(&buf, output.as_deref(), store.as_deref())?;
    Ok(super::EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aegis_app::report::IssueCount;
    use aegis_core::{Severity, UsdCost};

    #[test]
    fn the_report_renders_as_a_table_and_a_self_contained_page() {
        let counts = |total: u64, pass: u64| Counts {
            total,
            pass,
            fail: total - pass,
            pass_rate: pass as f64 / total.max(1) as f64,
            ..Counts::default()
        };
        let mut r = Report {
            overall: counts(100, 50),
            bucket: "day".to_owned(),
            time_series: (0..5)
                .map(|d| (format!("2025-11-2{d}"), counts(20, 10)))
                .collect(),
            top_issues: vec![IssueCount {
                validator: "drug_interaction".to_owned(),
                count: 13,
                worst: Severity::High,
            }],
            ..Report::default()
        };
        r.by_domain.insert("healthcare".to_owned(), counts(66, 33));
        r.by_model
            .insert("<script>alert(1)</script>".to_owned(), counts(50, 25));
        r.by_application
            .insert("triage-bot".to_owned(), counts(100, 50));
        r.decided_by.insert("rules".to_owned(), 80);
        r.cost_by_tier
            .insert("judge".to_owned(), UsdCost::from_micros(30_000));
        let mut html = Vec::new();
        write_html(&r, "test", &mut html).unwrap();
        let html = String::from_utf8(html).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
        assert!(html.matches("<svg").count() >= 3, "{html}");
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
