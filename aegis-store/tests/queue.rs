//! The durable ingest queue: idempotent enqueueing, a new version replacing the one waiting,
//! claims in order under leases, completion atomic with the results and written only for the
//! version still queued, results evaluated outside the queue superseding exactly the version
//! they name, deletes reaching the queue, release, unreadable rows, concurrent workers, and the
//! migrations from schemas 4 and 6.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::time::Duration;

use aegis_core::{EvaluationResult, Sanitized, Tier, Trace, UsdCost, Verdict};
use aegis_store::{
    QueueDepth, QueuedTrace, QueuedVersion, SqliteStore, Store, StoredRecord, record_key,
};

const HOUR: Duration = Duration::from_secs(3600);

fn trace(id: &str) -> Sanitized<Trace> {
    Sanitized::without_phi(Trace {
        id: Some(id.to_owned()),
        input: format!("question {id}"),
        output: format!("answer {id}"),
        ..Trace::default()
    })
}

/// Another version of `trace(id)`: the same id, another answer.
fn revised(id: &str, answer: &str) -> Sanitized<Trace> {
    Sanitized::without_phi(Trace {
        output: answer.to_owned(),
        ..(*trace(id)).clone()
    })
}

fn keyed(traces: &[Sanitized<Trace>]) -> Vec<(String, &Sanitized<Trace>)> {
    traces
        .iter()
        .map(|t| (record_key(Some("healthcare"), t), t))
        .collect()
}

fn result_of(t: &Trace, verdict: Verdict) -> EvaluationResult {
    EvaluationResult {
        trace_id: t.id.clone(),
        line: None,
        domain: Some("healthcare".into()),
        verdict,
        decided_by: Some(Tier::Rules),
        issues: Vec::new(),
        tiers: Vec::new(),
        cost_usd: UsdCost::ZERO,
        latency_ns: 10,
        error: None,
    }
}

fn open() -> (tempfile::TempDir, std::path::PathBuf, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("aegis.db");
    let store = SqliteStore::open(&path).unwrap();
    (dir, path, store)
}

/// The record of a pass for a claimed trace, paired with the version it answers.
fn done(q: &QueuedTrace) -> (QueuedVersion, StoredRecord) {
    (
        q.version(),
        StoredRecord::new(result_of(&q.trace, Verdict::Pass), Some(&q.trace), 1),
    )
}

