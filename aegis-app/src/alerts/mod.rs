//! Alerts: rules from each domain's spec and from the server's configuration, evaluated on the
//! results a service stores and, periodically, over windows of them; each alert and its
//! notifications written to the organisation's store in one transaction (the outbox), and
//! delivered from there with retries, so that a restart loses none.
//!
//! An alert is one per rule and group (a validator, an application, or the domain): while it
//! fires, further matches are counted in it, not sent again. It resolves itself once its
//! condition has not held for the rule's cooldown, and a `resolve` notification follows the
//! `trigger` on every channel that had it.
//!
//! Delivery is at least once: a notification keeps its id on every attempt (`webhook-id`,
//! PagerDuty's `dedup_key`), so that a receiver can drop one it already had should a process die
//! between a receiver's answer and its record. Attempts back off exponentially with jitter,
//! honour `Retry-After`, and stop after the configured number; `410 Gone` turns the channel off.

pub mod config;
pub(crate) mod deliver;

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use aegis_core::{AlertCondition, AlertGroup, AlertRule, Domain, EvaluationResult, Tier, Verdict};
use aegis_store::{AlertFiring, AlertRow, AttemptResult, AttemptRow, SqliteStore};

pub use config::{AlertConfig, Channel, ChannelKind, EmailSettings, SmtpSecurity};
pub use deliver::standard_webhooks_signature;

use crate::AppError;
use crate::service::lock;

/// The alert rules of a service's domains and the channels their alerts go to.
#[derive(Debug)]
pub struct Alerts {
    config: AlertConfig,
    /// Every rule, by domain: the spec's, then the configuration's.
    rules: BTreeMap<String, Vec<AlertRule>>,
    /// When each channel last sent, for its rate limit.
    last_sent: Mutex<HashMap<String, Instant>>,
    /// When each organisation's windowed rules were last looked at.
    last_look: Mutex<HashMap<String, Instant>>,
}

/// What one [`Service::alerts_pass`](crate::service::Service::alerts_pass) did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct AlertsPass {
    /// Alerts that fired (windowed rules).
    pub fired: usize,
    /// Alerts that resolved.
    pub resolved: usize,
    /// Notifications delivered.
    pub delivered: usize,
    /// Notifications that failed an attempt and will be tried again.
    pub retrying: usize,
    /// Notifications given up.
    pub failed: usize,
    /// Notifications held back by their channel's rate limit.
    pub postponed: usize,
}

/// An alert, its notifications and every delivery attempt.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AlertDetail {
    /// The alert.
    pub alert: AlertRow,
    /// Its notifications, one per channel and event.
    pub notifications: Vec<aegis_store::DeliveryRow>,
    /// Every attempt to deliver them, in order.
    pub attempts: Vec<AttemptRow>,
}

/// An alert a per-result rule raises ([`Alerts::raised`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Raised {
    /// The rule's place among its domain's rules.
    rule: usize,
    /// The alert.
    alert: AlertFiring,
}

/// What a store needs to evaluate one result against the rules: the result and the
/// application its trace named.
pub struct StoredResult<'a> {
    /// The result.
    pub result: &'a EvaluationResult,
    /// The trace's `metadata.application`.
    pub application: Option<&'a str>,
}

impl AlertConfig {
    /// Reads the `[alerts]` section of `file` (when given; a missing file is an error), else
    /// of `$AEGIS_CONFIG`, else of `./aegis.toml` when it exists; secrets from the environment.
    pub fn load(file: Option<&std::path::Path>) -> Result<AlertConfig, AppError> {
        let env: BTreeMap<String, String> = std::env::vars().collect();
        let named = file
            .map(std::path::Path::to_path_buf)
            .or_else(|| env.get("AEGIS_CONFIG").map(std::path::PathBuf::from));
        let (text, source) = match named {
            Some(p) => (
                std::fs::read_to_string(&p).map_err(|source| AppError::Io {
                    context: format!("cannot read {}", p.display()),
                    source,
                })?,
                p,
            ),
            None => {
                let p = std::path::PathBuf::from("aegis.toml");
                match std::fs::read_to_string(&p) {
                    Ok(t) => (t, p),
                    Err(_) => (String::new(), p),
                }
            }
        };
        AlertConfig::from_toml(&text, &source.display().to_string(), &env)
    }
}

