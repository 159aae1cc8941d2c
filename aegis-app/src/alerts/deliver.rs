//! Sending a notification: each channel's body, Standard Webhooks signatures, the address
//! check against server-side request forgery, and what an answer means for the next attempt.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{KeyInit, Mac};
use serde_json::json;

use aegis_store::{AlertRow, DeliveryRow};

use super::config::{Channel, ChannelKind, SmtpSecurity};

/// What a receiver made of an attempt.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Answer {
    /// Taken (2xx).
    Delivered(u16),
    /// Try again, after at least this long if the receiver said (`Retry-After`).
    Retry {
        status: Option<u16>,
        after: Option<Duration>,
        why: String,
    },
    /// The endpoint is gone (`410`): the channel is turned off.
    Gone,
    /// Refused for good (another 4xx, or an address that may not be reached).
    Refused { status: Option<u16>, why: String },
}

/// The key of a Standard Webhooks secret: the base64 after `whsec_`.
pub(crate) fn whsec_key(secret: &str) -> Option<Vec<u8>> {
    B64.decode(secret.strip_prefix("whsec_")?).ok()
}

/// The `webhook-signature` header for `body` sent as message `id` at `timestamp` (seconds):
/// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` for each secret, space-separated.
pub fn standard_webhooks_signature(
    secrets: &[&str],
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> Option<String> {
    let mut out = Vec::new();
    for s in secrets {
        let key = whsec_key(s)?;
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).ok()?;
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        out.push(format!("v1,{}", B64.encode(mac.finalize().into_bytes())));
    }
    Some(out.join(" "))
}

/// The alert as every channel's words: a title and a line of detail.
fn words(org: &str, a: &AlertRow, event: &str) -> (String, String) {
    let verb = if event == "resolve" {
        "Resolved"
    } else {
        "Firing"
    };
    let title = format!(
        "[{}] {verb}: {} ({})",
        a.severity.to_uppercase(),
        a.rule,
        a.domain
    );
    let mut detail = a.summary.clone();
    if a.group_key != a.domain {
        detail.push_str(&format!(" Group: {}.", a.group_key));
    }
    if a.matches > 1 {
        detail.push_str(&format!(" Matched {} times.", a.matches));
    }
    detail.push_str(&format!(" Organisation: {org}. Alert #{}.", a.id));
    (title, detail)
}

/// The request a notification is: its body, its content type, and headers.
pub(crate) struct Request {
    pub(crate) body: Vec<u8>,
    pub(crate) content_type: &'static str,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) basic_auth: Option<(String, String)>,
}

/// How long a receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Sends notification `d` of alert `a` (organisation `org`) to `channel` at `now_secs`: by
/// SMTP for email, else by HTTP; what the receiver made of it.
pub(crate) fn deliver(
    channel: &Channel,
    org: &str,
    d: &DeliveryRow,
    a: &AlertRow,
    allow: &[(IpAddr, u8)],
    now_secs: i64,
) -> Answer {
    match channel.kind {
        ChannelKind::Email => send_email(channel, org, d, a, allow, TIMEOUT),
        _ => send(
            channel,
            request(channel, org, d, a, now_secs),
            allow,
            TIMEOUT,
        ),
    }
}

