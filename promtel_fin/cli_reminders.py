"""`flask notifications remind`: reminders of overdue steps and the reviewers' weekly digest."""

from __future__ import annotations

from datetime import date

import click

from .cli_notify import notifications_cli
from .db import get_session
from .domain.errors import DomainError
from .services.reminders import remind


@notifications_cli.command("remind")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Remind as on this day (default: today in Mexico City).")
def remind_command(day: object) -> None:
    """Tell whoever is overdue (once per proposal and step per day) and send each reviewer the
    weekly digest of what waits on them (once per ISO week). Run it daily (cron or a timer)."""
    on: date | None = day.date() if day else None  # type: ignore[attr-defined]
    try:
        done = remind(get_session(), on)
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"reminded {done.reminders} overdue steps, sent {done.digests} digests, "
               f"{done.already_sent} already sent")
