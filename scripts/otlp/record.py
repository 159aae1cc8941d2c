#!/usr/bin/env python3
"""Records real OTLP/HTTP trace exports from real GenAI / OpenInference instrumentations into
examples/otlp/, for the OTLP ingest tests.

The parent process starts two servers on 127.0.0.1 (free ports):
  * a recorder that keeps every body POSTed to /v1/traces (and /v1/logs) verbatim, gunzipped
    when Content-Encoding is gzip, with its Content-Type, in arrival order;
  * a fake OpenAI-compatible /v1/chat/completions server with canned, non-streaming answers
    (a tool-call answer when the request offers tools, a plain answer otherwise).
It then runs each scenario in a child process (`record.py --child NAME ...`, so that no two
instrumentations patch the same client in one interpreter) with the real OTLP exporter of that
SDK pointed at the recorder, and writes the bodies it received, plus README.md (generated from
the decoded bodies) to the output directory.

  usage: record.py OUT_DIR [--node-dir DIR]     (normally via: bash scripts/otlp/record.sh)
         record.py --summary FILE...            (decode and summarise recorded bodies)

Everything sent is synthetic: fixed prompts, canned answers, made-up ids. Span/trace ids come
from a seeded generator, so only timestamps (and durations) change between recordings.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent

# ---------------------------------------------------------------------------------------------
# Fixed content (synthetic).
# ---------------------------------------------------------------------------------------------

MODEL = "gpt-4o-mini"
RESPONSE_MODEL = "gpt-4o-mini-2024-07-18"
CREATED = 1767225600  # 2026-01-01T00:00:00Z

CLINIC_SYSTEM = (
    "You are a clinical decision-support assistant for licensed clinicians. Answer concisely, "
    "cite the usual adult dosing, and always remind the user to check renal function, "
    "allergies and local guidelines."
)
DOSE_QUESTION = (
    "What is the usual adult oral dose of amoxicillin for acute otitis media in a patient "
    "with normal renal function and no penicillin allergy?"
)
DOSE_ANSWER = (
    "For adults with acute otitis media and normal renal function, a usual regimen is "
    "amoxicillin 500 mg orally every 8 hours (or 875 mg every 12 hours) for 5 to 7 days; "
    "high-dose regimens up to 1 g every 8 hours are used where resistance is a concern. "
    "Confirm allergies, renal function and local guidelines before prescribing."
)
INTERACTION_QUESTION = (
    "Patient (synthetic record P-0001) takes lisinopril 10 mg daily. Is it safe to add "
    "ibuprofen 400 mg three times a day for knee pain? Check for interactions first."
)
INTERACTION_TOOL = {
    "type": "function",
    "function": {
        "name": "check_drug_interaction",
        "description": "Look up known interactions between two drugs in the formulary.",
        "parameters": {
            "type": "object",
            "properties": {
                "drug_a": {"type": "string", "description": "Generic name of the first drug"},
                "drug_b": {"type": "string", "description": "Generic name of the second drug"},
            },
            "required": ["drug_a", "drug_b"],
        },
    },
}
INTERACTION_CALL_ID = "call_fixture_interaction_0001"
INTERACTION_ARGS = {"drug_a": "ibuprofen", "drug_b": "lisinopril"}

AGENT_SYSTEM = (
    "You are an order-entry assistant on a simulated equities desk. Use the place_order tool "
    "for orders and confirm them against the desk's order-handling policy."
)
AGENT_QUESTION = "Buy 100 shares of ACME at a limit price of 187.25."
AGENT_ORDER = {"symbol": "ACME", "side": "buy", "quantity": 100, "price": 187.25}
AGENT_ORDER_ID = "ORD-FIXTURE-0001"
SPLIT_QUESTION = "Sell 40 shares of GLOBEX at a limit price of 52.10."
SPLIT_ORDER = {"symbol": "GLOBEX", "side": "sell", "quantity": 40, "price": 52.10}
SPLIT_ORDER_ID = "ORD-FIXTURE-0002"

POLICY_DOCS = [
    (
        "policy/order-handling.md#limits",
        "Limit orders are accepted as DAY orders unless a time-in-force is given. Orders above "
        "10,000 shares or 1,000,000 in notional need a second approver.",
    ),
    (
        "policy/order-handling.md#confirmations",
        "Every accepted order must be confirmed to the requester with its order id, side, "
        "quantity, symbol and limit price.",
    ),
]


def chat_completion(message: dict, finish_reason: str, usage: tuple[int, int], n: int) -> dict:
    return {
        "id": f"chatcmpl-fixture-{n:04d}",
        "object": "chat.completion",
        "created": CREATED,
        "model": RESPONSE_MODEL,
        "system_fingerprint": "fp_fixture",
        "service_tier": "default",
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}
        ],
        "usage": {
            "prompt_tokens": usage[0],
            "completion_tokens": usage[1],
            "total_tokens": usage[0] + usage[1],
        },
    }


def canned_answer(request: dict) -> dict:
    if request.get("tools"):
        return chat_completion(
            {
                "role": "assistant",
                "content": None,
                "refusal": None,
                "tool_calls": [
                    {
                        "id": INTERACTION_CALL_ID,
                        "type": "function",
                        "function": {
                            "name": "check_drug_interaction",
                            "arguments": json.dumps(INTERACTION_ARGS),
                        },
                    }
                ],
            },
            "tool_calls",
            (118, 24),
            2,
        )
    return chat_completion(
        {"role": "assistant", "content": DOSE_ANSWER, "refusal": None}, "stop", (71, 64), 1
    )


# ---------------------------------------------------------------------------------------------
# Servers (parent process).
# ---------------------------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.bodies: list[tuple[str, str, bytes]] = []  # (path, content type, body)

    def take(self) -> list[tuple[str, str, bytes]]:
        with self.lock:
            out, self.bodies = self.bodies, []
        return out


def read_body(handler: BaseHTTPRequestHandler) -> bytes:
    """The request body, by Content-Length or chunked transfer encoding."""
    if "chunked" in (handler.headers.get("Transfer-Encoding") or "").lower():
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()  # CRLF after the chunk
    return handler.rfile.read(int(handler.headers.get("Content-Length") or 0))


def serve(handler_cls) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_cls)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def recorder_handler(recorder: Recorder):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            body = read_body(self)
            if (self.headers.get("Content-Encoding") or "").lower() == "gzip":
                body = gzip.decompress(body)
            ctype = self.headers.get("Content-Type") or ""
            if self.path in ("/v1/traces", "/v1/logs"):
                with recorder.lock:
                    recorder.bodies.append((self.path, ctype, body))
                reply, rtype = (b"{}", "application/json") if "json" in ctype else (
                    b"", "application/x-protobuf")
                self.send_response(200)
            else:
                reply, rtype = b"not found", "text/plain"
                self.send_response(404)
            self.send_header("Content-Type", rtype)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    return Handler


class FakeOpenAI(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        request = json.loads(read_body(self))
        if not self.path.endswith("/chat/completions"):
            status, reply = 404, {"error": {"message": f"no route {self.path}", "type": "fixture"}}
        elif request.get("stream"):
            status, reply = 400, {"error": {"message": "streaming is not faked", "type": "fixture"}}
        else:
            status, reply = 200, canned_answer(request)
        data = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-request-id", "req_fixture")
        self.end_headers()
        self.wfile.write(data)


# ---------------------------------------------------------------------------------------------
# Child scenarios (each runs in its own interpreter).
# ---------------------------------------------------------------------------------------------


def seeded_ids(seed: int):
    from opentelemetry.sdk.trace.id_generator import IdGenerator

    class SeededIds(IdGenerator):
        def __init__(self) -> None:
            self.rng = random.Random(seed)

        def generate_span_id(self) -> int:
            return self.rng.getrandbits(64) or 1

        def generate_trace_id(self) -> int:
            return self.rng.getrandbits(128) or 1

    return SeededIds()


def tracer_provider(collector: str, service: str, seed: int):
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(
        resource=Resource.create(
            {
                "service.name": service,
                "service.instance.id": "fixture-instance-1",
                "deployment.environment.name": "fixture",
            }
        ),
        id_generator=seeded_ids(seed),
    )
    # A long schedule delay: nothing is exported until force_flush()/shutdown().
    provider.add_span_processor(
        BatchSpanProcessor(
            OTLPSpanExporter(endpoint=f"{collector}/v1/traces", timeout=10),
            schedule_delay_millis=600_000,
        )
    )
    return provider


def openai_two_calls(openai_url: str) -> None:
    """The two client calls shared by the OpenAI scenarios."""
    from openai import OpenAI

    client = OpenAI(base_url=f"{openai_url}/v1", api_key="sk-fixture-not-a-key", max_retries=0)
    client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": CLINIC_SYSTEM},
            {"role": "user", "content": DOSE_QUESTION},
        ],
        temperature=0.2,
        max_tokens=256,
        seed=7,
        user="user-fixture-0042",
    )
    client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": CLINIC_SYSTEM},
            {"role": "user", "content": INTERACTION_QUESTION},
        ],
        tools=[INTERACTION_TOOL],
        tool_choice="auto",
        temperature=0.0,
        seed=7,
    )


def child_openai_v2(args) -> None:
    from opentelemetry._logs import set_logger_provider
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
    from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import BatchLogRecordProcessor

    provider = tracer_provider(args.collector, "fixture-clinic-assistant", args.seed)
    logs = LoggerProvider(resource=provider.resource)
    logs.add_log_record_processor(
        BatchLogRecordProcessor(
            OTLPLogExporter(endpoint=f"{args.collector}/v1/logs", timeout=10),
            schedule_delay_millis=600_000,
        )
    )
    set_logger_provider(logs)
    OpenAIInstrumentor().instrument(tracer_provider=provider, logger_provider=logs)
    openai_two_calls(args.openai)
    provider.force_flush()
    logs.force_flush()
    provider.shutdown()
    logs.shutdown()


def child_openllmetry(args) -> None:
    from opentelemetry.instrumentation.openai import OpenAIInstrumentor

    provider = tracer_provider(args.collector, "fixture-clinic-assistant", args.seed)
    OpenAIInstrumentor().instrument(tracer_provider=provider)
    openai_two_calls(args.openai)
    provider.force_flush()
    provider.shutdown()


def child_openinference_openai(args) -> None:
    from openinference.instrumentation.openai import OpenAIInstrumentor

    provider = tracer_provider(args.collector, "fixture-clinic-assistant", args.seed)
    OpenAIInstrumentor().instrument(tracer_provider=provider)
    openai_two_calls(args.openai)
    provider.force_flush()
    provider.shutdown()


def child_langchain(args, *, split: bool) -> None:
    from langchain_core.callbacks import CallbackManagerForRetrieverRun
    from langchain_core.documents import Document
    from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
    from langchain_core.retrievers import BaseRetriever
    from langchain_core.runnables import RunnableLambda
    from langchain_core.tools import tool
    from langchain_core.utils.function_calling import convert_to_openai_tool
    from openinference.instrumentation import using_attributes
    from openinference.instrumentation.langchain import LangChainInstrumentor

    provider = tracer_provider(args.collector, "fixture-trading-agent", args.seed)
    LangChainInstrumentor().instrument(tracer_provider=provider)

    question, order, order_id, session = (
        (SPLIT_QUESTION, SPLIT_ORDER, SPLIT_ORDER_ID, "session-fixture-trading-0002")
        if split
        else (AGENT_QUESTION, AGENT_ORDER, AGENT_ORDER_ID, "session-fixture-trading-0001")
    )
    call_id = "call_fixture_place_order_0002" if split else "call_fixture_place_order_0001"

    @tool
    def place_order(symbol: str, side: str, quantity: int, price: float) -> str:
        """Place a limit order on the simulated exchange and return its confirmation."""
        return (
            f"accepted {order_id}: {side} {quantity} {symbol} limit {price:.2f} DAY "
            f"(simulated venue, status=NEW)"
        )

    class PolicyRetriever(BaseRetriever):
        """Returns the desk's order-handling policy sections (fixed, two documents)."""

        def _get_relevant_documents(
            self, query: str, *, run_manager: CallbackManagerForRetrieverRun
        ) -> list[Document]:
            return [
                Document(page_content=text, metadata={"source": source, "score": 0.91 - 0.1 * i},
                         id=f"doc-policy-{i + 1}")
                for i, (source, text) in enumerate(POLICY_DOCS)
            ]

    class ToolCallingFakeModel(FakeMessagesListChatModel):
        """The fake list model, with bind_tools so the tools appear in the invocation params."""

        def bind_tools(self, tools, **kwargs):
            return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kwargs)

    final = (
        f"Done: order {order_id} was accepted - {order['side']} {order['quantity']} "
        f"{order['symbol']} at a limit of {order['price']:.2f}, good for the day. Per the desk "
        f"policy it needs no second approver."
    )
    llm = ToolCallingFakeModel(
        responses=[
            AIMessage(
                content="",
                tool_calls=[{"name": "place_order", "args": order, "id": call_id,
                             "type": "tool_call"}],
                id=f"msg-fixture-{session[-4:]}-1",  # else LangChain adds a random run id
            ),
            AIMessage(content=final, id=f"msg-fixture-{session[-4:]}-2"),
        ]
    ).bind_tools([place_order])
    retriever = PolicyRetriever()

    def run_agent(inputs: dict) -> dict:
        messages = [SystemMessage(AGENT_SYSTEM), HumanMessage(inputs["question"])]
        ask = llm.invoke(messages)  # LLM asks for the tool
        results = [place_order.invoke(call) for call in ask.tool_calls]  # -> ToolMessages
        docs = retriever.invoke("order confirmation and approval policy")
        context = "\n".join(d.page_content for d in docs)
        answer = llm.invoke(
            messages + [ask, *results, SystemMessage(f"Desk policy:\n{context}")]
        )
        if split:
            # As if the batch timer fired while the agent was still running: every child span
            # has ended and is exported now; the root span ends afterwards and goes out in a
            # second request at shutdown.
            provider.force_flush()
        return {"answer": answer.content}

    agent = RunnableLambda(run_agent).with_config(run_name="trading_agent")
    with using_attributes(
        session_id=session,
        user_id="user-fixture-trader-0007",
        metadata={"desk": "equities-sim", "environment": "fixture", "agent_version": "1.0.0"},
        tags=["trading", "order-entry", "fixture"],
    ):
        agent.invoke(
            {"question": question},
            config={"tags": ["agent"], "metadata": {"ticket": "TCK-FIXTURE-1"}},
        )
    provider.force_flush()
    provider.shutdown()


