"""A real `aegis-eval serve` on loopback for the SDK's tests: its own service directory, a
free port, an organisation and its API key."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List

import pytest

REPO = Path(__file__).resolve().parents[3]


def binary() -> Path:
    """`$AEGIS_EVAL_BIN`, else the debug build in the target dir (`cargo test --workspace`
    builds it)."""
    if os.environ.get("AEGIS_EVAL_BIN"):
        return Path(os.environ["AEGIS_EVAL_BIN"])
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    if not target.is_absolute():
        target = REPO / target
    return target / "debug" / "aegis-eval"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    key: str
    store: Path
    port: int
    args: List[str]
    process: "subprocess.Popen[bytes]"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)

    def start(self) -> None:
        self.process = launch(self.args)
        wait_ready(self.url, self.process)


def launch(args: List[str]) -> "subprocess.Popen[bytes]":
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_ready(url: str, process: "subprocess.Popen[bytes]") -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"aegis-eval serve exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("aegis-eval serve did not become ready")


def create_org(store: Path, name: str) -> str:
    out = subprocess.run(
        [str(binary()), "orgs", "create", name, "--store", str(store)],
        check=True, capture_output=True, text=True,
    ).stdout.splitlines()
    return out[2].strip()


def serve_args(store: Path, port: int) -> List[str]:
    return [
        str(binary()), "serve", "--store", str(store), "--addr", f"127.0.0.1:{port}",
        "--workers", "1", "--no-models", "--default-domain", "healthcare",
    ]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    store = tmp_path_factory.mktemp("aegis") / "service"
    key = create_org(store, "sdk-tests")
    port = free_port()
    args = serve_args(store, port)
    s = Server(f"http://127.0.0.1:{port}", key, store, port, args, launch(args))
    wait_ready(s.url, s.process)
    yield s
    s.stop()


def wait_for(get, trace_id: str, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    """Polls until the server has stored `trace_id`'s result."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = get(trace_id)
        if row is not None:
            return row
        time.sleep(0.1)
    raise AssertionError(f"{trace_id} was not stored within {timeout} s")