fn rows(path: &std::path::Path) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("SELECT count(*) FROM ingest_queue", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn the_same_trace_sent_again_while_it_waits_changes_nothing() {
    let (_dir, path, mut store) = open();
    let a = trace("a");
    let b = trace("b");
    assert_eq!(
        store
            .enqueue_traces(&keyed(std::slice::from_ref(&a)))
            .unwrap(),
        vec![true]
    );
    // Again, alone and in a batch with a new one and with itself.
    assert_eq!(
        store
            .enqueue_traces(&keyed(std::slice::from_ref(&a)))
            .unwrap(),
        vec![false]
    );
    assert_eq!(
        store
            .enqueue_traces(&keyed(&[b.clone(), a.clone(), b.clone()]))
            .unwrap(),
        vec![true, false, false]
    );
    assert_eq!(rows(&path), 2);
    let depth = store.queue_depth().unwrap();
    assert_eq!((depth.pending, depth.claimed), (2, 0));
    // The first row stayed first: it was not requeued behind b.
    let claimed = store.claim(10, HOUR).unwrap();
    let ids: Vec<_> = claimed
        .iter()
        .map(|q| q.trace.id.clone().unwrap())
        .collect();
    assert_eq!(ids, ["a", "b"]);
    assert!(claimed.iter().all(|q| q.generation == 0));
    // Claimed is still waiting: queueing it again does nothing (it stays claimed, the same
    // version: its completion is written).
    assert_eq!(
        store
            .enqueue_traces(&keyed(std::slice::from_ref(&a)))
            .unwrap(),
        vec![false]
    );
    assert_eq!(rows(&path), 2);
    assert_eq!(store.queue_depth().unwrap().claimed, 2);
    assert_eq!(store.complete(&[done(&claimed[0])]).unwrap(), vec![true]);
    assert_eq!(store.enqueue_traces(&[]).unwrap(), Vec::<bool>::new());
}

#[test]
fn claims_take_the_oldest_pending_rows_up_to_the_limit_under_a_lease() {
    let (_dir, _path, mut store) = open();
    let traces: Vec<_> = (0..5).map(|i| trace(&format!("t{i}"))).collect();
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    store.enqueue_traces(&keyed(&traces)).unwrap();
    assert!(store.claim(0, HOUR).unwrap().is_empty());

    let first = store.claim(2, HOUR).unwrap();
    assert_eq!(first.len(), 2);
    assert_eq!(first[0].key, "id:t0");
    assert_eq!(first[1].key, "id:t1");
    assert!(first[0].seq < first[1].seq);
    assert!(first.iter().all(|q| q.attempts == 1));
    assert!(first[0].enqueued_at_ms >= before);
    assert_eq!(first[1].trace.output, "answer t1");

    let rest = store.claim(10, HOUR).unwrap();
    let keys: Vec<_> = rest.iter().map(|q| q.key.as_str()).collect();
    assert_eq!(keys, ["id:t2", "id:t3", "id:t4"]);
    // Everything is claimed under a live lease: nothing more to claim.
    assert!(store.claim(10, HOUR).unwrap().is_empty());
    let depth = store.queue_depth().unwrap();
    assert_eq!(
        depth,
        QueueDepth {
            pending: 0,
            claimed: 5,
            oldest_enqueued_at_ms: Some(first[0].enqueued_at_ms)
        }
    );
}

#[test]
fn a_lease_that_ran_out_makes_the_row_pending_again() {
    let (_dir, _path, mut store) = open();
    let traces = [trace("x"), trace("y")];
    store.enqueue_traces(&keyed(&traces)).unwrap();
    // A zero lease runs out at once.
    let first = store.claim(1, Duration::ZERO).unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(store.queue_depth().unwrap().pending, 2);
    let again = store.claim(1, HOUR).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(
        again[0].seq, first[0].seq,
        "the oldest row comes first again"
    );
    assert_eq!(again[0].attempts, 2);
    // A short lease: claimed until it runs out.
    let y = store.claim(5, Duration::from_millis(300)).unwrap();
    assert_eq!(y.len(), 1);
    assert_eq!(y[0].key, "id:y");
    assert!(store.claim(5, HOUR).unwrap().is_empty());
    std::thread::sleep(Duration::from_millis(400));
    let y_again = store.claim(5, HOUR).unwrap();
    assert_eq!(y_again.len(), 1);
    assert_eq!(y_again[0].key, "id:y");
    assert_eq!(y_again[0].attempts, 2);
}

#[test]
fn released_rows_are_pending_again_and_their_claim_uncounted() {
    let (_dir, _path, mut store) = open();
    let traces = [trace("a"), trace("b"), trace("c")];
    store.enqueue_traces(&keyed(&traces)).unwrap();
    let claimed = store.claim(3, HOUR).unwrap();
    let versions: Vec<QueuedVersion> = claimed.iter().map(QueuedTrace::version).collect();
    let seqs: Vec<i64> = claimed.iter().map(|q| q.seq).collect();
    assert_eq!(store.release(&versions[..2]).unwrap(), 2);
    // Releasing what is not claimed, or not queued, does nothing.
    assert_eq!(store.release(&versions[..1]).unwrap(), 0);
    assert_eq!(
        store
            .release(&[QueuedVersion {
                seq: 999_999,
                generation: 0
            }])
            .unwrap(),
        0
    );
    let depth = store.queue_depth().unwrap();
    assert_eq!((depth.pending, depth.claimed), (2, 1));
    let again = store.claim(10, HOUR).unwrap();
    assert_eq!(
        again.iter().map(|q| q.seq).collect::<Vec<_>>(),
        seqs[..2].to_vec()
    );
    assert!(again.iter().all(|q| q.attempts == 1));
}

#[test]
fn completing_writes_the_results_and_removes_the_rows_together() {
    let (_dir, path, mut store) = open();
    let traces: Vec<_> = (0..3).map(|i| trace(&format!("c{i}"))).collect();
    store.enqueue_traces(&keyed(&traces)).unwrap();
    let claimed = store.claim(2, HOUR).unwrap();
    let records: Vec<StoredRecord> = claimed
        .iter()
        .map(|q| {
            let verdict = if q.key == "id:c0" {
                Verdict::NeedsReview
            } else {
                Verdict::Pass
            };
            StoredRecord::new(result_of(&q.trace, verdict), Some(&q.trace), 7)
        })
        .collect();
    assert_eq!(records[0].key, claimed[0].key);
    let pairs: Vec<(QueuedVersion, StoredRecord)> = claimed
        .iter()
        .map(QueuedTrace::version)
        .zip(records)
        .collect();
    assert_eq!(store.complete(&pairs).unwrap(), vec![true, true]);

    let c0 = store.get("c0").unwrap().unwrap();
    assert_eq!(c0.result.verdict, Verdict::NeedsReview);
    assert_eq!(c0.trace.unwrap().output, "answer c0");
    assert!(store.get("c1").unwrap().is_some());
    assert!(store.get("c2").unwrap().is_none());
    assert_eq!(store.count().unwrap(), 2);
    // As `write` does: the audit log and Tier 4's queue.
    assert_eq!(store.audit_trail("c0").unwrap().len(), 1);
    let open_tasks = store.open_tasks(10).unwrap();
    assert_eq!(open_tasks.len(), 1);
    assert_eq!(open_tasks[0].0.key, "id:c0");
    assert_eq!(
        store.queue_depth().unwrap(),
        QueueDepth {
            pending: 1,
            claimed: 0,
            oldest_enqueued_at_ms: Some(claimed[0].enqueued_at_ms)
        }
    );
    assert_eq!(rows(&path), 1);

    // A failed completion changes nothing: a result that cannot be written leaves every row
    // queued and no result of the batch stored.
    let c3 = trace("c3");
    store
        .enqueue_traces(&keyed(std::slice::from_ref(&c3)))
        .unwrap();
    let last = store.claim(2, HOUR).unwrap();
    let keys: Vec<_> = last.iter().map(|q| q.key.as_str()).collect();
    assert_eq!(keys, ["id:c2", "id:c3"]);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TRIGGER refuse_c2 BEFORE INSERT ON results WHEN new.key = 'id:c2' BEGIN \
             SELECT RAISE(ABORT, 'refused by the test'); END;",
        )
        .unwrap();
    }
    let batch = [done(&last[1]), done(&last[0])];
    let e = store.complete(&batch).unwrap_err();
    assert!(e.to_string().contains("cannot write a result"), "{e}");
    assert_eq!(rows(&path), 2, "both rows are still queued");
    assert!(store.get("c2").unwrap().is_none());
    assert!(
        store.get("c3").unwrap().is_none(),
        "the batch's other record was not written either"
    );
    assert_eq!(store.count().unwrap(), 2);
    // Completing a version that is no longer queued is not an error, and writes nothing.
    assert_eq!(store.complete(&pairs[..1]).unwrap(), vec![false]);
    assert_eq!(store.audit_trail("c0").unwrap().len(), 1);
    assert_eq!(store.complete(&[]).unwrap(), Vec::<bool>::new());
}