CHILDREN = {
    "openai-v2": child_openai_v2,
    "openllmetry": child_openllmetry,
    "openinference-openai": child_openinference_openai,
    "langchain": lambda a: child_langchain(a, split=False),
    "langchain-split": lambda a: child_langchain(a, split=True),
}

# ---------------------------------------------------------------------------------------------
# Scenarios (parent): file stem, child, extra environment, expected trace bodies, README text.
# ---------------------------------------------------------------------------------------------

SCENARIOS = [
    {
        "stem": "genai-openai-v2",
        "child": "openai-v2",
        "env": {"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "true"},
        "packages": ["opentelemetry-instrumentation-openai-v2", "opentelemetry-util-genai",
                     "openai"],
        "convention": "OTel GenAI semconv v1.30 (the default, no opt-in): gen_ai.* span "
                      "attributes; with content capture on, the message content is NOT on the "
                      "spans but in log records (events) - genai-openai-v2-logs.pb",
    },
    {
        "stem": "genai-openai-v2-latest",
        "child": "openai-v2",
        "env": {
            "OTEL_SEMCONV_STABILITY_OPT_IN": "gen_ai_latest_experimental",
            "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "span_only",
        },
        "packages": ["opentelemetry-instrumentation-openai-v2", "opentelemetry-util-genai",
                     "openai"],
        "convention": "OTel GenAI semconv latest experimental "
                      "(OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental, content "
                      "span_only): gen_ai.input.messages / gen_ai.output.messages JSON span "
                      "attributes",
    },
    {
        "stem": "openllmetry-openai",
        "child": "openllmetry",
        "env": {"TRACELOOP_TRACE_CONTENT": "true"},
        "packages": ["opentelemetry-instrumentation-openai", "opentelemetry-semantic-conventions-ai",
                     "openai"],
        "convention": "Traceloop OpenLLMetry: gen_ai.* plus indexed gen_ai.prompt.N.* / "
                      "gen_ai.completion.N.* span attributes (the last release with indexed "
                      "attributes; 0.55+ emit gen_ai.input.messages instead)",
    },
    {
        "stem": "openinference-openai",
        "child": "openinference-openai",
        "env": {},
        "packages": ["openinference-instrumentation-openai", "openinference-semantic-conventions",
                     "openai"],
        "convention": "OpenInference: openinference.span.kind=LLM, llm.input_messages.N.* / "
                      "llm.output_messages.N.*, input.value/output.value, llm.token_count.*",
    },
    {
        "stem": "openinference-langchain-agent",
        "child": "langchain",
        "env": {},
        "packages": ["openinference-instrumentation-langchain",
                     "openinference-semantic-conventions", "langchain-core"],
        "convention": "OpenInference (LangChain): root is a LangChain chain run (RunnableLambda "
                      "named trading_agent, which the instrumentation labels "
                      "openinference.span.kind=AGENT because the name contains 'agent'), with "
                      "LLM/TOOL/RETRIEVER children; session.id/user.id/tag.tags/metadata from "
                      "using_attributes on every span",
    },
    {
        "stem": "openinference-langchain-split",
        "child": "langchain-split",
        "env": {},
        "split": 2,
        "packages": ["openinference-instrumentation-langchain",
                     "openinference-semantic-conventions", "langchain-core"],
        "convention": "OpenInference (LangChain), one agent run exported in two requests "
                      "(BatchSpanProcessor flushed while the root was still open): children "
                      "first, root later",
    },
]

NODE_SCENARIOS = [
    {
        "stem": "openinference-openai-node",
        "script": "record-node.cjs",
        "packages": ["@arizeai/openinference-instrumentation-openai", "openai",
                     "@opentelemetry/exporter-trace-otlp-http", "@opentelemetry/sdk-trace-node"],
        "convention": "OTLP/JSON from the Node.js SDK's JSON exporter (hex trace/span ids, "
                      "timestamps as decimal strings, but intValue attributes as bare JSON "
                      "numbers and kind/status.code as integers); OpenInference LLM spans from "
                      "the JS instrumentation",
    },
]


def run_child(name: str, env_extra: dict, collector: str, openai_url: str, seed: int) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "TRACELOOP_"))}
    env.update(env_extra)
    env["OTEL_SDK_DISABLED"] = "false"
    env["OTEL_METRICS_EXPORTER"] = "none"
    subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", name,
         "--collector", collector, "--openai", openai_url, "--seed", str(seed)],
        env=env, check=True, timeout=300,
    )


