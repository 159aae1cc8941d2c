//! The Tier-3 spend ledger in the store: one cap shared exactly by several connections (as
//! several processes would hold) and by several processes, settlement, expiry of reservations a
//! dead process left, reopening, and the migration from schema 5.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aegis_core::{EvaluationResult, Sanitized, Tier, Trace, UsdCost, Verdict};
use aegis_store::{Reserve, SqliteLedger, SqliteStore, Store, StoredRecord};

fn micros(n: u64) -> UsdCost {
    UsdCost::from_micros(n)
}

fn store_file() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    (dir, path)
}

fn reserved_id(r: Reserve) -> i64 {
    match r {
        Reserve::Reserved { id } => id,
        other => panic!("refused: {other:?}"),
    }
}

/// Reservations in the file, expired or not.
fn reservation_rows(path: &Path) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("SELECT count(*) FROM judge_reservations", [], |r| r.get(0))
        .unwrap()
}

/// Reserves `amount` from `threads` threads on each of `ledgers`, `attempts` times each with
/// `pause` between attempts, settling nothing; checks after every reservation that spent +
/// reserved stays within the cap. Returns how many reservations were granted.
fn reserve_concurrently(
    ledgers: &[Arc<SqliteLedger>],
    threads: usize,
    attempts: usize,
    (cap, amount): (UsdCost, UsdCost),
    pause: Duration,
) -> u64 {
    let granted = Arc::new(AtomicU64::new(0));
    std::thread::scope(|s| {
        for ledger in ledgers {
            for _ in 0..threads {
                let (ledger, granted) = (Arc::clone(ledger), Arc::clone(&granted));
                s.spawn(move || {
                    for _ in 0..attempts {
                        match ledger.reserve("acme", Some(cap), amount).unwrap() {
                            Reserve::Reserved { .. } => {
                                granted.fetch_add(1, Ordering::SeqCst);
                            }
                            Reserve::Refused { spent, reserved } => {
                                assert!(
                                    spent.picos() + reserved.picos() + amount.picos() > cap.picos()
                                );
                            }
                        }
                        // Spent first, then reserved: both only grow here, so the sum read is at
                        // most a state the file was really in.
                        let spent = ledger.spent("acme").unwrap();
                        let reserved = ledger.reserved("acme").unwrap();
                        assert!(spent.picos() + reserved.picos() <= cap.picos());
                        std::thread::sleep(pause);
                    }
                });
            }
        }
    });
    granted.load(Ordering::SeqCst)
}

#[test]
fn two_connections_reserving_from_many_threads_share_one_cap_exactly() {
    let (_dir, path) = store_file();
    // Two ledgers, each on its own connection: what two processes hold.
    let a = Arc::new(SqliteLedger::open(&path).unwrap());
    let b = Arc::new(SqliteLedger::open(&path).unwrap());
    let (cap, amount) = (micros(100), micros(7));
    // 2 × 4 threads × 6 attempts = 48 tries for 14 places.
    let granted = reserve_concurrently(
        &[Arc::clone(&a), Arc::clone(&b)],
        4,
        6,
        (cap, amount),
        Duration::ZERO,
    );
    assert_eq!(granted, 100 / 7);
    assert_eq!(a.reserved("acme").unwrap(), micros(7 * 14));
    assert_eq!(b.reserved("acme").unwrap(), micros(7 * 14));
    assert_eq!(reservation_rows(&path), 14);
    // What is left (2) is less than a call: refused, whichever connection asks.
    assert_eq!(
        b.reserve("acme", Some(cap), micros(3)).unwrap(),
        Reserve::Refused {
            spent: UsdCost::ZERO,
            reserved: micros(98)
        }
    );
    assert!(matches!(
        a.reserve("acme", Some(cap), micros(2)).unwrap(),
        Reserve::Reserved { .. }
    ));
    // Another organisation has its own cap; no cap reserves whatever is held.
    assert!(matches!(
        a.reserve("globex", Some(cap), micros(100)).unwrap(),
        Reserve::Reserved { .. }
    ));
    assert!(matches!(
        b.reserve("acme", None, micros(1_000_000)).unwrap(),
        Reserve::Reserved { .. }
    ));
}

