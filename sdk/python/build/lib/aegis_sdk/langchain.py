"""A LangChain callback handler that sends each run to Aegis as one trace.

>>> handler = AegisCallbackHandler(client)
>>> chain.invoke({"question": "…"}, config={"callbacks": [handler]})

A run is the outermost runnable the handler sees (a chain, an agent, or a model called on its
own); when it ends, its trace — the run's input and output, the model, what retrievers returned
as ``context``, and every LLM call, tool call and retrieval inside it as a step — is submitted
through the client (never blocking the run). The trace id is the run's id.
"""

from __future__ import annotations

import threading
from typing import Any, Dict, List, Optional, Sequence
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler

from ._builder import TraceBuilder, text_of
from .client import AegisClient


class AegisCallbackHandler(BaseCallbackHandler):
    """Sends every top-level LangChain run to Aegis. `metadata` is added to each trace's
    (``domain``, ``application``, ``tags``…)."""

    raise_error = False

    def __init__(self, client: AegisClient, *, metadata: Optional[Dict[str, Any]] = None) -> None:
        super().__init__()
        self.client = client
        self.metadata = dict(metadata or {})
        self._lock = threading.Lock()
        self._root_of: Dict[UUID, UUID] = {}
        self._traces: Dict[UUID, TraceBuilder] = {}
        #: The id of the last trace submitted (the top-level run's id).
        self.last_trace_id: Optional[str] = None

    # Runs: the outermost one is the trace.

    def _enter(self, run_id: UUID, parent_run_id: Optional[UUID], tags: Optional[List[str]]) -> TraceBuilder:
        with self._lock:
            root = self._root_of.get(parent_run_id, parent_run_id) if parent_run_id else run_id
            self._root_of[run_id] = root
            builder = self._traces.get(root)
            if builder is None:
                builder = self._traces[root] = TraceBuilder(trace_id=str(root))
            builder.tags.extend(tags or [])
            return builder

    def _builder(self, run_id: UUID) -> Optional[TraceBuilder]:
        with self._lock:
            root = self._root_of.get(run_id)
            return self._traces.get(root) if root is not None else None

    def _leave(self, run_id: UUID, error: Optional[BaseException] = None) -> None:
        with self._lock:
            root = self._root_of.pop(run_id, None)
            if root != run_id:
                return
            builder = self._traces.pop(run_id, None)
            for child in [r for r, top in self._root_of.items() if top == run_id]:
                del self._root_of[child]
        if builder is None:
            return
        self.last_trace_id = builder.trace_id
        if error is not None:
            builder.tags.append("error")
            if not builder.output:
                builder.output = f"[error: {type(error).__name__}]"
        self.client.submit(builder.trace(self.metadata))

    def on_chain_start(self, serialized: Optional[Dict[str, Any]], inputs: Any, *, run_id: UUID,
                       parent_run_id: Optional[UUID] = None, tags: Optional[List[str]] = None,
                       **kwargs: Any) -> None:
        builder = self._enter(run_id, parent_run_id, tags)
        if parent_run_id is None:
            builder.input = text_of(inputs)

    def on_chain_end(self, outputs: Any, *, run_id: UUID, parent_run_id: Optional[UUID] = None,
                     **kwargs: Any) -> None:
        builder = self._builder(run_id)
        if builder is not None and parent_run_id is None:
            builder.output = text_of(outputs)
        self._leave(run_id)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._leave(run_id, error)

    # LLM calls.

    def _llm_start(self, serialized: Optional[Dict[str, Any]], prompt: str, run_id: UUID,
                   parent_run_id: Optional[UUID], tags: Optional[List[str]], kwargs: Dict[str, Any]) -> None:
        builder = self._enter(run_id, parent_run_id, tags)
        params = kwargs.get("invocation_params") or {}
        name = (serialized or {}).get("name") or params.get("_type") or "llm"
        builder.start_step(str(run_id), str(parent_run_id) if parent_run_id else None, "llm", str(name), prompt)
        model = params.get("model_name") or params.get("model") or (kwargs.get("metadata") or {}).get("ls_model_name")
        if model:
            builder.open_steps[str(run_id)]["model"] = str(model)
        if parent_run_id is None:
            builder.input = prompt

    def on_llm_start(self, serialized: Optional[Dict[str, Any]], prompts: List[str], *, run_id: UUID,
                     parent_run_id: Optional[UUID] = None, tags: Optional[List[str]] = None,
                     **kwargs: Any) -> None:
        self._llm_start(serialized, "\n".join(prompts), run_id, parent_run_id, tags, kwargs)

    def on_chat_model_start(self, serialized: Optional[Dict[str, Any]], messages: List[List[Any]], *,
                            run_id: UUID, parent_run_id: Optional[UUID] = None,
                            tags: Optional[List[str]] = None, **kwargs: Any) -> None:
        prompt = "\n".join(text_of(m) for batch in messages for m in batch)
        self._llm_start(serialized, prompt, run_id, parent_run_id, tags, kwargs)

    def on_llm_end(self, response: Any, *, run_id: UUID, parent_run_id: Optional[UUID] = None,
                   **kwargs: Any) -> None:
        builder = self._builder(run_id)
        if builder is not None:
            generations = getattr(response, "generations", []) or []
            text = "\n".join(getattr(g, "text", "") for batch in generations for g in batch)
            tool_calls = [
                {"name": c.get("name", ""), "arguments": c.get("args"), "id": c.get("id")}
                for batch in generations
                for g in batch
                for c in (getattr(getattr(g, "message", None), "tool_calls", None) or [])
            ]
            output = getattr(response, "llm_output", None) or {}
            model = output.get("model_name") or output.get("model")
            builder.end_step(str(run_id), output=text, tool_calls=tool_calls, model=model)
            if parent_run_id is None:
                builder.output = text
        self._leave(run_id)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        builder = self._builder(run_id)
        if builder is not None:
            builder.end_step(str(run_id), output=f"[error: {type(error).__name__}]")
        self._leave(run_id, error)

    # Tools and retrievers.

    def on_tool_start(self, serialized: Optional[Dict[str, Any]], input_str: str, *, run_id: UUID,
                      parent_run_id: Optional[UUID] = None, tags: Optional[List[str]] = None,
                      inputs: Optional[Dict[str, Any]] = None, **kwargs: Any) -> None:
        builder = self._enter(run_id, parent_run_id, tags)
        name = str((serialized or {}).get("name") or "tool")
        builder.start_step(str(run_id), str(parent_run_id) if parent_run_id else None, "tool", name, input_str)
        builder.open_steps[str(run_id)]["tool_calls"] = [
            {"name": name, "arguments": inputs if inputs is not None else input_str}
        ]
        if parent_run_id is None:
            builder.input = input_str

    def on_tool_end(self, output: Any, *, run_id: UUID, parent_run_id: Optional[UUID] = None,
                    **kwargs: Any) -> None:
        builder = self._builder(run_id)
        if builder is not None:
            text = text_of(output)
            step = builder.end_step(str(run_id), output=text)
            if step is not None and step.get("tool_calls"):
                step["tool_calls"][0]["result"] = text
            if parent_run_id is None:
                builder.output = text
        self._leave(run_id)

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        builder = self._builder(run_id)
        if builder is not None:
            builder.end_step(str(run_id), output=f"[error: {type(error).__name__}]")
        self._leave(run_id, error)

    def on_retriever_start(self, serialized: Optional[Dict[str, Any]], query: str, *, run_id: UUID,
                           parent_run_id: Optional[UUID] = None, tags: Optional[List[str]] = None,
                           **kwargs: Any) -> None:
        builder = self._enter(run_id, parent_run_id, tags)
        name = str((serialized or {}).get("name") or "retriever")
        builder.start_step(str(run_id), str(parent_run_id) if parent_run_id else None, "retrieval", name, query)

    def on_retriever_end(self, documents: Sequence[Any], *, run_id: UUID, **kwargs: Any) -> None:
        builder = self._builder(run_id)
        if builder is not None:
            texts = [str(getattr(d, "page_content", d)) for d in documents]
            builder.end_step(str(run_id), documents=texts)
        self._leave(run_id)

    def on_retriever_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._leave(run_id, error)
