"""Flask commands for the finance engine: simulate a loan, show and set the policy."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from datetime import date
from decimal import Decimal, InvalidOperation

import click
from flask.cli import AppGroup

from .db import get_session
from .domain.errors import DomainError
from .domain.loan import DAY_COUNTS, METHODS, Schedule
from .domain.policy import Policy
from .exports import HEADERS, schedule_csv
from .services import finance
from .services.policy import current_policy, set_policy, version_in_force

simulate_cli = AppGroup("simulate", help="Simulate loans in the terminal.")
policy_cli = AppGroup("policy", help="Show or change the policy parameters.")


class DecimalType(click.ParamType):
    name = "decimal"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> Decimal:
        try:
            return value if isinstance(value, Decimal) else Decimal(str(value))
        except InvalidOperation:
            self.fail(f"{value!r} is not a number", param, ctx)


DECIMAL = DecimalType()


def _table(plan: Schedule) -> str:
    widths = (8, 14, 6, 16, 14, 12, 16, 16, 16)
    lines = ["".join(h.rjust(w) for h, w in zip(HEADERS, widths, strict=True))]
    for r in plan.rows:
        cells = (r.period, r.due_date or "", r.days or "", r.opening_balance, r.interest, r.vat,
                 r.principal, r.payment, r.closing_balance)
        lines.append("".join((f"{c:,.2f}" if isinstance(c, Decimal) else str(c)).rjust(w)
                             for c, w in zip(cells, widths, strict=True)))
    t = plan.totals
    lines.append("".join(str(c).rjust(w) for c, w in zip(
        ("Total", "", "", "", f"{t.interest:,.2f}", f"{t.vat:,.2f}", f"{t.principal:,.2f}",
         f"{t.payment:,.2f}", ""), widths, strict=True)))
    if plan.installment is not None:
        lines.append(f"Pago fijo (capital + interés, sin IVA): {plan.installment:,.2f}")
    return "\n".join(lines)


@simulate_cli.command("loan")
@click.option("--amount", type=DECIMAL, required=True, help="pesos, e.g. 4500000")
@click.option("--term", type=click.IntRange(1, 600), required=True, help="months, grace included")
@click.option("--grace", type=click.IntRange(0, 600), default=0, show_default=True)
@click.option("--rate", type=DECIMAL, help="annual rate as a fraction (default: the policy's)")
@click.option("--vat", type=DECIMAL, help="VAT on interest as a fraction (default: the policy's)")
@click.option("--method", type=click.Choice(METHODS), default="level", show_default=True)
@click.option("--day-count", type=click.Choice(DAY_COUNTS), default="30/360", show_default=True)
@click.option("--disbursement-date", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--first-due-date", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--format", "output", type=click.Choice(["table", "csv", "json"]),
              default="table", show_default=True)
def simulate_loan(amount: Decimal, term: int, grace: int, rate: Decimal | None,
                  vat: Decimal | None, method: str, day_count: str, disbursement_date: object,
                  first_due_date: object, output: str) -> None:
    """Print a loan's schedule as a table, CSV or JSON, within the policy's limits.

    The operator may try other rates (like signed-in staff); amount, term and grace are held to
    the policy in force, as everywhere else.
    """
    terms = {"amount": amount, "annual_rate": rate, "vat_rate": vat, "term_months": term,
             "grace_months": grace, "method": method, "day_count": day_count,
             "disbursement_date": disbursement_date.date() if disbursement_date else None,  # type: ignore[attr-defined]
             "first_due_date": first_due_date.date() if first_due_date else None}  # type: ignore[attr-defined]
    try:
        plan = finance.simulate_loan(get_session(), terms, may_set_rates=True)
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    if output == "csv":
        click.echo(schedule_csv(plan).lstrip("\ufeff"), nl=False)
    elif output == "json":
        click.echo(json.dumps({"installment": plan.installment,
                               "schedule": [asdict(r) for r in plan.rows],
                               "totals": asdict(plan.totals)}, default=str, indent=2))
    else:
        click.echo(_table(plan))


@policy_cli.command("show")
@click.option("--on", "day", type=click.DateTime(["%Y-%m-%d"]), help="default: today")
def policy_show(day: object) -> None:
    """Print the policy in force on a day."""
    session = get_session()
    on = day.date() if day else date.today()  # type: ignore[attr-defined]
    version = version_in_force(session, on)
    click.echo(f"in force on {on}: " + (f"from {version.effective_from}" if version
                                        else "the seed figures of docs/rules.md"))
    for key, value in current_policy(session, on).to_dict().items():
        if key == "checklist":
            click.echo("  checklist:")
            for item in value:
                needs = ", ".join(item["required_for"]) or "optional: " + ", ".join(
                    item["optional_for"])
                click.echo(f"    {item['kind']} ({item['uploaded_by']}; {needs}"
                           f"{'; dated' if item['dated'] else ''}): {item['labels']['es']}")
            continue
        click.echo(f"  {key}: {value}")


def _policy_options(command: click.Command) -> click.Command:
    for field in reversed(fields(Policy)):
        if field.name in ("haircuts", "checklist"):
            continue
        kind = click.INT if field.type == "int" else DECIMAL
        command = click.option(f"--{field.name.replace('_', '-')}", field.name, type=kind)(
            command)
    return command


@policy_cli.command("set")
@click.option("--effective-from", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--note", default="")
@click.option("--haircut", multiple=True, metavar="KIND=FRACTION",
              help="e.g. --haircut real_estate=0.35")
@_policy_options
def policy_set(effective_from: object, note: str, haircut: tuple[str, ...],
               **changes: object) -> None:
    """Put a new policy in force from a day on (the current one with the options given)."""
    given = {k: v for k, v in changes.items() if v is not None}
    try:
        if haircut:
            given["haircuts"] = {k: Decimal(v) for k, v in (h.split("=", 1) for h in haircut)}
        version = set_policy(get_session(), None, effective_from.date(), given, note)  # type: ignore[attr-defined]
    except (DomainError, ValueError, InvalidOperation) as error:
        get_session().rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"policy in force from {version.effective_from}")