#[test]
fn concurrent_calls_that_settle_never_pass_the_cap_and_spend_what_they_settled() {
    let (_dir, path) = store_file();
    let ledgers: Vec<Arc<SqliteLedger>> = (0..2)
        .map(|_| Arc::new(SqliteLedger::open(&path).unwrap()))
        .collect();
    // Each call reserves 10 and costs 4.
    let (cap, amount, actual) = (micros(200), micros(10), micros(4));
    let calls = Arc::new(AtomicU64::new(0));
    std::thread::scope(|s| {
        for ledger in &ledgers {
            for _ in 0..3 {
                let (ledger, calls) = (Arc::clone(ledger), Arc::clone(&calls));
                s.spawn(move || {
                    for _ in 0..40 {
                        if let Reserve::Reserved { id } =
                            ledger.reserve("acme", Some(cap), amount).unwrap()
                        {
                            let spent = ledger.spent("acme").unwrap();
                            let reserved = ledger.reserved("acme").unwrap();
                            assert!(spent.picos() + reserved.picos() <= cap.picos());
                            ledger.settle(id, "acme", actual).unwrap();
                            calls.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                });
            }
        }
    });
    let calls = calls.load(Ordering::SeqCst);
    let spent = ledgers[0].spent("acme").unwrap();
    assert_eq!(spent, micros(4 * calls));
    assert!(spent <= cap, "{spent}");
    assert_eq!(ledgers[1].reserved("acme").unwrap(), UsdCost::ZERO);
    assert_eq!(reservation_rows(&path), 0);
    // Calls were refused only while others were in flight: the cap is (nearly) used up.
    assert!(spent.picos() + amount.picos() > cap.picos(), "{spent}");
}

#[test]
fn settling_releases_the_reservation_and_adds_the_actual_cost() {
    let (_dir, path) = store_file();
    let l = SqliteLedger::open(&path).unwrap();
    let cap = Some(micros(100));
    let id = reserved_id(l.reserve("acme", cap, micros(60)).unwrap());
    assert_eq!(l.reserved("acme").unwrap(), micros(60));
    assert_eq!(
        l.reserve("acme", cap, micros(60)).unwrap(),
        Reserve::Refused {
            spent: UsdCost::ZERO,
            reserved: micros(60)
        }
    );
    l.settle(id, "acme", micros(30)).unwrap();
    assert_eq!(l.reserved("acme").unwrap(), UsdCost::ZERO);
    assert_eq!(l.spent("acme").unwrap(), micros(30));
    let id = reserved_id(l.reserve("acme", cap, micros(60)).unwrap());
    assert_eq!(
        l.reserve("acme", cap, micros(11)).unwrap(),
        Reserve::Refused {
            spent: micros(30),
            reserved: micros(60)
        }
    );
    // A call that failed costs nothing: settling with zero only releases.
    l.settle(id, "acme", UsdCost::ZERO).unwrap();
    assert_eq!(l.spent("acme").unwrap(), micros(30));
    assert_eq!(l.reserved("acme").unwrap(), UsdCost::ZERO);
    assert_eq!(l.spent("nobody").unwrap(), UsdCost::ZERO);
}

#[test]
fn a_reservation_a_dead_process_left_stops_counting_when_it_expires() {
    let (_dir, path) = store_file();
    let cap = Some(micros(100));
    // A process whose reservations count for 300 ms takes the whole cap, then dies.
    let dead = SqliteLedger::open(&path)
        .unwrap()
        .with_hold(Duration::from_millis(300));
    let held = reserved_id(dead.reserve("acme", cap, micros(100)).unwrap());
    let live = SqliteLedger::open(&path).unwrap();
    assert_eq!(live.hold(), SqliteLedger::DEFAULT_HOLD);
    assert!(matches!(
        live.reserve("acme", cap, micros(1)).unwrap(),
        Reserve::Refused { .. }
    ));
    drop(dead);
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(live.reserved("acme").unwrap(), UsdCost::ZERO);
    let mine = reserved_id(live.reserve("acme", cap, micros(90)).unwrap());
    // The expired row is gone; the new one has a new id.
    assert_eq!(reservation_rows(&path), 1);
    assert!(mine > held);
    // Had the process only been slow, its late settlement adds its cost and ends no other
    // call's reservation.
    live.settle(held, "acme", micros(5)).unwrap();
    assert_eq!(live.spent("acme").unwrap(), micros(5));
    assert_eq!(live.reserved("acme").unwrap(), micros(90));
    // And a reservation of a dead process that is an hour old, whatever the hold it was given.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE judge_reservations SET created_at = created_at - 3600000, expires_at = created_at - 1",
            [],
        )
        .unwrap();
    assert_eq!(live.reserved("acme").unwrap(), UsdCost::ZERO);
    assert!(matches!(
        live.reserve("acme", cap, micros(95)).unwrap(),
        Reserve::Reserved { .. }
    ));
}

#[test]
fn the_ledger_survives_reopening() {
    let (_dir, path) = store_file();
    let in_flight;
    {
        let l = SqliteLedger::open(&path).unwrap();
        let id = reserved_id(l.reserve("acme", None, micros(40)).unwrap());
        l.settle(id, "acme", micros(25)).unwrap();
        // A call still in flight when the process stops.
        in_flight = reserved_id(l.reserve("acme", None, micros(50)).unwrap());
    }
    let l = SqliteLedger::open(&path).unwrap();
    assert_eq!(l.spent("acme").unwrap(), micros(25));
    assert_eq!(l.reserved("acme").unwrap(), micros(50));
    assert_eq!(
        l.reserve("acme", Some(micros(100)), micros(26)).unwrap(),
        Reserve::Refused {
            spent: micros(25),
            reserved: micros(50)
        }
    );
    l.settle(in_flight, "acme", micros(50)).unwrap();
    assert_eq!(l.spent("acme").unwrap(), micros(75));
    // The ledger lives beside the results, in the same file, untouched by them.
    let mut store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.count().unwrap(), 0);
    store.write(&[record("x")]).unwrap();
    assert_eq!(l.spent("acme").unwrap(), micros(75));
}