impl Alerts {
    /// The rules of `domains` (their specs' `alerts`) and of `config`, whose rules must name a
    /// domain served here and, for `validator` rules, one of its validators, models or judges;
    /// a rule's `notify` must name configured channels.
    pub fn new(config: AlertConfig, domains: &[&'static dyn Domain]) -> Result<Alerts, AppError> {
        let mut rules: BTreeMap<String, Vec<AlertRule>> = BTreeMap::new();
        for d in domains {
            let info = d.info();
            rules
                .entry(info.name.to_owned())
                .or_default()
                .extend(info.alerts.iter().cloned());
        }
        for (domain, extra) in &config.rules {
            let Some(d) = domains.iter().find(|d| d.info().name == domain) else {
                return Err(AppError::Config(format!(
                    "[alerts] rules name the domain `{domain}`, which this server does not serve"
                )));
            };
            let info = d.info();
            for r in extra {
                if let AlertCondition::Validator { id } = &r.condition {
                    let known = info.validators.iter().any(|v| v.id == id.as_ref())
                        || info.models.iter().any(|m| m.id == id.as_ref())
                        || info.judges.iter().any(|j| j.id == id.as_ref());
                    if !known {
                        return Err(AppError::Config(format!(
                            "[alerts] rule `{}` of `{domain}`: `{id}` is no validator, model or judge of the domain",
                            r.id
                        )));
                    }
                }
                if rules
                    .get(domain.as_str())
                    .is_some_and(|l| l.iter().any(|o| o.id == r.id))
                {
                    return Err(AppError::Config(format!(
                        "[alerts] rule `{}` of `{domain}`: the domain's spec has a rule of that name",
                        r.id
                    )));
                }
                rules.entry(domain.clone()).or_default().push(r.clone());
            }
        }
        for list in rules.values() {
            for r in list {
                if let Some(n) = r
                    .notify
                    .iter()
                    .find(|n| !config.channels.iter().any(|c| c.name == n.as_ref()))
                    && !config.channels.is_empty()
                {
                    return Err(AppError::Config(format!(
                        "alert rule `{}` notifies `{n}`, which is no channel of [alerts]",
                        r.id
                    )));
                }
            }
        }
        Ok(Alerts {
            config,
            rules,
            last_sent: Mutex::new(HashMap::new()),
            last_look: Mutex::new(HashMap::new()),
        })
    }

    /// Every rule, by domain.
    pub fn rules(&self) -> &BTreeMap<String, Vec<AlertRule>> {
        &self.rules
    }

    /// The configuration.
    pub fn config(&self) -> &AlertConfig {
        &self.config
    }

    /// The channels an alert of `rule` for organisation `org` (its id and name) goes to.
    fn channels_for(&self, rule: &AlertRule, org: (&str, &str)) -> Vec<String> {
        self.config
            .channels
            .iter()
            .filter(|c| c.orgs.is_empty() || c.orgs.iter().any(|o| o == org.0 || o == org.1))
            .filter(|c| {
                if rule.notify.is_empty() {
                    c.severities.contains(&rule.severity)
                } else {
                    rule.notify.iter().any(|n| n.as_ref() == c.name)
                }
            })
            .map(|c| c.name.clone())
            .collect()
    }

    /// The alerts the per-result rules raise for `results`: one per rule and group, counting
    /// its matches, so that a flood of matching results is one write, not one per result.
    /// Empty when no rule matches (the usual case: nothing is read or written then).
    pub fn raised(&self, results: &[StoredResult<'_>]) -> Vec<Raised> {
        let mut raised: Vec<Raised> = Vec::new();
        for r in results {
            let Some(domain) = r.result.domain.as_deref() else {
                continue;
            };
            let Some(rules) = self.rules.get(domain) else {
                continue;
            };
            for (index, rule) in rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.condition.per_result())
            {
                for (group_key, summary) in matches(rule, r, domain) {
                    if let Some(a) = raised.iter_mut().find(|a| {
                        a.rule == index
                            && a.alert.domain == domain
                            && a.alert.group_key == group_key
                    }) {
                        a.alert.matches += 1;
                        continue;
                    }
                    raised.push(Raised {
                        rule: index,
                        alert: AlertFiring {
                            rule: rule.id.to_string(),
                            domain: domain.to_owned(),
                            group_key,
                            severity: rule.severity.as_str().to_owned(),
                            summary,
                            value: None,
                            matches: 1,
                        },
                    });
                }
            }
        }
        raised
    }

    /// Writes `raised` to `store`, the store of organisation `org` (its id and name), each new
    /// alert with its notifications. Returns how many alerts are new.
    pub fn raise(
        &self,
        org: (&str, &str),
        store: &mut SqliteStore,
        raised: &[Raised],
        now_ms: i64,
    ) -> Result<usize, AppError> {
        let mut fired = 0;
        for r in raised {
            let Some(rule) = self.rules.get(&r.alert.domain).and_then(|l| l.get(r.rule)) else {
                continue;
            };
            let (_, new) = store.raise_alert(&r.alert, &self.channels_for(rule, org), now_ms)?;
            fired += usize::from(new);
        }
        Ok(fired)
    }

    /// Looks at the windowed rules of organisation `org` (at most every `look_every`; always
    /// when `force`) and resolves alerts whose condition has not held for their cooldown.
    /// The windows are measured on `reader` (the query connection: no write waits for them);
    /// `writer` is taken only to raise or resolve. Returns how many alerts fired and resolved.
    pub fn look(
        &self,
        org: (&str, &str),
        reader: &std::sync::Mutex<SqliteStore>,
        writer: &std::sync::Mutex<SqliteStore>,
        now_ms: i64,
        force: bool,
    ) -> Result<(usize, usize), AppError> {
        {
            let mut looks = lock(&self.last_look);
            let due = looks
                .get(org.0)
                .is_none_or(|t| t.elapsed() >= self.config.look_every.max(Duration::from_secs(1)));
            if !due && !force {
                return Ok((0, 0));
            }
            looks.insert(org.0.to_owned(), Instant::now());
        }
        // Read: what holds now, and what is firing.
        let mut holding: Vec<(&AlertRule, AlertFiring)> = Vec::new();
        let firing = {
            let store = lock(reader);
            for (domain, rules) in &self.rules {
                for rule in rules.iter().filter(|r| !r.condition.per_result()) {
                    if let Some((value, summary)) = window_holds(rule, domain, &store, now_ms)? {
                        holding.push((
                            rule,
                            AlertFiring {
                                rule: rule.id.to_string(),
                                domain: domain.clone(),
                                group_key: domain.clone(),
                                severity: rule.severity.as_str().to_owned(),
                                summary,
                                value: Some(value),
                                matches: 1,
                            },
                        ));
                    }
                }
            }
            store.firing_alerts()?
        };
        // What to resolve: quiet for their cooldown, or of a rule no longer configured.
        let mut resolve: Vec<(i64, Vec<String>)> = Vec::new();
        for a in &firing {
            let Some(rule) = self
                .rules
                .get(&a.domain)
                .and_then(|l| l.iter().find(|r| r.id == a.rule.as_str()))
            else {
                resolve.push((a.id, Vec::new()));
                continue;
            };
            if holding
                .iter()
                .any(|(_, h)| h.rule == a.rule && h.domain == a.domain)
            {
                continue;
            }
            let quiet_ms =
                i64::try_from(rule.cooldown_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
            if now_ms.saturating_sub(a.last_matched_at_ms) >= quiet_ms {
                resolve.push((a.id, self.channels_for(rule, org)));
            }
        }
        if holding.is_empty() && resolve.is_empty() {
            return Ok((0, 0));
        }
        // Write.
        let mut store = lock(writer);
        let mut fired = 0;
        for (rule, alert) in &holding {
            let (_, new) = store.raise_alert(alert, &self.channels_for(rule, org), now_ms)?;
            fired += usize::from(new);
        }
        let mut resolved = 0;
        for (id, channels) in resolve {
            resolved += usize::from(store.resolve_alert(id, &channels, now_ms)?);
        }
        Ok((fired, resolved))
    }

    /// Sends notification `d` of alert `a` (organisation `org`) if its channel's rate limit
    /// allows now, and says what follows: `None` when it was not sent (rate-limited).
    pub(crate) fn send_one(
        &self,
        org: (&str, &str),
        d: &aegis_store::DeliveryRow,
        a: &AlertRow,
        now_ms: i64,
    ) -> Option<(AttemptRow, AttemptResult, bool)> {
        let Some(channel) = self.config.channels.iter().find(|c| c.name == d.channel) else {
            let attempt = AttemptRow {
                delivery_id: d.id,
                at_ms: now_ms,
                status: None,
                outcome: "the channel is no longer configured".to_owned(),
            };
            return Some((attempt, AttemptResult::Failed, false));
        };
        {
            let mut sent = lock(&self.last_sent);
            if let Some(t) = sent.get(&channel.name)
                && t.elapsed() < channel.min_interval
            {
                return None;
            }
            sent.insert(channel.name.clone(), Instant::now());
        }
        let answer = deliver::deliver(
            channel,
            org.1,
            d,
            a,
            &self.config.allow_networks,
            now_ms / 1000,
        );
        let attempts = u32::try_from(d.attempts)
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        let (status, outcome, then, gone) = match answer {
            deliver::Answer::Delivered(s) => (
                Some(s),
                format!("delivered: {s}"),
                AttemptResult::Delivered,
                false,
            ),
            deliver::Answer::Gone => (
                Some(410),
                "the receiver answered 410 Gone: the channel is turned off".to_owned(),
                AttemptResult::Failed,
                true,
            ),
            deliver::Answer::Refused { status, why } => (status, why, AttemptResult::Failed, false),
            deliver::Answer::Retry { status, after, why } => {
                if attempts >= self.config.max_attempts {
                    (
                        status,
                        format!("{why}; gave up after {attempts} attempts"),
                        AttemptResult::Failed,
                        false,
                    )
                } else {
                    let wait = backoff(attempts, after, d.id);
                    let at_ms =
                        now_ms.saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX));
                    (status, why, AttemptResult::Retry { at_ms }, false)
                }
            }
        };
        let attempt = AttemptRow {
            delivery_id: d.id,
            at_ms: now_ms,
            status: status.map(i64::from),
            outcome,
        };
        Some((attempt, then, gone))
    }
}

