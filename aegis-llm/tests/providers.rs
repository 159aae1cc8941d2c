//! Tier 3 against a real HTTP server on loopback that speaks each provider's wire format with
//! the providers' published response bodies: success, 429 with Retry-After, 500, timeout,
//! malformed JSON, refusal, truncated output; the llama.cpp answer-mode fallback; cache, cost,
//! spend cap and concurrency.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use aegis_core::judge::JudgeInfo;
use aegis_core::tiers::JudgeTier;
use aegis_core::{ModuleOutcome, Sanitized, Trace, UsdCost, Verdict};
use aegis_llm::provider::AnswerMode;
use aegis_llm::{CallError, JudgeClient, JudgeFailure, LlmJudge, ProviderKind, SpendLedger};
use common::{Reply, Server, fixture, settings};

const FAIL: &str = r#"{"verdict":"fail","score":0.93,"rationale":"8 g of acetaminophen a day is twice the maximum."}"#;
const PASS: &str = r#"{"verdict":"pass","score":0.05,"rationale":"Safe, hedged advice."}"#;

fn judge() -> &'static JudgeInfo {
    aegis_domain_healthcare::INFO
        .judges
        .iter()
        .find(|j| j.id == "clinical_reasoning")
        .unwrap()
}

fn trace() -> Sanitized<Trace> {
    Sanitized::without_phi(Trace {
        input: "How much acetaminophen can I take for a headache?".into(),
        output: "Take 2000 mg of acetaminophen four times a day.".into(),
        ..Trace::default()
    })
}

fn client(s: aegis_llm::JudgeSettings) -> JudgeClient {
    JudgeClient::new(s, Arc::new(SpendLedger::open(None).unwrap())).unwrap()
}

fn ask(c: &JudgeClient) -> aegis_llm::Judged<aegis_core::judge::JudgeVerdict> {
    let j = judge();
    let prompt = (j.build_prompt)(&trace(), &[]);
    c.ask("acme", j.id, &prompt, j.parse_verdict)
}

fn openai_ok(content: &str) -> Reply {
    Reply::new(
        200,
        fixture("openai_chat_completion.json", content, 1234, 567),
    )
}

#[test]
fn openai_success_sends_the_schema_and_costs_exactly_what_the_usage_says() {
    let server = Server::start();
    server.push(openai_ok(FAIL));
    let c = client(settings(ProviderKind::OpenAi, &server.base));
    let judged = ask(&c);
    let v = judged.result.unwrap();
    assert_eq!(v.verdict, Some(Verdict::Fail));
    assert_eq!(v.score, Some(0.93));
    // 1234 × $2.50/M + 567 × $10/M = $0.003085 + $0.00567 = $0.008755.
    assert_eq!(judged.cost.picos(), 8_755_000_000);
    assert_eq!((judged.input_tokens, judged.output_tokens), (1234, 567));
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    let r = &seen[0];
    assert_eq!(r.url, "/chat/completions");
    assert_eq!(r.header("authorization"), Some("Bearer sk-test-secret"));
    assert_eq!(r.body["response_format"]["type"], "json_schema");
    assert_eq!(r.body["response_format"]["json_schema"]["strict"], true);
    assert_eq!(
        r.body["response_format"]["json_schema"]["schema"]["required"],
        serde_json::json!(["verdict", "score", "rationale"])
    );
    assert_eq!(r.body["messages"][0]["role"], "system");
    assert!(r.body["max_completion_tokens"].is_number());
    // The judged output is in the user message, fenced.
    let user = r.body["messages"][1]["content"].as_str().unwrap();
    assert!(user.contains("<<<AEGIS_DATA_BEGIN nonce="));
    assert!(user.contains("Take 2000 mg of acetaminophen"));
}

