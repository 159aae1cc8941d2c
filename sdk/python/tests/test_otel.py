"""The OpenTelemetry path, with no Aegis code in the application: OpenInference's LangChain
instrumentation and the OTLP/HTTP exporter send a LangChain run to `/otlp/v1/traces`, and
Aegis assembles it into one trace and evaluates it."""

from __future__ import annotations

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from openinference.instrumentation.langchain import LangChainInstrumentor
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from aegis_sdk import AegisClient
from conftest import Server, wait_for

ANSWER = "Take 200 to 400 mg every 4 to 6 hours; no more than 1,200 mg a day without a doctor."


def test_an_instrumented_langchain_run_arrives_over_otlp_and_is_evaluated(server: Server) -> None:
    provider = TracerProvider(resource=Resource.create({"service.name": "otel-leaflet-bot"}))
    exporter = OTLPSpanExporter(
        endpoint=f"{server.url}/otlp/v1/traces",
        headers={"authorization": f"Bearer {server.key}", "x-aegis-domain": "healthcare"},
    )
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    seen = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(seen))
    instrumentor = LangChainInstrumentor()
    instrumentor.instrument(tracer_provider=provider)
    try:
        chain = (
            ChatPromptTemplate.from_messages([("human", "{question}")])
            | FakeListChatModel(responses=[ANSWER])
            | StrOutputParser()
        )
        assert chain.invoke({"question": "How much ibuprofen can I take?"}) == ANSWER
        assert provider.force_flush()
    finally:
        instrumentor.uninstrument()
        provider.shutdown()
    spans = seen.get_finished_spans()
    assert spans
    trace_id = format(spans[0].context.trace_id, "032x")
    client = AegisClient(server.url, server.key)
    row = wait_for(client.get, trace_id)
    assert row["result"]["domain"] == "healthcare"
    assert row["trace"]["output"] == ANSWER
    assert "How much ibuprofen can I take?" in row["trace"]["input"]
    assert any(s["kind"] == "llm" for s in row["trace"]["steps"])
    client.close()