/// Builds the HTTP request for notification `d` of alert `a` to `channel`, at `now_secs`.
fn request(channel: &Channel, org: &str, d: &DeliveryRow, a: &AlertRow, now_secs: i64) -> Request {
    let (title, detail) = words(org, a, &d.event);
    let resolved = d.event == "resolve";
    match channel.kind {
        ChannelKind::Slack => {
            let emoji = if resolved {
                ":white_check_mark:"
            } else {
                match a.severity.as_str() {
                    "critical" => ":rotating_light:",
                    "error" => ":red_circle:",
                    "warning" => ":warning:",
                    _ => ":information_source:",
                }
            };
            let body = json!({
                "text": format!("{title}: {detail}"),
                "blocks": [
                    {"type": "header", "text": {"type": "plain_text", "text": truncate(&title, 150), "emoji": true}},
                    {"type": "section", "text": {"type": "mrkdwn", "text": format!("{emoji} {}", truncate(&detail, 2900))}},
                    {"type": "context", "elements": [
                        {"type": "mrkdwn", "text": format!("rule `{}` · domain `{}` · {} · alert #{}", a.rule, a.domain, a.severity, a.id)}
                    ]}
                ]
            });
            json_request(&body, Vec::new())
        }
        ChannelKind::Webhook => {
            let body = json!({
                "type": if resolved { "alert.resolved" } else { "alert.firing" },
                "timestamp": rfc3339(now_secs),
                "data": {
                    "organisation": org,
                    "alert_id": a.id,
                    "rule": a.rule,
                    "domain": a.domain,
                    "group": a.group_key,
                    "severity": a.severity,
                    "state": a.state,
                    "summary": a.summary,
                    "matches": a.matches,
                    "value": a.value,
                    "fired_at": rfc3339(a.fired_at_ms / 1000),
                    "resolved_at": a.resolved_at_ms.map(|t| rfc3339(t / 1000)),
                }
            });
            let bytes = serde_json::to_vec(&body).unwrap_or_default();
            let secrets: Vec<&str> = channel.signing_keys.iter().map(|s| s.0.as_str()).collect();
            let mut headers = vec![
                ("webhook-id", d.message_id.clone()),
                ("webhook-timestamp", now_secs.to_string()),
            ];
            if let Some(sig) =
                standard_webhooks_signature(&secrets, &d.message_id, now_secs, &bytes)
            {
                headers.push(("webhook-signature", sig));
            }
            Request {
                body: bytes,
                content_type: "application/json",
                headers,
                basic_auth: None,
            }
        }
        ChannelKind::Pagerduty => {
            let key = channel
                .credential
                .as_ref()
                .map(|s| s.0.clone())
                .unwrap_or_default();
            // One incident per alert: resolved with the key it was triggered with.
            let dedup = format!("aegis-{org}-{}", a.id);
            let body = if resolved {
                json!({"routing_key": key, "event_action": "resolve", "dedup_key": dedup})
            } else {
                json!({
                    "routing_key": key,
                    "event_action": "trigger",
                    "dedup_key": dedup,
                    "payload": {
                        "summary": truncate(&format!("{title}: {detail}"), 1024),
                        "source": format!("aegis/{org}"),
                        "severity": a.severity,
                        "timestamp": rfc3339(a.fired_at_ms / 1000),
                        "component": a.domain,
                        "group": a.rule,
                        "class": a.group_key,
                        "custom_details": {"alert_id": a.id, "matches": a.matches, "value": a.value},
                    },
                    "client": "Aegis",
                })
            };
            json_request(&body, Vec::new())
        }
        // Email is not HTTP: `deliver` sends it with `send_email`, never through here.
        ChannelKind::Sms | ChannelKind::Email => {
            let (from, to) = channel.sms.clone().unwrap_or_default();
            let text = truncate(&format!("{title}: {detail}"), 1500);
            let body = form(&[("To", &to), ("From", &from), ("Body", &text)]);
            let (user, pass) = channel
                .credential
                .as_ref()
                .and_then(|c| c.0.split_once(':'))
                .map(|(u, p)| (u.to_owned(), p.to_owned()))
                .unwrap_or_default();
            Request {
                body: body.into_bytes(),
                content_type: "application/x-www-form-urlencoded",
                headers: Vec::new(),
                basic_auth: Some((user, pass)),
            }
        }
    }
}

fn json_request(body: &serde_json::Value, headers: Vec<(&'static str, String)>) -> Request {
    Request {
        body: serde_json::to_vec(body).unwrap_or_default(),
        content_type: "application/json",
        headers,
        basic_auth: None,
    }
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", percent(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn percent(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char);
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// `secs` since the epoch as RFC 3339 UTC.
fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = aegis_core::calendar::civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Whether `ip` may be reached: not private, loopback, link-local (cloud metadata lives at
/// 169.254.169.254), unspecified, shared (100.64/10), multicast or broadcast, unless an
/// allowed network holds it.
pub(crate) fn reachable(ip: IpAddr, allow: &[(IpAddr, u8)]) -> bool {
    if allow.iter().any(|(net, bits)| in_network(ip, *net, *bits)) {
        return true;
    }
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    if allow.iter().any(|(net, bits)| in_network(ip, *net, *bits)) {
        return true;
    }
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || s[0] == 0x2001 && s[1] == 0x0db8)
        }
    }
}

