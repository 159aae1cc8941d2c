"""The LlamaIndex handler with the real llama-index-core: a query over a vector index (its mock
embedding and mock LLM), stored by the server as one trace with the retrieval as context."""

from __future__ import annotations

from llama_index.core import Document, Settings, VectorStoreIndex
from llama_index.core.callbacks import CallbackManager
from llama_index.core.embeddings.mock_embed_model import MockEmbedding
from llama_index.core.llms.mock import MockLLM

from aegis_sdk import AegisClient
from aegis_sdk.llama_index import AegisLlamaIndexHandler
from conftest import Server, wait_for

LEAFLET = "Ibuprofen: adults 200-400 mg every 4-6 hours; do not exceed 1200 mg in 24 hours."


def test_a_query_is_one_trace_with_its_retrieval_and_llm_call(server: Server) -> None:
    client = AegisClient(server.url, server.key, domain="healthcare")
    handler = AegisLlamaIndexHandler(client, metadata={"application": "leaflet-index"})
    Settings.callback_manager = CallbackManager([handler])
    Settings.embed_model = MockEmbedding(embed_dim=8)
    Settings.llm = MockLLM(max_tokens=16)
    index = VectorStoreIndex.from_documents([Document(text=LEAFLET)])
    response = index.as_query_engine(similarity_top_k=1).query("How much ibuprofen can I take?")
    assert client.flush(timeout=30)
    assert handler.last_trace_id is not None
    row = wait_for(client.get, handler.last_trace_id)
    trace = row["trace"]
    assert trace["input"] == "How much ibuprofen can I take?"
    assert trace["output"] == str(response)
    assert trace["context"] == [LEAFLET]
    kinds = {s["kind"] for s in trace["steps"]}
    assert {"retrieval", "llm"} <= kinds, kinds
    assert trace["metadata"]["application"] == "leaflet-index"
    client.close()
