"""A TCP proxy for fault tests: it forwards bytes, and on request resets every connection,
stops answering on the open ones, or swallows the answer to one chosen HTTP request."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class HeldAnswer:
    """The answer to the next request matching ``matches`` is held back, then dropped."""

    matches: Callable[[bytes], bool]
    times: int = 1
    released: threading.Event = field(default_factory=threading.Event)
    sent: threading.Event = field(default_factory=threading.Event)  # the request went through


class _Pipe:
    def __init__(self, proxy: FaultProxy, client: socket.socket) -> None:
        self.proxy = proxy
        self.client = client
        self.server = proxy.connect()
        self.silent = False
        self.request = b""  # client bytes since the last answer

    def start(self) -> None:
        threading.Thread(
            target=self._pump, args=(self.client, self.server, True), daemon=True
        ).start()
        threading.Thread(
            target=self._pump, args=(self.server, self.client, False), daemon=True
        ).start()

    def _pump(self, source: socket.socket, sink: socket.socket, upstream: bool) -> None:
        try:
            while data := source.recv(65536):
                if self.silent:
                    continue  # read and never answered: the peer sees a live, mute socket
                if upstream:
                    self.request += data
                elif self.request:  # the first bytes of an answer
                    request, self.request = self.request, b""
                    self.proxy.requests.append(request)
                    if self._hold(request):
                        return
                sink.sendall(data)
        except OSError:
            pass
        finally:
            if not self.silent:
                self.close()

    def _hold(self, request: bytes) -> bool:
        rule = self.proxy.take_rule(request)
        if rule is None:
            return False
        rule.sent.set()
        rule.released.wait(60)
        self.close()
        return True

    def reset(self) -> None:
        for sock in (self.client, self.server):
            with contextlib.suppress(OSError):
                # SO_LINGER 0: closed with RST, as a restarted server or a middlebox does;
                # shutting the reading side wakes the pump blocked on it, which closes it.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.shutdown(socket.SHUT_RD)
        self.close(graceful=False)

    def close(self, *, graceful: bool = True) -> None:
        for sock in (self.client, self.server):
            with contextlib.suppress(OSError):
                if graceful:  # close() alone would not wake a thread blocked in recv()
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()


class FaultProxy:
    def __init__(self, target: tuple[str, int] | str) -> None:
        """``target``: a TCP (host, port), or the path of a Unix socket (the embedded
        PostgreSQL's); the proxy itself listens on TCP loopback either way."""
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.pipes: list[_Pipe] = []
        # Silenced connections stay open (mute) until the proxy closes: their servers' sessions
        # would otherwise outlive the test and keep its database from being dropped.
        self.silenced: list[_Pipe] = []
        self.rules: list[HeldAnswer] = []
        self.requests: list[bytes] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                pipe = _Pipe(self, client)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pipes.append(pipe)
            pipe.start()

    def connect(self) -> socket.socket:
        if isinstance(self.target, str):
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                server.connect(self.target)
            except OSError:
                server.close()
                raise
            return server
        return socket.create_connection(self.target)

    def take_rule(self, request: bytes) -> HeldAnswer | None:
        with self.lock:
            for rule in self.rules:
                if rule.matches(request):
                    rule.times -= 1
                    if rule.times == 0:
                        self.rules.remove(rule)
                    return rule
        return None

    def hold_answer(self, matches: Callable[[bytes], bool], *, times: int = 1) -> HeldAnswer:
        rule = HeldAnswer(matches, times)
        with self.lock:
            self.rules.append(rule)
        return rule

    def reset_all(self) -> None:
        """Every open connection is reset; new ones go through."""
        with self.lock:
            pipes, self.pipes = self.pipes, []
        for pipe in pipes:
            pipe.reset()

    def silence_all(self) -> None:
        """Every open connection accepts bytes and never answers again; new ones go through."""
        with self.lock:
            pipes, self.pipes = self.pipes, []
        for pipe in pipes:
            pipe.silent = True
        with self.lock:
            self.silenced += pipes

    def close(self) -> None:
        self.listener.close()
        self.reset_all()
        with self.lock:
            silenced, self.silenced = self.silenced, []
        for pipe in silenced:
            pipe.reset()
