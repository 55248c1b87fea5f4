"""Lists page by cursor: follow ``next`` to the end, see each row once, keep the filters.

The proposal list, the queue and a proposal's history answer ``{page_size, next, items}``
without a total; ``next`` is the full relative URL of the following page (null on the last
one). A cursor that was not given by a ``next`` link of the same list is refused with 422 in
the usual error shape, never a server error; the pages offer the same "next page" links as
plain HTML links.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import Proposal, User, clock_shift, utcnow
from promtel_fin.services import dossier

from ..factories import Factory
from .conftest import ApiClient
from .pages import sign_in, text


def walk(api: ApiClient, path: str, user: User, **query: Any) -> list[dict[str, Any]]:
    """Read every page of a list by following its ``next`` links; give the pages."""
    pages = [api.get(path, user, query=query)]
    while True:
        assert pages[-1].status_code == 200, pages[-1].json
        link = pages[-1].json["next"]
        if link is None:
            return [p.json for p in pages]
        assert link.startswith("/api/v1/") and "cursor=" in link
        pages.append(api.client.get(link, headers=api.headers(user)))


def ids(pages: list[dict[str, Any]]) -> list[int]:
    return [item["id"] for page in pages for item in page["items"]]


def test_following_next_reads_every_proposal_once_newest_first(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    made = [make.proposal(cast, at=State.PROPOSAL if i % 2 else State.PROMTEL_FEEDBACK)
            for i in range(7)]
    pages = walk(api, "/proposals", cast[Role.PROMTEL], page_size=3)
    assert [len(p["items"]) for p in pages] == [3, 3, 1]
    assert ids(pages) == [p.id for p in reversed(made)]
    assert all("total" not in p and p["page_size"] == 3 for p in pages)


def test_the_next_link_keeps_the_filters(api: ApiClient, make: Factory) -> None:
    morelos = make.cast(make.user(Role.SME, company=make.company(state_code="17")))
    chiapas = make.cast(make.user(Role.SME, company=make.company(state_code="07")))
    wanted = [make.proposal(chiapas, at=State.PROPOSAL, technology="satellite")
              for _ in range(3)]
    make.proposal(chiapas, at=State.CONTACT, technology="satellite")
    make.proposal(morelos, at=State.PROPOSAL, technology="satellite")
    pages = walk(api, "/proposals", morelos[Role.PROMTEL], page_size=1, state="proposal",
                 state_code="07", technology="satellite", lang="en")
    assert ids(pages) == [p.id for p in reversed(wanted)]
    link = pages[0]["next"]
    for part in ("state=proposal", "state_code=07", "technology=satellite", "page_size=1",
                 "lang=en"):
        assert part in link


def test_rows_added_while_paging_neither_repeat_nor_shift_the_pages(
        api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    made = [make.proposal(cast) for _ in range(4)]
    first = api.get("/proposals", cast[Role.PROMTEL], query={"page_size": 2}).json
    make.proposal(cast)   # newer than all: it belongs before the first page
    rest = api.client.get(first["next"], headers=api.headers(cast[Role.PROMTEL])).json
    assert ids([first, rest]) == [p.id for p in reversed(made)]


def test_the_queue_pages_longest_waiting_first_and_breaks_ties_by_id(
        api: ApiClient, make: Factory, session: Session) -> None:
    cast = make.cast()
    waiting = []
    for days in (9, 7, 7, 7, 3):
        with clock_shift(timedelta(days=-days)):
            waiting.append(make.proposal(cast, at=State.PROMTEL_FEEDBACK if days == 9
                                         else State.CONTACT))
    make.proposal(cast, at=State.UPDATE)   # waits on the SME
    same = utcnow() - timedelta(days=7)
    session.execute(update(Proposal).where(Proposal.id.in_([p.id for p in waiting[1:4]]))
                    .values(state_entered_at=same))
    session.commit()
    pages = walk(api, "/queue", cast[Role.PROMTEL], page_size=2)
    assert ids(pages) == [p.id for p in waiting]
    assert [len(p["items"]) for p in pages] == [2, 2, 1]


def test_the_queue_pages_keep_the_step_filter(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    contact = [make.proposal(cast, at=State.CONTACT) for _ in range(3)]
    make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    pages = walk(api, "/queue", cast[Role.PROMTEL], page_size=2, step=1)
    assert ids(pages) == [p.id for p in contact]


def test_the_history_pages_oldest_first(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    # create, 8 actions, and nine documents uploaded and accepted
    proposal = make.proposal(cast, at=State.FOCIR_DECISION)
    pages = walk(api, f"/proposals/{proposal.id}/history", cast[Role.SME], page_size=4)
    seqs = [entry["seq"] for page in pages for entry in page["items"]]
    assert seqs == list(range(1, 28)) and [len(p["items"]) for p in pages] == [4] * 6 + [3]
    assert api.get(f"/proposals/{proposal.id}/history", cast[Role.SME]).json["next"] is None


def _cursor(api: ApiClient, path: str, user: User) -> str:
    link = api.get(path, user, query={"page_size": 1}).json["next"]
    return re.search(r"cursor=([^&]+)", link).group(1)


@pytest.mark.parametrize("bad", [
    "garbage", "", "x" * 500, "W10.not-signed", "%00", "eyJhIjoxfQ", "[1]",
])
def test_a_cursor_that_no_next_link_gave_is_refused_with_422(
        api: ApiClient, make: Factory, bad: str) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROPOSAL)
    make.proposal(cast)
    for path in ("/proposals", "/queue", f"/proposals/{proposal.id}/history"):
        r = api.get(path, cast[Role.SME], query={"cursor": bad})
        assert r.status_code == 422, (path, r.json)
        assert r.json["code"] == 422 and "cursor" in r.json["errors"], r.json


def test_a_cursor_of_one_list_does_not_open_another(api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.PROPOSAL)
    make.proposal(cast, at=State.PROPOSAL)
    of_list = _cursor(api, "/proposals", cast[Role.SME])
    of_queue = _cursor(api, "/queue", cast[Role.SME])
    of_history = _cursor(api, f"/proposals/{proposal.id}/history", cast[Role.SME])
    for path, cursor in (("/queue", of_list), ("/proposals", of_queue),
                         (f"/proposals/{proposal.id}/history", of_list),
                         ("/proposals", of_history)):
        r = api.get(path, cast[Role.SME], query={"cursor": cursor})
        assert r.status_code == 422 and "cursor" in r.json["errors"], (path, r.json)
    edited = of_list[:-2] + ("AA" if not of_list.endswith("AA") else "BB")
    assert api.get("/proposals", cast[Role.SME], query={"cursor": edited}).status_code == 422


def test_numbered_pages_are_refused_with_how_to_page_now(api: ApiClient, make: Factory) -> None:
    r = api.get("/proposals", make.user(Role.PROMTEL), query={"page": 2})
    assert r.status_code == 422 and "page" in r.json["errors"], r.json


def test_the_queue_page_links_to_the_next_page_without_javascript(
        client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    for _ in range(23):
        make.proposal(make.cast(make.user(Role.SME)), at=State.CONTACT)
    make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    sign_in(client, cast[Role.PROMTEL])

    def rows(page: str) -> list[str]:
        return re.findall(r'<tr><td>PF-\d{4}-\d{5}</td><td><a href="/proposals/(\d+)">', page)

    first = text(client.get("/queue?step=1"))
    link = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    assert "step=1" in link and "cursor=" in link and "Primera página" not in first
    second = text(client.get(link))
    assert len(rows(first)) == 20 and len(rows(second)) == 3
    assert not set(rows(first)) & set(rows(second))
    assert 'rel="next"' not in second and "Primera página" in second
    assert client.get("/queue?cursor=basura").status_code == 422
    assert client.get("/queue?page=3").status_code == 200   # an old link opens the first page


def test_the_dashboard_links_to_the_next_page(client: FlaskClient, make: Factory,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from promtel_fin.web import proposals as pages

    monkeypatch.setattr(pages, "DASHBOARD_PAGE", 2)
    cast = make.cast()
    made = [make.proposal(cast) for _ in range(3)]
    sign_in(client, cast[Role.SME])
    first = text(client.get("/dashboard"))
    link = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    second = text(client.get(link))
    assert f'href="/proposals/{made[0].id}"' in second
    assert f'href="/proposals/{made[0].id}"' not in first and 'rel="next"' not in second
    assert client.get("/dashboard?cursor=basura").status_code == 400


def test_the_dossier_shows_the_latest_history_and_links_to_earlier_entries(
        client: FlaskClient, make: Factory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dossier, "HISTORY_WINDOW", 4)
    cast = make.cast()
    proposal = make.proposal(cast, at=State.FOCIR_DECISION)   # 27 entries, 18 of documents
    sign_in(client, cast[Role.SME])
    latest = text(client.get(f"/proposals/{proposal.id}"))
    assert '<ol start="24">' in latest
    link = re.search(r'<a href="([^"]+history_until=23)">', latest).group(1)
    earlier = text(client.get(link.replace("&amp;", "&")))
    assert '<ol start="20">' in earlier and "history_until=19" in earlier
    oldest = text(client.get(f"/proposals/{proposal.id}?history_until=1"))
    assert '<ol start="1">' in oldest and "history_until=0" not in oldest