#[test]
fn a_trace_comes_back_whole() {
    let (_dir, _path, mut store) = open();
    let full: Trace = serde_json::from_value(serde_json::json!({
        "id": "full-1",
        "model": "gpt-4o-2024-08-06",
        "input": "[NAME] asks about dosing",
        "output": "Take 5 mg twice daily",
        "context": ["leaflet one", "leaflet two"],
        "metadata": {
            "domain": "healthcare",
            "organisation": "acme",
            "application": "triage",
            "tags": ["beta"],
            "tokens": {"prompt": 12, "completion": 30},
            "latency_ms": 81.5
        },
        "domain_data": {"patient": {"age": 54, "weight_kg": 80.2}},
        "episode": {
            "environment": "CartPole-v1",
            "seed": 7,
            "steps": [
                {"state": [0.1, -0.2], "action": 1, "reward": 1.0},
                {"state": [0.0, 0.3], "action": [0.5, -0.5], "reward": 0.5, "cost": 0.1, "terminated": true}
            ]
        },
        "vendor_field": {"kept": true}
    }))
    .unwrap();
    let sanitized = Sanitized::without_phi(full.clone());
    let key = record_key(Some("healthcare"), &sanitized);
    store.enqueue_traces(&[(key.clone(), &sanitized)]).unwrap();
    let claimed = store.claim(1, HOUR).unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].key, key);
    assert_eq!(*claimed[0].trace, full);
    assert!(claimed[0].trace.episode.is_some());
    assert!(claimed[0].trace.extra.contains_key("vendor_field"));

    // A trace without an id: keyed by content, and the key is what was given.
    let anonymous = Sanitized::without_phi(Trace {
        output: "no id".into(),
        ..Trace::default()
    });
    let key = record_key(Some("healthcare"), &anonymous);
    assert!(key.starts_with("sha256:"));
    store.enqueue_traces(&[(key.clone(), &anonymous)]).unwrap();
    let claimed = store.claim(1, HOUR).unwrap();
    assert_eq!(claimed[0].key, key);
    assert_eq!(claimed[0].trace.id, None);
}