fn record(id: &str) -> StoredRecord {
    let trace = Sanitized::without_phi(Trace {
        id: Some(id.to_owned()),
        input: "q".into(),
        output: "a".into(),
        ..Trace::default()
    });
    let result = EvaluationResult {
        trace_id: trace.id.clone(),
        line: None,
        domain: Some("healthcare".into()),
        verdict: Verdict::Pass,
        decided_by: Some(Tier::Rules),
        issues: Vec::new(),
        tiers: Vec::new(),
        cost_usd: UsdCost::ZERO,
        latency_ns: 10,
        error: None,
    };
    StoredRecord::new(result, Some(&trace), 42)
}

#[test]
fn a_store_of_schema_5_migrates_to_6_keeping_its_results() {
    let (_dir, path) = store_file();
    SqliteStore::open(&path)
        .unwrap()
        .write(&[record("old")])
        .unwrap();
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE judge_reservations; DROP TABLE judge_spend; \
             ALTER TABLE ingest_queue DROP COLUMN generation; \
             DROP TRIGGER results_ad_audit; DROP TABLE audit_heads; DROP TABLE otlp_fragments; DROP TABLE alert_attempts; DROP TABLE alert_deliveries; DROP TABLE alert_channels_off; DROP TABLE alerts; DROP TRIGGER results_ad_rollup; DROP TABLE result_rollup; DROP TABLE result_latency_rollup; DROP INDEX results_verdict_time; \
             CREATE INDEX audit_log_key ON audit_log(key); ALTER TABLE audit_log DROP COLUMN prev_seq; \
             ALTER TABLE results DROP COLUMN audit_seq; PRAGMA user_version = 5;",
        )
        .unwrap();
    }
    let l = SqliteLedger::open(&path).unwrap();
    let v: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, SqliteStore::schema_version());
    let id = reserved_id(l.reserve("acme", Some(micros(10)), micros(10)).unwrap());
    l.settle(id, "acme", micros(3)).unwrap();
    assert_eq!(l.spent("acme").unwrap(), micros(3));
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.get("old").unwrap().unwrap().evaluated_at_ms, 42);
}

#[test]
fn a_file_that_is_no_store_is_an_error_naming_it() {
    let (dir, _) = store_file();
    let path = dir.path().join("not-a-store.db");
    std::fs::write(&path, "this is not a database, it is text and nothing more").unwrap();
    let e = SqliteLedger::open(&path).unwrap_err().to_string();
    assert!(e.contains("not-a-store.db"), "{e}");
}

const CHILD_ENV: &str = "AEGIS_LEDGER_TEST_CHILD";

/// Between one process's attempts, so that the 300 places take long enough (≥ 100 ms) for the
/// processes, started together, to overlap.
const PAUSE: Duration = Duration::from_millis(2);

/// In a child process (see the next test): reserves from two threads at the agreed start time,
/// and prints how many reservations were granted. Does nothing when run as a test.
#[test]
fn child_process_reserving() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut parts = spec.splitn(2, '|');
    let start_ms: u64 = parts.next().unwrap().parse().unwrap();
    let path = PathBuf::from(parts.next().unwrap());
    let ledger = Arc::new(SqliteLedger::open(&path).unwrap());
    wait_until(start_ms);
    let granted = reserve_concurrently(&[ledger], 2, 200, (micros(300), micros(1)), PAUSE);
    println!("GRANTED {granted}");
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn wait_until(start_ms: u64) {
    let now = now_ms();
    if start_ms > now {
        std::thread::sleep(Duration::from_millis(start_ms - now));
    }
}

#[test]
fn three_processes_share_one_cap_exactly() {
    let (_dir, path) = store_file();
    // The schema first, so that no process waits on another's migration at the start.
    let ledger = Arc::new(SqliteLedger::open(&path).unwrap());
    let start_ms = now_ms() + 1500;
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(&exe)
                .args(["--exact", "child_process_reserving", "--nocapture"])
                .env(CHILD_ENV, format!("{start_ms}|{}", path.display()))
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    wait_until(start_ms);
    let started = Instant::now();
    let mine = reserve_concurrently(&[ledger], 2, 200, (micros(300), micros(1)), PAUSE);
    let mut counts = vec![mine];
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        let n: u64 = text
            .lines()
            .find_map(|l| l.strip_prefix("GRANTED "))
            .unwrap_or_else(|| panic!("no count in {text:?}"))
            .trim()
            .parse()
            .unwrap();
        counts.push(n);
    }
    let total: u64 = counts.iter().sum();
    eprintln!("places granted to each process: {counts:?}");
    // At least two processes were granted some: they really ran side by side.
    assert!(counts.iter().filter(|n| **n > 0).count() >= 2, "{counts:?}");
    assert_eq!(total, 300, "{counts:?} after {:?}", started.elapsed());
    assert_eq!(reservation_rows(&path), 300);
}
