"""A LlamaIndex callback handler that sends each query (each trace LlamaIndex starts) to Aegis.

>>> from llama_index.core import Settings
>>> from llama_index.core.callbacks import CallbackManager
>>> Settings.callback_manager = CallbackManager([AegisLlamaIndexHandler(client)])

Between LlamaIndex's ``start_trace`` and ``end_trace`` (a query, a chat turn), the handler
gathers the query string and the response, each LLM call, each retrieval (its nodes' text also
become the trace's ``context``) and each function call as a step; at ``end_trace`` the trace is
submitted through the client (never blocking the query).
"""

from __future__ import annotations

import threading
import uuid
from typing import Any, Dict, List, Optional

from llama_index.core.callbacks.base_handler import BaseCallbackHandler
from llama_index.core.callbacks.schema import CBEventType, EventPayload

from ._builder import TraceBuilder, text_of
from .client import AegisClient

_KINDS = {
    CBEventType.LLM: "llm",
    CBEventType.RETRIEVE: "retrieval",
    CBEventType.FUNCTION_CALL: "tool",
    CBEventType.EMBEDDING: "embedding",
    CBEventType.AGENT_STEP: "agent",
}


class AegisLlamaIndexHandler(BaseCallbackHandler):
    """Sends every LlamaIndex trace (query, chat turn) to Aegis. `metadata` is added to each
    trace's (``domain``, ``application``, ``tags``…)."""

    def __init__(self, client: AegisClient, *, metadata: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(event_starts_to_ignore=[], event_ends_to_ignore=[])
        self.client = client
        self.metadata = dict(metadata or {})
        self._lock = threading.Lock()
        self._builder: Optional[TraceBuilder] = None
        self._depth = 0
        #: The id of the last trace submitted (to find its result: `AegisClient.get`).
        self.last_trace_id: Optional[str] = None

    def start_trace(self, trace_id: Optional[str] = None) -> None:
        with self._lock:
            if self._depth == 0:
                self._builder = TraceBuilder(trace_id=str(uuid.uuid4()))
                if trace_id:
                    self._builder.tags.append(trace_id)
            self._depth += 1

    def end_trace(self, trace_id: Optional[str] = None,
                  trace_map: Optional[Dict[str, List[str]]] = None) -> None:
        with self._lock:
            self._depth = max(0, self._depth - 1)
            if self._depth > 0 or self._builder is None:
                return
            builder, self._builder = self._builder, None
            self.last_trace_id = builder.trace_id
        self.client.submit(builder.trace(self.metadata))

    def on_event_start(self, event_type: CBEventType, payload: Optional[Dict[str, Any]] = None,
                       event_id: str = "", parent_id: str = "", **kwargs: Any) -> str:
        payload = payload or {}
        with self._lock:
            builder = self._builder
            if builder is None:
                return event_id
            if event_type == CBEventType.QUERY and not builder.input:
                builder.input = text_of(payload.get(EventPayload.QUERY_STR))
            kind = _KINDS.get(event_type)
            if kind is None:
                return event_id
            if event_type == CBEventType.LLM:
                messages = payload.get(EventPayload.MESSAGES)
                text = "\n".join(text_of(m) for m in messages) if messages else text_of(payload.get(EventPayload.PROMPT))
                name = "llm"
            elif event_type == CBEventType.FUNCTION_CALL:
                tool = payload.get(EventPayload.TOOL)
                name = str(getattr(tool, "name", None) or "tool")
                text = text_of(payload.get(EventPayload.FUNCTION_CALL))
            else:
                name = event_type.value
                text = text_of(payload.get(EventPayload.QUERY_STR))
            parent = parent_id if parent_id and parent_id != "root" else None
            builder.start_step(event_id, parent, kind, name, text)
            if event_type == CBEventType.FUNCTION_CALL:
                builder.open_steps[event_id]["tool_calls"] = [{"name": name, "arguments": text}]
            serialized = payload.get(EventPayload.SERIALIZED) or {}
            model = serialized.get("model") or serialized.get("model_name")
            if model:
                builder.open_steps[event_id]["model"] = str(model)
        return event_id

    def on_event_end(self, event_type: CBEventType, payload: Optional[Dict[str, Any]] = None,
                     event_id: str = "", **kwargs: Any) -> None:
        payload = payload or {}
        with self._lock:
            builder = self._builder
            if builder is None:
                return
            if event_type == CBEventType.QUERY:
                builder.output = text_of(getattr(payload.get(EventPayload.RESPONSE), "response", None)
                                         or payload.get(EventPayload.RESPONSE))
            if event_type not in _KINDS:
                return
            if event_type == CBEventType.LLM:
                response = payload.get(EventPayload.RESPONSE) or payload.get(EventPayload.COMPLETION)
                message = getattr(response, "message", None)
                text = text_of(message) if message is not None else text_of(getattr(response, "text", response))
                builder.end_step(event_id, output=text)
            elif event_type == CBEventType.RETRIEVE:
                nodes = payload.get(EventPayload.NODES) or []
                texts = [n.node.get_content() if hasattr(n, "node") else text_of(n) for n in nodes]
                builder.end_step(event_id, documents=texts)
            elif event_type == CBEventType.FUNCTION_CALL:
                result = text_of(payload.get(EventPayload.FUNCTION_OUTPUT))
                step = builder.end_step(event_id, output=result)
                if step is not None and step.get("tool_calls"):
                    step["tool_calls"][0]["result"] = result
            else:
                builder.end_step(event_id)
