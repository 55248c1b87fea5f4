"""Flask commands: db, users, audit, seed-demo and docs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .db import get_session
from .domain import workflow
from .domain.errors import DomainError
from .domain.workflow import Role

ROOT = Path(__file__).resolve().parent.parent
db_cli = AppGroup("db", help="Apply or remove the database schema (Alembic migrations).")
users_cli = AppGroup("users", help="Manage user accounts.")
audit_cli = AppGroup("audit", help="Verify, checkpoint and reseal the keyed history.")
docs_cli = AppGroup("docs", help="Generate documentation from the code.")


def alembic_config(url: str) -> AlembicConfig:
    """Build Alembic's configuration for this app's database."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    command.upgrade(alembic_config(current_app.config["DATABASE_URL"]), revision)


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION (``base`` removes everything)."""
    command.downgrade(alembic_config(current_app.config["DATABASE_URL"]), revision)


@db_cli.command("current")
def db_current() -> None:
    """Show the migration the database is at."""
    command.current(alembic_config(current_app.config["DATABASE_URL"]))


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default="")
@click.option("--company-rfc", help="the SME's company (created when it does not exist)")
@click.option("--company-name", help="legal name for a new company")
@click.option("--rfc", help="the person's own RFC (13 characters): a FOCIR officer's e.firma "
                            "must name it to sign agreements")
def users_create(email: str, role: str, password: str, name: str, company_rfc: str | None,
                 company_name: str | None, rfc: str | None) -> None:
    """Create a user; SMEs need --company-rfc. Recorded in the history (no actor: the CLI)."""
    from .services import admin

    try:
        user = admin.create_account(get_session(), None, email, password, role, name=name,
                                    company_rfc=company_rfc, company_name=company_name,
                                    rfc=rfc)
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"created user {user.id} <{user.email}> role={user.role}"
               + (f" company={user.company.rfc}" if user.company else "")
               + (f" rfc={user.rfc}" if user.rfc else ""))


@users_cli.command("list")
def users_list() -> None:
    """List the users."""
    from sqlalchemy import select

    from .models import User

    for user in get_session().scalars(select(User).order_by(User.id)):
        state = "active" if user.active else "inactive"
        click.echo(f"{user.id}\t{user.email}\t{user.role}\t{state}")


@audit_cli.command("verify")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object for machines")
@click.option("--against", type=click.File("r"), help="a checkpoint the log must still extend")
def audit_verify(as_json: bool, against: TextIO | None) -> None:
    """Check every MAC, chain, head, the tables tied to them and the stored documents' files;
    exit 1 naming what disagrees."""
    from .services import audit
    from .services.history import keyring
    from .storage import document_store

    session, keys = get_session(), keyring()
    report = audit.verify(session, keys, store=document_store())
    if against is not None:
        try:
            saved = json.load(against)
        except ValueError:
            saved = {}
        report.problems.extend(audit.against(session, keys, saved))
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        for problem in report.problems:
            click.echo(f"BROKEN {problem}", err=True)
        if report.ok:
            click.echo(f"ok: {report.entries} entries, {report.proposals} proposals verified")
    if not report.ok:
        sys.exit(1)


@audit_cli.command("checkpoint")
def audit_checkpoint() -> None:
    """Print a sealed head of the whole log (JSON); store it away from the database."""
    from .services import audit
    from .services.history import keyring

    click.echo(json.dumps(audit.checkpoint(get_session(), keyring())))


@audit_cli.command("reseal")
def audit_reseal() -> None:
    """Move chains under the old plain SHA-256 to the keyed form, once (itself recorded)."""
    from sqlalchemy.exc import DBAPIError

    from .services.history import keyring
    from .services.reseal import reseal

    session = get_session()
    try:
        done = reseal(session, keyring())
    except DBAPIError as error:  # e.g. not the tables' owner, so the trigger stays on
        session.rollback()
        raise click.ClickException(f"nothing changed: {error.orig}") from None
    if isinstance(done, list):
        for problem in done:
            click.echo(f"BROKEN {problem}", err=True)
        click.echo("nothing changed: repair or explain the broken chains first", err=True)
        sys.exit(1)
    if not done.unsealed:
        click.echo("nothing to reseal: every entry is sealed")
        return
    click.echo(f"resealed {done.entries} entries ({done.unsealed} under the old hash) in "
               f"{done.streams} streams; recorded as a system entry")


@docs_cli.command("workflow")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              default=ROOT / "docs" / "workflow.md")
def docs_workflow(output: Path) -> None:
    """Write docs/workflow.md: the ten-step diagram and table, generated from the code."""
    output.write_text(workflow_markdown(), encoding="utf-8")
    click.echo(f"wrote {output}")


def _leads_to(t: workflow.Transition) -> str:
    if t.action == workflow.Action.SIGN:
        return "signed (when both have signed)"
    if t.action == workflow.Action.CONFIRM_DECISION:
        return "agreement (pending approve) or rejected (pending reject)"
    if t.records_decision:
        return f"{t.target} (records a pending decision)"
    return str(t.target)


def workflow_markdown() -> str:
    """Render the transition table and its diagram as Markdown."""
    rows = "\n".join(
        f"| {workflow.step_of(t.source) or '-'} | `{t.source}` | {t.role} | `{t.action}` | "
        f"`{_leads_to(t)}` | "
        f"{', '.join(t.requires) or '-'} | {', '.join(g.__name__ for g in t.guards) or '-'} |"
        for t in workflow.TRANSITIONS if t.action != workflow.Action.WITHDRAW
    )
    return (
        "# The ten-step workflow\n\n"
        "Generated from `promtel_fin/domain/workflow.py` by `flask --app wsgi docs workflow`;"
        " do not edit by hand (a test checks that it is current).\n\n"
        f"```mermaid\n{workflow.mermaid()}```\n\n"
        "| step | state | role | action | leads to | requires | guards |\n"
        "|---|---|---|---|---|---|---|\n"
        f"{rows}\n\n"
        "Four eyes at step 9: `approve` and `reject` by one FOCIR officer only record a pending"
        " decision; a different FOCIR officer takes `confirm_decision` (which applies it) or"
        " `return_decision` (which discards it).\n\n"
        "The SME may `withdraw` from any of steps 1-10 (at step 10 only until it has signed)."
        " Final states: "
        + ", ".join(f"`{s}`" for s in sorted(workflow.FINAL_STATES)) + ".\n"
    )


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="do nothing when users already exist")
def seed_demo(if_empty: bool) -> None:
    """Load demo users and about fifteen proposals spread over every step (never in production)."""
    from .demo import seed

    if current_app.config.get("ENV") == "production":
        raise click.ClickException("seed-demo refuses to run in production (PROMTEL_ENV="
                                   "production): the demo users' passwords are published")
    for line in seed(get_session(), if_empty=if_empty):
        click.echo(line)


def init_app(app: Flask) -> None:
    """Register the commands."""
    from . import cli_reminders  # noqa: F401  (adds `notifications remind`)
    from .cli_finance import policy_cli, simulate_cli
    from .cli_notify import notifications_cli

    for group in (db_cli, users_cli, audit_cli, docs_cli, seed_demo, simulate_cli, policy_cli,
                  notifications_cli):
        app.cli.add_command(group)