def write_bodies(out_dir: Path, stem: str, bodies, expect_traces: int, ext: str) -> list[Path]:
    traces = [b for b in bodies if b[0] == "/v1/traces"]
    logs = [b for b in bodies if b[0] == "/v1/logs"]
    if len(traces) != expect_traces:
        raise SystemExit(f"{stem}: expected {expect_traces} trace request(s), got {len(traces)}")
    written = []
    for i, (_, ctype, body) in enumerate(traces, 1):
        name = f"{stem}{'-%d' % i if expect_traces > 1 else ''}.{ext}"
        (out_dir / name).write_bytes(body)
        written.append((out_dir / name, ctype))
    if len(logs) > 1:
        raise SystemExit(f"{stem}: expected at most one log request, got {len(logs)}")
    for _, ctype, body in logs:
        (out_dir / f"{stem}-logs.{ext}").write_bytes(body)
        written.append((out_dir / f"{stem}-logs.{ext}", ctype))
    for path, ctype in written:
        print(f"  {path.name}: {len(path.read_bytes())} bytes, {ctype}", file=sys.stderr)
    return [p for p, _ in written]


def py_version(pkg: str) -> str:
    from importlib.metadata import version

    return f"{pkg}=={version(pkg)}"


def node_version(node_dir: Path, pkg: str) -> str:
    meta = json.loads((node_dir / "node_modules" / pkg / "package.json").read_text())
    return f"{pkg}@{meta['version']}"


