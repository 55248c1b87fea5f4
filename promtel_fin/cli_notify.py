"""`flask notifications deliver`: the outbox's worker (the web process never sends mail)."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from . import mail
from .services import delivery

notifications_cli = AppGroup("notifications", help="Deliver the notifications' e-mails.")


@notifications_cli.command("deliver")
@click.option("--loop", is_flag=True, help="Keep running: deliver, wait, deliver again.")
@click.option("--interval", default=10, show_default=True, type=click.IntRange(1, 3600),
              help="Seconds to wait when nothing is due (with --loop).")
@click.option("--limit", default=None, type=click.IntRange(1, None),
              help="Handle at most this many notifications in a pass.")
def deliver(loop: bool, interval: int, limit: int | None) -> None:
    """Send the e-mails that are due, in one pass (or for ever with --loop).

    Several workers may run at once on PostgreSQL (FOR UPDATE SKIP LOCKED); on SQLite run one.
    """
    make_session = current_app.extensions["sessionmaker"]
    while True:
        outcome = delivery.deliver_due(make_session, current_app.config, mail.compose,
                                       mail.send, limit)
        if outcome.handled or not loop:
            click.echo(f"sent {outcome.sent}, skipped {outcome.skipped}, "
                       f"to retry {outcome.retried}, failed {outcome.failed}")
        if not loop:
            return
        if not outcome.handled:
            time.sleep(interval)
