"""A real SMTP server in the test process (aiosmtpd), holding what it receives."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask


class Mailbox:
    """Collects every message the server accepts; ``refuse`` makes it answer an error."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: tuple[int, str] | None = None
        self.lock = threading.Lock()
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return f"{self.refuse[0]} {self.refuse[1]}"
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def text(message: EmailMessage) -> str:
        part = message.get_body(("plain",))
        assert part is not None
        return part.get_content()

    @staticmethod
    def html(message: EmailMessage) -> str:
        part = message.get_body(("html",))
        assert part is not None
        return part.get_content()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(name="mailbox")
def mailbox_fixture(app: Flask) -> Iterator[Mailbox]:
    """Start an SMTP server on a free port and point the app's MAIL_* settings at it."""
    box = Mailbox()
    box.port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=box.port, MAIL_USE_TLS=False,
                      MAIL_USE_SSL=False, PUBLIC_URL="https://financia.example.mx",
                      NOTIFY_RETRY_SECONDS=60, NOTIFY_MAX_ATTEMPTS=3)
    yield box
    controller.stop()


def deliver(app: Flask, limit: int | None = None) -> Any:
    """Run one pass of the delivery worker, as `flask notifications deliver` does."""
    from promtel_fin import mail
    from promtel_fin.services import delivery

    with app.app_context():
        return delivery.deliver_due(app.extensions["sessionmaker"], app.config, mail.compose,
                                    mail.send, limit)