fn in_network(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(bits))
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(bits))
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// Resolves `host` and checks every address it has: the addresses, or why not.
fn checked_addresses(
    host: &str,
    port: u16,
    allow: &[(IpAddr, u8)],
) -> Result<Vec<SocketAddr>, Answer> {
    let addrs: Vec<SocketAddr> = match (host.trim_matches(['[', ']']), port).to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(_) => {
            return Err(Answer::Retry {
                status: None,
                after: None,
                why: "the channel's host name did not resolve".to_owned(),
            });
        }
    };
    if addrs.is_empty() || addrs.iter().any(|a| !reachable(a.ip(), allow)) {
        return Err(Answer::Refused {
            status: None,
            why: "the channel's host is a private, loopback or link-local address, which is not allowed (alerts.allow_networks)".to_owned(),
        });
    }
    Ok(addrs)
}

/// Sends notification `d` of alert `a` as an email through `channel`'s SMTP server: the
/// server's address checked as for HTTP and connected to by that address (its certificate
/// checked against its host name), STARTTLS required unless the channel says otherwise.
fn send_email(
    channel: &Channel,
    org: &str,
    d: &DeliveryRow,
    a: &AlertRow,
    allow: &[(IpAddr, u8)],
    timeout: Duration,
) -> Answer {
    use lettre::Transport;
    use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
    let refused = |why: String| Answer::Refused { status: None, why };
    let Some(e) = &channel.email else {
        return refused("the channel has no SMTP settings".to_owned());
    };
    let addrs = match checked_addresses(&e.host, e.port, allow) {
        Ok(a) => a,
        Err(answer) => return answer,
    };
    let (title, detail) = words(org, a, &d.event);
    let mut builder = lettre::Message::builder()
        .subject(title.clone())
        .message_id(Some(format!("<{}@aegis.alerts>", d.message_id)))
        .header(lettre::message::header::ContentType::TEXT_PLAIN);
    match e.from.parse() {
        Ok(from) => builder = builder.from(from),
        Err(_) => return refused("the sender is not an email address".to_owned()),
    }
    for t in &e.to {
        match t.parse() {
            Ok(to) => builder = builder.to(to),
            Err(_) => return refused("a recipient is not an email address".to_owned()),
        }
    }
    let body = format!(
        "{title}\n\n{detail}\n\nRule: {}\nDomain: {}\nGroup: {}\nSeverity: {}\nState: {}\nAlert: #{}\n",
        a.rule, a.domain, a.group_key, a.severity, a.state, a.id
    );
    let message = match builder.body(body) {
        Ok(m) => m,
        Err(_) => return refused("cannot build the message".to_owned()),
    };
    let mut tls = TlsParameters::builder(e.host.clone());
    if let Some(pem) = &e.ca_pem {
        match Certificate::from_pem(pem) {
            Ok(c) => tls = tls.add_root_certificate(c),
            Err(_) => return refused("the channel's ca_file is not a PEM certificate".to_owned()),
        }
    }
    let tls = match (e.security, tls.build_rustls()) {
        (SmtpSecurity::None, _) => Tls::None,
        (SmtpSecurity::Starttls, Ok(p)) => Tls::Required(p),
        (SmtpSecurity::Tls, Ok(p)) => Tls::Wrapper(p),
        (_, Err(_)) => return refused("cannot set up TLS for the SMTP server".to_owned()),
    };
    let mut last = Answer::Retry {
        status: None,
        after: None,
        why: "cannot connect to the SMTP server".to_owned(),
    };
    for addr in addrs {
        let mut transport = lettre::SmtpTransport::builder_dangerous(addr.ip().to_string())
            .port(addr.port())
            .tls(tls.clone())
            .timeout(Some(timeout));
        if let Some((user, pass)) = &e.credentials {
            transport =
                transport.credentials(lettre::transport::smtp::authentication::Credentials::new(
                    user.clone(),
                    pass.0.clone(),
                ));
        }
        match transport.build().send(&message) {
            Ok(r) => return Answer::Delivered(smtp_code(&r.code())),
            Err(err) => {
                let status = err.status().map(|c| smtp_code(&c));
                last = if err.is_permanent() {
                    Answer::Refused {
                        status,
                        why: format!("the SMTP server refused it: {}", status.unwrap_or(0)),
                    }
                } else {
                    Answer::Retry {
                        status,
                        after: None,
                        why: if err.is_transient() {
                            format!("the SMTP server answered {}", status.unwrap_or(0))
                        } else if err.is_timeout() {
                            "the SMTP server did not answer in time".to_owned()
                        } else {
                            "cannot connect to the SMTP server, or TLS failed".to_owned()
                        },
                    }
                };
                if err.is_permanent() || err.is_transient() {
                    return last;
                }
            }
        }
    }
    last
}

