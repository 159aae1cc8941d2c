//! The tiered pipeline.

use std::borrow::Cow;
use std::time::Instant;

use aegis_core::tiers::{JudgeTier, ModelTier, ReviewQueue, Sanitizer, TierDecision};
use aegis_core::{
    Domain, EvaluationResult, Issue, Sanitized, Tier, TierOutcome, TierReport, Trace, UsdCost,
    Verdict,
};

/// Runs traces through the tiers. Holds one optional implementation of each tier around
/// Tier 1; the domain supplies Tier 1 itself.
///
/// Tier 0 comes first and cannot be skipped for a domain whose spec asks for it: a trace is
/// turned into a [`Sanitized`] trace before any other tier (or the result) sees it. Without a
/// sanitiser installed, such a trace is not evaluated at all (its verdict is `error`).
pub struct Orchestrator {
    sanitizer: Option<Box<dyn Sanitizer>>,
    models: Option<Box<dyn ModelTier>>,
    /// Each domain's own Tier-2 models, by domain name (see [`Orchestrator::load_models`]).
    domain_models: Vec<(&'static str, Box<dyn ModelTier>)>,
    judge: Option<Box<dyn JudgeTier>>,
    review: Option<Box<dyn ReviewQueue>>,
}

impl std::fmt::Debug for Orchestrator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Orchestrator")
            .field("sanitizer", &self.sanitizer.is_some())
            .field("models", &self.models.is_some())
            .field("judge", &self.judge.is_some())
            .field("review", &self.review.is_some())
            .finish()
    }
}

