"""The reviewers' queue and the filtered, paginated list of proposals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import event

from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import clock_shift

from ..factories import Factory
from .conftest import ApiClient


def test_the_queue_lists_what_waits_on_my_role_longest_waiting_first(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    with clock_shift(timedelta(days=-9)):
        old = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    with clock_shift(timedelta(days=-2)):
        recent = make.proposal(cast, at=State.CONTACT)
    make.proposal(cast, at=State.UPDATE)          # waits on the SME
    make.proposal(cast, at=State.SIGNED)          # finished
    queue = api.get("/queue", cast[Role.PROMTEL]).json
    assert [(i["id"], i["days_waiting"]) for i in queue["items"]] == [(old.id, 9), (recent.id, 2)]
    assert queue["items"][0]["allowed_actions"] == ["give_feedback", "reject"]


def test_focir_is_awaited_at_the_agreement_until_it_signs(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.AGREEMENT)
    assert [i["id"] for i in api.get("/queue", cast[Role.FOCIR]).json["items"]] == [proposal.id]
    assert [i["id"] for i in api.get("/queue", cast[Role.SME]).json["items"]] == [proposal.id]
    make.act(proposal.id, cast[Role.FOCIR], "sign")
    assert api.get("/queue", cast[Role.FOCIR]).json["items"] == []
    assert [i["id"] for i in api.get("/queue", cast[Role.SME]).json["items"]] == [proposal.id]


def test_an_smes_queue_holds_only_its_own_company(api: ApiClient, make: Factory) -> None:
    mine, theirs = make.cast(), make.cast()
    make.proposal(theirs, at=State.PROPOSAL)
    own = make.proposal(mine, at=State.PROPOSAL)
    assert [i["id"] for i in api.get("/queue", mine[Role.SME]).json["items"]] == [own.id]


def test_lists_filter_by_state_step_state_of_the_republic_technology_and_dates(
        api: ApiClient, make: Factory) -> None:
    morelos = make.cast(make.user(Role.SME, company=make.company(state_code="17")))
    chiapas = make.cast(make.user(Role.SME, company=make.company(state_code="07")))
    a = make.proposal(morelos, at=State.PROPOSAL)
    b = make.proposal(chiapas, at=State.PROPOSAL, technology="satellite")
    with clock_shift(timedelta(days=-40)):
        c = make.proposal(chiapas, at=State.CONTACT, technology="satellite")
    reviewer = morelos[Role.PROMTEL]

    def ids(**query: object) -> list[int]:
        r = api.get("/proposals", reviewer, query=query)
        assert r.status_code == 200, r.json
        return sorted(i["id"] for i in r.json["items"])

    assert ids() == sorted([a.id, b.id, c.id])
    assert ids(state="proposal") == sorted([a.id, b.id])
    assert ids(step=1) == [c.id]
    assert ids(state_code="07") == sorted([b.id, c.id])
    assert ids(technology="satellite", step=2) == [b.id]
    today = c.created_at.date() + timedelta(days=40)
    assert ids(created_from=(today - timedelta(days=5)).isoformat()) == sorted([a.id, b.id])
    assert ids(created_to=(today - timedelta(days=30)).isoformat()) == [c.id]


def test_lists_are_paginated_newest_first(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    made = [make.proposal(cast) for _ in range(5)]
    first = api.get("/proposals", cast[Role.SME], query={"page_size": 2}).json
    assert [i["id"] for i in first["items"]] == [made[4].id, made[3].id]
    assert first["page_size"] == 2 and "total" not in first
    page = api.client.get(first["next"], headers=api.headers(cast[Role.SME])).json
    assert [i["id"] for i in page["items"]] == [made[2].id, made[1].id]


@pytest.mark.parametrize("query", [{"page": 0}, {"page_size": 1000}, {"step": 11},
                                   {"state": "limbo"}, {"created_from": "ayer"},
                                   {"state_code": "33"}, {"page": "uno"}])
def test_bad_filters_answer_422(api: ApiClient, make: Factory, query: dict) -> None:
    r = api.get("/proposals", make.user(Role.PROMTEL), query=query)
    assert r.status_code == 422, r.json


def test_a_page_costs_the_same_number_of_queries_whatever_its_size(
        app: Flask, api: ApiClient, make: Factory) -> None:
    """Does listing avoid one query per proposal (N+1)?"""
    cast = make.cast()
    for at in [State.AGREEMENT, State.CONTACT, State.UPDATE] * 7:
        make.proposal({**cast, Role.SME: make.user(Role.SME)}, at=at)  # a company each
    engine = app.extensions["engine"]
    reviewer = cast[Role.PROMTEL]
    api.get("/proposals", reviewer)  # token cached, warm-up

    def count(path: str, size: int) -> int:
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            r = api.get(path, reviewer, query={"page_size": size})
            waiting = {"/proposals": 21, "/queue": 7}[path]   # the queue: those at contact
            assert r.status_code == 200 and len(r.json["items"]) == min(size, waiting)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    for path in ("/proposals", "/queue"):
        assert count(path, 2) == count(path, 20), path


# -- statements built once per page and kept (services/listing.py) ----------------------------

def test_the_same_page_asked_again_reuses_its_statement(api: ApiClient, make: Factory) -> None:
    from promtel_fin.services import listing

    cast = make.cast()
    make.proposal(cast, at=State.CONTACT)      # waits on PROMTEL
    reviewer = cast[Role.PROMTEL]
    for build, path in ((listing._list_statement, "/proposals"),
                        (listing._queue_statement, "/queue")):
        build.cache_clear()
        first = api.get(path, reviewer).json
        again = api.get(path, reviewer).json
        assert first == again and len(first["items"]) == 1
        info = build.cache_info()
        assert (info.misses, info.hits) == (1, 1), (path, info)


def test_kept_statements_are_never_shared_across_who_sees_what_filters_or_cursors(
        api: ApiClient, make: Factory) -> None:
    """Each company's SME, FOCIR (presented proposals only) and PROMTEL ask for the same pages,
    in turns, after one another's statements are kept: each sees only its own."""
    from promtel_fin.services import listing

    listing._list_statement.cache_clear()
    listing._queue_statement.cache_clear()
    one, two = make.cast(), make.cast()
    mine = make.proposal(one, at=State.PROPOSAL)
    theirs = make.proposal(two, at=State.PROPOSAL)
    presented = make.proposal(two, at=State.FOCIR_FEEDBACK)
    satellite = make.proposal(one, at=State.CONTACT, technology="satellite")

    def ids(path: str, user: object, **query: object) -> list[int]:
        return sorted(i["id"] for i in api.get(path, user, query=query).json["items"])

    for _ in range(2):   # the second round finds every statement kept
        assert ids("/proposals", one[Role.SME]) == sorted([mine.id, satellite.id])
        assert ids("/proposals", two[Role.SME]) == sorted([theirs.id, presented.id])
        assert ids("/proposals", one[Role.FOCIR]) == [presented.id]
        assert ids("/proposals", one[Role.PROMTEL]) == sorted(
            [mine.id, theirs.id, presented.id, satellite.id])
        assert ids("/proposals", one[Role.PROMTEL], technology="satellite") == [satellite.id]
        assert ids("/proposals", one[Role.PROMTEL], technology="ftth") == sorted(
            [mine.id, theirs.id, presented.id])
        assert ids("/queue", one[Role.SME]) == [mine.id]
        assert ids("/queue", two[Role.SME]) == [theirs.id]
        assert ids("/queue", one[Role.FOCIR]) == [presented.id]
        assert ids("/queue", one[Role.PROMTEL]) == [satellite.id]
    assert listing._list_statement.cache_info().hits >= 6
    assert listing._queue_statement.cache_info().hits >= 4

    # Every company's SMEs share one kept statement: the company is bound at each call.
    listing._list_statement.cache_clear()
    assert ids("/proposals", one[Role.SME]) == sorted([mine.id, satellite.id])
    assert ids("/proposals", two[Role.SME]) == sorted([theirs.id, presented.id])
    info = listing._list_statement.cache_info()
    assert (info.misses, info.hits, info.currsize) == (1, 1, 1)

    # A cursor is part of what a statement is built from: page 2 is not page 1 again.
    pages, link = [], "/proposals"
    while link:
        answer = api.get(link, one[Role.PROMTEL], query={"page_size": 1}
                         if link == "/proposals" else None).json
        pages.append([i["id"] for i in answer["items"]])
        link = answer["next"] and answer["next"].removeprefix("/api/v1")
    assert len(pages) == 4 and len({p[0] for p in pages}) == 4