/// An SMTP reply code as a number (`250`).
fn smtp_code(c: &lettre::transport::smtp::response::Code) -> u16 {
    c.to_string().parse().unwrap_or(0)
}

/// Sends `req` to `channel`'s URL: the host resolved once, every address checked, the
/// connection pinned to a checked address (so that a second lookup cannot answer otherwise),
/// no redirects followed. Errors never show the URL (a Slack URL is its credential).
fn send(channel: &Channel, req: Request, allow: &[(IpAddr, u8)], timeout: Duration) -> Answer {
    let refused = |why: &str| Answer::Refused {
        status: None,
        why: why.to_owned(),
    };
    let Ok(url) = reqwest::Url::parse(&channel.url.0) else {
        return refused("the channel's URL does not parse");
    };
    let Some(host) = url.host_str().map(str::to_owned) else {
        return refused("the channel's URL has no host");
    };
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs = match checked_addresses(&host, port, allow) {
        Ok(a) => a,
        Err(answer) => return answer,
    };
    let client = match reqwest::blocking::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .resolve_to_addrs(&host, &addrs)
        .user_agent(concat!("aegis/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(c) => c,
        Err(_) => return refused("cannot build an HTTP client"),
    };
    let mut r = client
        .post(url)
        .header("content-type", req.content_type)
        .body(req.body);
    for (k, v) in req.headers {
        r = r.header(k, v);
    }
    if let Some((u, p)) = req.basic_auth {
        r = r.basic_auth(u, Some(p));
    }
    match r.send() {
        Err(e) => Answer::Retry {
            status: None,
            after: None,
            why: if e.is_timeout() {
                "the receiver did not answer in time".to_owned()
            } else {
                "cannot connect to the receiver".to_owned()
            },
        },
        Ok(resp) => {
            let status = resp.status().as_u16();
            let after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            match status {
                200..=299 => Answer::Delivered(status),
                410 => Answer::Gone,
                408 | 425 | 429 | 500..=599 => Answer::Retry {
                    status: Some(status),
                    after,
                    why: format!("the receiver answered {status}"),
                },
                _ => Answer::Refused {
                    status: Some(status),
                    why: format!("the receiver refused it: {status}"),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_webhooks_test_vector_signs_as_the_specification_says() {
        // The specification's own example (standard-webhooks/spec, "Signature scheme").
        let sig = standard_webhooks_signature(
            &["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(
            sig.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn every_secret_signs_during_a_key_rotation() {
        let (old, new) = (
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "whsec_bmV3IHNlY3JldCBmb3IgdGhlIHJvdGF0aW9u",
        );
        let one = |s: &str| standard_webhooks_signature(&[s], "msg_1", 1_700_000_000, b"{}");
        let both = standard_webhooks_signature(&[old, new], "msg_1", 1_700_000_000, b"{}");
        assert_eq!(
            both,
            Some(format!(
                "{} {}",
                one(old).unwrap_or_default(),
                one(new).unwrap_or_default()
            ))
        );
        assert_ne!(one(old), one(new));
        assert_eq!(
            standard_webhooks_signature(&["not-whsec"], "m", 1, b"{}"),
            None
        );
    }

    #[test]
    fn private_and_metadata_addresses_are_refused_unless_allowed() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(!reachable(ip(bad), &[]), "{bad}");
        }
        for good in ["93.184.216.34", "2606:2800:220:1::1"] {
            assert!(reachable(ip(good), &[]), "{good}");
        }
        let allow = [(ip("127.0.0.0"), 8)];
        assert!(reachable(ip("127.0.0.1"), &allow));
        assert!(reachable(ip("::ffff:127.0.0.1"), &allow));
        assert!(!reachable(ip("10.0.0.1"), &allow));
    }
}