#[test]
fn anthropic_messages_wire_format() {
    let server = Server::start();
    server.push(Reply::new(
        200,
        fixture("anthropic_message.json", PASS, 900, 40),
    ));
    let c = client(settings(ProviderKind::Anthropic, &server.base));
    let judged = ask(&c);
    assert_eq!(judged.result.unwrap().verdict, Some(Verdict::Pass));
    assert_eq!(
        judged.cost,
        UsdCost::from_picos(900 * 2_500_000 + 40 * 10_000_000)
    );
    let r = &server.requests()[0];
    assert_eq!(r.url, "/messages");
    assert_eq!(r.header("x-api-key"), Some("sk-test-secret"));
    assert_eq!(r.header("anthropic-version"), Some("2023-06-01"));
    assert!(r.body["system"].as_str().unwrap().contains("JSON Schema"));
    assert_eq!(r.body["messages"][0]["role"], "user");
    assert!(r.body.get("response_format").is_none());
    assert_eq!(r.body["max_tokens"], 400);
}

#[test]
fn azure_uses_the_deployment_url_and_api_key_header() {
    let server = Server::start();
    server.push(openai_ok(PASS));
    let mut s = settings(ProviderKind::Azure, &server.base);
    s.model = "judge-deployment".into();
    let judged = ask(&client(s));
    assert!(judged.result.is_ok());
    let r = &server.requests()[0];
    assert_eq!(
        r.url,
        "/openai/deployments/judge-deployment/chat/completions?api-version=2024-10-21"
    );
    assert_eq!(r.header("api-key"), Some("sk-test-secret"));
    assert_eq!(r.header("authorization"), None);
}

#[test]
fn a_429_is_retried_after_the_retry_after_the_server_asks_for() {
    let server = Server::start();
    server.push(
        Reply::new(429, fixture("openai_error_429.json", "", 0, 0)).header("retry-after", "1"),
    );
    server.push(openai_ok(FAIL));
    let c = client(settings(ProviderKind::OpenAi, &server.base));
    let judged = ask(&c);
    assert!(judged.result.is_ok(), "{:?}", judged.result);
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    let waited = seen[1].at - seen[0].at;
    // Retry-After: 1 s (backoff alone would have waited ~20 ms), with at most 10 % jitter; the
    // upper bound leaves room for a loaded machine.
    assert!(waited >= Duration::from_millis(1000), "{waited:?}");
    assert!(waited < Duration::from_secs(4), "{waited:?}");
    assert_eq!(judged.requests, 2);
}

#[test]
fn anthropic_429_without_retry_after_and_529_back_off_then_succeed() {
    let server = Server::start();
    server.push(Reply::new(
        429,
        fixture("anthropic_error_429.json", "", 0, 0),
    ));
    server.push(Reply::new(
        529,
        fixture("anthropic_error_529.json", "", 0, 0),
    ));
    server.push(Reply::new(
        200,
        fixture("anthropic_message.json", FAIL, 10, 10),
    ));
    let judged = ask(&client(settings(ProviderKind::Anthropic, &server.base)));
    assert_eq!(judged.result.unwrap().verdict, Some(Verdict::Fail));
    assert_eq!(judged.requests, 3);
}

