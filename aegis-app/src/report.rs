//! Reports: what the store holds, summed up — counts by verdict, domain, model, application and
//! time, deciding tiers, cost, latency, the top issues, and how the machine tiers agree with
//! the experts' labels (Cohen's kappa) and where the labels would put Tier 2's thresholds.
//! Front ends render a [`Report`] (a table, JSON, an HTML page, an API answer).

use std::collections::BTreeMap;

use aegis_core::{Severity, Tier, UsdCost, Verdict};
use aegis_store::{SqliteStore, Store, StoredRow};
use serde::Serialize;

use crate::AppError;
use crate::store::{Selection, utc_text};

/// Counts by verdict, with the pass rate.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Counts {
    /// Results.
    pub total: u64,
    /// Passed.
    pub pass: u64,
    /// Failed.
    pub fail: u64,
    /// Waiting for expert review.
    pub needs_review: u64,
    /// Not evaluated.
    pub error: u64,
    /// Passes among the traces that were evaluated (errors left out).
    pub pass_rate: f64,
    /// Money spent on them.
    pub cost_usd: UsdCost,
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
pub struct IssueCount {
    /// The rule, model or judge that raised it.
    pub validator: String,
    /// How many times.
    pub count: u64,
    /// Its worst severity.
    pub worst: Severity,
}

/// How often a machine criterion (a model, a judge, or the final verdict) agrees with the
/// experts' labels.
#[derive(Debug, Clone, Serialize)]
pub struct Agreement {
    /// The model or judge id, or `verdict` for the final machine verdict.
    pub criterion: String,
    /// `models`, `judge` or `all`.
    pub tier: String,
    /// Labelled results the criterion judged (pass or fail).
    pub n: u64,
    /// The share on which it agreed with the expert.
    pub agreement: f64,
    /// Cohen's kappa (agreement beyond chance); `null` when every answer was the same.
    pub kappa: Option<f64>,
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
pub struct Calibration {
    /// The model.
    pub model: String,
    /// Labelled results it scored.
    pub n: u64,
    /// The score above which failing agrees best with the experts, and how often it does.
    pub best_threshold: f64,
    /// How often failing above `best_threshold` agrees with the experts.
    pub best_accuracy: f64,
    /// The narrowest uncertain band (escalate inside it) outside which the model agrees with
    /// the experts at least `target_accuracy` of the time; `None` when no band reaches it.
    pub band: Option<(f64, f64)>,
    /// The share of labelled results inside that band (what would be escalated).
    pub escalated_share: Option<f64>,
    /// The accuracy the band must reach outside it.
    pub target_accuracy: f64,
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
pub struct Report {
    /// Machine–expert agreement per criterion, over the labelled results.
    pub agreement: Vec<Agreement>,
    /// Labelled results in the selection.
    pub labelled: u64,
    /// Tier-2 thresholds as the labels would set them.
    pub calibration: Vec<Calibration>,
    /// All selected results.
    pub overall: Counts,
    /// Results by the tier that decided (`none`: no tier was sure).
    pub decided_by: BTreeMap<String, u64>,
    /// Money spent per tier.
    pub cost_by_tier: BTreeMap<String, UsdCost>,
    /// Evaluation latency, median, in milliseconds.
    pub latency_ms_p50: f64,
    /// Evaluation latency, 95th percentile, in milliseconds.
    pub latency_ms_p95: f64,
    /// The most frequent issues.
    pub top_issues: Vec<IssueCount>,
    /// Counts per domain.
    pub by_domain: BTreeMap<String, Counts>,
    /// Counts per model (the traced application's model).
    pub by_model: BTreeMap<String, Counts>,
    /// Counts per application.
    pub by_application: BTreeMap<String, Counts>,
    /// Counts per day (UTC), or per hour when the results span less than two days.
    pub time_series: Vec<(String, Counts)>,
    /// `day` or `hour`.
    pub bucket: String,
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)] as f64 / 1e6
}

/// Sums up `rows`, with `labels` (the latest expert verdict per record key).
pub fn build(rows: &[StoredRow], labels: &BTreeMap<String, Verdict>) -> Report {
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
        let stamp = utc_text(row.evaluated_at_ms);
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

/// The report over the stored results `selection` names (its limit ignored), with the
/// experts' latest labels.
pub fn report(store: &SqliteStore, selection: &Selection) -> Result<Report, AppError> {
    let mut f = selection.filter()?;
    f.limit = None;
    let rows = store.list(&f)?;
    // The latest label of each result.
    let labels: BTreeMap<String, Verdict> = store
        .labels()?
        .into_iter()
        .map(|l| (l.key, l.verdict))
        .collect();
    Ok(build(&rows, &labels))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aegis_core::Tier;
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
    }
}
