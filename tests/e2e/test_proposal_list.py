"""/proposals: every proposal a member of staff may see, searched, filtered and paged by cursor
(issue 12 §4), the queue's "everyone's / assigned to me" switch, and SMEs' dashboards with their
finished proposals. Through the test client, without JavaScript."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient

from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import Proposal, clock_shift

from ..factories import Factory
from .conftest import ApiClient
from .pages import sign_in, text
from .test_statement_counts import counting

ROW = re.compile(r'<a href="/proposals/(\d+)">(PF-\d{4}-\d{5})</a>')


def listed(client: FlaskClient, query: str = "", **params: object) -> list[int]:
    """Give the ids of the proposals the list shows, in its order (one page)."""
    r = client.get("/proposals" + query, query_string={"lang": "en", **params})
    assert r.status_code == 200, text(r)[:800]
    return [int(i) for i, _folio in ROW.findall(text(r))]


@pytest.fixture
def world(make: Factory) -> dict:
    """Proposals of three companies in Morelos and Chiapas at several steps, one finished, one
    at contact (no reviewer yet), one assigned to a second reviewer."""
    morelos = make.company(state_code="17", legal_name="Conecta Morelos, S.A. de C.V.")
    chiapas = make.company(state_code="07", legal_name="Red Selva Lacandona, S.C.")
    cast = make.cast(make.user(Role.SME, company=morelos))
    south = make.cast(make.user(Role.SME, company=chiapas))
    cast[Role.PROMTEL].name = "Lucía Reyes"
    make.session.commit()
    south[Role.PROMTEL] = cast[Role.PROMTEL]
    other = make.user(Role.PROMTEL, name="Tomás Ruiz")
    made = {
        "contact": make.proposal(cast, at=State.CONTACT, title="Enlace a Coatetelco"),
        "feedback": make.proposal(cast, at=State.PROMTEL_FEEDBACK,
                                  title="Fibra al hogar en Cuautitla", technology="ftth"),
        "satellite": make.proposal(south, at=State.PROPOSAL, title="Internet en Frontera",
                                   technology="satellite"),
        "signed": make.proposal(south, at=State.SIGNED, title="Celdas en Ocosingo"),
    }
    mine_not = make.proposal({**south, Role.PROMTEL: other}, at=State.UPDATE,
                             title="Puntos WiFi en Palenque")
    made["other"] = mine_not
    return {"cast": cast, "south": south, "other": other, "made": made,
            "morelos": morelos, "chiapas": chiapas}


def test_staff_see_every_proposal_newest_first_with_folio_step_and_reviewer(
        client: FlaskClient, world: dict) -> None:
    made, cast = world["made"], world["cast"]
    sign_in(client, cast[Role.PROMTEL])
    r = client.get("/proposals")
    page = text(r)
    assert r.status_code == 200
    ids = [int(i) for i in re.findall(r'<a href="/proposals/(\d+)">PF-\d{4}-\d{5}</a>', page)]
    newest_first = sorted(made.values(), key=lambda p: (p.created_at, p.id), reverse=True)
    assert ids == [p.id for p in newest_first]
    assert "<h1>Propuestas</h1>" in page and "Revisor a cargo" in page
    assert made["feedback"].folio in page and "Conecta Morelos, S.A. de C.V." in page
    assert "Aún sin asignar" in page                     # the proposal at contact
    assert (page.count("Lucía Reyes"), page.count("Tomás Ruiz")) == (3, 1)
    assert '<option value="3">3 · ' in page                    # the steps by number and name
    assert 'role="search"' in page and "<script" not in page


def test_each_filter_narrows_the_list(client: FlaskClient, world: dict) -> None:
    made, cast = world["made"], world["cast"]
    sign_in(client, cast[Role.PROMTEL])
    everything = set(listed(client))
    assert everything == {p.id for p in made.values()}
    assert listed(client, state="signed") == [made["signed"].id]
    assert listed(client, state="proposal") == [made["satellite"].id]
    assert listed(client, step=3) == [made["feedback"].id]
    assert listed(client, step=1) == [made["contact"].id]
    assert listed(client, technology="satellite") == [made["satellite"].id]
    assert set(listed(client, state_code="07")) == {
        made["satellite"].id, made["signed"].id, made["other"].id}
    assert set(listed(client, state_code="17")) == {made["contact"].id, made["feedback"].id}
    assert listed(client, state_code="17", technology="satellite") == []
    # Assigned to me: everything acknowledged by this reviewer, not the other's, not contact.
    assert set(listed(client, mine="1")) == {
        made["feedback"].id, made["satellite"].id, made["signed"].id}
    sign_in(client, world["other"])
    assert listed(client, mine="1") == [made["other"].id]


def test_the_overdue_filter_keeps_proposals_past_their_due_date(
        client: FlaskClient, make: Factory) -> None:
    """Contact has 5 working days: entered 20 days ago it is late whatever the holidays; entered
    today it is not; a signed proposal is never overdue."""
    cast = make.cast()
    with clock_shift(timedelta(days=-20)):
        late = make.proposal(cast, at=State.CONTACT, title="Tardía")
    fresh = make.proposal(cast, at=State.CONTACT, title="Reciente")
    with clock_shift(timedelta(days=-40)):
        done = make.proposal(cast, at=State.WITHDRAWN, title="Retirada")
    sign_in(client, cast[Role.PROMTEL])
    assert listed(client, overdue="1") == [late.id]
    assert set(listed(client, overdue="false")) == {fresh.id, done.id}
    page = text(client.get("/proposals", query_string={"overdue": "1"}))
    assert 'class="overdue"' in page and "Vencido (días hábiles de retraso:" in page
    assert 'name="overdue" value="1" checked' in page


def test_overdue_on_the_list_agrees_with_the_queue_at_the_boundary(
        client: FlaskClient, make: Factory, app: Flask) -> None:
    """Each proposal at contact entered 0..12 days ago: the overdue filter keeps exactly
    those whose deadline (the queue's rule) has passed, one day either side of the limit."""
    cast = make.cast()
    made = []
    for days in range(0, 13):
        with clock_shift(timedelta(days=-days)):   # a company each: at most 5 drafts each
            made.append(make.proposal({**cast, Role.SME: make.user(Role.SME)},
                                      at=State.CONTACT, title=f"Hace {days} días"))
    sign_in(client, cast[Role.PROMTEL])
    queue = text(client.get("/queue", query_string={"lang": "en"}))
    overdue_in_queue = set()
    for row in re.findall(r"<tr[^>]*>.*?</tr>", queue, re.S):
        match = re.search(r'<a href="/proposals/(\d+)">', row)
        if match and 'class="overdue"' in row:
            overdue_in_queue.add(int(match.group(1)))
    assert overdue_in_queue, "some must be late"
    assert set(listed(client, overdue="1")) == overdue_in_queue
    assert set(listed(client, overdue="0")) == {p.id for p in made} - overdue_in_queue
    # The queue's own switch and filter agree.
    assert len(overdue_in_queue) < len(made)


@pytest.mark.parametrize("how", ["folio", "folio_lower", "company", "rfc", "title"])
def test_the_search_finds_by_folio_company_rfc_and_title(
        client: FlaskClient, world: dict, how: str) -> None:
    made, cast = world["made"], world["cast"]
    target: Proposal = made["satellite"]
    q = {"folio": target.folio, "folio_lower": target.folio.lower().replace("-", " "),
         "company": "selva lacandona", "rfc": world["chiapas"].rfc.lower(),
         "title": "frontera"}[how]
    sign_in(client, cast[Role.PROMTEL])
    found = listed(client, q=q)
    assert target.id in found
    if how in ("folio", "folio_lower", "title"):
        assert found == [target.id]
    else:
        assert set(found) == {made["satellite"].id, made["signed"].id, made["other"].id}
    page = text(client.get("/proposals", query_string={"q": q}))
    assert f'value="{q}"' in page                          # the box keeps what was typed


def test_a_search_that_finds_nothing_says_so(client: FlaskClient, world: dict) -> None:
    sign_in(client, world["cast"][Role.PROMTEL])
    r = client.get("/proposals", query_string={"q": "no existe tal cosa"})
    assert r.status_code == 200 and "Ninguna propuesta coincide." in text(r)
    assert listed(client, q="   ") == listed(client)       # spaces: no search


def test_focir_sees_only_what_promtel_presented(client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    hidden = make.proposal(cast, at=State.PROMTEL_VERIFICATION)
    shown = make.proposal(cast, at=State.FOCIR_FEEDBACK)
    sign_in(client, cast[Role.FOCIR])
    assert listed(client) == [shown.id]
    assert hidden.id not in listed(client, q=hidden.folio)
    page = text(client.get("/proposals"))
    assert 'name="mine"' not in page and "Asignadas a mí" not in page   # no assignments
    assert listed(client, mine="1") == [shown.id]                        # so it is ignored


def test_an_administrator_sees_everything(client: FlaskClient, world: dict, make: Factory
                                          ) -> None:
    sign_in(client, world["cast"][Role.ADMIN])
    assert set(listed(client)) == {p.id for p in world["made"].values()}


def test_an_sme_is_sent_to_its_dashboard_and_never_sees_others(
        client: FlaskClient, world: dict) -> None:
    made, cast, south = world["made"], world["cast"], world["south"]
    sign_in(client, cast[Role.SME])
    r = client.get("/proposals", query_string={"q": made["satellite"].folio})
    assert r.status_code == 302 and r.headers["Location"].endswith("/dashboard")
    dashboard = text(client.get("/dashboard"))
    assert made["contact"].folio in dashboard and made["feedback"].folio in dashboard
    for theirs in ("satellite", "signed", "other"):
        assert made[theirs].folio not in dashboard
    assert 'href="/proposals"' not in text(client.get("/dashboard"))   # no staff link
    sign_in(client, south[Role.SME])
    assert made["contact"].folio not in text(client.get("/dashboard"))


def test_an_smes_dashboard_lists_finished_proposals_with_folio_and_next_step(
        client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    ended = {at: make.proposal(cast, at=at) for at in
             (State.SIGNED, State.REJECTED, State.WITHDRAWN, State.UPDATE)}
    sign_in(client, cast[Role.SME])
    page = unescape(text(client.get("/dashboard")))
    for proposal in ended.values():
        assert proposal.folio in page
    for word in ("Firmado", "Rechazada", "Retirada"):
        assert f"{word}." in page
    assert page.count("nada: esta propuesta está cerrada.") == 3
    assert "complete las secciones y envíe." in page          # the one at update


def test_paging_keeps_the_filters(client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    morelos = [make.proposal({**cast, Role.SME: make.user(Role.SME)}, at=State.CONTACT)
               for _ in range(21)]                     # a company each: at most 5 drafts each
    chiapas = make.cast(make.user(Role.SME, company=make.company(state_code="07")))
    elsewhere = make.proposal(chiapas, at=State.CONTACT)
    sign_in(client, cast[Role.PROMTEL])
    first = text(client.get("/proposals", query_string={"state_code": "17", "step": "1"}))
    ids = [int(i) for i in re.findall(r'<a href="/proposals/(\d+)">PF-', first)]
    assert len(ids) == 20 and elsewhere.id not in ids
    assert len(first.encode()) < 40_000                     # a full page stays light
    link = unescape(re.search(r'<a href="([^"]+)" rel="next">', first).group(1))
    assert "state_code=17" in link and "step=1" in link and "cursor=" in link
    second = text(client.get(link))
    rest = [int(i) for i in re.findall(r'<a href="/proposals/(\d+)">PF-', second)]
    assert rest == [morelos[0].id]                         # the oldest, and nothing else
    assert 'rel="next"' not in second
    back = unescape(re.search(r'<a href="([^"]+)">Primera página</a>', second).group(1))
    assert "cursor" not in back and "state_code=17" in back
    assert 'value="17" selected' in second                  # the form keeps the filter


def test_exactly_a_page_has_no_next_link_and_one_more_has(client: FlaskClient,
                                                          make: Factory) -> None:
    cast = make.cast()
    for _ in range(20):
        make.proposal({**cast, Role.SME: make.user(Role.SME)}, at=State.CONTACT)
    sign_in(client, cast[Role.PROMTEL])
    assert 'rel="next"' not in text(client.get("/proposals"))
    make.proposal({**cast, Role.SME: make.user(Role.SME)}, at=State.CONTACT)
    assert 'rel="next"' in text(client.get("/proposals"))


@pytest.mark.parametrize(("query", "message"), [
    ({"state": "nope"}, "Elija una de las opciones de la lista."),
    ({"step": "11"}, "de 1 a 10"),
    ({"step": "0"}, "de 1 a 10"),
    ({"step": "uno"}, ""),
    ({"state_code": "33"}, "Elija una de las opciones de la lista."),
    ({"technology": "<script>"}, "Elija una de las opciones de la lista."),
    ({"overdue": "quizá"}, "No es un valor sí/no válido."),
    ({"cursor": "garbage"}, "cursor"),
    ({"q": "x" * 101}, "Entre 1 y 100 caracteres"),
    ({"q": "x" * 5000}, "Entre 1 y 100 caracteres"),
    ({"q": "a\x00b"}, ""),
])
def test_bad_values_get_a_clear_message_and_never_a_500(
        client: FlaskClient, make: Factory, query: dict, message: str) -> None:
    sign_in(client, make.user(Role.PROMTEL))
    r = client.get("/proposals", query_string=query)
    assert r.status_code == 422, text(r)[:500]
    page = unescape(text(r))
    assert 'role="alert"' in page and message in page
    assert "<h1>Propuestas</h1>" in page                    # the page, not an error page
    alert = page.split('role="alert"', 1)[1].split("</div>", 1)[0]
    assert "promtel_feedback" not in alert and "fixed_wireless" not in alert   # no codes


def test_a_search_of_exactly_100_characters_is_taken(client: FlaskClient,
                                                     make: Factory) -> None:
    sign_in(client, make.user(Role.PROMTEL))
    assert client.get("/proposals", query_string={"q": "x" * 100}).status_code == 200


def test_unknown_parameters_and_an_old_page_number_are_ignored(
        client: FlaskClient, world: dict) -> None:
    sign_in(client, world["cast"][Role.PROMTEL])
    assert set(listed(client, page="3", sort="id", mine="no")) == {
        p.id for p in world["made"].values()}


def test_the_header_links_to_the_list_for_staff_and_admins_only(
        client: FlaskClient, make: Factory) -> None:
    for role in (Role.PROMTEL, Role.FOCIR, Role.ADMIN):
        sign_in(client, make.user(role))
        page = text(client.get("/notifications"))
        assert page.count('<a href="/proposals">Propuestas</a>') == 2, role   # menu and row
    sign_in(client, make.user(Role.SME))
    assert 'href="/proposals"' not in text(client.get("/notifications"))


def test_the_list_takes_the_same_statements_whatever_its_length(
        app: Flask, client: FlaskClient, make: Factory) -> None:
    """The reviewer's name, the company and the deadlines come without a statement per row."""
    cast = make.cast()
    reviewers = [make.user(Role.PROMTEL) for _ in range(3)]
    sign_in(client, cast[Role.PROMTEL])

    def count() -> int:
        with counting(app) as statements:
            r = client.get("/proposals", query_string={"overdue": "0"})
        assert r.status_code == 200
        return len(statements)

    make.proposal({**cast, Role.PROMTEL: reviewers[0]}, at=State.PROPOSAL)
    one = count()
    for i in range(15):
        make.proposal({**cast, Role.SME: make.user(Role.SME),
                       Role.PROMTEL: reviewers[i % 3]}, at=State.PROMTEL_FEEDBACK)
    assert count() == one <= 5


def test_the_queue_switches_between_everyones_and_mine(client: FlaskClient,
                                                       world: dict) -> None:
    made, cast = world["made"], world["cast"]
    sign_in(client, cast[Role.PROMTEL])

    def queued(**params: object) -> set[int]:
        r = client.get("/queue", query_string=params)
        assert r.status_code == 200
        return {int(i) for i in re.findall(r'<td><a href="/proposals/(\d+)">', text(r))}

    # Waiting on PROMTEL: the one at contact (nobody's yet) and the feedback (this reviewer's).
    assert queued() == {made["contact"].id, made["feedback"].id}
    assert queued(mine="1") == {made["feedback"].id}
    page = text(client.get("/queue"))
    assert '<strong aria-current="page">De todos</strong>' in page
    assert '<a href="/queue?mine=1">Asignadas a mí</a>' in page
    mine = text(client.get("/queue", query_string={"mine": "1", "step": "3"}))
    assert '<input type="hidden" name="mine" value="1">' in mine     # filtering keeps it
    assert '<a href="/queue?step=3">De todos</a>' in mine
    sign_in(client, world["other"])
    assert queued(mine="1") == set()
    sign_in(client, cast[Role.FOCIR])
    assert "Asignadas a mí" not in text(client.get("/queue"))


def test_the_api_list_and_queue_take_the_same_new_filters(api: ApiClient, world: dict) -> None:
    made, cast = world["made"], world["cast"]
    reviewer = cast[Role.PROMTEL]

    def ids(path: str, **query: object) -> set[int]:
        r = api.get(path, reviewer, query=query)
        assert r.status_code == 200, r.json
        return {i["id"] for i in r.json["items"]}

    assert ids("/proposals", assigned_to=world["other"].id) == {made["other"].id}
    assert ids("/queue", assigned_to=reviewer.id) == {made["feedback"].id}
    assert ids("/proposals", overdue="true") == set()           # all made today
    assert ids("/proposals", overdue="false") == {p.id for p in made.values()}
    for bad in ({"overdue": "quizá"}, {"assigned_to": "0"}, {"assigned_to": "yo"}):
        assert api.get("/proposals", reviewer, query=bad).status_code == 422, bad


def test_the_api_queue_filters_overdue_step_by_step(api: ApiClient, make: Factory) -> None:
    """The queue reads each waiting step's late proposals from its own cutoff: contact (5
    working days) 20 days ago is late, today is not; feedback (15) 20 days ago is late exactly
    when its due date, as the queue shows it, says so."""
    cast = make.cast()
    with clock_shift(timedelta(days=-20)):
        old_contact = make.proposal(cast, at=State.CONTACT)
        old_feedback = make.proposal(cast, at=State.PROMTEL_FEEDBACK)
    make.proposal(cast, at=State.CONTACT)
    reviewer = cast[Role.PROMTEL]
    everything = api.get("/queue", reviewer).json["items"]
    late = {i["id"] for i in everything if i["overdue"]}
    assert old_contact.id in late and old_feedback.id in {i["id"] for i in everything}
    found = {i["id"] for i in api.get("/queue", reviewer, query={"overdue": "true"}).json["items"]}
    assert found == late
    on_time = api.get("/queue", reviewer, query={"overdue": "false"}).json["items"]
    assert {i["id"] for i in on_time} == {i["id"] for i in everything} - late