fn elapsed_ns(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

fn report(tier: Tier, outcome: TierOutcome, latency_ns: u64) -> TierReport {
    TierReport {
        tier,
        outcome,
        latency_ns,
        cost_usd: UsdCost::ZERO,
        modules: Vec::new(),
    }
}

impl Default for Orchestrator {
    fn default() -> Self {
        Orchestrator::new()
    }
}

impl Orchestrator {
    /// An orchestrator with Tier 0 (the built-in PHI engine, under a random per-process key:
    /// pseudonyms are consistent within the process only) and Tier 1; every other tier is
    /// reported unavailable when needed. Use [`Orchestrator::with_sanitizer`] to give Tier 0
    /// the organisation's key.
    pub fn new() -> Self {
        let sanitizer = aegis_phi::PhiEngine::ephemeral()
            .ok()
            .map(|e| Box::new(e) as Box<dyn Sanitizer>);
        Orchestrator {
            sanitizer,
            models: None,
            domain_models: Vec::new(),
            judge: None,
            review: None,
        }
    }

    /// An orchestrator with no tier but Tier 1: traces of domains that ask for PHI sanitising
    /// are refused (verdict `error`) until a sanitiser is installed.
    pub fn without_sanitizer() -> Self {
        Orchestrator {
            sanitizer: None,
            models: None,
            domain_models: Vec::new(),
            judge: None,
            review: None,
        }
    }

    /// Installs a Tier-0 sanitiser.
    pub fn with_sanitizer(mut self, sanitizer: Box<dyn Sanitizer>) -> Self {
        self.sanitizer = Some(sanitizer);
        self
    }

    /// Loads a domain's own Tier-2 models (see [`Domain::load_models`]); from then on every
    /// trace of that domain that Tier 1 does not fail is scored by them. Returns whether the
    /// domain has models; `Err` names the model that could not be loaded.
    pub fn load_models(
        &mut self,
        domain: &dyn Domain,
        source: &aegis_core::tiers::ModelSource,
    ) -> Result<bool, String> {
        let name = domain.info().name;
        match domain.load_models(source)? {
            Some(models) => {
                self.domain_models.retain(|(d, _)| *d != name);
                self.domain_models.push((name, models));
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn models_for(&self, domain: &str) -> Option<&dyn ModelTier> {
        self.domain_models
            .iter()
            .find(|(d, _)| *d == domain)
            .map(|(_, m)| m.as_ref())
            .or(self.models.as_deref())
    }

    /// Installs Tier-2 models.
    pub fn with_models(mut self, models: Box<dyn ModelTier>) -> Self {
        self.models = Some(models);
        self
    }

    /// Installs a Tier-3 judge.
    pub fn with_judge(mut self, judge: Box<dyn JudgeTier>) -> Self {
        self.judge = Some(judge);
        self
    }

    /// Installs a Tier-4 review queue.
    pub fn with_review_queue(mut self, review: Box<dyn ReviewQueue>) -> Self {
        self.review = Some(review);
        self
    }

    /// Evaluates a batch of traces on up to `workers` threads (Tier-3 calls wait on the
    /// network, so a batch overlaps them; the judge's own concurrency limit still holds).
    /// Results come back in the order of `jobs`.
    pub fn evaluate_batch(
        &self,
        jobs: Vec<(&dyn Domain, Trace)>,
        workers: usize,
    ) -> Vec<EvaluationResult> {
        self.evaluate_batch_keeping_traces(jobs, workers)
            .into_iter()
            .map(|(r, _)| r)
            .collect()
    }

    /// [`Orchestrator::evaluate_batch`], also returning each trace as Tier 0 left it.
    pub fn evaluate_batch_keeping_traces(
        &self,
        jobs: Vec<(&dyn Domain, Trace)>,
        workers: usize,
    ) -> Vec<(EvaluationResult, Option<Sanitized<Trace>>)> {
        let workers = workers.clamp(1, jobs.len().max(1));
        if workers == 1 {
            return jobs
                .into_iter()
                .map(|(d, t)| self.evaluate_keeping_trace(d, t))
                .collect();
        }
        let queue = std::sync::Mutex::new(jobs.into_iter().enumerate());
        type Done = (usize, (EvaluationResult, Option<Sanitized<Trace>>));
        let done: std::sync::Mutex<Vec<Done>> = std::sync::Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    loop {
                        let next = queue.lock().map(|mut q| q.next()).unwrap_or(None);
                        let Some((i, (d, t))) = next else { break };
                        let r = self.evaluate_keeping_trace(d, t);
                        if let Ok(mut done) = done.lock() {
                            done.push((i, r));
                        }
                    }
                });
            }
        });
        let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
        done.sort_by_key(|(i, _)| *i);
        done.into_iter().map(|(_, r)| r).collect()
    }

    /// Evaluates one trace against a domain.
    pub fn evaluate(&self, domain: &dyn Domain, trace: Trace) -> EvaluationResult {
        self.evaluate_keeping_trace(domain, trace).0
    }

    /// Evaluates one trace and also returns it as Tier 0 left it (`None` when it could not be
    /// sanitised), for a store that keeps the sanitised text with the result.
    pub fn evaluate_keeping_trace(
        &self,
        domain: &dyn Domain,
        trace: Trace,
    ) -> (EvaluationResult, Option<Sanitized<Trace>>) {
        let started = Instant::now();
        let info = domain.info();
        let mut result = new_result(info.name);

        // Tier 0: sanitise before anything else sees the text.
        let t0 = Instant::now();
        let (trace, outcome) = match (&self.sanitizer, &info.phi) {
            (Some(s), Some(settings)) => {
                let (trace, report) = Sanitized::sanitize(trace, s.as_ref(), settings);
                tracing::debug!(replaced = report.total(), "tier 0 sanitised the trace");
                (trace, TierOutcome::Completed)
            }
            (None, Some(_)) => {
                let why = "the domain requires PHI sanitising, but no Tier-0 sanitiser is installed: the trace was not evaluated";
                return (refused_at_tier0(result, why, t0, started), None);
            }
            (_, None) if info.phi_none_reason.is_some() => {
                (Sanitized::without_phi(trace), TierOutcome::Skipped)
            }
            (_, None) => {
                // Neither Tier-0 settings nor a declaration that there is no PHI: the trace is
                // not evaluated, so its raw text reaches no tier, log or store.
                let why = "the domain neither sanitises PHI nor declares that its traces carry none (`phi: { detect: none, reason }`): the trace was not evaluated";
                return (refused_at_tier0(result, why, t0, started), None);
            }
        };
        result
            .tiers
            .push(report(Tier::Sanitize, outcome, elapsed_ns(t0)));
        self.after_tier0(domain, trace, result, started)
    }

    /// Evaluates a trace that was sanitised earlier (read back from a store that keeps only
    /// sanitised text): Tier 0 is reported skipped, Tiers 1 to 4 run as usual. This is how a
    /// stored trace is replayed against today's domain.
    pub fn evaluate_sanitized(
        &self,
        domain: &dyn Domain,
        trace: Sanitized<Trace>,
    ) -> EvaluationResult {
        let started = Instant::now();
        let mut result = new_result(domain.info().name);
        result
            .tiers
            .push(report(Tier::Sanitize, TierOutcome::Skipped, 0));
        self.after_tier0(domain, trace, result, started).0
    }

    /// Tiers 1 to 4 on a sanitised trace; the trace is handed back, as Tier 0 left it, for a
    /// store that keeps it with the result.
    fn after_tier0(
        &self,
        domain: &dyn Domain,
        trace: Sanitized<Trace>,
        result: EvaluationResult,
        started: Instant,
    ) -> (EvaluationResult, Option<Sanitized<Trace>>) {
        // Tiers 1 to 3 read each keyed pseudonym as its class (`[NAME]`): what they decide
        // does not depend on the key.
        let done = self.tiers_after_0(domain, &trace.evaluation_view(), &trace, result, started);
        (done, Some(trace))
    }

    /// Tiers 1 to 4: `trace` is what Tiers 1 to 3 read (its evaluation view), `kept` what a
    /// person reviews (the trace as Tier 0 left it, pseudonyms and all).
    fn tiers_after_0(
        &self,
        domain: &dyn Domain,
        trace: &Sanitized<Trace>,
        kept: &Sanitized<Trace>,
        mut result: EvaluationResult,
        started: Instant,
    ) -> EvaluationResult {
        let info = domain.info();
        // Only now may the trace's id appear in a result: it has been through Tier 0.
        result.trace_id = trace.id.clone();

        // Tier 1: the domain's compiled rules.
        let t1 = Instant::now();
        let mut rules = domain.evaluate_rules(trace);
        // An RL episode: the RL evaluators run with the rules, at the spec's thresholds.
        if let Some(episode) = &trace.episode {
            let (modules, issues) = evaluate_episode(episode, &info.rl.unwrap_or_default());
            rules.modules.extend(modules);
            rules.issues.extend(issues);
        }
        let mut tier1 = report(Tier::Rules, TierOutcome::Completed, 0);
        tier1.modules = rules.modules;
        if let Some(error) = rules.data_error {
            tier1.outcome = TierOutcome::Decided {
                verdict: Verdict::Error,
            };
            tier1.latency_ns = elapsed_ns(t1);
            result.tiers.push(tier1);
            result.verdict = Verdict::Error;
            result.error = Some(error);
            return finish(result, started);
        }
        let policy = info.policy;
        result.issues = rules.issues;

        let worst = result.issues.iter().map(|i| i.severity).max();
        if worst.is_some_and(|w| w >= policy.fail_at) {
            tier1.outcome = TierOutcome::Decided {
                verdict: Verdict::Fail,
            };
            tier1.latency_ns = elapsed_ns(t1);
            result.tiers.push(tier1);
            result.verdict = Verdict::Fail;
            result.decided_by = Some(Tier::Rules);
            return finish(result, started);
        }
        // Every reason to go on, and the earliest tier any of them asks for.
        let mut requests: Vec<(Tier, String)> = rules
            .escalations
            .iter()
            .map(|r| (r.to, format!("rule `{}`: {}", r.rule, r.reason)))
            .collect();
        if let Some(threshold) = policy.uncertain_at
            && let Some(issue) = result.issues.iter().find(|i| i.severity >= threshold)
        {
            requests.push((
                Tier::Models,
                format!(
                    "`{}` raised a {} issue, below the fail threshold ({}): Tier 1 is not sure",
                    issue.validator, issue.severity, policy.fail_at
                ),
            ));
        }
        let escalate = requests.iter().map(|(t, _)| *t).min().map(|target| {
            let reasons: Vec<&str> = requests.iter().map(|(_, r)| r.as_str()).collect();
            (target, reasons.join("; "))
        });
        // A domain with its own models has them score every trace Tier 1 neither fails nor sends
        // straight to Tier 3 (as far as each model's `when` allows).
        let has_models = self.domain_models.iter().any(|(d, _)| *d == info.name);
        // Tier 1 is sure of the trace; it reaches Tier 2 only because the domain has models.
        let tier1_sure = escalate.is_none();
        let escalate = escalate.or_else(|| {
            has_models.then(|| {
                (
                    Tier::Models,
                    "Tier 1 is sure; the domain's Tier-2 models score every such trace".to_owned(),
                )
            })
        });
        let Some((target, reason)) = escalate else {
            tier1.outcome = TierOutcome::Decided {
                verdict: Verdict::Pass,
            };
            tier1.latency_ns = elapsed_ns(t1);
            result.tiers.push(tier1);
            result.verdict = Verdict::Pass;
            result.decided_by = Some(Tier::Rules);
            return finish(result, started);
        };
        tier1.outcome = TierOutcome::Escalated {
            to: target,
            reason: Cow::Owned(reason),
        };
        tier1.latency_ns = elapsed_ns(t1);
        result.tiers.push(tier1);

        // Tiers 2 to 4, from the requested one on, until one decides.
        for tier in [Tier::Models, Tier::Judge, Tier::Human] {
            if result.decided_by.is_some() || tier < target {
                result.tiers.push(report(tier, TierOutcome::Skipped, 0));
                continue;
            }
            let t = Instant::now();
            let decision = match tier {
                Tier::Models => self
                    .models_for(info.name)
                    .map(|m| m.evaluate(info, trace, &result.issues)),
                Tier::Judge => {
                    let unavailable = match &self.judge {
                        Some(j) => j.unavailable_for(info).map(Cow::Owned),
                        None => Some(Cow::Borrowed(NO_JUDGE)),
                    };
                    match (unavailable, &self.judge) {
                        (None, Some(j)) => Some(j.evaluate(info, trace, &result.issues)),
                        (why, _) => {
                            let reason = why.unwrap_or(Cow::Borrowed(NO_JUDGE));
                            result.tiers.push(report(
                                tier,
                                TierOutcome::Unavailable { reason },
                                elapsed_ns(t),
                            ));
                            continue;
                        }
                    }
                }
                _ => None,
            };
            let decision = match decision {
                // No model applies to a trace Tier 1 is sure of: it passes on Tier 1's word, as
                // in a domain without models. (Tier 1's doubts go on to Tier 3 instead.)
                Some(d) if tier == Tier::Models && d.abstained && tier1_sure => {
                    let mut tier2 = report(tier, TierOutcome::Completed, elapsed_ns(t));
                    tier2.modules = d.modules;
                    tier2.cost_usd = d.cost;
                    result.issues.extend(d.issues);
                    result.tiers.push(tier2);
                    result.verdict = Verdict::Pass;
                    result.decided_by = Some(Tier::Rules);
                    continue;
                }
                other => other,
            };
            let tier_report = match (tier, decision) {
                (Tier::Human, _) => match &self.review {
                    Some(queue) => {
                        let task = queue.enqueue(info, kept, &result.issues);
                        report(tier, TierOutcome::Escalated { to: Tier::Human, reason: Cow::Owned(format!("queued for expert review in {} as task {task}", queue.location())) }, elapsed_ns(t))
                    }
                    None => report(tier, TierOutcome::Unavailable { reason: "no review queue is configured; the trace needs a person to look at it".into() }, elapsed_ns(t)),
                },
                (_, Some(d)) => self.apply(&mut result, tier, d, t),
                (_, None) => report(tier, TierOutcome::Unavailable { reason: Cow::Owned(format!("{tier} is not available in this build; the trace goes on")) }, elapsed_ns(t)),
            };
            result.tiers.push(tier_report);
        }
        if result.decided_by.is_none() {
            result.verdict = Verdict::NeedsReview;
        }
        finish(result, started)
    }

    fn apply(
        &self,
        result: &mut EvaluationResult,
        tier: Tier,
        d: TierDecision,
        t: Instant,
    ) -> TierReport {
        result.issues.extend(d.issues);
        let outcome = match d.verdict {
            Some(verdict) => {
                result.verdict = verdict;
                result.decided_by = Some(tier);
                TierOutcome::Decided { verdict }
            }
            None => TierOutcome::Escalated {
                to: next_tier(tier),
                reason: Cow::Owned(d.reason),
            },
        };
        TierReport {
            tier,
            outcome,
            latency_ns: elapsed_ns(t),
            cost_usd: d.cost,
            modules: d.modules,
        }
    }
}