#[test]
fn an_unreadable_row_does_not_block_the_queue_and_gets_an_error_result() {
    let (_dir, path, mut store) = open();
    let traces = [trace("ok1"), trace("bad"), trace("ok2")];
    store.enqueue_traces(&keyed(&traces)).unwrap();
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let n = conn
            .execute(
                "UPDATE ingest_queue SET trace = '{\"output\": \"Zebediah' WHERE key = 'id:bad'",
                [],
            )
            .unwrap();
        assert_eq!(n, 1);
    }
    let claimed = store.claim(10, HOUR).unwrap();
    let keys: Vec<_> = claimed.iter().map(|q| q.key.as_str()).collect();
    assert_eq!(keys, ["id:ok1", "id:ok2"]);
    // The unreadable trace has an error result under its key, and left the queue.
    let bad = store.get("bad").unwrap().unwrap();
    assert_eq!(bad.result.verdict, Verdict::Error);
    assert_eq!(bad.result.trace_id.as_deref(), Some("bad"));
    let message = bad.result.error.unwrap();
    assert!(message.contains("could not be read back"), "{message}");
    assert!(!message.contains("Zebediah"));
    assert_eq!(
        bad.result.tiers.len(),
        5,
        "every result reports all five tiers"
    );
    assert_eq!(rows(&path), 2);
    assert_eq!(store.audit_trail("bad").unwrap().len(), 1);
}

#[test]
fn concurrent_workers_never_hold_the_same_row() {
    let (_dir, path, mut store) = open();
    let traces: Vec<_> = (0..200).map(|i| trace(&format!("w{i}"))).collect();
    store.enqueue_traces(&keyed(&traces)).unwrap();
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = SqliteStore::open(&path).unwrap();
                let mut mine = Vec::new();
                loop {
                    let claimed = store.claim(7, HOUR).unwrap();
                    if claimed.is_empty() {
                        break mine;
                    }
                    let pairs: Vec<_> = claimed.iter().map(done).collect();
                    assert!(store.complete(&pairs).unwrap().iter().all(|w| *w));
                    mine.extend(claimed.into_iter().map(|q| q.key));
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.join().unwrap());
    }
    assert_eq!(all.len(), 200, "each row claimed once");
    assert_eq!(all.iter().collect::<BTreeSet<_>>().len(), 200);
    assert_eq!(store.count().unwrap(), 200);
    assert_eq!(
        store.queue_depth().unwrap(),
        QueueDepth {
            pending: 0,
            claimed: 0,
            oldest_enqueued_at_ms: None
        }
    );
}