/// The wait before attempt `attempts + 1`: 2 s doubled per attempt, at most 10 minutes, ±20 %
/// jitter (so that notifications failing together do not come back together), and at least
/// what the receiver asked (`Retry-After`, at most an hour).
fn backoff(attempts: u32, retry_after: Option<Duration>, salt: i64) -> Duration {
    let base = Duration::from_secs(2)
        .saturating_mul(1u32 << attempts.saturating_sub(1).min(16))
        .min(Duration::from_secs(600));
    // Jitter from the clock and the notification: no randomness source needed.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mix = (u64::from(nanos) ^ (salt as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)) % 401;
    let factor = 0.8 + mix as f64 / 1000.0;
    let jittered = base.mul_f64(factor);
    match retry_after {
        Some(a) => jittered.max(a.min(Duration::from_secs(3600))),
        None => jittered,
    }
}

/// What a per-result rule makes of a result: for each group it matches, the group's key and a
/// sentence (sanitised text only: issue messages come from the sanitised trace).
fn matches(rule: &AlertRule, r: &StoredResult<'_>, domain: &str) -> Vec<(String, String)> {
    let res = r.result;
    let found: Vec<&aegis_core::Issue> = match &rule.condition {
        AlertCondition::Issue { at_least } => res
            .issues
            .iter()
            .filter(|i| i.severity >= *at_least)
            .collect(),
        AlertCondition::Validator { id } => res
            .issues
            .iter()
            .filter(|i| i.validator == id.as_ref())
            .collect(),
        AlertCondition::JudgeFail
            if res.decided_by == Some(Tier::Judge) && res.verdict == Verdict::Fail =>
        {
            res.issues.iter().take(1).collect()
        }
        _ => return Vec::new(),
    };
    let judge_failed = matches!(rule.condition, AlertCondition::JudgeFail);
    if found.is_empty() && !judge_failed {
        return Vec::new();
    }
    let trace = res.trace_id.as_deref().unwrap_or("(no id)");
    let sentence = |i: Option<&aegis_core::Issue>| match i {
        Some(i) => format!(
            "{}: {} (trace {trace}, {}).",
            i.validator,
            i.message.trim_end_matches('.'),
            i.severity.as_str()
        ),
        None => format!("The Tier-3 judge failed trace {trace}."),
    };
    let mut out: Vec<(String, String)> = Vec::new();
    let key = |i: Option<&aegis_core::Issue>| match rule.group_by {
        AlertGroup::Domain => domain.to_owned(),
        AlertGroup::Validator => i.map_or_else(|| "judge".to_owned(), |i| i.validator.clone()),
        AlertGroup::Application => r.application.unwrap_or("(no application)").to_owned(),
    };
    if found.is_empty() {
        out.push((key(None), sentence(None)));
    }
    for i in found {
        let k = key(Some(i));
        if !out.iter().any(|(o, _)| *o == k) {
            out.push((k, sentence(Some(i))));
        }
    }
    out
}

