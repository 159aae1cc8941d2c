"""Send what an LLM application does to an Aegis server to be evaluated.

>>> from aegis_sdk import AegisClient
>>> client = AegisClient("http://127.0.0.1:8420", api_key="aegis_...", domain="healthcare")
>>> client.submit({"id": "t-1", "input": "…", "output": "…"})   # never blocks
>>> client.flush()                                               # at exit, or in tests

`AegisClient.submit` queues a trace in memory and returns at once; a background thread sends
queued traces in batches (``POST /v1/traces``, JSON lines, gzip), retrying with backoff when the
server is busy or unreachable. `AegisClient.evaluate` is the synchronous guard: it evaluates one
trace in the request (``POST /v1/evaluate``) and returns the decision.

The LangChain callback handler is `aegis_sdk.langchain.AegisCallbackHandler`; the LlamaIndex
one `aegis_sdk.llama_index.AegisLlamaIndexHandler`. Each turns a run into one trace (input,
output, model, retrieved context, and every LLM call, tool call and retrieval as a step).
"""

from .client import AegisClient, AegisError, ClientStats, Decision

__all__ = ["AegisClient", "AegisError", "ClientStats", "Decision"]
__version__ = "0.1.0"