#[test]
fn a_store_of_schema_4_migrates_to_5_keeping_its_results() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("aegis.db");
    let old = trace("old");
    {
        let mut store = SqliteStore::open(&path).unwrap();
        store
            .write(&[StoredRecord::new(
                result_of(&old, Verdict::Fail),
                Some(&old),
                42,
            )])
            .unwrap();
    }
    // Back to schema 4: as the previous aegis-eval left it.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE judge_reservations; DROP TABLE judge_spend; DROP TABLE ingest_queue; \
             DROP TRIGGER results_ad_audit; DROP TABLE audit_heads; DROP TABLE otlp_fragments; DROP TABLE alert_attempts; DROP TABLE alert_deliveries; DROP TABLE alert_channels_off; DROP TABLE alerts; DROP TRIGGER results_ad_rollup; DROP TABLE result_rollup; DROP TABLE result_latency_rollup; DROP INDEX results_verdict_time; \
             CREATE INDEX audit_log_key ON audit_log(key); ALTER TABLE audit_log DROP COLUMN prev_seq; \
             ALTER TABLE results DROP COLUMN audit_seq; PRAGMA user_version = 4;",
        )
        .unwrap();
        let has: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'ingest_queue'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(has, 0);
    }
    let mut store = SqliteStore::open(&path).unwrap();
    let v: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, SqliteStore::schema_version());
    let row = store.get("old").unwrap().unwrap();
    assert_eq!(row.result.verdict, Verdict::Fail);
    assert_eq!(row.evaluated_at_ms, 42);
    assert_eq!(store.count().unwrap(), 1);
    // And the queue works.
    let new = trace("new");
    assert_eq!(store.enqueue_traces(&keyed(&[new])).unwrap(), vec![true]);
    assert_eq!(store.claim(5, HOUR).unwrap()[0].key, "id:new");
}

#[test]
fn a_new_version_replaces_the_pending_one_in_its_place() {
    let (_dir, path, mut store) = open();
    let (a, b) = (trace("a"), trace("b"));
    store
        .enqueue_traces(&keyed(&[a.clone(), b.clone()]))
        .unwrap();
    let first = store.queued_version("id:a").unwrap().unwrap();
    assert_eq!(first.generation, 0);
    assert_eq!(store.queued_version("id:zz").unwrap(), None);
    std::thread::sleep(Duration::from_millis(5));
    let a2 = revised("a", "corrected answer");
    assert_eq!(
        store
            .enqueue_traces(&keyed(std::slice::from_ref(&a2)))
            .unwrap(),
        vec![true],
        "a different trace under a waiting key is queued"
    );
    assert_eq!(rows(&path), 2);
    assert_eq!(
        store.queued_version("id:a").unwrap(),
        Some(QueuedVersion {
            seq: first.seq,
            generation: 1
        })
    );
    // The same new version again: nothing changes.
    assert_eq!(
        store
            .enqueue_traces(&keyed(std::slice::from_ref(&a2)))
            .unwrap(),
        vec![false]
    );
    // Two versions in one call: the second waits.
    let a3 = revised("a", "third answer");
    assert_eq!(
        store.enqueue_traces(&keyed(&[a2.clone(), a3])).unwrap(),
        vec![false, true]
    );
    let claimed = store.claim(10, HOUR).unwrap();
    let keys: Vec<_> = claimed.iter().map(|q| q.key.as_str()).collect();
    assert_eq!(keys, ["id:a", "id:b"], "a kept its place, before b");
    assert_eq!(claimed[0].seq, first.seq);
    assert_eq!(claimed[0].generation, 2);
    assert_eq!(claimed[0].trace.output, "third answer");
    assert_eq!(claimed[0].attempts, 1);
    assert_eq!(
        claimed[0].enqueued_at_ms, claimed[1].enqueued_at_ms,
        "the time its key was first queued"
    );
    let written = store.complete(&[done(&claimed[0])]).unwrap();
    assert_eq!(written, vec![true]);
    let stored = store.get("a").unwrap().unwrap();
    assert_eq!(stored.trace.unwrap().output, "third answer");
}