/// Whether a windowed rule holds for `domain` at `now_ms`: its measured value and a sentence.
fn window_holds(
    rule: &AlertRule,
    domain: &str,
    store: &SqliteStore,
    now_ms: i64,
) -> Result<Option<(f64, String)>, AppError> {
    let secs_ms = |s: u64| i64::try_from(s.saturating_mul(1000)).unwrap_or(i64::MAX);
    Ok(match &rule.condition {
        AlertCondition::FailRate {
            above,
            window_secs,
            min_results,
        } => {
            let (n, failed) = store.results_since(domain, now_ms - secs_ms(*window_secs))?;
            let rate = if n == 0 { 0.0 } else { failed as f64 / n as f64 };
            (n >= *min_results && rate > *above).then(|| {
                (
                    rate,
                    format!(
                        "{failed} of {n} {domain} results failed ({:.1} %) in the last {}, above {:.1} %.",
                        rate * 100.0,
                        human(*window_secs),
                        above * 100.0
                    ),
                )
            })
        }
        AlertCondition::P95Latency {
            above_ms,
            window_secs,
        } => store
            .p95_latency_since(domain, now_ms - secs_ms(*window_secs))?
            .map(|ns| ns as f64 / 1e6)
            .filter(|ms| *ms > *above_ms as f64)
            .map(|ms| {
                (
                    ms,
                    format!(
                        "The 95th percentile of {domain} evaluation latency is {ms:.0} ms over the last {}, above {above_ms} ms.",
                        human(*window_secs)
                    ),
                )
            }),
        AlertCondition::JudgeSpendPerDay { above_usd } => {
            let midnight = now_ms - now_ms.rem_euclid(86_400_000);
            let usd = store.cost_since(domain, midnight)? as f64 / 1e12;
            (usd > *above_usd).then(|| {
                (
                    usd,
                    format!(
                        "The {domain} judge has cost ${usd:.2} since midnight UTC, above the ${above_usd:.2} budget."
                    ),
                )
            })
        }
        AlertCondition::QueueAge { above_secs } => {
            let depth = store.queue_depth()?;
            depth
                .oldest_enqueued_at_ms
                .map(|t| (now_ms - t).max(0) / 1000)
                .filter(|age| *age as u64 > *above_secs)
                .map(|age| {
                    (
                        age as f64,
                        format!(
                            "The oldest queued trace has waited {} ({} waiting), above {}.",
                            human(age as u64),
                            depth.pending + depth.claimed,
                            human(*above_secs)
                        ),
                    )
                })
        }
        AlertCondition::Silent { for_secs } => store
            .last_result_at(domain)?
            .map(|t| (now_ms - t).max(0) / 1000)
            .filter(|quiet| *quiet as u64 > *for_secs)
            .map(|quiet| {
                (
                    quiet as f64,
                    format!(
                        "No {domain} result has been stored for {}.",
                        human(quiet as u64)
                    ),
                )
            }),
        _ => None,
    })
}

/// `600` as `10m`.
fn human(secs: u64) -> String {
    match secs {
        s if s >= 86_400 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s >= 3600 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s >= 60 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_honours_retry_after() {
        for attempt in 1..=12 {
            let base = Duration::from_secs(2)
                .saturating_mul(1 << (attempt - 1))
                .min(Duration::from_secs(600));
            let wait = backoff(attempt, None, i64::from(attempt));
            assert!(
                wait >= base.mul_f64(0.8) && wait <= base.mul_f64(1.2),
                "{attempt}: {wait:?}"
            );
        }
        // A receiver's Retry-After is a floor (capped at an hour).
        assert!(backoff(1, Some(Duration::from_secs(30)), 1) >= Duration::from_secs(30));
        assert!(backoff(1, Some(Duration::from_secs(86_400)), 1) <= Duration::from_secs(3600));
    }
}
