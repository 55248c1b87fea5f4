"""A real server answers an oversized body 413 from its headers, without waiting to read it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server


@pytest.fixture
def server(app: Flask) -> Iterator[tuple[str, int]]:
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield "127.0.0.1", httpd.server_port
    httpd.shutdown()
    thread.join(5)


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/api/v1/simulations/loan"), ("POST", "/login"),
    ("DELETE", "/api/v1/tokens/current"),  # a route that never reads its body
])
def test_a_200_mb_body_is_refused_before_a_byte_of_it_is_sent(
        server: tuple[str, int], method: str, path: str) -> None:
    announced = 200 * 1024 * 1024
    with socket.create_connection(server, timeout=10) as conn:
        conn.sendall(
            f"{method} {path} HTTP/1.1\r\nHost: localhost\r\n"
            f"Content-Type: application/json\r\nContent-Length: {announced}\r\n\r\n".encode())
        # Not one byte of the body is sent: a server that tried to read it would time out.
        status_line = conn.makefile("rb").readline()
    assert status_line.split()[1] == b"413", status_line
