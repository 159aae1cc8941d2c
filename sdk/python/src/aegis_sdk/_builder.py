"""One trace built from a framework's run: shared by the LangChain and LlamaIndex callbacks."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional


def text_of(value: Any) -> str:
    """A run's input or output as text: a string as it is, a mapping with one text value that
    value, a message its content, anything else as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    content = getattr(value, "content", None)
    if isinstance(content, str):
        return content
    if isinstance(value, dict):
        texts = [v for v in value.values() if isinstance(v, str)]
        if len(value) == 1 and texts:
            return texts[0]
        for key in ("output", "answer", "result", "text", "response", "input", "question", "query"):
            if isinstance(value.get(key), str):
                return str(value[key])
    try:
        return json.dumps(value, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


@dataclass
class TraceBuilder:
    """What a run did, gathered as its callbacks arrive."""

    trace_id: str
    input: str = ""
    output: str = ""
    model: Optional[str] = None
    context: List[str] = field(default_factory=list)
    steps: List[Dict[str, Any]] = field(default_factory=list)
    tags: List[str] = field(default_factory=list)
    open_steps: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    started_ns: int = field(default_factory=time.time_ns)

    def start_step(self, step_id: str, parent_id: Optional[str], kind: str, name: str, input: str) -> None:
        """A step began (an LLM call, a tool call, a retrieval)."""
        step: Dict[str, Any] = {
            "kind": kind,
            "name": name,
            "input": input,
            "span_id": step_id,
            "started_at_ns": time.time_ns(),
        }
        if parent_id:
            step["parent_id"] = parent_id
        self.open_steps[step_id] = step
        self.steps.append(step)

    def end_step(self, step_id: str, **fields: Any) -> Optional[Dict[str, Any]]:
        """The step ended: `fields` are set on it (output, model, tool_calls, documents)."""
        step = self.open_steps.pop(step_id, None)
        if step is None:
            return None
        step["ended_at_ns"] = time.time_ns()
        for k, v in fields.items():
            if v not in (None, "", []):
                step[k] = v
        if step["kind"] == "llm" and step.get("model") and not self.model:
            self.model = step["model"]
        if step["kind"] == "retrieval":
            self.context.extend(step.get("documents", []))
        return step

    def trace(self, metadata: Dict[str, Any]) -> Dict[str, Any]:
        """The trace in Aegis's format. Without a root input or output, the first LLM call's
        input and the last one's output stand for them."""
        llm_steps = [s for s in self.steps if s["kind"] == "llm"]
        trace: Dict[str, Any] = {
            "id": self.trace_id,
            "input": self.input or (llm_steps[0].get("input", "") if llm_steps else ""),
            "output": self.output or (llm_steps[-1].get("output", "") if llm_steps else ""),
            "steps": self.steps,
            "metadata": {
                **metadata,
                "tags": sorted(set(self.tags) | set(metadata.get("tags", []))),
                "latency_ms": (time.time_ns() - self.started_ns) / 1e6,
            },
        }
        if not trace["metadata"]["tags"]:
            del trace["metadata"]["tags"]
        if self.model:
            trace["model"] = self.model
        if self.context:
            trace["context"] = self.context
        return trace