# ---------------------------------------------------------------------------------------------
# Decoding and summaries (used for README.md and --summary).
# ---------------------------------------------------------------------------------------------

KINDS = {0: "UNSPECIFIED", 1: "INTERNAL", 2: "SERVER", 3: "CLIENT", 4: "PRODUCER", 5: "CONSUMER"}


def load_spans(path: Path) -> list[dict]:
    """Spans of a trace export (protobuf or JSON) as dicts with hex ids."""
    if path.suffix == ".json":
        doc = json.loads(path.read_text())
        spans = []
        for rs in doc.get("resourceSpans", []):
            for ss in rs.get("scopeSpans", []):
                for s in ss.get("spans", []):
                    spans.append({
                        "name": s["name"], "span_id": s["spanId"],
                        "parent": s.get("parentSpanId") or "", "trace_id": s["traceId"],
                        "kind": KINDS.get(s.get("kind", 0), str(s.get("kind"))),
                        "keys": sorted(a["key"] for a in s.get("attributes", [])),
                        "oi_kind": next((a["value"].get("stringValue", "") for a in
                                         s.get("attributes", [])
                                         if a["key"] == "openinference.span.kind"), ""),
                        "events": [e["name"] for e in s.get("events", [])],
                        "scope": ss.get("scope", {}).get("name", ""),
                    })
        return spans
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    req = ExportTraceServiceRequest()
    req.ParseFromString(path.read_bytes())
    spans = []
    for rs in req.resource_spans:
        for ss in rs.scope_spans:
            for s in ss.spans:
                spans.append({
                    "name": s.name, "span_id": s.span_id.hex(), "parent": s.parent_span_id.hex(),
                    "trace_id": s.trace_id.hex(), "kind": KINDS.get(s.kind, str(s.kind)),
                    "keys": sorted(a.key for a in s.attributes),
                    "oi_kind": next((a.value.string_value for a in s.attributes
                                     if a.key == "openinference.span.kind"), ""),
                    "events": [e.name for e in s.events], "scope": ss.scope.name,
                })
    return spans


