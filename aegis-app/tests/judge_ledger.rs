//! The Tier-3 spend cap kept in the store, end to end: judges in two "processes" (two clients,
//! each with its own connection to one store file) against a loopback provider share one cap,
//! where ledger files would let each spend it; the pipeline built with a store charges the
//! store's ledger; and the service caps each organisation in its own store.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly on purpose.

#[path = "../../aegis-llm/tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::sync::Arc;

use aegis_app::ledger::StoreLedger;
use aegis_app::service::{Service, ServiceConfig};
use aegis_app::{Pipeline, TierOptions};
use aegis_core::judge::JudgeInfo;
use aegis_core::{Sanitized, Tier, TierOutcome, Trace, UsdCost};
use aegis_domain_healthcare::Healthcare;
use aegis_llm::{CallError, JudgeClient, JudgeFailure, JudgeSettings, Ledger, ProviderKind};
use aegis_store::{Reserve, SqliteLedger};
use common::{Reply, Server, fixture, settings};

const FAIL: &str = r#"{"verdict":"fail","score":0.93,"rationale":"8 g of acetaminophen a day is twice the maximum."}"#;

/// What one call costs with the fixture's usage (1234 tokens in, 567 out): $0.008755.
const CALL: u64 = 8_755_000_000;

fn judge() -> &'static JudgeInfo {
    aegis_domain_healthcare::INFO
        .judges
        .iter()
        .find(|j| j.id == "clinical_reasoning")
        .unwrap()
}

fn capped(server: &Server) -> JudgeSettings {
    let mut s = settings(ProviderKind::OpenAi, &server.base);
    // Each call costs $0.008755 and reserves about $0.006 (its prompt estimate and 400 output
    // tokens): a $0.02 cap allows two calls, one after the other.
    s.spend_cap = Some(UsdCost::from_micros(20_000));
    s
}

/// Asks the clinical judge about a trace of its own (distinct prompts: no cache hits).
fn ask(c: &JudgeClient, i: usize) -> Result<(), JudgeFailure> {
    let j = judge();
    let t = Sanitized::without_phi(Trace {
        output: format!("Take {} mg of acetaminophen.", 5000 + i),
        ..Trace::default()
    });
    c.ask("acme", j.id, &(j.build_prompt)(&t, &[]), j.parse_verdict)
        .result
        .map(|_| ())
}

fn store_ledger(path: &Path) -> Arc<StoreLedger> {
    Arc::new(StoreLedger::open(path, SqliteLedger::DEFAULT_HOLD).unwrap())
}

#[test]
fn judges_of_two_processes_share_the_stores_cap_where_ledger_files_do_not() {
    let server = Server::start();
    server.always(Reply::new(
        200,
        fixture("openai_chat_completion.json", FAIL, 1234, 567),
    ));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    // Two processes' judges: each its own client and its own connection to the store.
    let (la, lb) = (store_ledger(&db), store_ledger(&db));
    let a = JudgeClient::new(capped(&server), la.clone()).unwrap();
    let b = JudgeClient::new(capped(&server), lb.clone()).unwrap();
    let outcomes: Vec<_> = (0..6)
        .map(|i| ask(if i % 2 == 0 { &a } else { &b }, i))
        .collect();
    assert!(outcomes[0].is_ok() && outcomes[1].is_ok(), "{outcomes:?}");
    for o in &outcomes[2..] {
        assert!(
            matches!(o, Err(JudgeFailure::Call(CallError::SpendCap { .. }))),
            "{o:?}"
        );
    }
    assert_eq!(server.requests().len(), 2);
    assert_eq!(la.spent("acme").unwrap().picos(), 2 * CALL);
    assert_eq!(lb.ledger().reserved("acme").unwrap(), UsdCost::ZERO);
    // Kept in the store: a later process starts from it.
    drop((a, b, la, lb));
    assert_eq!(
        SqliteLedger::open(&db)
            .unwrap()
            .spent("acme")
            .unwrap()
            .picos(),
        2 * CALL
    );

    // The same two processes with one ledger file: each sees only its own spend, and together
    // they spend the cap twice over.
    let file = dir.path().join("spend.json");
    let clients: Vec<JudgeClient> = (0..2)
        .map(|_| {
            let l = Arc::new(aegis_llm::SpendLedger::open(Some(file.clone())).unwrap());
            JudgeClient::new(capped(&server), l).unwrap()
        })
        .collect();
    let ok = (10..16)
        .filter(|i| ask(&clients[i % 2], *i).is_ok())
        .count();
    assert_eq!(ok, 4);
}