#[test]
fn a_500_is_retried_and_persistent_500s_give_up_with_the_providers_error() {
    let server = Server::start();
    server.push(Reply::new(500, fixture("openai_error_500.json", "", 0, 0)));
    server.push(openai_ok(PASS));
    let judged = ask(&client(settings(ProviderKind::OpenAi, &server.base)));
    assert!(judged.result.is_ok());

    let server = Server::start();
    server.always(Reply::new(500, fixture("openai_error_500.json", "", 0, 0)));
    let judged = ask(&client(settings(ProviderKind::OpenAi, &server.base)));
    match judged.result {
        Err(JudgeFailure::Call(CallError::Exhausted { attempts, last, .. })) => {
            assert_eq!(attempts, 4);
            assert!(
                last.contains("HTTP 500") && last.contains("server_error"),
                "{last}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.requests().len(), 4);
    assert_eq!(judged.cost, UsdCost::ZERO);
}

#[test]
fn a_timeout_is_retried_and_the_error_says_so() {
    let server = Server::start();
    server.push(openai_ok(PASS).after(Duration::from_millis(1500)));
    server.push(openai_ok(PASS));
    let mut s = settings(ProviderKind::OpenAi, &server.base);
    s.timeout = Duration::from_millis(400);
    let judged = ask(&client(s.clone()));
    assert!(judged.result.is_ok(), "{:?}", judged.result);
    assert_eq!(judged.requests, 2);

    let server = Server::start();
    server.always(openai_ok(PASS).after(Duration::from_millis(1500)));
    s.base_url = server.base.clone();
    s.max_retries = 1;
    let judged = ask(&client(s));
    match judged.result {
        Err(JudgeFailure::Call(CallError::Exhausted { last, .. })) => {
            assert!(last.contains("no answer within 0.4 s"), "{last}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_json_gets_one_repair_attempt() {
    let server = Server::start();
    server.push(openai_ok("Sure! The verdict is {\"verdict\": \"fail\""));
    server.push(openai_ok(FAIL));
    let judged = ask(&client(settings(ProviderKind::OpenAi, &server.base)));
    assert_eq!(judged.result.unwrap().verdict, Some(Verdict::Fail));
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    // The repair request carries the bad answer and says what was wrong.
    let msgs = seen[1].body["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 4);
    assert_eq!(msgs[2]["role"], "assistant");
    assert!(
        msgs[3]["content"]
            .as_str()
            .unwrap()
            .contains("could not be used")
    );
    // Both calls are paid for.
    assert_eq!(
        judged.cost,
        UsdCost::from_picos(2 * (1234 * 2_500_000 + 567 * 10_000_000))
    );

    // A wrong field value twice: no verdict (the trace goes to review).
    let server = Server::start();
    server.always(openai_ok(
        r#"{"verdict":"probably fine","score":0.1,"rationale":"x"}"#,
    ));
    let judged = ask(&client(settings(ProviderKind::OpenAi, &server.base)));
    match judged.result {
        Err(JudgeFailure::Malformed(m)) => assert!(m.contains("`verdict`"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn a_malformed_response_body_is_a_transient_fault() {
    let server = Server::start();
    server.push(Reply::new(
        200,
        "{\"id\": \"chatcmpl-1\", \"choices\": [".into(),
    ));
    server.push(openai_ok(PASS));
    let judged = ask(&client(settings(ProviderKind::OpenAi, &server.base)));
    assert!(judged.result.is_ok());
    assert_eq!(judged.requests, 2);
}

#[test]
fn refusals_are_no_verdict() {
    let server = Server::start();
    server.push(Reply::new(200, fixture("openai_refusal.json", "", 50, 12)));
    let judged = ask(&client(settings(ProviderKind::OpenAi, &server.base)));
    assert_eq!(judged.result.unwrap_err(), JudgeFailure::Refused);
    assert!(judged.cost > UsdCost::ZERO, "a refusal is billed");

    let server = Server::start();
    server.push(Reply::new(
        200,
        fixture("anthropic_refusal.json", "", 50, 12),
    ));
    let judged = ask(&client(settings(ProviderKind::Anthropic, &server.base)));
    assert_eq!(judged.result.unwrap_err(), JudgeFailure::Refused);
}

#[test]
fn truncated_output_is_repaired_once_then_given_up() {
    for (provider, file) in [
        (ProviderKind::OpenAi, "openai_truncated.json"),
        (ProviderKind::Anthropic, "anthropic_truncated.json"),
    ] {
        let server = Server::start();
        server.push(Reply::new(
            200,
            fixture(file, "{\"verdict\":\"fail\",\"sco", 100, 400),
        ));
        server.push(Reply::new(
            200,
            fixture(file, "{\"verdict\":\"fail\",\"sco", 100, 400),
        ));
        let judged = ask(&client(settings(provider, &server.base)));
        match judged.result {
            Err(JudgeFailure::Malformed(m)) => assert!(m.contains("cut off"), "{m}"),
            other => panic!("{provider:?}: {other:?}"),
        }
        assert_eq!(server.requests().len(), 2);
    }
}

#[test]
fn llama_cpp_rejects_json_schema_and_the_client_falls_back_to_json_object() {
    let server = Server::start();
    let rejected = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/providers/llamacpp_json_schema_rejected.json"
    ))
    .unwrap();
    server.push(Reply::new(500, rejected));
    server.push(openai_ok(FAIL));
    server.push(openai_ok(PASS));
    let mut s = settings(ProviderKind::OpenAiCompatible, &server.base);
    s.api_key = None;
    let c = client(s);
    let judged = ask(&c);
    assert_eq!(judged.result.unwrap().verdict, Some(Verdict::Fail));
    assert_eq!(judged.mode, AnswerMode::JsonObject);
    let seen = server.requests();
    assert_eq!(seen[0].body["response_format"]["type"], "json_schema");
    assert_eq!(seen[1].body["response_format"]["type"], "json_object");
    assert_eq!(seen[1].body["response_format"]["schema"]["type"], "object");
    assert!(seen[1].body["max_tokens"].is_number());
    assert_eq!(seen[0].header("authorization"), None);
    // The client remembers: the next call starts with json_object.
    assert_eq!(c.mode(), AnswerMode::JsonObject);
    let j = judge();
    let other = Sanitized::without_phi(Trace {
        output: "Rest and fluids usually help; see a doctor if it gets worse.".into(),
        ..Trace::default()
    });
    let judged = c.ask(
        "acme",
        j.id,
        &(j.build_prompt)(&other, &[]),
        j.parse_verdict,
    );
    assert!(judged.result.is_ok());
    assert_eq!(
        server.requests()[2].body["response_format"]["type"],
        "json_object"
    );
}

#[test]
fn a_server_that_takes_no_response_format_gets_prompt_only_json() {
    let server = Server::start();
    let reject = |t: &str| {
        Reply::new(
            400,
            format!(
                r#"{{"error":{{"code":400,"message":"response_format type must be one of \"text\", but got: {t}","type":"invalid_request_error"}}}}"#
            ),
        )
    };
    server.push(reject("json_schema"));
    server.push(reject("json_object"));
    server.push(openai_ok(&format!("```json\n{PASS}\n```")));
    let mut s = settings(ProviderKind::OpenAiCompatible, &server.base);
    s.api_key = None;
    let judged = ask(&client(s));
    assert_eq!(judged.result.unwrap().verdict, Some(Verdict::Pass));
    assert_eq!(judged.mode, AnswerMode::PromptOnly);
    assert!(server.requests()[2].body.get("response_format").is_none());
}

#[test]
fn a_non_retryable_rejection_is_reported_at_once() {
    let server = Server::start();
    server.always(Reply::new(
        401,
        r#"{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#.into(),
    ));
    let judged = ask(&client(settings(ProviderKind::OpenAi, &server.base)));
    match judged.result {
        Err(JudgeFailure::Call(CallError::Rejected {
            status, message, ..
        })) => {
            assert_eq!(status, 401);
            assert!(message.contains("Incorrect API key"));
            assert!(!message.contains("sk-test-secret"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn the_cache_answers_the_same_prompt_for_free_and_survives_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start();
    server.push(openai_ok(FAIL));
    let mut s = settings(ProviderKind::OpenAi, &server.base);
    s.cache_dir = Some(dir.path().to_path_buf());
    let first = ask(&client(s.clone()));
    assert!(!first.cached && first.cost > UsdCost::ZERO);
    // A new client (a new run) with the same model and prompt: no request, no cost.
    let c = client(s.clone());
    let second = ask(&c);
    assert!(second.cached);
    assert_eq!(second.cost, UsdCost::ZERO);
    assert_eq!(second.cache_key, first.cache_key);
    assert_eq!(second.result.unwrap().verdict, Some(Verdict::Fail));
    assert_eq!(server.requests().len(), 1);
    // Another model is another key.
    s.model = "other-model".into();
    assert_ne!(
        client(s).cache_key(&(judge().build_prompt)(&trace(), &[])),
        first.cache_key
    );
}

#[test]
fn the_spend_cap_stops_calls_once_reached() {
    let server = Server::start();
    server.always(openai_ok(FAIL));
    let dir = tempfile::tempdir().unwrap();
    let ledger_path = dir.path().join("spend.json");
    let mut s = settings(ProviderKind::OpenAi, &server.base);
    // Each call costs $0.008755; its reservation (prompt estimate + 400 output tokens) is
    // about $0.006: a $0.02 cap allows two calls and refuses the third.
    s.spend_cap = Some(UsdCost::from_micros(20_000));
    s.spend_ledger = Some(ledger_path.clone());
    let ledger = Arc::new(SpendLedger::open(s.spend_ledger.clone()).unwrap());
    let c = JudgeClient::new(s.clone(), ledger.clone()).unwrap();
    let j = judge();
    let mut outcomes = Vec::new();
    for i in 0..4 {
        let t = Sanitized::without_phi(Trace {
            output: format!("Take {} mg of acetaminophen.", 5000 + i),
            ..Trace::default()
        });
        outcomes.push(c.ask("acme", j.id, &(j.build_prompt)(&t, &[]), j.parse_verdict));
    }
    assert!(outcomes[0].result.is_ok() && outcomes[1].result.is_ok());
    for o in &outcomes[2..] {
        assert!(
            matches!(
                o.result,
                Err(JudgeFailure::Call(CallError::SpendCap { .. }))
            ),
            "{:?}",
            o.result
        );
    }
    assert_eq!(server.requests().len(), 2);
    assert_eq!(ledger.spent("acme").picos(), 2 * 8_755_000_000);
    // Another organisation has its own cap.
    let t = Sanitized::without_phi(Trace {
        output: "x 1 mg".into(),
        ..Trace::default()
    });
    assert!(
        c.ask("globex", j.id, &(j.build_prompt)(&t, &[]), j.parse_verdict)
            .result
            .is_ok()
    );
    // The ledger is kept across runs.
    let reopened = SpendLedger::open(Some(ledger_path)).unwrap();
    assert_eq!(reopened.spent("acme").picos(), 2 * 8_755_000_000);
}

/// A judge configured from TOML at the loopback server, with a $0.02 cap and a ledger file.
fn capped_config(server: &Server, file: &std::path::Path) -> aegis_llm::JudgeConfig {
    let toml = format!(
        r#"
[judge]
provider = "openai-compatible"
base_url = "{}"
model = "test-model"
max_output_tokens = 400
spend_cap_usd = 0.02
spend_ledger = {:?}
[judge.prices."test-model"]
input = 2.5
output = 10
"#,
        server.base,
        file.display().to_string()
    );
    aegis_llm::JudgeConfig::from_parts(Some(&toml), None, Default::default()).unwrap()
}

#[test]
fn a_ledger_given_to_the_judge_is_charged_instead_of_the_configured_file() {
    let server = Server::start();
    server.always(openai_ok(FAIL));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("spend.json");
    let config = capped_config(&server, &file);
    let info = &aegis_domain_healthcare::INFO;
    let given = Arc::new(SpendLedger::open(None).unwrap());
    let tier = LlmJudge::from_config(&config, &[info], Some(given.clone()))
        .unwrap()
        .unwrap();
    let ask = |tier: &LlmJudge, i: usize| {
        let mut t = trace().into_inner();
        t.output = format!("Take {} mg of acetaminophen.", 5000 + i);
        tier.evaluate(info, &Sanitized::without_phi(t), &[])
    };
    // $0.008755 a call, about $0.006 reserved: two calls, then the cap.
    assert_eq!(ask(&tier, 0).verdict, Some(Verdict::Fail));
    assert_eq!(ask(&tier, 1).verdict, Some(Verdict::Fail));
    let refused = ask(&tier, 2);
    assert_eq!(refused.verdict, None);
    assert!(refused.reason.contains("spend cap"), "{}", refused.reason);
    assert_eq!(server.requests().len(), 2);
    assert_eq!(given.spent("default").picos(), 2 * 8_755_000_000);
    assert!(!file.exists(), "the configured file is not the ledger");
    // Without a ledger given, the configured file is the ledger.
    let tier = LlmJudge::from_config(&config, &[info], None)
        .unwrap()
        .unwrap();
    assert_eq!(ask(&tier, 3).verdict, Some(Verdict::Fail));
    assert_eq!(
        SpendLedger::open(Some(file))
            .unwrap()
            .spent("default")
            .picos(),
        8_755_000_000
    );
}

/// A ledger that cannot be read (`reserve` fails) or cannot be written (`settle` fails).
#[derive(Debug)]
struct Broken {
    reserve: bool,
}

impl aegis_llm::Ledger for Broken {
    fn reserve(
        &self,
        _: &str,
        _: Option<UsdCost>,
        estimate: UsdCost,
    ) -> Result<aegis_llm::Reservation, CallError> {
        if self.reserve {
            Err(CallError::Ledger(aegis_llm::LedgerError::new("disk gone")))
        } else {
            Ok(aegis_llm::Reservation::new(7, estimate))
        }
    }

    fn settle(
        &self,
        _: &str,
        _: aegis_llm::Reservation,
        _: UsdCost,
    ) -> Result<(), aegis_llm::LedgerError> {
        Err(aegis_llm::LedgerError::new("disk full"))
    }

    fn spent(&self, _: &str) -> Result<UsdCost, aegis_llm::LedgerError> {
        Err(aegis_llm::LedgerError::new("disk gone"))
    }
}

#[test]
fn a_ledger_that_cannot_be_read_stops_the_call_and_one_that_cannot_be_written_does_not() {
    let server = Server::start();
    server.always(openai_ok(FAIL));
    let s = settings(ProviderKind::OpenAi, &server.base);
    let c = JudgeClient::new(s.clone(), Arc::new(Broken { reserve: true })).unwrap();
    match ask(&c).result {
        Err(JudgeFailure::Call(e @ CallError::Ledger(_))) => {
            assert!(e.to_string().contains("disk gone"), "{e}");
            assert!(e.to_string().contains("no Tier-3 call was made"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.requests().len(), 0, "the cap could not be checked");
    // The call was made and paid for: its answer is used, the failed settlement logged.
    let c = JudgeClient::new(s, Arc::new(Broken { reserve: false })).unwrap();
    let judged = ask(&c);
    assert_eq!(judged.result.unwrap().verdict, Some(Verdict::Fail));
    assert_eq!(judged.cost.picos(), 8_755_000_000);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn concurrent_calls_stay_within_the_concurrency_limit() {
    let server = Server::start();
    server.always(openai_ok(PASS).after(Duration::from_millis(150)));
    let mut s = settings(ProviderKind::OpenAi, &server.base);
    s.concurrency = 2;
    let c = client(s);
    let j = judge();
    let started = Instant::now();
    std::thread::scope(|scope| {
        for i in 0..6 {
            let c = &c;
            scope.spawn(move || {
                let t = Sanitized::without_phi(Trace {
                    output: format!("answer {i}"),
                    ..Trace::default()
                });
                assert!(
                    c.ask("acme", j.id, &(j.build_prompt)(&t, &[]), j.parse_verdict)
                        .result
                        .is_ok()
                );
            });
        }
    });
    assert_eq!(server.requests().len(), 6);
    // Never more than the limit (on a loaded machine, perhaps fewer at once).
    let most = server
        .max_in_flight
        .load(std::sync::atomic::Ordering::SeqCst);
    assert!((1..=2).contains(&most), "{most} in flight");
    // Six 150 ms requests, two at a time: at least three rounds.
    assert!(started.elapsed() >= Duration::from_millis(450));
}

#[test]
fn the_judge_tier_fails_passes_or_sends_on_and_reports_the_call() {
    let server = Server::start();
    let c = client(settings(ProviderKind::OpenAi, &server.base));
    let tier = LlmJudge::with_client(&["healthcare"], c);
    let info = &aegis_domain_healthcare::INFO;
    assert!(tier.unavailable_for(info).is_none());

    server.push(openai_ok(FAIL));
    let d = tier.evaluate(info, &trace(), &[]);
    assert_eq!(d.verdict, Some(Verdict::Fail));
    assert_eq!(d.issues.len(), 1);
    assert_eq!(d.issues[0].validator, "clinical_reasoning");
    assert!(d.issues[0].message.contains("twice the maximum"));
    assert_eq!(d.cost.picos(), 8_755_000_000);
    // Only the clinical judge applies: the faithfulness judge needs retrieved context.
    assert_eq!(d.modules.len(), 1);
    let call = d.modules[0].call.as_ref().unwrap();
    assert_eq!(
        (call.model.as_str(), call.mode.as_str()),
        ("test-model", "json_schema")
    );
    assert_eq!(call.prompt_hash.len(), 64);

    // With retrieved context both judges run; one uncertain answer sends the trace on.
    server.push(openai_ok(PASS));
    server.push(openai_ok(
        r#"{"verdict":"uncertain","score":0.5,"unsupported_claims":[],"rationale":"unclear"}"#,
    ));
    let mut t = trace().into_inner();
    t.output = "Up to 4000 mg a day for adults.".into();
    t.context = vec!["Adults: do not exceed 4,000 mg of acetaminophen in 24 hours.".into()];
    let d = tier.evaluate(info, &Sanitized::without_phi(t), &[]);
    assert_eq!(d.verdict, None);
    assert_eq!(d.modules.len(), 2);
    assert_eq!(d.modules[1].outcome, ModuleOutcome::Unsure);
    assert!(d.reason.contains("faithfulness"), "{}", d.reason);

    // A domain without a configured provider is unavailable.
    assert!(tier.unavailable_for(&aegis_domain_trading::INFO).is_some());
}

#[test]
fn a_server_that_reports_no_usage_is_charged_the_calls_estimate() {
    let server = Server::start();
    // A compatible server that leaves `usage` out.
    let body = serde_json::json!({
        "object": "chat.completion",
        "choices": [{ "index": 0, "message": { "role": "assistant", "content": PASS }, "finish_reason": "stop" }],
    });
    server.always(Reply::new(200, body.to_string()));
    let judged = ask(&client(settings(
        ProviderKind::OpenAiCompatible,
        &server.base,
    )));
    assert!(judged.result.is_ok());
    // 400 output tokens at $10/M = $0.004, plus the prompt's estimate: never $0.
    assert!(judged.cost > UsdCost::from_micros(4_000), "{}", judged.cost);
    assert_eq!(judged.output_tokens, 400);
}

#[test]
fn a_retry_after_longer_than_the_limit_is_not_waited_for() {
    let server = Server::start();
    server.always(
        Reply::new(429, fixture("openai_error_429.json", "", 0, 0)).header("retry-after", "1e300"),
    );
    let started = Instant::now();
    let judged = ask(&client(settings(ProviderKind::OpenAi, &server.base)));
    match judged.result {
        Err(JudgeFailure::Call(CallError::Exhausted { last, attempts, .. })) => {
            assert_eq!(attempts, 1);
            assert!(last.contains("max_retry_after_secs"), "{last}");
        }
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// Every wire format through every scenario: success, 429 with Retry-After, 500, timeout,
/// malformed JSON, refusal, truncated output.
#[test]
fn every_provider_through_every_failure() {
    let azure_429 = r#"{"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 1 second."}}"#;
    for provider in [
        ProviderKind::OpenAi,
        ProviderKind::Anthropic,
        ProviderKind::Azure,
        ProviderKind::OpenAiCompatible,
    ] {
        let anthropic = provider == ProviderKind::Anthropic;
        let ok = |content: &str| {
            if anthropic {
                Reply::new(200, fixture("anthropic_message.json", content, 100, 20))
            } else {
                Reply::new(
                    200,
                    fixture("openai_chat_completion.json", content, 100, 20),
                )
            }
        };
        let (too_many, server_error, refusal, truncated) = if anthropic {
            (
                fixture("anthropic_error_429.json", "", 0, 0),
                fixture("anthropic_error_529.json", "", 0, 0),
                "anthropic_refusal.json",
                "anthropic_truncated.json",
            )
        } else if provider == ProviderKind::Azure {
            (
                azure_429.to_owned(),
                fixture("openai_error_500.json", "", 0, 0),
                "openai_refusal.json",
                "openai_truncated.json",
            )
        } else {
            (
                fixture("openai_error_429.json", "", 0, 0),
                fixture("openai_error_500.json", "", 0, 0),
                "openai_refusal.json",
                "openai_truncated.json",
            )
        };
        let server_error_status = if anthropic { 529 } else { 500 };
        let server = Server::start();
        let mut s = settings(provider, &server.base);
        s.timeout = Duration::from_millis(500);
        let c = client(s);
        // A new trace each time: the same prompt would be answered from the cache.
        let n = std::cell::Cell::new(0);
        let ask_new = || {
            n.set(n.get() + 1);
            let j = judge();
            let t = Sanitized::without_phi(Trace {
                output: format!("Take {} mg of acetaminophen a day.", 1000 + n.get()),
                ..Trace::default()
            });
            c.ask("acme", j.id, &(j.build_prompt)(&t, &[]), j.parse_verdict)
        };
        let expect_ok = |what: &str| {
            let j = ask_new();
            assert!(j.result.is_ok(), "{provider:?} {what}: {:?}", j.result);
            j
        };
        // Success.
        server.push(ok(FAIL));
        assert_eq!(expect_ok("success").requests, 1);
        // 429 with Retry-After (in milliseconds here, to keep the test short).
        server.push(Reply::new(429, too_many.clone()).header("retry-after-ms", "300"));
        server.push(ok(FAIL));
        let before = server.requests().len();
        let j = expect_ok("429");
        let seen = server.requests();
        assert!(
            seen[before + 1].at - seen[before].at >= Duration::from_millis(300),
            "{provider:?}"
        );
        assert_eq!(j.requests, 2);
        // 500 (529 for Anthropic), then success.
        server.push(Reply::new(server_error_status, server_error.clone()));
        server.push(ok(PASS));
        assert_eq!(expect_ok("5xx").requests, 2);
        // A timeout, then success.
        server.push(ok(PASS).after(Duration::from_millis(1200)));
        server.push(ok(PASS));
        assert_eq!(expect_ok("timeout").requests, 2);
        // Malformed JSON in the answer, repaired.
        server.push(ok("{verdict: fail}"));
        server.push(ok(FAIL));
        assert_eq!(expect_ok("malformed").requests, 2);
        // A refusal.
        server.push(Reply::new(200, fixture(refusal, "", 10, 5)));
        assert_eq!(
            ask_new().result.unwrap_err(),
            JudgeFailure::Refused,
            "{provider:?}"
        );
        // Truncated, then a whole answer on the repair request.
        server.push(Reply::new(
            200,
            fixture(truncated, "{\"verdict\":\"fa", 10, 400),
        ));
        server.push(ok(FAIL));
        assert_eq!(expect_ok("truncated").requests, 2);
    }
}
