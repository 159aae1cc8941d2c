//! The shared queue on a real Redis: at-least-once delivery through a consumer group, entries a
//! worker left unfinished taken over, dead letters, back-pressure.

#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use aegis_core::{Sanitized, Trace};
use aegis_store::redis_queue::{PushError, RedisQueue, RedisQueueConfig};
use aegis_store::{OrgId, QueueEntry};

fn config(claim_idle_ms: u64, max_deliveries: u64, max_backlog: u64) -> RedisQueueConfig {
    let name = support::fresh_schema();
    RedisQueueConfig {
        stream: format!("{name}:traces"),
        group: "workers".to_owned(),
        dead_letters: format!("{name}:dead"),
        max_backlog,
        claim_idle: Duration::from_millis(claim_idle_ms),
        max_deliveries,
    }
}

fn entries(n: usize) -> Vec<QueueEntry> {
    (0..n)
        .map(|i| {
            let trace = Sanitized::without_phi(Trace {
                id: Some(format!("t{i}")),
                input: "q".into(),
                output: format!("answer {i}"),
                ..Trace::default()
            });
            QueueEntry::new(format!("id:t{i}"), &trace).unwrap()
        })
        .collect()
}

#[test]
fn each_trace_goes_to_one_worker_and_leaves_when_finished() {
    let Some(url) = support::redis_url() else {
        return;
    };
    let cfg = config(60_000, 5, 1_000);
    let org = OrgId::parse("acme").unwrap();
    let mut api = RedisQueue::connect(&url, cfg.clone()).unwrap();
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert_eq!(
        api.depth().unwrap().oldest_added_ms,
        None,
        "empty: no oldest"
    );
    api.push(&org, &entries(100)).unwrap();
    let depth = api.depth().unwrap();
    assert_eq!(depth.backlog, 100);
    // The oldest entry's time, from its id: when it was added (Redis's clock is this machine's).
    let oldest = depth.oldest_added_ms.unwrap();
    assert!(
        (before - 1_000..=before + 60_000).contains(&oldest),
        "{oldest} vs {before}"
    );
    let mut a = RedisQueue::connect(&url, cfg.clone()).unwrap();
    let mut b = RedisQueue::connect(&url, cfg.clone()).unwrap();
    let mut keys = Vec::new();
    loop {
        let ta = a.take("a", 7, Duration::from_millis(10)).unwrap();
        let tb = b.take("b", 5, Duration::from_millis(10)).unwrap();
        if ta.is_empty() && tb.is_empty() {
            break;
        }
        for (q, taken) in [(&mut a, ta), (&mut b, tb)] {
            assert!(taken.iter().all(|t| t.deliveries == 1 && t.org == org));
            keys.extend(taken.iter().map(|t| t.key.clone()));
            let ids: Vec<&str> = taken.iter().map(|t| t.entry.as_str()).collect();
            q.finish(&ids).unwrap();
        }
    }
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 100, "every trace delivered, none twice");
    let depth = api.depth().unwrap();
    assert_eq!((depth.backlog, depth.pending), (0, 0));
    assert_eq!(depth.oldest_added_ms, None, "finished entries are gone");
    // The trace comes back whole.
    api.push(&org, &entries(1)).unwrap();
    let t = a.take("a", 1, Duration::from_millis(10)).unwrap().remove(0);
    assert_eq!(t.trace.output, "answer 0");
    assert_eq!(t.trace.id.as_deref(), Some("t0"));
}

