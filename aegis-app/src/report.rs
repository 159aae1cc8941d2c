//! Reports: what the store holds, summed up — counts by verdict, domain, model, application and
//! time, deciding tiers, cost, latency, the top issues, and how the machine tiers agree with
//! the experts' labels (Cohen's kappa) and where the labels would put Tier 2's thresholds.
//! Front ends render a [`Report`] (a table, JSON, an HTML page, an API answer).

use std::collections::BTreeMap;

use aegis_core::{EvaluationResult, Severity, Tier, UsdCost, Verdict};
#[cfg(test)]
use aegis_store::StoredRow;
use aegis_store::{Store, StoreSummary, TimeBucket, VerdictCounts};
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
    /// The counts of a store's summary, with the pass rate.
    fn of(v: &VerdictCounts) -> Counts {
        let evaluated = v.total - v.error;
        Counts {
            total: v.total,
            pass: v.pass,
            fail: v.fail,
            needs_review: v.needs_review,
            error: v.error,
            pass_rate: if evaluated > 0 {
                v.pass as f64 / evaluated as f64
            } else {
                0.0
            },
            cost_usd: v.cost_usd,
        }
    }

    #[cfg(test)]
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

/// Agreement per criterion over labelled results: `(machine result, expert's latest verdict)`.
fn agreements<'a>(
    labelled: impl Iterator<Item = (&'a EvaluationResult, Verdict)>,
) -> Vec<Agreement> {
    use aegis_core::ModuleOutcome;
    let mut pairs: BTreeMap<(String, String), Vec<(bool, bool)>> = BTreeMap::new();
    for (result, human) in labelled {
        let human_fails = human == Verdict::Fail;
        if matches!(result.verdict, Verdict::Pass | Verdict::Fail) {
            pairs
                .entry(("all".to_owned(), "verdict".to_owned()))
                .or_default()
                .push((result.verdict == Verdict::Fail, human_fails));
        }
        for t in &result.tiers {
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

/// Tier-2 calibration per model over labelled results: `(machine result, expert's verdict)`.
fn calibrations<'a>(
    labelled: impl Iterator<Item = (&'a EvaluationResult, Verdict)>,
) -> Vec<Calibration> {
    let mut pairs: BTreeMap<String, Vec<(f64, bool)>> = BTreeMap::new();
    for (result, human) in labelled {
        for t in result.tiers.iter().filter(|t| t.tier == Tier::Models) {
            for m in &t.modules {
                if let Some(score) = m.score.filter(|s| s.is_finite()) {
                    pairs
                        .entry(m.module.to_string())
                        .or_default()
                        .push((score, human == Verdict::Fail));
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

#[cfg(test)]
fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)] as f64 / 1e6
}

/// Sums up `rows`, with `labels` (the latest expert verdict per record key), in memory: the
/// reference [`report`] is checked against in tests. The product aggregates in one place per
/// path: the store's `summarize` for reports, [`crate::RunSummary`] for a run's stream (and a
/// test checks the two agree on the same results).
#[cfg(test)]
pub(crate) fn build(rows: &[StoredRow], labels: &BTreeMap<String, Verdict>) -> Report {
    let labelled = || {
        rows.iter()
            .filter_map(|row| labels.get(&row.key).map(|v| (&row.result, *v)))
    };
    let mut r = Report {
        agreement: agreements(labelled()),
        calibration: calibrations(labelled()),
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

/// The report a store's summary makes (see [`Store::summarize`]).
pub fn summarized(s: &StoreSummary) -> Report {
    let labelled = || s.labelled.iter().map(|l| (&l.result, l.label));
    // Named groups; a record without a value joins the group of its placeholder name.
    let groups = |m: &BTreeMap<Option<String>, VerdictCounts>, none: &str| {
        let mut named: BTreeMap<String, VerdictCounts> = BTreeMap::new();
        for (k, v) in m {
            named
                .entry(k.clone().unwrap_or_else(|| none.to_owned()))
                .or_default()
                .merge(v);
        }
        named
            .iter()
            .map(|(k, v)| (k.clone(), Counts::of(v)))
            .collect::<BTreeMap<String, Counts>>()
    };
    let hourly = s.bucket == TimeBucket::Hour;
    let mut decided_by: BTreeMap<String, u64> = BTreeMap::new();
    for (tier, n) in &s.decided_by {
        *decided_by
            .entry(tier.clone().unwrap_or_else(|| "none".to_owned()))
            .or_default() += n;
    }
    Report {
        agreement: agreements(labelled()),
        labelled: s.labelled.len() as u64,
        calibration: calibrations(labelled()),
        overall: Counts::of(&s.overall),
        decided_by,
        cost_by_tier: s.cost_by_tier.clone(),
        latency_ms_p50: s.latency_ns_p50.map_or(0.0, |ns| ns as f64 / 1e6),
        latency_ms_p95: s.latency_ns_p95.map_or(0.0, |ns| ns as f64 / 1e6),
        top_issues: s
            .issues
            .iter()
            .take(15)
            .map(|i| IssueCount {
                validator: i.validator.clone(),
                count: i.count,
                worst: i.worst,
            })
            .collect(),
        by_domain: groups(&s.by_domain, "(none)"),
        by_model: groups(&s.by_model, "(not given)"),
        by_application: groups(&s.by_application, "(not given)"),
        time_series: {
            let mut series: BTreeMap<String, VerdictCounts> = BTreeMap::new();
            for (start, v) in &s.by_time {
                let stamp = utc_text(*start);
                let key = if hourly {
                    format!("{}:00", &stamp[..13])
                } else {
                    stamp[..10].to_owned()
                };
                series.entry(key).or_default().merge(v);
            }
            series
                .into_iter()
                .map(|(k, v)| (k, Counts::of(&v)))
                .collect()
        },
        bucket: if hourly { "hour" } else { "day" }.to_owned(),
    }
}

/// The report over the stored results `selection` names (its limit ignored), with the
/// experts' latest labels, aggregated in the store: memory does not grow with the number of
/// stored results (only with the labelled ones).
pub fn report(store: &dyn Store, selection: &Selection) -> Result<Report, AppError> {
    let mut f = selection.filter()?;
    f.limit = None;
    Ok(summarized(&store.summarize(&f)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aegis_core::Tier;
    use aegis_core::{EvaluationResult, Issue, TierOutcome, TierReport};
    use aegis_store::SqliteStore;
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

    /// A varied record: three domains and none, every verdict, several deciding tiers (and
    /// none), issues (some results with two, one validator twice), Tier-2 scores and
    /// outcomes, judge costs, models and applications (and none), tied latencies.
    fn record(i: usize, start_ms: i64, step_ms: i64) -> aegis_store::StoredRecord {
        use aegis_core::{ModuleOutcome, ModuleResult, Sanitized, Trace};
        let verdict = [
            Verdict::Pass,
            Verdict::Fail,
            Verdict::NeedsReview,
            Verdict::Pass,
            Verdict::Fail,
            Verdict::Error,
            Verdict::Pass,
        ][i % 7];
        let judged = i % 5 == 2;
        let validators = ["drug_interaction", "no_overdose", "toxicity", "stale_price"];
        let severities = Severity::ALL;
        let mut issues = Vec::new();
        if verdict == Verdict::Fail || i.is_multiple_of(11) {
            for k in 0..(1 + i % 3) {
                issues.push(Issue {
                    validator: validators[(i + k) % validators.len().min(2 + i % 3)].to_owned(),
                    tier: Tier::Rules,
                    severity: severities[(i / 3 + k) % 5],
                    message: format!("issue {k}"),
                    evidence: Vec::new(),
                });
            }
        }
        let score = (i % 13) as f64 / 12.0;
        let result = EvaluationResult {
            trace_id: Some(format!("t{i}")),
            line: Some(i as u64),
            domain: match i % 4 {
                0 => Some("healthcare".to_owned()),
                1 => Some("trading".to_owned()),
                2 => Some("legal".to_owned()),
                _ => None,
            },
            verdict,
            decided_by: match (verdict, i % 3) {
                (Verdict::NeedsReview | Verdict::Error, _) => None,
                (_, 0) => Some(Tier::Rules),
                (_, 1) => Some(Tier::Models),
                _ => Some(Tier::Judge),
            },
            issues,
            tiers: vec![
                TierReport {
                    tier: Tier::Models,
                    outcome: TierOutcome::Completed,
                    latency_ns: 10,
                    cost_usd: UsdCost::ZERO,
                    modules: vec![ModuleResult {
                        module: if i.is_multiple_of(2) {
                            "risk"
                        } else {
                            "toxicity_clf"
                        }
                        .into(),
                        outcome: [
                            ModuleOutcome::Passed,
                            ModuleOutcome::Failed,
                            ModuleOutcome::Unsure,
                        ][i % 3],
                        issues: 0,
                        score: Some(score),
                        scores: Vec::new(),
                        call: None,
                        weights: None,
                    }],
                },
                TierReport {
                    tier: Tier::Judge,
                    outcome: TierOutcome::Skipped,
                    latency_ns: 0,
                    cost_usd: if judged {
                        UsdCost::from_picos(1_234_567 * (1 + i as u64 % 4))
                    } else {
                        UsdCost::ZERO
                    },
                    modules: Vec::new(),
                },
                // A tier reported twice: its costs add up.
                TierReport {
                    tier: Tier::Judge,
                    outcome: TierOutcome::Skipped,
                    latency_ns: 0,
                    cost_usd: UsdCost::from_picos(if i.is_multiple_of(17) { 99 } else { 0 }),
                    modules: Vec::new(),
                },
            ],
            cost_usd: UsdCost::from_picos(1000 + (i as u64 % 9) * 777),
            latency_ns: (i as u64 % 37) * 250_000 + 1,
            error: None,
        };
        let trace = Sanitized::without_phi(Trace {
            id: Some(format!("t{i}")),
            model: match i % 3 {
                0 => Some("gpt-4o".to_owned()),
                1 => Some("claude".to_owned()),
                _ => None,
            },
            input: format!("question {i}"),
            output: format!("answer {i}"),
            metadata: aegis_core::Metadata {
                application: match i % 5 {
                    0 | 1 => Some("triage-bot".to_owned()),
                    2 => Some("(not given)".to_owned()),
                    3 => Some("desk".to_owned()),
                    _ => None,
                },
                ..aegis_core::Metadata::default()
            },
            ..Trace::default()
        });
        aegis_store::StoredRecord::new(
            result,
            if i % 19 == 7 { None } else { Some(&trace) },
            start_ms + i as i64 * step_ms,
        )
    }

    /// The report aggregated in the store is the report `build` makes from the same rows,
    /// listed with the same filter.
    fn assert_same(store: &SqliteStore, f: &aegis_store::Filter) {
        let labels: BTreeMap<String, Verdict> = store
            .labels()
            .unwrap()
            .into_iter()
            .map(|l| (l.key, l.verdict))
            .collect();
        let expected = build(&store.list(f).unwrap(), &labels);
        let got = summarized(&store.summarize(f).unwrap());
        let mut got = serde_json::to_value(&got).unwrap();
        let mut expected = serde_json::to_value(&expected).unwrap();
        // Latency percentiles: exact from the rows; from the store, read from its hourly
        // roll-ups' histogram (two significant digits) when the filter allows, within 5 %.
        for k in ["latency_ms_p50", "latency_ms_p95"] {
            let (g, e) = (got[k].take(), expected[k].take());
            match (g.as_f64(), e.as_f64()) {
                (Some(g), Some(e)) => assert!(
                    (g - e).abs() <= e * 0.05 + 1e-6,
                    "{k}: {g} against {e}, filter {f:?}"
                ),
                _ => assert_eq!(g, e, "{k}, filter {f:?}"),
            }
        }
        assert_eq!(got, expected, "filter {f:?}");
    }

    #[test]
    fn the_report_aggregated_in_the_store_equals_the_report_over_every_row() {
        use aegis_store::{Filter, ReviewLabel, Store};
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(&dir.path().join("aegis.db")).unwrap();
        // 600 records over five days, written in batches.
        let start = 1_763_856_000_000;
        let records: Vec<_> = (0..600).map(|i| record(i, start, 720_000)).collect();
        for batch in records.chunks(64) {
            store.write(batch).unwrap();
        }
        // Labels: some results twice (the latest counts), one of a result not stored.
        for (n, i) in (0..600).step_by(7).enumerate() {
            let label = |verdict, at| ReviewLabel {
                key: format!("id:t{i}"),
                verdict,
                severity: None,
                notes: Default::default(),
                reviewer: "dr".to_owned(),
                accepted: false,
                labelled_at_ms: at,
            };
            let v = if n % 3 == 0 {
                Verdict::Fail
            } else {
                Verdict::Pass
            };
            store.add_label(&label(v, 1)).unwrap();
            if n % 4 == 0 {
                let again = if v == Verdict::Fail {
                    Verdict::Pass
                } else {
                    Verdict::Fail
                };
                store.add_label(&label(again, 2)).unwrap();
            }
        }
        store
            .add_label(&ReviewLabel {
                key: "id:gone".to_owned(),
                verdict: Verdict::Fail,
                severity: None,
                notes: Default::default(),
                reviewer: "dr".to_owned(),
                accepted: true,
                labelled_at_ms: 3,
            })
            .unwrap();
        let day = 86_400_000;
        let filters = [
            Filter::default(),
            Filter {
                domain: Some("healthcare".to_owned()),
                ..Filter::default()
            },
            Filter {
                verdict: Some(Verdict::Fail),
                ..Filter::default()
            },
            Filter {
                min_severity: Some(Severity::High),
                ..Filter::default()
            },
            Filter {
                application: Some("triage-bot".to_owned()),
                ..Filter::default()
            },
            // Under two days: hourly buckets.
            Filter {
                since_ms: Some(start + day),
                until_ms: Some(start + 2 * day + 3_600_000),
                ..Filter::default()
            },
            Filter {
                domain: Some("trading".to_owned()),
                since_ms: Some(start + day / 2),
                limit: Some(40),
                ..Filter::default()
            },
            // Nothing selected.
            Filter {
                domain: Some("none-such".to_owned()),
                ..Filter::default()
            },
        ];
        for f in &filters {
            assert_same(&store, f);
        }
        let r = summarized(&store.summarize(&Filter::default()).unwrap());
        assert_eq!(r.overall.total, 600);
        assert_eq!(r.bucket, "day");
        assert!(r.labelled > 50 && !r.agreement.is_empty() && !r.calibration.is_empty());
        assert!(r.cost_by_tier.contains_key("judge") && r.top_issues.len() == 4);

        // Rewritten results replace their issues and costs; deleted ones leave the figures.
        let rewritten: Vec<_> = (0..600)
            .step_by(3)
            .map(|i| {
                let mut r = record(i + 1, start, 720_000);
                r.key = format!("id:t{i}");
                r.result.trace_id = Some(format!("t{i}"));
                r
            })
            .collect();
        store.write(&rewritten).unwrap();
        store
            .delete(
                &Filter {
                    domain: Some("legal".to_owned()),
                    verdict: Some(Verdict::Fail),
                    ..Filter::default()
                },
                None,
            )
            .unwrap();
        for f in &filters {
            assert_same(&store, f);
        }
        // Through the selection front ends use.
        let via_report = report(&store, &Selection::default()).unwrap();
        assert_eq!(
            serde_json::to_value(&via_report).unwrap(),
            serde_json::to_value(summarized(&store.summarize(&Filter::default()).unwrap()))
                .unwrap()
        );
    }
}