#[test]
fn a_new_version_while_the_old_is_evaluated_waits_and_the_old_result_is_not_written() {
    let (_dir, path, mut store) = open();
    store.enqueue_traces(&keyed(&[trace("a")])).unwrap();
    let old = store.claim(10, HOUR).unwrap();
    assert_eq!(old.len(), 1);
    let a2 = revised("a", "corrected answer");
    assert_eq!(
        store
            .enqueue_traces(&keyed(std::slice::from_ref(&a2)))
            .unwrap(),
        vec![true]
    );
    // Pending again at once, for the new text, though the old claim's lease still runs.
    let depth = store.queue_depth().unwrap();
    assert_eq!((depth.pending, depth.claimed), (1, 0));
    // Releasing the old version does nothing to the new one.
    assert_eq!(store.release(&[old[0].version()]).unwrap(), 0);
    // The worker that evaluated the old text completes: nothing is written, the row stays.
    assert_eq!(store.complete(&[done(&old[0])]).unwrap(), vec![false]);
    assert!(store.get("a").unwrap().is_none());
    assert!(store.audit_trail("a").unwrap().is_empty());
    assert_eq!(rows(&path), 1);
    let new = store.claim(10, HOUR).unwrap();
    assert_eq!(new.len(), 1);
    assert_eq!(new[0].seq, old[0].seq);
    assert_eq!(new[0].generation, old[0].generation + 1);
    assert_eq!(new[0].trace.output, "corrected answer");
    assert_eq!(new[0].attempts, 1, "the new text's attempts start again");
    assert_eq!(store.complete(&[done(&new[0])]).unwrap(), vec![true]);
    assert_eq!(
        store.get("a").unwrap().unwrap().trace.unwrap().output,
        "corrected answer"
    );
    assert_eq!(store.audit_trail("a").unwrap().len(), 1);
    assert_eq!(rows(&path), 0);
}

#[test]
fn a_deleted_trace_leaves_the_queue_and_its_worker_writes_nothing() {
    let (_dir, path, mut store) = open();
    store
        .enqueue_traces(&keyed(&[trace("a"), trace("b"), trace("p")]))
        .unwrap();
    let claimed = store.claim(2, HOUR).unwrap();
    // Claimed (a, by key) and pending (p, by trace id) alike.
    assert_eq!(store.delete_traces(&["id:a", "p"]).unwrap(), 2);
    assert_eq!(rows(&path), 1);
    let written = store
        .complete(&[done(&claimed[0]), done(&claimed[1])])
        .unwrap();
    assert_eq!(written, vec![false, true]);
    assert!(store.get("a").unwrap().is_none());
    assert!(store.audit_trail("a").unwrap().is_empty());
    assert!(store.get("b").unwrap().is_some());
    assert!(store.claim(10, HOUR).unwrap().is_empty(), "p is gone too");
    assert_eq!(store.queue_depth().unwrap(), QueueDepth::default());

    // Stored and a newer version queued: both go, and the trace counts once.
    let b2 = revised("b", "second answer");
    store
        .enqueue_traces(&keyed(std::slice::from_ref(&b2)))
        .unwrap();
    let mid = store.claim(10, HOUR).unwrap();
    assert_eq!(store.delete_traces(&["b"]).unwrap(), 1);
    assert!(store.get("b").unwrap().is_none());
    assert_eq!(rows(&path), 0);
    assert_eq!(store.complete(&[done(&mid[0])]).unwrap(), vec![false]);
    assert!(store.get("b").unwrap().is_none());
    // Nothing by that name: 0.
    assert_eq!(store.delete_traces(&["b", "nothing"]).unwrap(), 0);

    // Stored only: as `Store::delete` deletes it.
    store.enqueue_traces(&keyed(&[trace("s")])).unwrap();
    let s = store.claim(10, HOUR).unwrap();
    store.complete(&[done(&s[0])]).unwrap();
    assert_eq!(store.delete_traces(&["s"]).unwrap(), 1);
    assert_eq!(store.count().unwrap(), 0);
    assert_eq!(
        store.audit_trail("s").unwrap().len(),
        1,
        "the audit log keeps its entry"
    );

    // Only the queue: results stay.
    store.enqueue_traces(&keyed(&[trace("q")])).unwrap();
    let q = store.claim(10, HOUR).unwrap();
    store.complete(&[done(&q[0])]).unwrap();
    store
        .enqueue_traces(&keyed(&[revised("q", "again")]))
        .unwrap();
    assert_eq!(store.dequeue_keys(&["q", "absent"]).unwrap(), 1);
    assert_eq!(rows(&path), 0);
    assert_eq!(
        store.get("q").unwrap().unwrap().trace.unwrap().output,
        "answer q"
    );
}

