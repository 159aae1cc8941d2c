//! The `alerts` section: rules the service evaluates on each result it stores, or over a window,
//! and sends to the channels the server's configuration names.

use std::borrow::Cow;
use std::collections::BTreeMap;

use aegis_core::alert::parse_duration;
use aegis_core::{AlertCondition, AlertGroup, AlertRule};
use proc_macro2::TokenStream;
use quote::quote;

use crate::error::Position;
use crate::load::Builder;
use crate::spec::*;

/// The default cooldown: 15 minutes.
const DEFAULT_COOLDOWN_SECS: u64 = 15 * 60;
/// Fewer results than this in a window never fire a fail-rate rule, unless the spec says.
const DEFAULT_MIN_RESULTS: u64 = 20;

impl Builder<'_> {
    /// Checks the `alerts` section against the spec's validators, models and judges.
    pub(crate) fn alerts(&mut self, spec: &DomainSpec) -> Vec<AlertRule> {
        let mut ids: BTreeMap<String, Position> = BTreeMap::new();
        let finders: Vec<&str> = spec
            .tier1
            .iter()
            .map(|v| v.id.value.as_str())
            .chain(spec.tier2.iter().map(|m| m.id.value.as_str()))
            .chain(spec.tier3.iter().map(|j| j.id.value.as_str()))
            .collect();
        let mut rules = Vec::new();
        for a in &spec.alerts {
            if !self.new_id(&mut ids, &a.id, "alert") {
                continue;
            }
            let condition = self.alert_condition(a, spec, &finders);
            let cooldown = match &a.cooldown {
                None => Some(DEFAULT_COOLDOWN_SECS),
                Some(c) => self.duration(c, "`cooldown`").map(|d| d.as_secs().max(1)),
            };
            let group_by = match a.group_by.as_ref().map(|g| (g.value, g.position)) {
                None | Some((AlertGroupName::Domain, _)) => Some(AlertGroup::Domain),
                Some((g, at)) => {
                    let group = match g {
                        AlertGroupName::Validator => AlertGroup::Validator,
                        _ => AlertGroup::Application,
                    };
                    if condition.as_ref().is_some_and(|c| !c.per_result()) {
                        self.error(
                            at,
                            format!(
                                "`group_by: {}` groups the alerts of a rule read from each result (`issue`, `validator`, `judge`); a rule over a window is one alert for its domain",
                                group.as_str()
                            ),
                        );
                        None
                    } else {
                        Some(group)
                    }
                }
            };
            let mut notify = Vec::new();
            for n in &a.notify {
                if channel_name_ok(&n.value) {
                    notify.push(Cow::Owned(n.value.clone()));
                } else {
                    self.error(
                        n.position,
                        format!(
                            "`{}` is not a channel name: lowercase letters, digits, `-` and `_`, starting with a letter or digit",
                            n.value
                        ),
                    );
                }
            }
            let severity = match a.severity.as_ref().map(|s| s.value) {
                None | Some(AlertSeverity::Warning) => aegis_core::AlertSeverity::Warning,
                Some(AlertSeverity::Info) => aegis_core::AlertSeverity::Info,
                Some(AlertSeverity::Error) => aegis_core::AlertSeverity::Error,
                Some(AlertSeverity::Critical) => aegis_core::AlertSeverity::Critical,
            };
            if let (Some(condition), Some(cooldown_secs), Some(group_by)) =
                (condition, cooldown, group_by)
                && notify.len() == a.notify.len()
            {
                rules.push(AlertRule {
                    id: Cow::Owned(a.id.value.clone()),
                    description: Cow::Owned(a.description.trim().to_owned()),
                    condition,
                    severity,
                    group_by,
                    cooldown_secs,
                    notify: Cow::Owned(notify),
                });
            }
        }
        rules
    }

    fn alert_condition(
        &mut self,
        a: &AlertSpec,
        spec: &DomainSpec,
        finders: &[&str],
    ) -> Option<AlertCondition> {
        Some(match &a.when.value {
            AlertWhenSpec::Issue(s) => AlertCondition::Issue {
                at_least: s.value.severity(),
            },
            AlertWhenSpec::Validator(v) => {
                if !finders.contains(&v.value.as_str()) {
                    let known = if finders.is_empty() {
                        "the spec declares none".to_owned()
                    } else {
                        format!("one of {}", finders.join(", "))
                    };
                    self.error(
                        v.position,
                        format!(
                            "`{}` is no validator, tier2 model or tier3 judge of this spec ({known})",
                            v.value
                        ),
                    );
                    return None;
                }
                AlertCondition::Validator {
                    id: Cow::Owned(v.value.clone()),
                }
            }
            AlertWhenSpec::Judge(j) => {
                if spec.tier3.is_empty() {
                    self.error(
                        j.position,
                        "`judge: fail` needs a Tier-3 judge, and the spec declares none (`tier3`)",
                    );
                    return None;
                }
                AlertCondition::JudgeFail
            }
            AlertWhenSpec::FailRate(r) => {
                let above = r.above.value;
                if !(above.is_finite() && above > 0.0 && above < 1.0) {
                    self.error(
                        r.above.position,
                        "`above` is a share of results between 0 and 1 (`0.05` is 5 %)",
                    );
                }
                let over = self.duration(&r.over, "`over`");
                let min_results = r.min_results.as_ref().map_or(DEFAULT_MIN_RESULTS, |m| {
                    if m.value == 0 {
                        self.error(m.position, "`min_results` must be 1 or more");
                    }
                    m.value
                });
                if !(above.is_finite() && above > 0.0 && above < 1.0) || min_results == 0 {
                    return None;
                }
                AlertCondition::FailRate {
                    above,
                    window_secs: over?.as_secs().max(1),
                    min_results,
                }
            }
            AlertWhenSpec::P95Latency(l) => {
                let above = self.duration(&l.above, "`above`");
                let over = self.duration(&l.over, "`over`");
                AlertCondition::P95Latency {
                    above_ms: u64::try_from(above?.as_millis()).unwrap_or(u64::MAX),
                    window_secs: over?.as_secs().max(1),
                }
            }
            AlertWhenSpec::JudgeSpendPerDay(usd) => {
                if !(usd.value.is_finite() && usd.value > 0.0 && usd.value < 1e9) {
                    self.error(
                        usd.position,
                        "`judge_spend_per_day` is a budget in US dollars, above 0",
                    );
                    return None;
                }
                AlertCondition::JudgeSpendPerDay {
                    above_usd: usd.value,
                }
            }
            AlertWhenSpec::QueueAge(d) => AlertCondition::QueueAge {
                above_secs: self.duration(d, "`queue_age`")?.as_secs().max(1),
            },
            AlertWhenSpec::Silent(d) => AlertCondition::Silent {
                for_secs: self.duration(d, "`silent`")?.as_secs().max(1),
            },
        })
    }

    fn duration(&mut self, d: &Located<String>, what: &str) -> Option<std::time::Duration> {
        match parse_duration(&d.value) {
            Ok(v) => Some(v),
            Err(why) => {
                self.error(d.position, format!("{what}: {why}"));
                None
            }
        }
    }
}