def load_logs(path: Path) -> list[dict]:
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

    req = ExportLogsServiceRequest()
    req.ParseFromString(path.read_bytes())
    out = []
    for rl in req.resource_logs:
        for sl in rl.scope_logs:
            for r in sl.log_records:
                body = r.body
                body_keys = sorted(kv.key for kv in body.kvlist_value.values) \
                    if body.HasField("kvlist_value") else []
                out.append({
                    "event": r.event_name, "span_id": r.span_id.hex(),
                    "keys": sorted(a.key for a in r.attributes), "body_keys": body_keys,
                })
    return out


def span_line(spans: list[dict], all_ids: set[str]) -> str:
    ids = {s["span_id"] for s in spans}
    parts = []
    for s in spans:
        where = "root" if not s["parent"] else (
            "parent in this body" if s["parent"] in ids else
            "parent in the other body" if s["parent"] in all_ids else "parent absent")
        kind = s["kind"] + (f" / openinference {s['oi_kind']}" if s["oi_kind"] else "")
        parts.append(f"`{s['name']}` ({kind}, {where})")
    roots = [s for s in spans if not s["parent"]]
    root = "root in this body" if roots else "root NOT in this body"
    return f"{len(spans)} span(s): " + ", ".join(parts) + f"; {root}"


def summary(paths: list[Path]) -> None:
    for path in paths:
        print(f"== {path.name}")
        if path.name.endswith("-logs.pb"):
            for r in load_logs(path):
                print(f"  log event={r['event']!r} span={r['span_id']} attrs={r['keys']} "
                      f"body_keys={r['body_keys']}")
            continue
        for s in load_spans(path):
            oi = f" openinference.span.kind={s['oi_kind']}" if s["oi_kind"] else ""
            print(f"  span {s['name']!r} kind={s['kind']}{oi} id={s['span_id']} "
                  f"parent={s['parent'] or '-'} scope={s['scope']}")
            print(f"    keys={s['keys']}")
            if s["events"]:
                print(f"    events={s['events']}")


