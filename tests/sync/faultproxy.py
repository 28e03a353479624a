"""A fault-injecting HTTPS proxy for loopback tests (Toxiproxy's idea, with TLS terminated here
so it can see request boundaries).

Clients talk TLS to the proxy (certificate of the test CA), the proxy talks TLS to the server.
Per request it may cut the request after a random number of bytes, cut the response after a
random number of bytes (the server has acted, the client never hears), or send the request a
second time (a replay whose answer is thrown away). Every connection carries one request.
"""

from __future__ import annotations

import contextlib
import random
import socket
import ssl
import threading
from collections import Counter
from dataclasses import dataclass


@dataclass
class Faults:
    cut_request: float = 0.08
    cut_response: float = 0.08
    duplicate: float = 0.08


def _read_request(sock: ssl.SSLSocket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        body += chunk
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body


class FaultProxy:
    def __init__(self, upstream_port: int, tls, seed: int, faults: Faults | None = None):
        self.upstream_port = upstream_port
        self.faults = faults or Faults()
        self.enabled = True
        self.rng = random.Random(seed)
        self.stats: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._server_ctx.load_cert_chain(tls.cert_file, tls.key_file)
        self._upstream_ctx = ssl.create_default_context(cafile=str(tls.ca_file))
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._sock.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _choose(self) -> tuple[str, float]:
        with self._lock:
            roll, where = self.rng.random(), self.rng.random()
        if not self.enabled:
            return "pass", where
        f = self.faults
        for name, chance in (
            ("cut_request", f.cut_request),
            ("cut_response", f.cut_response),
            ("duplicate", f.duplicate),
        ):
            if roll < chance:
                return name, where
            roll -= chance
        return "pass", where

    def _upstream(self) -> ssl.SSLSocket:
        raw = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30)
        return self._upstream_ctx.wrap_socket(raw, server_hostname="127.0.0.1")

    def _exchange(self, request: bytes) -> bytes:
        with self._upstream() as upstream:
            upstream.sendall(request)
            response = b""
            while chunk := upstream.recv(65536):
                response += chunk
            return response

    def _handle(self, conn: socket.socket) -> None:
        try:
            with self._server_ctx.wrap_socket(conn, server_side=True) as client:
                request = _read_request(client)
                if request is None:
                    return
                fault, where = self._choose()
                self.stats[fault] += 1
                if fault == "cut_request":
                    with contextlib.suppress(OSError), self._upstream() as upstream:
                        upstream.sendall(request[: int(len(request) * where)])
                    return
                response = self._exchange(request)
                if fault == "duplicate":
                    with contextlib.suppress(OSError):
                        self._exchange(request)
                if fault == "cut_response":
                    response = response[: int(len(response) * where)]
                client.sendall(response)
        except (OSError, ssl.SSLError):
            self.stats["connection_error"] += 1
