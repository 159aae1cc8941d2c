//! The `[alerts]` section of the server's configuration (`aegis.toml`): the channels alerts
//! go to, the private addresses they may reach, and rules beside the specs' own.
//!
//! ```toml
//! [alerts]
//! look_every = "15s"
//! allow_networks = ["127.0.0.0/8"]      # private or loopback targets allowed (tests, on-site)
//!
//! [[alerts.channels]]
//! name = "ops-slack"
//! kind = "slack"
//! url_env = "AEGIS_ALERT_SLACK_URL"      # a Slack webhook URL is a secret: from the environment
//! severities = ["error", "critical"]
//!
//! [[alerts.rules]]
//! domain = "healthcare"
//! id = "busy"
//! when = { fail_rate = { above = 0.02, over = "5m" } }
//! ```
//!
//! Secrets (webhook URLs of Slack, signing secrets, routing keys, tokens) are read from the
//! environment variables the file names, never from the file, and never shown: their `Debug`
//! prints `***`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

use aegis_core::alert::parse_duration;
use aegis_core::{AlertCondition, AlertGroup, AlertRule, AlertSeverity, Severity};
use aegis_llm::Secret;
use serde::Deserialize;

use crate::AppError;

/// What kind of receiver a channel is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// A Slack incoming webhook (Block Kit, with a text fallback).
    Slack,
    /// Any HTTPS endpoint, signed per Standard Webhooks 1.0.
    Webhook,
    /// PagerDuty's Events API v2.
    Pagerduty,
    /// SMS through Twilio's Messages API (or a service with its shape).
    Sms,
    /// Email over SMTP, with STARTTLS (or implicit TLS).
    Email,
}

/// How an email channel secures its SMTP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// A plain connection upgraded with STARTTLS, which must succeed (port 587; the default).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No TLS at all: only to an address `allow_networks` names (a relay on the same host).
    None,
}

/// An email channel's SMTP settings.
#[derive(Debug, Clone)]
pub struct EmailSettings {
    /// The SMTP server's host name (what its certificate names).
    pub host: String,
    /// Its port.
    pub port: u16,
    /// How the connection is secured.
    pub security: SmtpSecurity,
    /// User name and password, when the server asks for them.
    pub credentials: Option<(String, Secret)>,
    /// The sender.
    pub from: String,
    /// The recipients.
    pub to: Vec<String>,
    /// Extra root certificates (PEM) to trust: a private CA.
    pub ca_pem: Option<Vec<u8>>,
}

/// A channel, ready to send on.
#[derive(Debug, Clone)]
pub struct Channel {
    /// Its name, as rules' `notify` lists name it.
    pub name: String,
    /// What it is.
    pub kind: ChannelKind,
    /// Where it sends (secret for Slack, whose URL is the credential).
    pub url: Secret,
    /// The signing secrets of a webhook (`whsec_…`), each one's key: several during a key
    /// rotation, and every one signs.
    pub signing_keys: Vec<Secret>,
    /// PagerDuty's routing key, or Twilio's `AccountSid:AuthToken`.
    pub credential: Option<Secret>,
    /// The SMS sender and recipient.
    pub sms: Option<(String, String)>,
    /// The SMTP settings of an email channel.
    pub email: Option<EmailSettings>,
    /// The severities it takes.
    pub severities: Vec<AlertSeverity>,
    /// The organisations whose alerts it takes (by name or id); empty: all.
    pub orgs: Vec<String>,
    /// The least time between two messages on it.
    pub min_interval: Duration,
}

/// The alerts configuration.
#[derive(Debug, Clone)]
pub struct AlertConfig {
    /// The channels.
    pub channels: Vec<Channel>,
    /// Rules of the configuration, by domain.
    pub rules: BTreeMap<String, Vec<AlertRule>>,
    /// How often windowed rules are looked at.
    pub look_every: Duration,
    /// Networks a channel may reach although they are private, loopback or link-local.
    pub allow_networks: Vec<(IpAddr, u8)>,
    /// Attempts before a notification is given up.
    pub max_attempts: u32,
}

