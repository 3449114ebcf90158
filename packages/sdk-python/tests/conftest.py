"""A real Trellis server for the Python SDK's tests: the repository's entry point (src/server.ts)
started as a child process on a fresh SQLite database, with a bootstrap key and an operator token."""
from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from trellis import Trellis

REPOSITORY = Path(__file__).resolve().parents[3]
OPERATOR_TOKEN = "python-sdk-operator-token-0123456789"
BOOTSTRAP_KEY = "trl_live_" + secrets.token_hex(20)


@dataclass
class Server:
    url: str
    bootstrap_key: str

    def new_tenant(self) -> "Tenant":
        """A workspace of its own (made by the operator), so tests never share rows."""
        suffix = secrets.token_hex(5)
        operator = Trellis(OPERATOR_TOKEN, base_url=self.url)
        data = operator.workspaces.create(name=f"Py {suffix}", owner={"email": f"owner-{suffix}@example.com", "name": "Olive"})
        key = data["api_key"]["secret"]
        return Tenant(key=key, workspace_id=data["workspace"]["id"], client=Trellis(key, base_url=self.url))


@dataclass
class Tenant:
    key: str
    workspace_id: str
    client: Trellis


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    directory = tempfile.mkdtemp(prefix="trellis-py-")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", directory),
        "PORT": "0",
        "HOST": "127.0.0.1",
        "LOG_LEVEL": "warn",
        "DATABASE_URL": os.path.join(directory, "trellis.db"),
        "SQLITE_SYNCHRONOUS": "NORMAL",
        "TRELLIS_BOOTSTRAP_KEY": BOOTSTRAP_KEY,
        "TRELLIS_OPERATOR_TOKEN": OPERATOR_TOKEN,
        "RATE_LIMIT_PER_MINUTE": "100000",
        "TRELLIS_WEBHOOK_ALLOW_PRIVATE": "127.0.0.1",
        "WEBHOOK_POLL_INTERVAL_MS": "50",
    }
    process = subprocess.Popen(["node", "--import", "tsx", "src/server.ts"], cwd=REPOSITORY, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    bound = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            if "bound to" in line:
                bound.set()

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + 120  # a loaded machine takes its time to compile src/ with tsx
    while not bound.wait(0.1):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("the Trellis server did not start:\n" + "".join(output))
    match = re.search(r"bound to (http://[\d.]+:\d+)", "".join(output))
    assert match
    try:
        yield Server(url=match.group(1), bootstrap_key=BOOTSTRAP_KEY)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def tenant(server: Server) -> Tenant:
    return server.new_tenant()


@pytest.fixture
def client(tenant: Tenant) -> Trellis:
    return tenant.client


def unique(prefix: str = "x") -> str:
    return f"{prefix}{secrets.token_hex(5)}"
