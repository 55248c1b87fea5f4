"""Schedules as CSV and XLSX with Spanish headers, for FOCIR and the SMEs to open anywhere."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .domain.loan import Schedule

HEADERS = ("Periodo", "Fecha de pago", "Días", "Saldo inicial", "Interés", "IVA", "Capital",
           "Pago", "Saldo final")
MONEY_FORMAT = "#,##0.00"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(plan: Schedule) -> list[list[object]]:
    return [[r.period, r.due_date, r.days, r.opening_balance, r.interest, r.vat, r.principal,
             r.payment, r.closing_balance] for r in plan.rows]


def _totals(plan: Schedule) -> list[object]:
    t = plan.totals
    return ["Total", None, None, None, t.interest, t.vat, t.principal, t.payment, None]


def schedule_csv(plan: Schedule) -> str:
    """Write the schedule as CSV (comma, point decimals, UTF-8 with BOM for spreadsheets)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in [*_rows(plan), _totals(plan)]:
        writer.writerow(["" if v is None else f"{v:.2f}" if isinstance(v, Decimal) else v
                         for v in row])
    return out.getvalue()


def schedule_xlsx(plan: Schedule, title: str = "Tabla de amortización") -> bytes:
    """Write the schedule as an XLSX workbook: numbers as numbers, two decimals, a totals row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Amortización"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    terms = plan.terms
    sheet.append(["Monto", float(terms.amount), "Tasa anual", float(terms.annual_rate),
                  "IVA", float(terms.vat_rate), "Plazo (meses)", terms.term_months,
                  "Gracia (meses)", terms.grace_months])
    sheet.append([])
    sheet.append(list(HEADERS))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for values in [*_rows(plan), _totals(plan)]:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in values])
        for column in range(4, 10):
            sheet.cell(sheet.max_row, column).number_format = MONEY_FORMAT
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(header_row + 1, 1)
    for column in range(1, len(HEADERS) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 15
    for column in (2, 4, 6):
        sheet.cell(2, column).number_format = "0.00%" if column != 2 else MONEY_FORMAT
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(plan: Schedule, proposal_id: int, kind: str) -> Response:
    """Answer the schedule as an attachment: ``csv`` or ``xlsx``."""
    name = f"amortizacion-{proposal_id}.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if kind == "csv":
        return Response(schedule_csv(plan), mimetype="text/csv", headers=headers)
    return Response(schedule_xlsx(plan, f"Tabla de amortización, propuesta {proposal_id}"),
                    mimetype=XLSX, headers=headers)