/// Runs the RL evaluators over one episode: a module result per evaluator and an issue per
/// finding.
fn evaluate_episode(
    episode: &aegis_core::Episode,
    rl: &aegis_core::RlSettings,
) -> (Vec<aegis_core::ModuleResult>, Vec<Issue>) {
    let shaping = aegis_rl::reward_shaping(
        episode,
        &aegis_rl::RewardShapingConfig {
            reward_range: rl.reward_range,
            outlier_z: rl.outlier_z,
            min_cycle_repeats: rl.min_cycle_repeats,
            ..aegis_rl::RewardShapingConfig::default()
        },
    );
    let safety = aegis_rl::safety(episode, rl.cost_budget, None);
    let mut found: Vec<(&'static str, Vec<aegis_rl::Finding>, Option<f64>)> = vec![
        ("rl.reward_shaping", shaping.findings, None),
        ("rl.safety", safety.findings, Some(safety.cost)),
    ];
    if !rl.state_bounds.is_empty() {
        let e = aegis_rl::exploration(
            episode,
            &aegis_rl::ExplorationConfig {
                bounds: rl.state_bounds.to_vec(),
                bins: rl.bins,
                min_coverage: rl.min_coverage,
            },
        );
        found.push(("rl.exploration", e.findings, Some(e.coverage)));
    }
    let mut modules = Vec::new();
    let mut issues = Vec::new();
    for (module, findings, score) in found {
        modules.push(aegis_core::ModuleResult {
            module: Cow::Borrowed(module),
            outcome: if findings.is_empty() {
                aegis_core::ModuleOutcome::Passed
            } else {
                aegis_core::ModuleOutcome::Failed
            },
            issues: findings.len(),
            score,
            scores: Vec::new(),
            call: None,
            weights: None,
        });
        issues.extend(findings.into_iter().map(|f| Issue {
            validator: format!("rl.{}", f.kind),
            tier: Tier::Rules,
            severity: f.severity,
            message: f.message,
            evidence: Vec::new(),
        }));
    }
    (modules, issues)
}