def write_readme(out_dir: Path, entries: list[tuple[Path, str, str]]) -> None:
    all_ids: set[str] = set()
    for path, _, _ in entries:
        if not path.name.endswith("-logs.pb"):
            all_ids |= {s["span_id"] for s in load_spans(path)}
    lines = [
        "# Recorded OTLP/HTTP trace exports",
        "",
        "Real request bodies, byte for byte as the exporters sent them to `/v1/traces` (and "
        "`/v1/logs`), recorded on 127.0.0.1 from real instrumentation libraries around the real "
        "`openai` client (against a fake OpenAI-compatible server with canned answers) and real "
        "`langchain-core` (with a fake chat model). All content is synthetic. `.pb` files are "
        "`ExportTraceServiceRequest` protobuf (`application/x-protobuf`; the `-logs.pb` file is "
        "an `ExportLogsServiceRequest`); `.json` files are OTLP/JSON (`application/json`, hex "
        "trace/span ids). Trace/span ids come from a seeded generator, so a re-recording differs "
        "only in timestamps (and in the fake server's port inside openllmetry's "
        "`gen_ai.openai.api_base`).",
        "",
        "Re-record everything (creates `target/otlp-venv` and `target/otlp-node`, pinned by "
        "`scripts/otlp/constraints.txt` and `scripts/otlp/package-lock.json`):",
        "",
        "    bash scripts/otlp/record.sh",
        "",
        "Decode and list spans/attribute keys: `target/otlp-venv/bin/python scripts/otlp/record.py "
        "--summary examples/otlp/*`.",
        "",
    ]
    for path, produced_by, convention in entries:
        if path.name.endswith("-logs.pb"):
            recs = load_logs(path)
            events = ", ".join(f"`{r['event']}`" for r in recs)
            content = (f"{len(recs)} log record(s) (events {events}), each with the trace/span "
                       "id of its chat span; prompt/completion content in the record bodies")
        else:
            content = span_line(load_spans(path), all_ids)
        lines.append(f"- `{path.name}` - {produced_by}; {convention}; {content}.")
    lines.append("")
    (out_dir / "README.md").write_text("\n".join(lines))


