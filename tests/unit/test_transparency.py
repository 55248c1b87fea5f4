"""The portal's rules: working days, medians, the approval rate, the map's classes and states."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from promtel_fin.domain import transparency as t
from promtel_fin.domain.geography import STATE_NAMES
from promtel_fin.web import mexico_map


@pytest.mark.parametrize(("weekday", "days", "expected"), [
    (0, 0, 0),      # the same day
    (0, 1, 1),      # Monday to Tuesday
    (4, 3, 1),      # Friday to Monday
    (4, 1, 0),      # Friday to Saturday
    (5, 1, 0),      # Saturday to Sunday
    (6, 1, 1),      # Sunday to Monday
    (0, 7, 5),      # a week
    (2, 14, 10),    # two weeks from a Wednesday
    (3, 9, 6),      # Thursday to the Saturday after next: Fri, Mon-Fri
])
def test_working_days_count_monday_to_friday_after_the_start(weekday: int, days: int,
                                                             expected: int) -> None:
    assert t.working_days(weekday, days) == expected


def test_working_days_agree_with_a_calendar() -> None:
    start = date(2026, 6, 1)   # a Monday
    for offset in range(7):
        first = date.fromordinal(start.toordinal() + offset)
        for days in range(30):
            counted = sum(1 for k in range(1, days + 1)
                          if date.fromordinal(first.toordinal() + k).weekday() < 5)
            assert t.working_days(first.weekday(), days) == counted


def test_median_of_a_histogram() -> None:
    assert t.median({}) is None
    assert t.median({3: 0}) is None
    assert t.median({4: 1}) == Decimal("4.0")
    assert t.median({1: 1, 5: 1}) == Decimal("3.0")
    assert t.median({1: 1, 2: 1}) == Decimal("1.5")
    assert t.median({10: 2, 1: 3}) == Decimal("1.0")           # 1 1 1 10 10
    assert t.median({1: 2, 10: 2}) == Decimal("5.5")           # 1 1 10 10
    assert t.median({0: 5, 7: 1, 9: 4}) == Decimal("3.5")      # 0x5 | 7 9 9 9 9


def test_approval_rate_is_approved_over_decided() -> None:
    assert t.approval_rate(0, 0) is None
    assert t.approval_rate(3, 1) == Decimal("0.7500")
    assert t.approval_rate(2, 1) == Decimal("0.6667")
    assert t.approval_rate(0, 4) == Decimal("0.0000")


def test_map_classes_split_the_largest_amount_in_four() -> None:
    breaks = t.amount_breaks([Decimal("0"), Decimal("8000000.00"), Decimal("1000000.00")])
    assert breaks == [Decimal("2000000.00"), Decimal("4000000.00"), Decimal("6000000.00"),
                      Decimal("8000000.00")]
    assert [t.amount_class(Decimal(a), breaks) for a in
            ("0", "1", "2000000.00", "2000000.01", "6000000", "8000000.00")] == [0, 1, 1, 2, 3, 4]
    assert t.amount_breaks([Decimal(0)]) == []
    assert t.amount_class(Decimal(5), []) == 0


def test_the_map_names_each_of_the_32_states_once_by_its_inegi_code() -> None:
    ids = [s["id"] for s in mexico_map.outlines()["states"]]
    assert len(ids) == 32 and set(ids) == set(mexico_map.CVE_ENT)
    codes = list(mexico_map.CVE_ENT.values())
    assert len(set(codes)) == 32 and set(codes) == set(STATE_NAMES)
    # The package's own names agree with INEGI's for the code each id is mapped to.
    english = {"Mexico City": "Ciudad de México"}
    for state in mexico_map.outlines()["states"]:
        name = english.get(state["name"], state["name"])
        assert STATE_NAMES[mexico_map.CVE_ENT[state["id"]]] == name


def test_the_map_is_drawn_with_a_link_a_class_and_a_title_per_state() -> None:
    svg = str(mexico_map.draw({"17": 3}, {"17": "Morelos: 2"}, lambda c: f"/t/{c}", "T", "D"))
    assert svg.count("<path ") == 32 and svg.count("<title") == 33   # the map's, and one per state
    assert "<title>Chiapas</title>" in svg   # a title without figures: the name
    assert '<a href="/t/17" aria-label="Morelos: 2"><path class="q3"' in svg
    assert "<title>Morelos: 2</title>" in svg and 'role="group"' in svg
    assert svg.count('class="q0"') == 31
    assert "<script" not in svg and "style=" not in svg


def agreement(**overrides: object) -> t.Agreement:
    base = dict(folio="PF-2026-00001", company="Telecom, S.A. de C.V.", title="Red",
                state_code="07", municipality_key="07009", technology="ftth",
                amount=Decimal("4500000.00"), term_months=40, grace_months=6,
                annual_rate=Decimal("0.1"), signed_on=date(2026, 3, 9),
                locality_keys=("070090001", "070090012"), localities=2, population=3100,
                sites={"school": 2})
    return t.Agreement(**{**base, **overrides})


def test_a_csv_row_keeps_leading_zeros_and_plain_decimals() -> None:
    rows = list(csv.reader(io.StringIO(t.agreements_csv([agreement()]).decode("utf-8"))))
    assert rows[0] == list(t.COLUMNS)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["CVE_ENT"] == "07" and row["CVE_MUN"] == "009"
    assert row["CVE_LOC"] == "070090001|070090012"
    assert row["MONTO_APROBADO"] == "4500000.00" and row["TASA_ANUAL"] == "0.1"
    assert row["FECHA_FIRMA"] == "2026-03-09" and row["ESCUELAS"] == "2"
    assert row["NOM_ENT"] == "Chiapas"


def test_the_dictionary_describes_every_column_with_a_known_type() -> None:
    rows = list(csv.reader(io.StringIO(t.dictionary_csv().decode("utf-8"))))
    assert rows[0] == ["columna", "tipo", "descripcion", "unidad"]
    assert [r[0] for r in rows[1:]] == list(t.COLUMNS)
    assert {r[1] for r in rows[1:]} <= {"texto", "entero", "decimal", "fecha"}
    assert all(r[2] for r in rows[1:])


def test_a_part_being_computed_is_served_from_the_previous_snapshot() -> None:
    import threading

    from promtel_fin.services.transparency import Published, Stamp

    old = Published(Stamp("a", None))
    assert old.part("figures", lambda: "old figures") == (old, "old figures")
    new = Published(Stamp("b", None), old)
    started, finish = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        finish.wait(5)
        return "new figures"

    worker = threading.Thread(target=new.part, args=("figures", slow))
    worker.start()
    started.wait(5)
    # While one request computes, another gets the previous snapshot's part (and its stamp)...
    assert new.part("figures", lambda: "never") == (old, "old figures")
    finish.set()
    worker.join(5)
    # ...and then this one's; the previous snapshot is let go once everything it had is here.
    assert new.part("figures", lambda: "never") == (new, "new figures")
    assert new.previous is None
    # A part the previous snapshot lacks is computed here, whoever asks.
    assert new.part("csv", lambda: b"rows", fallback=False) == (new, b"rows")