#[test]
fn judges_calling_at_once_from_two_connections_never_spend_past_the_cap() {
    let server = Server::start();
    // A call costs $0.004 (400 tokens in, 300 out): less than its reservation, so what is
    // spent and reserved together bounds what will be spent.
    server.always(Reply::new(
        200,
        fixture("openai_chat_completion.json", FAIL, 400, 300),
    ));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let cap = UsdCost::from_micros(30_000);
    let clients: Vec<JudgeClient> = (0..2)
        .map(|_| {
            let mut s = capped(&server);
            s.spend_cap = Some(cap);
            JudgeClient::new(s, store_ledger(&db)).unwrap()
        })
        .collect();
    let calls = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for (n, c) in clients.iter().enumerate() {
            for t in 0..3 {
                let calls = &calls;
                s.spawn(move || {
                    for i in 0..6 {
                        if ask(c, 100 * (n * 3 + t) + i).is_ok() {
                            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        }
                    }
                });
            }
        }
    });
    // Then one after the other until refused (threads refused while others were in flight
    // may have left room).
    let mut calls = calls.into_inner();
    for i in 0..10 {
        match ask(&clients[i % 2], 1000 + i) {
            Ok(()) => calls += 1,
            Err(JudgeFailure::Call(CallError::SpendCap { .. })) => break,
            Err(e) => panic!("{e}"),
        }
    }
    let ledger = SqliteLedger::open(&db).unwrap();
    let spent = ledger.spent("acme").unwrap();
    assert_eq!(server.requests().len(), calls);
    assert_eq!(spent.picos(), calls as u64 * 4_000_000_000);
    assert!(spent <= cap, "{spent} spent, cap {cap}");
    // The cap is used up: what is left is less than a reservation (under $0.008).
    assert!(spent.picos() + 8_000_000_000 > cap.picos(), "{spent}");
    assert_eq!(ledger.reserved("acme").unwrap(), UsdCost::ZERO);
}

/// An `aegis.toml` in `dir` with a judge at the loopback `server`, capped at $0.02.
fn judge_config(dir: &Path, server: &Server) -> std::path::PathBuf {
    let config = dir.join("aegis.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[judge]
provider = "openai-compatible"
base_url = "{}"
model = "test-model"
max_output_tokens = 400
max_retries = 0
spend_cap_usd = 0.02

[judge.prices."test-model"]
input = 2.5
output = 10
"#,
            server.base
        ),
    )
    .unwrap();
    config
}

/// Spends $0.02 (the cap) for `organisation` in the store at `db`, as another process would.
fn spend_the_cap(db: &Path, organisation: &str) -> SqliteLedger {
    let other = SqliteLedger::open(db).unwrap();
    let Reserve::Reserved { id } = other
        .reserve(organisation, None, UsdCost::from_micros(20_000))
        .unwrap()
    else {
        panic!("no cap, no refusal")
    };
    other
        .settle(id, organisation, UsdCost::from_micros(20_000))
        .unwrap();
    other
}

/// Emergency symptoms, routed: Tier 1 sends the trace to a clinical judge.
const EMERGENCY: (&str, &str) = (
    "I have crushing chest pain and my left arm is numb.",
    "Call 911 now or go to the nearest emergency room.",
);