/// Why Tier 3 is unavailable when no judge is installed.
const NO_JUDGE: &str = "no LLM provider is configured (set [judge] in aegis.toml or AEGIS_JUDGE_PROVIDER); the trace goes on to expert review";

/// A result before any tier has run: `needs_review` until one decides.
fn new_result(domain: &str) -> EvaluationResult {
    EvaluationResult {
        trace_id: None,
        line: None,
        domain: Some(domain.to_owned()),
        verdict: Verdict::NeedsReview,
        decided_by: None,
        issues: Vec::new(),
        tiers: Vec::with_capacity(5),
        cost_usd: UsdCost::ZERO,
        latency_ns: 0,
        error: None,
    }
}

/// The result of a trace Tier 0 refused to pass on (its raw text goes no further).
fn refused_at_tier0(
    mut result: EvaluationResult,
    why: &str,
    t0: Instant,
    started: Instant,
) -> EvaluationResult {
    result.tiers.push(report(
        Tier::Sanitize,
        TierOutcome::Decided {
            verdict: Verdict::Error,
        },
        elapsed_ns(t0),
    ));
    result.verdict = Verdict::Error;
    result.decided_by = Some(Tier::Sanitize);
    result.error = Some(why.to_owned());
    finish(result, started)
}

fn next_tier(t: Tier) -> Tier {
    Tier::from_number(t.number() + 1).unwrap_or(Tier::Human)
}

fn finish(mut result: EvaluationResult, started: Instant) -> EvaluationResult {
    // Every tier appears in every result: those after the deciding one as skipped.
    for tier in Tier::ALL {
        if !result.tiers.iter().any(|t| t.tier == tier) {
            result.tiers.push(report(tier, TierOutcome::Skipped, 0));
        }
    }
    result
        .issues
        .sort_by_key(|i: &Issue| std::cmp::Reverse(i.severity));
    result.cost_usd = result
        .tiers
        .iter()
        .fold(UsdCost::ZERO, |sum, t| sum + t.cost_usd);
    result.latency_ns = elapsed_ns(started);
    result
}
