"""The client: traces queued in memory, sent in batches by a background thread."""

from __future__ import annotations

import gzip
import json
import logging
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Deque, Dict, List, Mapping, Optional

logger = logging.getLogger("aegis_sdk")

Trace = Dict[str, Any]

# Statuses worth sending again: the server is busy, stopping or briefly failing.
_RETRYABLE = {408, 429, 500, 502, 503, 504}


class AegisError(Exception):
    """A request the server refused or could not be reached for (`status` 0: no answer)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}" if status else message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Decision:
    """What `AegisClient.evaluate` says to do with the answer it guarded.

    `action` is ``allow``, ``block``, ``redact`` (send `text`, the answer with PHI taken out,
    instead) or ``review`` (an expert must look first). `result` is the whole evaluation.
    """

    action: str
    key: str
    reason: Optional[str] = None
    text: Optional[str] = None
    result: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class ClientStats:
    """What a client has done so far."""

    #: Traces the server accepted (``202``).
    sent: int = 0
    #: Traces the server refused, line by line (each logged with the server's reason).
    rejected: int = 0
    #: Traces dropped: the in-memory queue was full, or a batch failed for good.
    dropped: int = 0
    #: Requests sent again after a retryable failure.
    retries: int = 0


class AegisClient:
    """Sends traces to ``aegis-eval serve``.

    `submit` never blocks and never raises on the application's path: a trace goes into an
    in-memory queue (of at most `max_queue` traces; beyond it new traces are dropped and
    counted) and a daemon thread sends the queue in batches of up to `batch_size`, every
    `flush_interval` seconds or sooner when a batch is full. A batch the server is too busy
    for (``429``, ``503``, ``5xx``) or that cannot reach it is sent again after a backoff
    (exponential with jitter, or the server's ``Retry-After``), up to `max_retries` times.
    Traces the server refuses (a bad line) are logged with its reason and counted, never
    retried.

    `domain` evaluates every trace in that domain (else each trace's ``metadata.domain``
    chooses); `application` is set as ``metadata.application`` where a trace has none.
    """

    def __init__(
        self,
        endpoint: str,
        api_key: str,
        *,
        domain: Optional[str] = None,
        application: Optional[str] = None,
        batch_size: int = 200,
        flush_interval: float = 1.0,
        max_queue: int = 10_000,
        max_retries: int = 6,
        timeout: float = 10.0,
    ) -> None:
        if batch_size < 1 or max_queue < 1:
            raise ValueError("batch_size and max_queue must be at least 1")
        self.endpoint = endpoint.rstrip("/")
        self.domain = domain
        self.application = application
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.max_queue = max_queue
        self.max_retries = max_retries
        self.timeout = timeout
        self.stats = ClientStats()
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self._queue: Deque[Trace] = deque()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._in_flight = 0
        self._flushing = 0
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="aegis-sdk", daemon=True)
        self._thread.start()

    # The application's side.

    def submit(self, trace: Mapping[str, Any]) -> bool:
        """Queues `trace` (a dict in Aegis's trace format: ``id``, ``input``, ``output``,
        ``context``, ``model``, ``metadata``, ``steps``…) to be sent. Returns ``False`` when it
        was dropped (the queue is full or the client closed); never blocks, never raises."""
        try:
            item = self._prepare(trace)
        except (TypeError, ValueError):
            logger.warning("aegis: a trace that is not a mapping was dropped")
            with self._lock:
                self.stats.dropped += 1
            return False
        with self._lock:
            if self._closed or len(self._queue) >= self.max_queue:
                self.stats.dropped += 1
                return False
            self._queue.append(item)
            if len(self._queue) >= self.batch_size:
                self._wake.notify()
        return True

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Sends everything queued now; waits until it is sent (or given up on). Returns
        ``False`` if `timeout` seconds passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            self._flushing += 1
            try:
                while self._queue or self._in_flight:
                    self._wake.notify_all()
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0:
                        return False
                    self._wake.wait(min(left, 0.5) if left is not None else 0.5)
            finally:
                self._flushing -= 1
        return True

    def close(self, timeout: Optional[float] = 30.0) -> None:
        """Flushes and stops the background thread. Later submits are dropped."""
        self.flush(timeout)
        with self._lock:
            self._closed = True
            self._wake.notify_all()
        self._thread.join(timeout)

    def __enter__(self) -> "AegisClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def evaluate(self, trace: Mapping[str, Any]) -> Decision:
        """Evaluates one trace in the request (``POST /v1/evaluate``) and returns the decision,
        for an application that guards an answer before its user sees it. Raises `AegisError`
        when the server refuses it or cannot be reached."""
        body = json.dumps(self._prepare(trace), ensure_ascii=False, default=str).encode()
        status, answer, _ = self._post("/v1/evaluate", body, "application/json", gzipped=False)
        if status != 200:
            raise AegisError(status, _reason(answer))
        data = json.loads(answer)
        decision = data.get("decision", {})
        return Decision(
            action=decision.get("action", ""),
            key=data.get("key", ""),
            reason=decision.get("reason"),
            text=decision.get("text"),
            result=data.get("result", {}),
        )

    def get(self, trace_id: str) -> Optional[Dict[str, Any]]:
        """The stored result of `trace_id` (``GET /v1/traces/{id}``), or ``None`` while it is
        not there yet."""
        url = f"/v1/traces/{urllib.parse.quote(trace_id, safe='')}"
        status, answer, _ = self._request("GET", url, None, {})
        if status == 404:
            return None
        if status != 200:
            raise AegisError(status, _reason(answer))
        result: Dict[str, Any] = json.loads(answer)
        return result

    # The background thread.

    def _prepare(self, trace: Mapping[str, Any]) -> Trace:
        item = dict(trace)
        if self.application:
            metadata = dict(item.get("metadata") or {})
            metadata.setdefault("application", self.application)
            item["metadata"] = metadata
        return item

    def _run(self) -> None:
        while True:
            with self._lock:
                # Wait for a full batch, a flush, or the interval.
                if len(self._queue) < self.batch_size and not self._flushing:
                    if self._closed and not self._queue:
                        return
                    self._wake.wait(self.flush_interval)
                if not self._queue:
                    self._wake.notify_all()
                    continue
                batch = [self._queue.popleft() for _ in range(min(self.batch_size, len(self._queue)))]
                self._in_flight += len(batch)
            try:
                self._send(batch)
            except Exception:  # never let the thread die: the application keeps submitting
                logger.exception("aegis: a batch of %d traces could not be sent", len(batch))
                with self._lock:
                    self.stats.dropped += len(batch)
            finally:
                with self._lock:
                    self._in_flight -= len(batch)
                    self._wake.notify_all()

    def _send(self, batch: List[Trace]) -> None:
        # `default=str`: a value JSON has no type for (a datetime, a UUID) is sent as its text.
        lines = "\n".join(json.dumps(t, ensure_ascii=False, default=str) for t in batch).encode()
        path = "/v1/traces"
        if self.domain:
            path += "?domain=" + urllib.parse.quote(self.domain)
        for attempt in range(self.max_retries + 1):
            status, answer, retry_after = self._post(path, lines, "application/x-ndjson", gzipped=True)
            if status == 202:
                receipt = json.loads(answer)
                rejected = receipt.get("rejected", [])
                for r in rejected:
                    logger.warning("aegis: a trace was refused: %s", r.get("error", r))
                with self._lock:
                    self.stats.sent += len(receipt.get("accepted", []))
                    self.stats.rejected += len(rejected)
                return
            if status not in _RETRYABLE and status != 0:
                logger.error("aegis: %d traces refused (%d): %s", len(batch), status, _reason(answer))
                with self._lock:
                    self.stats.dropped += len(batch)
                return
            if attempt == self.max_retries:
                break
            with self._lock:
                self.stats.retries += 1
            if retry_after is None:
                retry_after = min(30.0, 0.25 * 2**attempt) * (0.5 + random.random() / 2)
            time.sleep(retry_after)
        logger.error("aegis: %d traces dropped after %d attempts", len(batch), self.max_retries + 1)
        with self._lock:
            self.stats.dropped += len(batch)

    def _post(
        self, path: str, body: bytes, content_type: str, *, gzipped: bool
    ) -> "tuple[int, bytes, Optional[float]]":
        headers = {"Content-Type": content_type}
        if gzipped:
            body = gzip.compress(body, compresslevel=5)
            headers["Content-Encoding"] = "gzip"
        return self._request("POST", path, body, headers)

    def _request(
        self, method: str, path: str, body: Optional[bytes], headers: Dict[str, str]
    ) -> "tuple[int, bytes, Optional[float]]":
        request = urllib.request.Request(
            self.endpoint + path, data=body, method=method, headers={**self._headers, **headers}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, response.read(), None
        except urllib.error.HTTPError as e:
            return e.code, e.read(), _retry_after(e.headers.get("Retry-After"))
        except (urllib.error.URLError, OSError) as e:
            logger.debug("aegis: %s %s: %s", method, path, e)
            return 0, str(e).encode(), None


def _retry_after(value: Optional[str]) -> Optional[float]:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _reason(answer: bytes) -> str:
    """The server's error message (its JSON ``error``), else the body's first 200 characters."""
    try:
        data = json.loads(answer)
        if isinstance(data, dict) and "error" in data:
            error = data["error"]
            return error.get("message", str(error)) if isinstance(error, dict) else str(error)
    except ValueError:
        pass
    return answer[:200].decode(errors="replace")