#[test]
fn the_pipeline_built_with_a_store_charges_the_stores_ledger() {
    let server = Server::start();
    server.always(Reply::new(
        200,
        fixture("openai_chat_completion.json", FAIL, 1234, 567),
    ));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let config = judge_config(dir.path(), &server);
    // Another process already spent the organisation's cap, in this store.
    let other = spend_the_cap(&db, "default");
    let options = |spend_store: Option<&Path>| TierOptions {
        no_models: true,
        judge_config: Some(config.clone()),
        spend_store: spend_store.map(Path::to_path_buf),
        ..TierOptions::default()
    };
    let trace = || {
        Sanitized::without_phi(Trace {
            input: EMERGENCY.0.into(),
            output: EMERGENCY.1.into(),
            ..Trace::default()
        })
    };
    let judge_tier = |r: &aegis_core::EvaluationResult| {
        r.tiers
            .iter()
            .find(|t| t.tier == Tier::Judge)
            .cloned()
            .unwrap()
    };

    let with_store = Pipeline::build(&[&Healthcare], None, &options(Some(&db))).unwrap();
    let r = with_store
        .orchestrator()
        .evaluate_sanitized(&Healthcare, trace());
    let t3 = judge_tier(&r);
    assert!(
        !matches!(t3.outcome, TierOutcome::Skipped),
        "the trace reached Tier 3: {r:?}"
    );
    assert_eq!(server.requests().len(), 0, "the store's cap is spent");
    let said = serde_json::to_string(&r).unwrap();
    assert!(said.contains("spend cap"), "{said}");
    assert_eq!(t3.cost_usd, UsdCost::ZERO);

    // Without the store, this process's own (empty) ledger lets the call through.
    let without = Pipeline::build(&[&Healthcare], None, &options(None)).unwrap();
    let r = without
        .orchestrator()
        .evaluate_sanitized(&Healthcare, trace());
    assert_eq!(server.requests().len(), 1);
    assert_eq!(judge_tier(&r).cost_usd.picos(), CALL);
    assert_eq!(
        other.spent("default").unwrap(),
        UsdCost::from_micros(20_000)
    );
}

#[test]
fn each_organisation_of_the_service_is_capped_in_its_own_store() {
    let server = Server::start();
    server.always(Reply::new(
        200,
        fixture("openai_chat_completion.json", FAIL, 1234, 567),
    ));
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServiceConfig::new(dir.path().join("service"));
    config.tiers = TierOptions {
        no_models: true,
        judge_config: Some(judge_config(dir.path(), &server)),
        ..TierOptions::default()
    };
    let service = Service::open(&[&Healthcare], config).unwrap();
    let (spent, _) = service.create_org("Spent Ltd").unwrap();
    let (fresh, _) = service.create_org("Fresh Ltd").unwrap();
    // Another process (a second server, a run on its store) spent the first one's cap.
    let store = |org: &aegis_store::Organisation| {
        dir.path()
            .join("service/orgs")
            .join(org.id.as_str())
            .join("store.db")
    };
    spend_the_cap(&store(&spent), "default");
    let body = serde_json::json!({ "input": EMERGENCY.0, "output": EMERGENCY.1 }).to_string();
    let judged = |org: &aegis_store::Organisation| {
        let guarded = service
            .evaluate_now(&org.id, body.as_bytes(), Some("healthcare"))
            .unwrap()
            .unwrap();
        serde_json::to_string(&guarded.result).unwrap()
    };
    let said = judged(&spent);
    assert!(said.contains("spend cap"), "{said}");
    assert_eq!(server.requests().len(), 0);
    // The other organisation's store has its own ledger: its call goes out, and is kept there.
    let said = judged(&fresh);
    assert!(!said.contains("spend cap"), "{said}");
    assert_eq!(server.requests().len(), 1);
    assert_eq!(
        SqliteLedger::open(&store(&fresh))
            .unwrap()
            .spent("default")
            .unwrap()
            .picos(),
        CALL
    );
}