impl Default for AlertConfig {
    /// No channels, no configured rules; windows looked at every 15 s; 8 attempts.
    fn default() -> Self {
        AlertConfig {
            channels: Vec::new(),
            rules: BTreeMap::new(),
            look_every: Duration::from_secs(15),
            allow_networks: Vec::new(),
            max_attempts: 8,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct RawFile {
    #[serde(default)]
    alerts: Option<RawAlerts>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlerts {
    #[serde(default)]
    look_every: Option<String>,
    #[serde(default)]
    allow_networks: Vec<String>,
    #[serde(default)]
    max_attempts: Option<u32>,
    #[serde(default)]
    channels: Vec<RawChannel>,
    #[serde(default)]
    rules: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChannel {
    name: String,
    kind: ChannelKind,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    url_env: Option<String>,
    #[serde(default)]
    secret_env: Option<String>,
    #[serde(default)]
    routing_key_env: Option<String>,
    #[serde(default)]
    account_sid: Option<String>,
    #[serde(default)]
    auth_token_env: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<Recipients>,
    #[serde(default)]
    smtp_host: Option<String>,
    #[serde(default)]
    smtp_port: Option<u16>,
    #[serde(default)]
    security: Option<SmtpSecurity>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password_env: Option<String>,
    #[serde(default)]
    ca_file: Option<String>,
    #[serde(default)]
    severities: Vec<AlertSeverity>,
    #[serde(default)]
    orgs: Vec<String>,
    #[serde(default)]
    per_minute: Option<u32>,
}

/// One recipient, or several.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Recipients {
    One(String),
    Many(Vec<String>),
}

impl Recipients {
    fn list(self) -> Vec<String> {
        match self {
            Recipients::One(s) => vec![s],
            Recipients::Many(v) => v,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    domain: String,
    id: String,
    #[serde(default)]
    description: String,
    when: RawWhen,
    #[serde(default)]
    severity: Option<AlertSeverity>,
    #[serde(default)]
    group_by: Option<AlertGroup>,
    #[serde(default)]
    cooldown: Option<String>,
    #[serde(default)]
    notify: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum RawWhen {
    Issue(Severity),
    Validator(String),
    Judge(String),
    FailRate {
        above: f64,
        over: String,
        #[serde(default)]
        min_results: Option<u64>,
    },
    P95Latency {
        above: String,
        over: String,
    },
    JudgeSpendPerDay(f64),
    QueueAge(String),
    Silent(String),
}

impl AlertConfig {
    /// Reads the `[alerts]` section of the TOML `text` (from `source`, named in errors), with
    /// secrets from `env`. No section: no channels and no configured rules.
    pub fn from_toml(
        text: &str,
        source: &str,
        env: &BTreeMap<String, String>,
    ) -> Result<AlertConfig, AppError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            AppError::Config(format!(
                "{source}{}: {}",
                line.map(|l| format!(":{l}")).unwrap_or_default(),
                e.message()
            ))
        })?;
        let raw = raw.alerts.unwrap_or_default();
        let bad = |what: String| AppError::Config(format!("{source}: [alerts] {what}"));
        let look_every = match &raw.look_every {
            None => Duration::from_secs(15),
            Some(d) => parse_duration(d).map_err(|e| bad(format!("look_every: {e}")))?,
        };
        let mut allow_networks = Vec::new();
        for n in &raw.allow_networks {
            allow_networks.push(parse_network(n).ok_or_else(|| {
                bad(format!(
                    "allow_networks: `{n}` is no network such as 10.0.0.0/8"
                ))
            })?);
        }
        let mut channels: Vec<Channel> = Vec::new();
        for c in raw.channels {
            if channels.iter().any(|o| o.name == c.name) {
                return Err(bad(format!("two channels are named `{}`", c.name)));
            }
            channels.push(channel(c, env).map_err(bad)?);
        }
        let mut rules: BTreeMap<String, Vec<AlertRule>> = BTreeMap::new();
        for r in raw.rules {
            let domain = r.domain.clone();
            let id = r.id.clone();
            let rule = rule(r).map_err(|e| bad(format!("rule `{id}` of `{domain}`: {e}")))?;
            let list = rules.entry(domain.clone()).or_default();
            if list.iter().any(|o| o.id == rule.id) {
                return Err(bad(format!("two rules of `{domain}` are named `{id}`")));
            }
            list.push(rule);
        }
        Ok(AlertConfig {
            channels,
            rules,
            look_every,
            allow_networks,
            max_attempts: raw.max_attempts.unwrap_or(8).clamp(1, 50),
        })
    }
}

fn env_secret(env: &BTreeMap<String, String>, var: &str, what: &str) -> Result<Secret, String> {
    env.get(var)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(|v| Secret(v.to_owned()))
        .ok_or_else(|| format!("{what}: the environment variable {var} is not set"))
}

fn channel(c: RawChannel, env: &BTreeMap<String, String>) -> Result<Channel, String> {
    let name = c.name.clone();
    let at = |what: &str| format!("channel `{name}`: {what}");
    if name.is_empty()
        || !name
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-' || ch == '_')
    {
        return Err(at("a name is lowercase letters, digits, `-` and `_`"));
    }
    let url = match (&c.url, &c.url_env) {
        (Some(_), Some(_)) => return Err(at("give `url` or `url_env`, not both")),
        (Some(u), None) => Some(Secret(u.clone())),
        (None, Some(var)) => Some(env_secret(env, var, &at("url_env"))?),
        (None, None) => None,
    };
    let mut signing_keys = Vec::new();
    let mut credential = None;
    let mut sms = None;
    let mut email = None;
    let url = match c.kind {
        ChannelKind::Slack => url.ok_or_else(|| at("a Slack channel needs `url_env`"))?,
        ChannelKind::Webhook => {
            let var = c
                .secret_env
                .as_deref()
                .ok_or_else(|| at("a webhook needs `secret_env`: its whsec_ signing secret"))?;
            let secrets = env_secret(env, var, &at("secret_env"))?;
            for s in secrets.0.split_whitespace() {
                if crate::alerts::deliver::whsec_key(s).is_none() {
                    return Err(at("a signing secret is `whsec_` and base64"));
                }
                signing_keys.push(Secret(s.to_owned()));
            }
            url.ok_or_else(|| at("a webhook needs `url` or `url_env`"))?
        }
        ChannelKind::Pagerduty => {
            let var = c
                .routing_key_env
                .as_deref()
                .ok_or_else(|| at("PagerDuty needs `routing_key_env`"))?;
            credential = Some(env_secret(env, var, &at("routing_key_env"))?);
            url.unwrap_or_else(|| Secret("https://events.pagerduty.com/v2/enqueue".to_owned()))
        }
        ChannelKind::Sms => {
            let sid = c
                .account_sid
                .as_deref()
                .ok_or_else(|| at("SMS needs `account_sid`"))?;
            if sid.is_empty() || !sid.chars().all(|ch| ch.is_ascii_alphanumeric()) {
                return Err(at("`account_sid` is letters and digits"));
            }
            let var = c
                .auth_token_env
                .as_deref()
                .ok_or_else(|| at("SMS needs `auth_token_env`"))?;
            let token = env_secret(env, var, &at("auth_token_env"))?;
            credential = Some(Secret(format!("{sid}:{}", token.0)));
            let to = match c.to {
                Some(Recipients::One(t)) => t,
                Some(Recipients::Many(_)) => {
                    return Err(at(
                        "an SMS channel has one `to` number; add a channel per number",
                    ));
                }
                None => return Err(at("SMS needs `to`")),
            };
            sms = Some((c.from.clone().ok_or_else(|| at("SMS needs `from`"))?, to));
            let base = url.map_or_else(
                || "https://api.twilio.com".to_owned(),
                |u| u.0.trim_end_matches('/').to_owned(),
            );
            Secret(format!("{base}/2010-04-01/Accounts/{sid}/Messages.json"))
        }
        ChannelKind::Email => {
            if url.is_some() {
                return Err(at("an email channel has `smtp_host`, not `url`"));
            }
            let host = c
                .smtp_host
                .clone()
                .filter(|h| !h.trim().is_empty())
                .ok_or_else(|| at("email needs `smtp_host`"))?;
            let security = c.security.unwrap_or_default();
            let port = c.smtp_port.unwrap_or(match security {
                SmtpSecurity::Tls => 465,
                SmtpSecurity::Starttls => 587,
                SmtpSecurity::None => 25,
            });
            let credentials = match (&c.username, &c.password_env) {
                (Some(u), Some(var)) => {
                    Some((u.clone(), env_secret(env, var, &at("password_env"))?))
                }
                (None, None) => None,
                _ => return Err(at("give both `username` and `password_env`, or neither")),
            };
            let from = c.from.clone().ok_or_else(|| at("email needs `from`"))?;
            let to = c.to.map(Recipients::list).unwrap_or_default();
            if to.is_empty() {
                return Err(at("email needs `to`: an address or a list"));
            }
            for a in std::iter::once(&from).chain(&to) {
                if a.parse::<lettre::message::Mailbox>().is_err() {
                    return Err(at(&format!("`{a}` is not an email address")));
                }
            }
            let ca_pem = match &c.ca_file {
                None => None,
                Some(f) => Some(
                    std::fs::read(f).map_err(|e| at(&format!("cannot read `ca_file` {f}: {e}")))?,
                ),
            };
            let url = Secret(format!("smtp://{host}:{port}"));
            email = Some(EmailSettings {
                host,
                port,
                security,
                credentials,
                from,
                to,
                ca_pem,
            });
            url
        }
    };
    let parsed = reqwest::Url::parse(&url.0).map_err(|_| at("its URL does not parse"))?;
    if !matches!(parsed.scheme(), "https" | "http" | "smtp") || parsed.host_str().is_none() {
        return Err(at("its URL must be http(s) with a host"));
    }
    let per_minute = c.per_minute.unwrap_or(match c.kind {
        ChannelKind::Slack => 60,
        ChannelKind::Sms | ChannelKind::Email => 30,
        _ => 600,
    });
    if per_minute == 0 {
        return Err(at("`per_minute` must be 1 or more"));
    }
    Ok(Channel {
        name: c.name,
        kind: c.kind,
        url,
        signing_keys,
        credential,
        sms,
        email,
        severities: if c.severities.is_empty() {
            AlertSeverity::ALL.to_vec()
        } else {
            c.severities
        },
        orgs: c.orgs,
        min_interval: Duration::from_millis(60_000 / u64::from(per_minute)),
    })
}

fn rule(r: RawRule) -> Result<AlertRule, String> {
    let d = |s: &str, what: &str| parse_duration(s).map_err(|e| format!("{what}: {e}"));
    let condition = match r.when {
        RawWhen::Issue(s) => AlertCondition::Issue { at_least: s },
        RawWhen::Validator(v) => AlertCondition::Validator { id: Cow::Owned(v) },
        RawWhen::Judge(j) if j == "fail" => AlertCondition::JudgeFail,
        RawWhen::Judge(_) => return Err("`judge` can only be `fail`".to_owned()),
        RawWhen::FailRate {
            above,
            over,
            min_results,
        } => {
            if !(above.is_finite() && above > 0.0 && above < 1.0) {
                return Err("fail_rate `above` is a share between 0 and 1".to_owned());
            }
            AlertCondition::FailRate {
                above,
                window_secs: d(&over, "over")?.as_secs().max(1),
                min_results: min_results.unwrap_or(20).max(1),
            }
        }
        RawWhen::P95Latency { above, over } => AlertCondition::P95Latency {
            above_ms: u64::try_from(d(&above, "above")?.as_millis()).unwrap_or(u64::MAX),
            window_secs: d(&over, "over")?.as_secs().max(1),
        },
        RawWhen::JudgeSpendPerDay(usd) if usd.is_finite() && usd > 0.0 => {
            AlertCondition::JudgeSpendPerDay { above_usd: usd }
        }
        RawWhen::JudgeSpendPerDay(_) => {
            return Err("judge_spend_per_day is a budget in dollars above 0".to_owned());
        }
        RawWhen::QueueAge(s) => AlertCondition::QueueAge {
            above_secs: d(&s, "queue_age")?.as_secs().max(1),
        },
        RawWhen::Silent(s) => AlertCondition::Silent {
            for_secs: d(&s, "silent")?.as_secs().max(1),
        },
    };
    let group_by = r.group_by.unwrap_or(AlertGroup::Domain);
    if group_by != AlertGroup::Domain && !condition.per_result() {
        return Err("a rule over a window is one alert for its domain: no `group_by`".to_owned());
    }
    Ok(AlertRule {
        id: Cow::Owned(r.id),
        description: Cow::Owned(r.description),
        condition,
        severity: r.severity.unwrap_or(AlertSeverity::Warning),
        group_by,
        cooldown_secs: match r.cooldown {
            None => 15 * 60,
            Some(c) => d(&c, "cooldown")?.as_secs().max(1),
        },
        notify: Cow::Owned(r.notify.into_iter().map(Cow::Owned).collect()),
    })
}

/// `10.0.0.0/8`, `fd00::/8`, or one address.
fn parse_network(s: &str) -> Option<(IpAddr, u8)> {
    let (addr, bits) = match s.split_once('/') {
        Some((a, b)) => (a.parse::<IpAddr>().ok()?, b.parse::<u8>().ok()?),
        None => {
            let a = s.parse::<IpAddr>().ok()?;
            (a, if a.is_ipv4() { 32 } else { 128 })
        }
    };
    let max = if addr.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some((addr, bits))
}
