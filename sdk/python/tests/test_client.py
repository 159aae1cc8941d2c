"""The client against a real server: batches arrive and are evaluated, refused lines are
counted, a server that is not there yet is retried, a full queue drops instead of blocking."""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from aegis_sdk import AegisClient
from conftest import REPO, Server, create_org, free_port, launch, serve_args, wait_for, wait_ready


def bundled(n: int) -> list:
    lines = (REPO / "examples/traces/healthcare.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines[:n]]


def test_submitted_traces_are_evaluated_and_stored(server: Server) -> None:
    run = uuid.uuid4().hex[:8]
    traces = bundled(12)
    for i, t in enumerate(traces):
        t["id"] = f"sdk-{run}-{i}"
        if i % 2 == 0:
            t.get("metadata", {}).pop("application", None)
    kept = {t["id"]: t.get("metadata", {}).get("application") for t in traces}
    with AegisClient(server.url, server.key, domain="healthcare", application="sdk-test",
                     batch_size=5) as client:
        for t in traces:
            assert client.submit(t)
        assert client.flush(timeout=30)
        assert client.stats.sent == 12
        assert client.stats.dropped == 0
        for t in traces:
            row = wait_for(client.get, t["id"])
            assert row["result"]["verdict"] in {"pass", "fail", "needs_review", "error"}
            # The client's application where the trace named none; the trace's own otherwise.
            assert row["trace"]["metadata"]["application"] == (kept[t["id"]] or "sdk-test")
            assert row["result"]["domain"] == "healthcare"


def test_evaluate_returns_the_decision_that_matches_the_result(server: Server) -> None:
    client = AegisClient(server.url, server.key, domain="healthcare")
    expected = {"pass": {"allow", "redact"}, "fail": {"block"}, "needs_review": {"review"},
                "error": {"block"}}
    seen = set()
    for t in bundled(20):
        decision = client.evaluate(t)
        verdict = decision.result["verdict"]
        assert decision.action in expected[verdict], (verdict, decision)
        if decision.action in ("block", "review"):
            assert decision.reason
        seen.add(verdict)
    assert {"pass", "fail"} <= seen
    client.close()


def test_a_refused_line_is_counted_and_the_rest_arrive(server: Server) -> None:
    run = uuid.uuid4().hex[:8]
    with AegisClient(server.url, server.key, domain="healthcare") as client:
        good = bundled(1)[0]
        good["id"] = f"ok-{run}"
        client.submit(good)
        client.submit({"id": f"bad-{run}", "input": 5, "output": ["not", "text"]})
        # Not a mapping: dropped at once, never raised into the application.
        assert client.submit(["not", "a", "trace"]) is False  # type: ignore[arg-type]
        # A value JSON has no type for is sent as its text.
        dated = bundled(2)[1]
        dated["id"] = f"dated-{run}"
        dated.setdefault("metadata", {})["started_at"] = datetime(2026, 12, 7, 8, 30, tzinfo=timezone.utc)
        client.submit(dated)
        assert client.flush(timeout=30)
        assert client.stats.sent == 2
        assert client.stats.rejected == 1
        assert client.stats.dropped == 1
        wait_for(client.get, good["id"])
        row = wait_for(client.get, dated["id"])
        assert row["trace"]["metadata"]["started_at"] == "2026-12-07 08:30:00+00:00"


def test_a_server_not_yet_up_is_retried_with_backoff(tmp_path: Path) -> None:
    store = tmp_path / "service"
    key = create_org(store, "late")
    port = free_port()
    client = AegisClient(f"http://127.0.0.1:{port}", key, domain="healthcare", max_retries=8)
    trace = bundled(1)[0]
    trace["id"] = "late-1"
    client.submit(trace)
    # Nothing listens yet: the first attempts fail and are retried.
    deadline = time.monotonic() + 20
    while client.stats.retries < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.stats.retries >= 2
    process = launch(serve_args(store, port))
    try:
        wait_ready(f"http://127.0.0.1:{port}", process)
        assert client.flush(timeout=60)
        assert client.stats.sent == 1
        assert wait_for(client.get, "late-1")["result"]["domain"] == "healthcare"
    finally:
        client.close(timeout=5)
        process.terminate()
        process.wait(timeout=60)


def test_a_full_queue_drops_and_counts_instead_of_blocking() -> None:
    # Nothing listens here, and the queue holds ten.
    client = AegisClient(f"http://127.0.0.1:{free_port()}", "aegis_none", max_queue=10,
                         batch_size=1000, flush_interval=60, max_retries=0)
    accepted = [client.submit({"input": "q", "output": f"a{i}"}) for i in range(100)]
    assert accepted.count(True) == 10
    assert client.stats.dropped == 90


def test_a_wrong_key_is_not_retried(server: Server) -> None:
    client = AegisClient(server.url, "aegis_wrong", domain="healthcare")
    client.submit(bundled(1)[0])
    assert client.flush(timeout=30)
    assert client.stats.sent == 0
    assert client.stats.dropped == 1
    assert client.stats.retries == 0