#[test]
fn a_result_evaluated_in_a_request_supersedes_exactly_the_version_it_names() {
    let (_dir, path, mut store) = open();
    let v1 = trace("k");
    let key = record_key(Some("healthcare"), &v1);
    store
        .enqueue_traces(&keyed(std::slice::from_ref(&v1)))
        .unwrap();
    // The request accepts version 2 while version 1 waits, and a worker takes version 1.
    let waiting = store.queued_version(&key).unwrap().unwrap();
    let worker = store.claim(10, HOUR).unwrap();
    let v2 = revised("k", "request answer");
    let mut r2 = StoredRecord::new(result_of(&v2, Verdict::Fail), Some(&v2), 5);
    r2.key = key.clone();
    assert_eq!(
        store
            .store_evaluated(std::slice::from_ref(&r2), &[waiting])
            .unwrap(),
        1
    );
    assert_eq!(rows(&path), 0);
    // The worker's older version is not written over it.
    assert_eq!(store.complete(&[done(&worker[0])]).unwrap(), vec![false]);
    let stored = store.get(&key).unwrap().unwrap();
    assert_eq!(stored.result.verdict, Verdict::Fail);
    assert_eq!(stored.trace.unwrap().output, "request answer");
    assert_eq!(store.audit_trail(&key).unwrap().len(), 1);

    // Version 3 is accepted after the request read what waited: it stays queued and its
    // result comes last.
    store
        .enqueue_traces(&keyed(std::slice::from_ref(&v1)))
        .unwrap();
    let waiting = store.queued_version(&key).unwrap().unwrap();
    let v3 = revised("k", "latest answer");
    store
        .enqueue_traces(&keyed(std::slice::from_ref(&v3)))
        .unwrap();
    assert_eq!(
        store
            .store_evaluated(std::slice::from_ref(&r2), &[waiting])
            .unwrap(),
        0
    );
    assert_eq!(rows(&path), 1);
    let latest = store.claim(10, HOUR).unwrap();
    assert_eq!(latest[0].trace.output, "latest answer");
    assert_eq!(store.complete(&[done(&latest[0])]).unwrap(), vec![true]);
    assert_eq!(
        store.get(&key).unwrap().unwrap().trace.unwrap().output,
        "latest answer"
    );
    // Nothing waiting: written, nothing removed.
    assert_eq!(store.store_evaluated(&[r2], &[]).unwrap(), 0);
    assert_eq!(
        store.get(&key).unwrap().unwrap().result.verdict,
        Verdict::Fail
    );
}