/// Whether `name` can name a channel: lowercase ASCII letters, digits, `-` and `_`, starting
/// with a letter or digit.
fn channel_name_ok(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// The rules as the static slice of `DomainInfo::alerts`.
pub(crate) fn emit(rules: &[AlertRule]) -> TokenStream {
    let items = rules.iter().map(|r| {
        let (id, description) = (r.id.as_ref(), r.description.as_ref());
        let severity = match r.severity {
            aegis_core::AlertSeverity::Info => quote!(Info),
            aegis_core::AlertSeverity::Warning => quote!(Warning),
            aegis_core::AlertSeverity::Error => quote!(Error),
            aegis_core::AlertSeverity::Critical => quote!(Critical),
        };
        let group = match r.group_by {
            AlertGroup::Domain => quote!(Domain),
            AlertGroup::Validator => quote!(Validator),
            AlertGroup::Application => quote!(Application),
        };
        let cooldown = r.cooldown_secs;
        let notify = r.notify.iter().map(|n| {
            let n = n.as_ref();
            quote!(::std::borrow::Cow::Borrowed(#n))
        });
        let condition = condition(&r.condition);
        quote! {
            ::aegis_core::AlertRule {
                id: ::std::borrow::Cow::Borrowed(#id),
                description: ::std::borrow::Cow::Borrowed(#description),
                condition: #condition,
                severity: ::aegis_core::AlertSeverity::#severity,
                group_by: ::aegis_core::AlertGroup::#group,
                cooldown_secs: #cooldown,
                notify: ::std::borrow::Cow::Borrowed(&[#(#notify),*]),
            }
        }
    });
    quote!(&[#(#items),*])
}

fn condition(c: &AlertCondition) -> TokenStream {
    match c {
        AlertCondition::Issue { at_least } => {
            let s = crate::emit::severity_tokens(*at_least);
            quote!(::aegis_core::AlertCondition::Issue { at_least: #s })
        }
        AlertCondition::Validator { id } => {
            let id = id.as_ref();
            quote!(::aegis_core::AlertCondition::Validator { id: ::std::borrow::Cow::Borrowed(#id) })
        }
        AlertCondition::JudgeFail => quote!(::aegis_core::AlertCondition::JudgeFail),
        AlertCondition::FailRate {
            above,
            window_secs,
            min_results,
        } => quote!(::aegis_core::AlertCondition::FailRate {
            above: #above,
            window_secs: #window_secs,
            min_results: #min_results,
        }),
        AlertCondition::P95Latency {
            above_ms,
            window_secs,
        } => quote!(::aegis_core::AlertCondition::P95Latency {
            above_ms: #above_ms,
            window_secs: #window_secs,
        }),
        AlertCondition::JudgeSpendPerDay { above_usd } => {
            quote!(::aegis_core::AlertCondition::JudgeSpendPerDay { above_usd: #above_usd })
        }
        AlertCondition::QueueAge { above_secs } => {
            quote!(::aegis_core::AlertCondition::QueueAge { above_secs: #above_secs })
        }
        AlertCondition::Silent { for_secs } => {
            quote!(::aegis_core::AlertCondition::Silent { for_secs: #for_secs })
        }
    }
}
