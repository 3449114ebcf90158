"""A TCP proxy in front of the real server that can lose answers: for a request that matches, it
passes the request on, waits until the server starts answering (so the work is done), then cuts
the client's connection without passing the answer back. It can hold answers back (timeouts)."""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit


@dataclass
class SeenRequest:
    method: str
    path: str
    headers: dict[str, str]
    dropped: bool = False


@dataclass
class _Drop:
    match: Callable[[SeenRequest], bool]
    remaining: int


@dataclass
class FaultProxy:
    target: tuple[str, int]
    requests: list[SeenRequest] = field(default_factory=list)
    delay: float = 0.0
    _drops: list[_Drop] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @classmethod
    def start(cls, target_url: str) -> "FaultProxy":
        parts = urlsplit(target_url)
        return cls(target=(parts.hostname or "127.0.0.1", parts.port or 80))

    def drop_answers(self, match: Callable[[SeenRequest], bool], count: int = 1) -> None:
        self._drops.append(_Drop(match, count))

    def close(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        # urllib opens one connection per request: read the request whole, pass it on, then decide.
        with client, socket.create_connection(self.target) as upstream:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = client.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            request = _parse(head.decode("latin-1"))
            length = int(request.headers.get("content-length", "0"))
            while len(body) < length:
                chunk = client.recv(65536)
                if not chunk:
                    return
                body += chunk
            with self._lock:
                self.requests.append(request)
                drop = next((d for d in self._drops if d.remaining > 0 and d.match(request)), None)
                if drop:
                    drop.remaining -= 1
                    request.dropped = True
            upstream.sendall(head + b"\r\n\r\n" + body)
            first = upstream.recv(65536)
            if drop or not first:
                return  # the server has answered; the client never hears it
            if self.delay:
                time.sleep(self.delay)
            try:
                client.sendall(first)
                while chunk := upstream.recv(65536):
                    client.sendall(chunk)
            except OSError:
                return


def _parse(head: str) -> SeenRequest:
    request_line, *lines = head.split("\r\n")
    method, path, *_ = request_line.split(" ")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return SeenRequest(method=method, path=path, headers=headers)
