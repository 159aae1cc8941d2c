//! Alert rules: what a domain's spec (its `alerts` section) or a server's configuration asks to
//! be told about. The types are data, the same whether generated code holds them as statics
//! or a configuration file was read into them; the service evaluates them
//! (`aegis_app::alerts`).

use std::borrow::Cow;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::Severity;

/// An alert rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRule {
    /// Its name, unique in its domain (or in the configuration).
    pub id: Cow<'static, str>,
    /// A sentence for whoever receives it.
    pub description: Cow<'static, str>,
    /// When it fires.
    pub condition: AlertCondition,
    /// How urgent it is.
    pub severity: AlertSeverity,
    /// What one alert of the rule stands for: findings with the same key are counted in the
    /// alert already firing, not sent again.
    pub group_by: AlertGroup,
    /// After an alert of a per-result rule last matched, how long until it resolves itself;
    /// and, for every rule, how long after an alert resolved before the same group may fire
    /// again with a new notification.
    pub cooldown_secs: u64,
    /// The channels it goes to, by name; empty: every channel that takes its severity.
    pub notify: Cow<'static, [Cow<'static, str>]>,
}

impl AlertRule {
    /// The cooldown.
    pub fn cooldown(&self) -> Duration {
        Duration::from_secs(self.cooldown_secs)
    }
}

/// When an alert fires: on a result, or over a window of results and the service's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertCondition {
    /// A result with an issue at or above this severity.
    Issue {
        /// The lowest severity that fires.
        at_least: Severity,
    },
    /// A result in which this validator (a Tier-1 validator, a Tier-2 model or a Tier-3
    /// judge) found something.
    Validator {
        /// Its id.
        id: Cow<'static, str>,
    },
    /// A result the Tier-3 judge failed.
    JudgeFail,
    /// The share of the domain's results that failed, over a window, above a bound.
    FailRate {
        /// The bound, from 0 to 1.
        above: f64,
        /// The window, in seconds.
        window_secs: u64,
        /// Fewer results than this in the window never fire (a rate of one in two is noise).
        min_results: u64,
    },
    /// The 95th percentile of the domain's evaluation latency, over a window, above a bound.
    P95Latency {
        /// The bound, in milliseconds.
        above_ms: u64,
        /// The window, in seconds.
        window_secs: u64,
    },
    /// What the Tier-3 judge cost the organisation since midnight UTC, above a budget.
    JudgeSpendPerDay {
        /// The budget, in US dollars.
        above_usd: f64,
    },
    /// The oldest trace waiting in the queue is older than this.
    QueueAge {
        /// Seconds.
        above_secs: u64,
    },
    /// The domain has stored no result for this long (after it had stored one).
    Silent {
        /// Seconds.
        for_secs: u64,
    },
}

impl AlertCondition {
    /// Whether the condition is read from each result as it is stored (the others are looked
    /// at periodically, over a window).
    pub fn per_result(&self) -> bool {
        matches!(
            self,
            AlertCondition::Issue { .. }
                | AlertCondition::Validator { .. }
                | AlertCondition::JudgeFail
        )
    }

    /// The condition's kind as written in specs: `issue`, `fail_rate`, ….
    pub fn kind(&self) -> &'static str {
        match self {
            AlertCondition::Issue { .. } => "issue",
            AlertCondition::Validator { .. } => "validator",
            AlertCondition::JudgeFail => "judge_fail",
            AlertCondition::FailRate { .. } => "fail_rate",
            AlertCondition::P95Latency { .. } => "p95_latency",
            AlertCondition::JudgeSpendPerDay { .. } => "judge_spend_per_day",
            AlertCondition::QueueAge { .. } => "queue_age",
            AlertCondition::Silent { .. } => "silent",
        }
    }
}

/// How urgent an alert is: PagerDuty's four levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertSeverity {
    /// For the record.
    Info,
    /// Someone should look today.
    Warning,
    /// Something is wrong.
    Error,
    /// Someone should look now.
    Critical,
}

impl AlertSeverity {
    /// Every severity, lowest first.
    pub const ALL: [AlertSeverity; 4] = [
        AlertSeverity::Info,
        AlertSeverity::Warning,
        AlertSeverity::Error,
        AlertSeverity::Critical,
    ];

    /// Its name as written in specs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertSeverity::Info => "info",
            AlertSeverity::Warning => "warning",
            AlertSeverity::Error => "error",
            AlertSeverity::Critical => "critical",
        }
    }

    /// The severity named `s`.
    pub fn parse(s: &str) -> Option<AlertSeverity> {
        AlertSeverity::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// What one alert of a rule stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertGroup {
    /// One alert for the domain (the default).
    Domain,
    /// One per validator that found something (per-result rules).
    Validator,
    /// One per application named in the traces' metadata (per-result rules).
    Application,
}

impl AlertGroup {
    /// Every grouping.
    pub const ALL: [AlertGroup; 3] = [
        AlertGroup::Domain,
        AlertGroup::Validator,
        AlertGroup::Application,
    ];

    /// Its name as written in specs.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertGroup::Domain => "domain",
            AlertGroup::Validator => "validator",
            AlertGroup::Application => "application",
        }
    }

    /// The grouping named `s`.
    pub fn parse(s: &str) -> Option<AlertGroup> {
        AlertGroup::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The longest duration a rule may name: 30 days.
pub const MAX_ALERT_DURATION: Duration = Duration::from_secs(30 * 24 * 3600);

/// Reads a duration as specs write it: a whole number and a unit, `500ms`, `30s`, `10m`, `2h`,
/// `1d`; from a millisecond to 30 days.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| "a duration needs a unit: ms, s, m, h or d (as in `10m`)".to_owned())?;
    let (n, unit) = s.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| "a duration is a whole number and a unit, as in `10m`".to_owned())?;
    let millis = match unit.trim() {
        "ms" => Some(n),
        "s" => n.checked_mul(1000),
        "m" => n.checked_mul(60_000),
        "h" => n.checked_mul(3_600_000),
        "d" => n.checked_mul(86_400_000),
        _ => return Err("a duration's unit is ms, s, m, h or d (as in `10m`)".to_owned()),
    };
    let d = Duration::from_millis(millis.unwrap_or(u64::MAX));
    if d.is_zero() || d > MAX_ALERT_DURATION {
        return Err("a duration must be from 1ms to 30d".to_owned());
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_written() {
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1d"), Ok(Duration::from_secs(86_400)));
        assert!(parse_duration("10").is_err());
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("31d").is_err());
        assert!(parse_duration("5 weeks").is_err());
        assert!(parse_duration("99999999999999999999h").is_err());
    }
}