# ---------------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir", nargs="?", type=Path)
    ap.add_argument("--node-dir", type=Path, help="npm install dir (skips Node if absent)")
    ap.add_argument("--child")
    ap.add_argument("--collector")
    ap.add_argument("--openai")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--summary", nargs="+", type=Path)
    args = ap.parse_args()
    if args.child:
        CHILDREN[args.child](args)
        return
    if args.summary:
        summary(args.summary)
        return
    if not args.out_dir:
        ap.error("OUT_DIR is required")

    out_dir = args.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    recorder = Recorder()
    collector_srv = serve(recorder_handler(recorder))
    openai_srv = serve(FakeOpenAI)
    collector = f"http://127.0.0.1:{collector_srv.server_address[1]}"
    openai_url = f"http://127.0.0.1:{openai_srv.server_address[1]}"
    print(f"recorder {collector}, fake OpenAI {openai_url}", file=sys.stderr)

    entries = []
    for seed, sc in enumerate(SCENARIOS, 1):  # one seed per scenario: distinct trace ids
        print(f"{sc['stem']}:", file=sys.stderr)
        recorder.take()
        run_child(sc["child"], sc["env"], collector, openai_url, seed)
        env_note = " ".join(f"{k}={v}" for k, v in sc["env"].items())
        produced = ", ".join(py_version(p) for p in sc["packages"]) + (
            f" (Python, {py_version('opentelemetry-exporter-otlp-proto-http')}"
            + (f", env {env_note}" if env_note else "") + ")")
        for path in write_bodies(out_dir, sc["stem"], recorder.take(), sc.get("split", 1), "pb"):
            convention = sc["convention"] if not path.name.endswith("-logs.pb") else (
                f"the log records (GenAI v1.30 events, OTLP logs) that go with {sc['stem']}.pb "
                "- the prompt/completion content of that mode")
            entries.append((path, produced, convention))

    if args.node_dir and (args.node_dir / "node_modules").is_dir():
        for seed, sc in enumerate(NODE_SCENARIOS, 101):
            print(f"{sc['stem']}:", file=sys.stderr)
            recorder.take()
            env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
            env.update({"NODE_PATH": str(args.node_dir / "node_modules"),
                        "COLLECTOR_URL": collector, "OPENAI_URL": openai_url,
                        "FIXTURE_SEED": str(seed)})
            subprocess.run(["node", str(HERE / sc["script"])], env=env, check=True, timeout=300)
            produced = ", ".join(node_version(args.node_dir, p) for p in sc["packages"]) + \
                " (Node.js)"
            for path in write_bodies(out_dir, sc["stem"], recorder.take(), 1, "json"):
                entries.append((path, produced, sc["convention"]))
    else:
        print("no --node-dir with node_modules: skipping the OTLP/JSON (Node.js) recording",
              file=sys.stderr)

    write_readme(out_dir, entries)
    collector_srv.shutdown()
    openai_srv.shutdown()
    print(f"wrote {len(entries)} file(s) and README.md to {out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
