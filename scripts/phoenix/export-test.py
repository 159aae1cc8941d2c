"""Aegis results exported to a real Arize Phoenix as trace annotations (`aegis-eval serve
--export-phoenix ORG=URL`), read back through Phoenix's own API; the same results as
OpenTelemetry `gen_ai.evaluation.result` events (`--export-otlp`) to a real collector, Rotel
(from PyPI), whose debug output shows each event it received with its trace and span ids; and
as Langfuse scores (`--export-langfuse`). Langfuse's server cannot run here (it needs
ClickHouse), so its scores go to a loopback receiver that checks the basic authentication and
reads each body with Langfuse's own published request model (`langfuse.api.scores.ScoreBody`,
no field it does not know) — the receiver is ours, the contract is Langfuse's.

Phoenix (its own SQLite) and `aegis-eval serve` run on loopback on free ports. Recorded OTLP
exports (examples/otlp) go to both, as an application exporting to both would send them;
Aegis evaluates each trace and annotates it in Phoenix. For every trace the test then finds in
Phoenix an `aegis` annotation whose label is the verdict Aegis stored, and an
`aegis.<validator>` annotation for each validator that found something. A trace of a second
organisation, with no Phoenix configured, must not be annotated. Exits non-zero on failure.

    usage: <phoenix venv python> scripts/phoenix/export-test.py <aegis-eval binary>
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

REPO = Path(__file__).resolve().parents[2]
EXPORTS = ["openinference-openai.pb", "genai-openai-v2.pb", "openllmetry-openai.pb"]
OTHER_ORG_EXPORT = "genai-openai-v2-latest.pb"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(method: str, url: str, body: Optional[bytes] = None,
            headers: Optional[Dict[str, str]] = None) -> "tuple[int, bytes]":
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except OSError as e:
        return 0, str(e).encode()


def wait_until(what: str, check, timeout: float = 90.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def trace_ids(body: bytes) -> Set[str]:
    req = ExportTraceServiceRequest()
    req.ParseFromString(body)
    return {span.trace_id.hex() for rs in req.resource_spans for ss in rs.scope_spans for span in ss.spans}


def failing_span(aegis: str, key: str) -> bytes:
    """One OpenInference LLM span whose answer Aegis fails: the first bundled healthcare trace
    that `/v1/evaluate` fails, as an instrumented application would have traced it."""
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
    from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span

    for line in (REPO / "examples/traces/healthcare.jsonl").read_text().splitlines():
        trace = json.loads(line)
        status, answer = request("POST", aegis + "/v1/evaluate?domain=healthcare", line.encode(),
                                 {"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
        assert status == 200, answer[:200]
        if json.loads(answer)["result"]["verdict"] == "fail":
            break
    else:
        raise AssertionError("no bundled healthcare trace fails")

    def attr(k: str, v: str) -> KeyValue:
        return KeyValue(key=k, value=AnyValue(string_value=v))

    now = time.time_ns()
    span = Span(trace_id=os.urandom(16), span_id=os.urandom(8), name="ChatCompletion",
                kind=Span.SPAN_KIND_INTERNAL, start_time_unix_nano=now - 1_000_000, end_time_unix_nano=now,
                attributes=[attr("openinference.span.kind", "LLM"), attr("llm.model_name", "gpt-4o"),
                            attr("input.value", trace["input"]), attr("output.value", trace["output"])])
    req = ExportTraceServiceRequest(resource_spans=[ResourceSpans(scope_spans=[ScopeSpans(spans=[span])])])
    return req.SerializeToString()


def root_spans(body: bytes) -> Dict[str, str]:
    """Trace id -> the id of its root span (the span without a parent), both hex."""
    req = ExportTraceServiceRequest()
    req.ParseFromString(body)
    return {span.trace_id.hex(): span.span_id.hex()
            for rs in req.resource_spans for ss in rs.scope_spans for span in ss.spans
            if not span.parent_span_id}


def rotel_events(log: Path) -> List[Dict[str, str]]:
    """The log records Rotel's debug output shows: event name, trace and span ids, and the
    attributes written on one line (`-> key: Type(value)`)."""
    import re
    events = []
    text = log.read_text(errors="replace") if log.exists() else ""
    for block in text.split("LogRecord #")[1:]:
        event: Dict[str, str] = {}
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("EventName:"):
                event["event"] = line.split(":", 1)[1].strip()
            elif line.startswith("Trace ID"):
                event["trace_id"] = line.split(":", 1)[1].strip()
            elif line.startswith("Span ID"):
                event["span_id"] = line.split(":", 1)[1].strip()
            else:
                m = re.match(r"-> ([\w.]+): \w+\((.*)\)$", line)
                if m:
                    event[m.group(1)] = m.group(2)
        events.append(event)
    return events


class LangfuseScores:
    """A loopback receiver of `POST /api/public/scores` that reads each body with Langfuse's own
    request model and keeps what it took; anything else is answered 404."""

    def __init__(self, user: str, password: str) -> None:
        import base64
        import http.server
        import threading

        from langfuse.api.core.serialization import convert_and_respect_annotation_metadata
        from langfuse.api.scores.types.score_body import ScoreBody

        self.scores: List[Dict[str, Any]] = []
        self.errors: List[str] = []
        expected_auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path != "/api/public/scores":
                    self.send_response(404)
                elif self.headers.get("Authorization") != expected_auth:
                    outer.errors.append("a request without Langfuse's basic authentication")
                    self.send_response(401)
                else:
                    try:
                        wire = json.loads(body)
                        model = ScoreBody.model_validate(convert_and_respect_annotation_metadata(
                            object_=wire, annotation=ScoreBody, direction="read"))
                        if model.model_extra:
                            raise ValueError(f"fields Langfuse does not know: {sorted(model.model_extra)}")
                        outer.scores.append(wire)
                        self.send_response(200)
                    except Exception as e:  # noqa: BLE001
                        outer.errors.append(f"{type(e).__name__}: {e}")
                        self.send_response(400)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def main() -> int:
    binary = sys.argv[1]
    work = Path(tempfile.mkdtemp(prefix="aegis-phoenix-"))
    processes: List[subprocess.Popen] = []  # type: ignore[type-arg]
    try:
        phoenix_port = free_port()
        phoenix = f"http://127.0.0.1:{phoenix_port}"
        env = {**os.environ, "PHOENIX_HOST": "127.0.0.1", "PHOENIX_PORT": str(phoenix_port),
               "PHOENIX_GRPC_PORT": str(free_port()), "PHOENIX_WORKING_DIR": str(work / "phoenix"),
               "PHOENIX_TELEMETRY_ENABLED": "false", "PHOENIX_ALLOW_EXTERNAL_RESOURCES": "false"}
        phoenix_bin = Path(sys.executable).parent / "phoenix"
        processes.append(subprocess.Popen([str(phoenix_bin), "serve"], env=env,
                                          stdout=subprocess.DEVNULL, stderr=open(work / "phoenix.log", "wb")))
        import rotel
        rotel_bin = Path(rotel.__file__).parent / "rotel-agent"
        rotel_port = free_port()
        rotel_log = work / "rotel.out"
        processes.append(subprocess.Popen(
            [str(rotel_bin), "start", "--otlp-http-endpoint", f"127.0.0.1:{rotel_port}",
             "--otlp-grpc-endpoint", f"127.0.0.1:{free_port()}", "--exporter", "blackhole",
             "--debug-log", "logs", "--debug-log-verbosity", "detailed",
             "--log-file", str(work / "rotel-agent.log"), "--pid-file", str(work / "rotel.pid")],
            stdout=open(rotel_log, "wb"), stderr=subprocess.STDOUT))
        langfuse = LangfuseScores("pk-lf-test", "sk-lf-test")
        store = work / "service"
        keys = {}
        for org in ("interop", "other"):
            out = subprocess.run([binary, "orgs", "create", org, "--store", str(store)],
                                 check=True, capture_output=True, text=True).stdout.splitlines()
            keys[org] = out[2].strip()
        aegis_port = free_port()
        aegis = f"http://127.0.0.1:{aegis_port}"
        processes.append(subprocess.Popen(
            [binary, "serve", "--store", str(store), "--addr", f"127.0.0.1:{aegis_port}", "--workers", "1",
             "--no-models", "--default-domain", "healthcare", "--export-phoenix", f"interop={phoenix}",
             "--export-otlp", f"interop=http://127.0.0.1:{rotel_port}", "--export-langfuse", f"interop={langfuse.url}"],
            env={**os.environ, "LANGFUSE_PUBLIC_KEY": "pk-lf-test", "LANGFUSE_SECRET_KEY": "sk-lf-test"},
            stdout=subprocess.DEVNULL, stderr=open(work / "aegis.log", "wb")))
        wait_until("Phoenix to start", lambda: request("GET", phoenix + "/healthz")[0] == 200, 120)
        wait_until("Aegis to start", lambda: request("GET", aegis + "/readyz")[0] == 200)

        expected: Set[str] = set()
        roots: Dict[str, str] = {}
        pb = {"Content-Type": "application/x-protobuf"}
        bodies = [(name, (REPO / "examples/otlp" / name).read_bytes()) for name in EXPORTS]
        bodies.append(("a failing answer", failing_span(aegis, keys["interop"])))
        for name, body in bodies:
            ids = trace_ids(body)
            expected |= ids
            roots.update(root_spans(body))
            assert request("POST", phoenix + "/v1/traces", body, pb)[0] == 200, name
            status, answer = request("POST", aegis + "/otlp/v1/traces", body,
                                     {**pb, "Authorization": f"Bearer {keys['interop']}"})
            assert status == 200, (name, status, answer[:200])
            # A trace Aegis could not use (nothing to evaluate) is named in partial_success.
            reply = ExportTraceServiceResponse()
            reply.ParseFromString(answer)
            refused = {i for i in ids if i in reply.partial_success.error_message}
            if refused:
                print(f"  {name}: Aegis refused {sorted(refused)}: {reply.partial_success.error_message}")
            expected -= refused
        other = (REPO / "examples/otlp" / OTHER_ORG_EXPORT).read_bytes()
        other_ids = trace_ids(other) - expected
        assert other_ids, "the other organisation's export shares its trace ids"
        assert request("POST", phoenix + "/v1/traces", other, pb)[0] == 200
        assert request("POST", aegis + "/otlp/v1/traces", other,
                       {**pb, "Authorization": f"Bearer {keys['other']}"})[0] == 200

        def stored(org: str, trace_id: str) -> Optional[Dict[str, Any]]:
            status, body = request("GET", f"{aegis}/v1/traces/{trace_id}",
                                   headers={"Authorization": f"Bearer {keys[org]}"})
            return json.loads(body) if status == 200 else None

        def annotations(ids: Set[str]) -> List[Dict[str, Any]]:
            query = "&".join(f"trace_ids={i}" for i in sorted(ids))
            status, body = request("GET", f"{phoenix}/v1/projects/default/trace_annotations?{query}&limit=1000")
            return json.loads(body)["data"] if status == 200 else []

        assert len(expected) >= 3, expected
        verdicts = set()
        for trace_id in sorted(expected):
            row = wait_until(f"Aegis to store {trace_id}", lambda: stored("interop", trace_id))
            result = row["result"]
            validators = {i["validator"] for i in result["issues"]}
            wanted = {"aegis"} | {f"aegis.{v}" for v in validators}

            def found() -> Optional[Dict[str, Dict[str, Any]]]:
                by_name = {a["name"]: a for a in annotations({trace_id}) if a["trace_id"] == trace_id}
                return by_name if wanted <= set(by_name) else None

            by_name = wait_until(f"Phoenix to show the annotations of {trace_id}", found)
            verdict = by_name["aegis"]
            assert verdict["result"]["label"] == result["verdict"], (verdict, result["verdict"])
            assert verdict["annotator_kind"] == "CODE"
            assert verdict["metadata"]["domain"] == "healthcare"
            for v in validators:
                assert by_name[f"aegis.{v}"]["result"]["label"] in {"info", "low", "medium", "high", "critical"}
            verdicts.add(result["verdict"])
            print(f"  {trace_id}: {result['verdict']}, {len(wanted)} annotation(s) in Phoenix: {sorted(wanted)}")

            # The same evaluations as GenAI events, received by Rotel, parented to the root span.
            def events() -> Optional[Dict[str, Dict[str, str]]]:
                mine = {e.get("gen_ai.evaluation.name", ""): e for e in rotel_events(rotel_log)
                        if e.get("trace_id") == trace_id and e.get("event") == "gen_ai.evaluation.result"}
                return mine if wanted <= set(mine) else None

            by_name_events = wait_until(f"Rotel to receive the events of {trace_id}", events)
            verdict_event = by_name_events["aegis"]
            assert verdict_event["gen_ai.evaluation.score.label"] == result["verdict"], verdict_event
            assert float(verdict_event["gen_ai.evaluation.score.value"]) == {"pass": 1.0, "fail": 0.0}.get(
                result["verdict"], 0.5), verdict_event
            if trace_id in roots:
                assert verdict_event["span_id"] == roots[trace_id], (verdict_event, roots[trace_id])

            # And as Langfuse scores, each read by Langfuse's own model.
            def scores() -> Optional[Dict[str, Dict[str, Any]]]:
                mine = {s["name"]: s for s in langfuse.scores if s["traceId"] == trace_id}
                return mine if wanted <= set(mine) else None

            by_name_scores = wait_until(f"the Langfuse scores of {trace_id}", scores)
            assert by_name_scores["aegis"]["comment"].startswith(result["verdict"] + ":"), by_name_scores["aegis"]
            print(f"    and {len(wanted)} gen_ai.evaluation.result event(s) in Rotel"
                  f"{' on the root span' if trace_id in roots else ''}, {len(wanted)} Langfuse score(s)")
        assert {"pass", "fail"} <= verdicts, verdicts
        # The other organisation's results are stored, and never sent to this Phoenix.
        for trace_id in other_ids:
            wait_until(f"Aegis to store {trace_id}", lambda: stored("other", trace_id))
        time.sleep(3)
        leaked = annotations(other_ids)
        assert not leaked, f"another organisation's results reached Phoenix: {leaked}"
        leaked_events = [e for e in rotel_events(rotel_log) if e.get("trace_id") in other_ids]
        assert not leaked_events, f"another organisation's results reached the collector: {leaked_events}"
        leaked_scores = [s for s in langfuse.scores if s["traceId"] in other_ids]
        assert not leaked_scores, f"another organisation's results reached Langfuse: {leaked_scores}"
        assert not langfuse.errors, f"Langfuse's model refused scores: {langfuse.errors}"
        print(f"ok: {len(expected)} traces annotated in Phoenix, their events in Rotel and their scores"
              f" for Langfuse; none of the other organisation's {len(other_ids)}")
        return 0
    finally:
        for p in processes:
            p.terminate()
        for p in processes:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        if os.environ.get("KEEP_LOGS"):
            print(f"logs in {work}")
        else:
            subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    sys.exit(main())
