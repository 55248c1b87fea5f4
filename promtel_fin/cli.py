"""Flask commands: db, users, audit, seed-demo and docs."""

from __future__ import annotations

import sys
from pathlib import Path

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
audit_cli = AppGroup("audit", help="Check the tamper-evident history.")
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
def users_create(email: str, role: str, password: str, name: str, company_rfc: str | None,
                 company_name: str | None) -> None:
    """Create a user; SMEs need --company-rfc."""
    from .services import users

    session = get_session()
    try:
        company = (users.get_or_create_company(session, company_rfc, company_name)
                   if company_rfc else None)
        user = users.create_user(session, email, password, role, name=name, company=company)
    except DomainError as error:
        session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"created user {user.id} <{user.email}> role={user.role}"
               + (f" company={company.rfc}" if company else ""))


@users_cli.command("list")
def users_list() -> None:
    """List the users."""
    from sqlalchemy import select

    from .models import User

    for user in get_session().scalars(select(User).order_by(User.id)):
        state = "active" if user.active else "inactive"
        click.echo(f"{user.id}\t{user.email}\t{user.role}\t{state}")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Recompute every history chain; exit 1 and name each altered entry."""
    from .services.audit import verify_chains

    count, breaks = verify_chains(get_session())
    for b in breaks:
        click.echo(f"BROKEN proposal {b.proposal_id} entry seq {b.seq} (id {b.entry_id}): {b.why}",
                   err=True)
    if breaks:
        sys.exit(1)
    click.echo(f"ok: {count} history entries verified")


@docs_cli.command("workflow")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              default=ROOT / "docs" / "workflow.md")
def docs_workflow(output: Path) -> None:
    """Write docs/workflow.md: the ten-step diagram and table, generated from the code."""
    output.write_text(workflow_markdown(), encoding="utf-8")
    click.echo(f"wrote {output}")


def workflow_markdown() -> str:
    """Render the transition table and its diagram as Markdown."""
    rows = "\n".join(
        f"| {workflow.step_of(t.source) or '-'} | `{t.source}` | {t.role} | `{t.action}` | "
        f"`{'signed (when both have signed)' if t.resolve else t.target}` | "
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
        "The SME may `withdraw` from any of steps 1-10. Final states: "
        + ", ".join(f"`{s}`" for s in sorted(workflow.FINAL_STATES)) + ".\n"
    )


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="do nothing when users already exist")
def seed_demo(if_empty: bool) -> None:
    """Load demo users and about fifteen proposals spread over every step."""
    from .demo import seed

    for line in seed(get_session(), if_empty=if_empty):
        click.echo(line)


def init_app(app: Flask) -> None:
    """Register the commands."""
    from .cli_finance import policy_cli, simulate_cli

    for group in (db_cli, users_cli, audit_cli, docs_cli, seed_demo, simulate_cli, policy_cli):
        app.cli.add_command(group)