#[test]
fn two_completions_of_one_claim_write_one_result_and_one_audit_entry() {
    let (_dir, path, mut store) = open();
    store.enqueue_traces(&keyed(&[trace("a")])).unwrap();
    // Worker 1's lease runs out at once; worker 2, another connection (another process),
    // claims the same version.
    let first = store.claim(1, Duration::ZERO).unwrap();
    let mut other = SqliteStore::open(&path).unwrap();
    let second = other.claim(1, HOUR).unwrap();
    assert_eq!(first[0].version(), second[0].version());
    assert_eq!(other.complete(&[done(&second[0])]).unwrap(), vec![true]);
    assert_eq!(store.complete(&[done(&first[0])]).unwrap(), vec![false]);
    // The same pair twice in one call: once.
    store.enqueue_traces(&keyed(&[trace("b")])).unwrap();
    let b = store.claim(1, HOUR).unwrap();
    assert_eq!(
        store.complete(&[done(&b[0]), done(&b[0])]).unwrap(),
        vec![true, false]
    );
    assert_eq!(store.count().unwrap(), 2);
    assert_eq!(store.audit_trail("a").unwrap().len(), 1);
    assert_eq!(store.audit_trail("b").unwrap().len(), 1);
}

#[test]
fn workers_whose_leases_run_out_at_once_write_each_row_once() {
    let (_dir, path, mut store) = open();
    let traces: Vec<_> = (0..120).map(|i| trace(&format!("z{i}"))).collect();
    store.enqueue_traces(&keyed(&traces)).unwrap();
    // A zero lease: every claim is claimable again at once, so rows are evaluated by several
    // workers; each is written once.
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = SqliteStore::open(&path).unwrap();
                let mut written = 0;
                loop {
                    let claimed = store.claim(5, Duration::ZERO).unwrap();
                    if claimed.is_empty() {
                        break written;
                    }
                    let pairs: Vec<_> = claimed.iter().map(done).collect();
                    written += store
                        .complete(&pairs)
                        .unwrap()
                        .into_iter()
                        .filter(|w| *w)
                        .count();
                }
            })
        })
        .collect();
    let written: usize = workers.into_iter().map(|w| w.join().unwrap()).sum();
    assert_eq!(written, 120);
    assert_eq!(store.count().unwrap(), 120);
    let audit: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    assert_eq!(audit, 120, "one audit entry per row");
    assert_eq!(rows(&path), 0);
}

#[test]
fn a_store_of_schema_6_migrates_to_7_keeping_its_queue() {
    let (_dir, path, mut store) = open();
    store
        .enqueue_traces(&keyed(&[trace("m1"), trace("m2")]))
        .unwrap();
    let claimed = store.claim(1, HOUR).unwrap();
    drop(store);
    // Back to schema 6: as the previous aegis-eval left it.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "ALTER TABLE ingest_queue DROP COLUMN generation; \
             DROP TRIGGER results_ad_audit; DROP TABLE audit_heads; DROP TABLE otlp_fragments; DROP TABLE alert_attempts; DROP TABLE alert_deliveries; DROP TABLE alert_channels_off; DROP TABLE alerts; DROP TRIGGER results_ad_rollup; DROP TABLE result_rollup; DROP TABLE result_latency_rollup; DROP INDEX results_verdict_time; \
             CREATE INDEX audit_log_key ON audit_log(key); ALTER TABLE audit_log DROP COLUMN prev_seq; \
             ALTER TABLE results DROP COLUMN audit_seq; PRAGMA user_version = 6;",
        )
        .unwrap();
    }
    let mut store = SqliteStore::open(&path).unwrap();
    let v: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, SqliteStore::schema_version());
    assert_eq!(v, 11);
    assert_eq!(rows(&path), 2);
    let depth = store.queue_depth().unwrap();
    assert_eq!((depth.pending, depth.claimed), (1, 1), "claims kept");
    // The rows are version 0: the claim made before the migration completes.
    assert_eq!(claimed[0].generation, 0);
    assert_eq!(store.complete(&[done(&claimed[0])]).unwrap(), vec![true]);
    let rest = store.claim(10, HOUR).unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!((rest[0].key.as_str(), rest[0].generation), ("id:m2", 0));
    assert_eq!(
        store
            .enqueue_traces(&keyed(&[revised("m2", "new")]))
            .unwrap(),
        vec![true]
    );
    assert_eq!(
        store.queued_version("id:m2").unwrap().unwrap().generation,
        1
    );
}