#[test]
fn an_unfinished_trace_is_taken_over_and_after_too_many_deliveries_is_a_dead_letter() {
    let Some(url) = support::redis_url() else {
        return;
    };
    let cfg = config(500, 3, 1_000);
    let org = OrgId::parse("acme").unwrap();
    let mut q = RedisQueue::connect(&url, cfg.clone()).unwrap();
    q.push(&org, &entries(2)).unwrap();
    // Worker a takes both and dies without finishing.
    assert_eq!(q.take("a", 10, Duration::from_millis(10)).unwrap().len(), 2);
    // Before the idle time, nobody else gets them.
    assert!(
        q.take("b", 10, Duration::from_millis(10))
            .unwrap()
            .is_empty()
    );
    std::thread::sleep(Duration::from_millis(600));
    let taken = q.take("b", 10, Duration::from_millis(10)).unwrap();
    assert_eq!(taken.len(), 2);
    assert!(taken.iter().all(|t| t.deliveries == 2), "{taken:?}");
    // b finishes one; the other fails each time it is tried.
    q.finish(&[taken[0].entry.as_str()]).unwrap();
    assert!(!q.failed(&taken[1], "the store refused the write").unwrap());
    std::thread::sleep(Duration::from_millis(600));
    let again = q.take("c", 10, Duration::from_millis(10)).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].deliveries, 3);
    assert!(q.failed(&again[0], "the store refused the write").unwrap());
    let dead = q.dead_letters(Some(&org), 10).unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].key, again[0].key);
    assert_eq!(dead[0].deliveries, 3);
    assert!(dead[0].error.contains("refused"));
    let depth = q.depth().unwrap();
    assert_eq!(
        (depth.backlog, depth.pending, depth.dead_letters),
        (0, 0, 1)
    );
    // Another organisation sees none of them.
    assert!(
        q.dead_letters(Some(&OrgId::parse("other").unwrap()), 10)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_worker_that_never_comes_back_leaves_a_dead_letter_and_the_rest_flow_on() {
    let Some(url) = support::redis_url() else {
        return;
    };
    let cfg = config(50, 2, 1_000);
    let org = OrgId::parse("acme").unwrap();
    let mut q = RedisQueue::connect(&url, cfg.clone()).unwrap();
    q.push(&org, &entries(1)).unwrap();
    // Taken and dropped twice (two crashed workers): the third take buries it.
    for w in ["a", "b"] {
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(q.take(w, 10, Duration::from_millis(10)).unwrap().len(), 1);
    }
    q.push(&org, &entries(3)).unwrap();
    std::thread::sleep(Duration::from_millis(60));
    // The buried one is not handed out; once it is, the new ones are.
    let mut got = Vec::new();
    for _ in 0..3 {
        let taken = q.take("c", 10, Duration::from_millis(10)).unwrap();
        // Finished as taken: at a 50 ms idle time, one left pending on a busy machine would be
        // taken over again.
        let ids: Vec<&str> = taken.iter().map(|t| t.entry.as_str()).collect();
        q.finish(&ids).unwrap();
        got.extend(taken);
    }
    assert_eq!(got.len(), 3, "{got:?}");
    let dead = q.dead_letters(None, 10).unwrap();
    assert_eq!(dead.len(), 1);
    assert!(
        dead[0].error.contains("delivered 3 times"),
        "{}",
        dead[0].error
    );
    // An entry that is no trace is a dead letter at once, not an error of the worker.
    let mut raw = redis::Client::open(url.as_str())
        .unwrap()
        .get_connection()
        .unwrap();
    let _: String = redis::cmd("XADD")
        .arg(&cfg.stream)
        .arg("*")
        .arg("org")
        .arg("acme")
        .arg("trace")
        .arg("{not json")
        .query(&mut raw)
        .unwrap();
    assert!(
        q.take("c", 10, Duration::from_millis(10))
            .unwrap()
            .is_empty()
    );
    assert_eq!(q.dead_letters(None, 10).unwrap().len(), 2);
}

#[test]
fn ingest_is_refused_while_the_backlog_is_at_its_bound() {
    let Some(url) = support::redis_url() else {
        return;
    };
    let cfg = config(60_000, 5, 10);
    let org = OrgId::parse("acme").unwrap();
    let mut q = RedisQueue::connect(&url, cfg).unwrap();
    q.push(&org, &entries(10)).unwrap();
    match q.push(&org, &entries(1)) {
        Err(PushError::Full { backlog }) => assert_eq!(backlog, 10),
        other => panic!("{other:?}"),
    }
    let taken = q.take("a", 4, Duration::from_millis(10)).unwrap();
    let ids: Vec<&str> = taken.iter().map(|t| t.entry.as_str()).collect();
    q.finish(&ids).unwrap();
    q.push(&org, &entries(1)).unwrap();
    assert_eq!(q.depth().unwrap().backlog, 7);
}

#[test]
fn a_queue_that_cannot_be_reached_is_an_error_naming_it_without_its_password() {
    let e = RedisQueue::connect("redis://:s3cret@127.0.0.1:1/", RedisQueueConfig::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("cannot connect") && !e.contains("s3cret"), "{e}");
}

#[test]
fn dead_letters_are_read_newest_first_a_page_at_a_time() {
    let Some(url) = support::redis_url() else {
        return;
    };
    let cfg = config(60_000, 5, 1_000);
    let mut q = RedisQueue::connect(&url, cfg.clone()).unwrap();
    // 2,500 dead letters, alternately of two organisations: more than one page of the stream.
    let mut raw = redis::Client::open(url.as_str())
        .unwrap()
        .get_connection()
        .unwrap();
    let mut pipe = redis::pipe();
    for i in 0..2_500 {
        pipe.cmd("XADD")
            .arg(&cfg.dead_letters)
            .arg("*")
            .arg("org")
            .arg(if i % 2 == 0 { "acme" } else { "other" })
            .arg("key")
            .arg(format!("id:t{i}"))
            .arg("error")
            .arg("e")
            .arg("deliveries")
            .arg(5)
            .ignore();
    }
    let () = pipe.query(&mut raw).unwrap();
    let acme = OrgId::parse("acme").unwrap();
    let some = q.dead_letters(Some(&acme), 1_300).unwrap();
    assert_eq!(some.len(), 1_250, "every one of acme's, over three pages");
    assert!(some.iter().all(|d| d.org == "acme"));
    assert_eq!(some[0].key, "id:t2498", "newest first");
    assert_eq!(some[1_249].key, "id:t0");
    assert_eq!(q.dead_letters(None, 10).unwrap()[0].key, "id:t2499");
    assert_eq!(q.dead_letters(Some(&acme), 3).unwrap().len(), 3);
}

/// `rediss://` is TLS, the server verified against the CA given; without it the server's
/// certificate (from a CA of the test servers' own) is refused. Needs the servers of
/// `scripts/scale/servers.sh`, whose Redis has a TLS port.
#[test]
fn a_queue_over_tls_verifies_the_server() {
    let (Ok(url), Ok(ca)) = (
        std::env::var("AEGIS_TEST_REDIS_TLS"),
        std::env::var("AEGIS_TEST_PG_CA"),
    ) else {
        assert!(
            std::env::var("AEGIS_REQUIRE_REDIS").is_err(),
            "AEGIS_REQUIRE_REDIS is set but AEGIS_TEST_REDIS_TLS or AEGIS_TEST_PG_CA is not"
        );
        eprintln!("SKIPPED: no Redis with TLS (scripts/scale/servers.sh)");
        return;
    };
    let url = format!("{url}13");
    let cfg = config(60_000, 5, 1_000);
    let org = OrgId::parse("acme").unwrap();
    let mut q =
        RedisQueue::connect_with_ca(&url, cfg.clone(), Some(std::path::Path::new(&ca))).unwrap();
    q.push(&org, &entries(3)).unwrap();
    let taken = q.take("tls", 10, Duration::from_millis(10)).unwrap();
    assert_eq!(taken.len(), 3);
    let ids: Vec<&str> = taken.iter().map(|t| t.entry.as_str()).collect();
    q.finish(&ids).unwrap();
    let refused = RedisQueue::connect_with_ca(&url, cfg, None)
        .err()
        .unwrap()
        .to_string();
    assert!(refused.contains("cannot connect"), "{refused}");
}
