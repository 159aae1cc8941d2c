"""The LangChain handler with the real langchain-core: a retrieval chain on its fake chat
model, and a run that calls a tool, each stored by the server as one trace with its steps."""

from __future__ import annotations

import uuid
from typing import List

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableConfig, RunnableLambda, RunnablePassthrough
from langchain_core.tools import tool

from aegis_sdk import AegisClient
from aegis_sdk.langchain import AegisCallbackHandler
from conftest import Server, wait_for

ANSWER = "For adults, 200 to 400 mg of ibuprofen every 4 to 6 hours, at most 1,200 mg a day without a doctor."
LEAFLET = "Ibuprofen: adults 200-400 mg every 4-6 hours; do not exceed 1200 mg in 24 hours."


class Leaflets(BaseRetriever):
    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> List[Document]:
        return [Document(page_content=LEAFLET)]


@tool
def dose_limit(drug: str) -> str:
    """The most of `drug` an adult may take in a day without a doctor."""
    return "1200 mg" if drug == "ibuprofen" else "unknown"


def test_a_retrieval_chain_is_one_trace_with_its_steps(server: Server) -> None:
    client = AegisClient(server.url, server.key, domain="healthcare")
    handler = AegisCallbackHandler(client, metadata={"application": "leaflet-bot"})
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer from the leaflet: {context}"), ("human", "{question}")]
    )
    chain = (
        {"context": Leaflets(), "question": RunnablePassthrough()}
        | prompt
        | FakeListChatModel(responses=[ANSWER])
        | StrOutputParser()
    )
    run_id = uuid.uuid4()
    out = chain.invoke("How much ibuprofen can I take?", config={"callbacks": [handler], "run_id": run_id})
    assert out == ANSWER
    assert client.flush(timeout=30)
    assert client.stats.sent == 1
    row = wait_for(client.get, str(run_id))
    trace = row["trace"]
    assert trace["input"] == "How much ibuprofen can I take?"
    assert trace["output"] == ANSWER
    assert trace["context"] == [LEAFLET]
    assert trace["metadata"]["application"] == "leaflet-bot"
    kinds = [s["kind"] for s in trace["steps"]]
    assert kinds.count("retrieval") == 1 and kinds.count("llm") == 1, kinds
    llm = next(s for s in trace["steps"] if s["kind"] == "llm")
    assert "How much ibuprofen can I take?" in llm["input"]
    assert llm["output"] == ANSWER
    assert row["result"]["domain"] == "healthcare"
    client.close()


def test_a_tool_call_is_a_step_with_its_arguments_and_result(server: Server) -> None:
    client = AegisClient(server.url, server.key, domain="healthcare")
    handler = AegisCallbackHandler(client)

    def agent(question: str, config: RunnableConfig) -> str:
        limit = dose_limit.invoke({"drug": "ibuprofen"}, config=config)
        return f"At most {limit} a day."

    run_id = uuid.uuid4()
    out = RunnableLambda(agent).invoke("Max ibuprofen?", config={"callbacks": [handler], "run_id": run_id})
    assert out == "At most 1200 mg a day."
    assert client.flush(timeout=30)
    trace = wait_for(client.get, str(run_id))["trace"]
    assert trace["output"] == "At most 1200 mg a day."
    tools = [s for s in trace["steps"] if s["kind"] == "tool"]
    assert len(tools) == 1
    call = tools[0]["tool_calls"][0]
    assert call["name"] == "dose_limit"
    assert call["arguments"] == {"drug": "ibuprofen"}
    assert call["result"] == "1200 mg"
    client.close()
