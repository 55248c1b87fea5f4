"""A few SQL statements per request, the same whatever the proposal's size.

Every statement the app's engine sends is counted (``before_cursor_execute``), the sign-in
lookup included: reading a proposal takes at most 3, its dossier page at most 5, a workflow
action at most 9 (the history's locked heads and sealed entry among them), for a small
proposal and for a big one alike (300 localities and sites, 100 guarantees, 83 history
entries (18 of them its documents' uploads and reviews), 14 revisions).

A workflow action was 8 until issue 11: its notifications must be written in the same
transaction (the outbox), and that costs one statement, an INSERT ... SELECT from users that
picks the recipients and writes every notification at once, whatever their number. Nothing
cheaper writes a row, so the limit grew by exactly that one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from promtel_fin.domain.workflow import Role, State
from promtel_fin.models import Proposal, User
from promtel_fin.services import loading
from promtel_fin.services.loading import Extras
from promtel_fin.services.proposals import get_proposal, update_proposal

from ..factories import Factory, proposal_document
from .conftest import ApiClient
from .pages import sign_in

DETAIL, DOSSIER, TRANSITION = 3, 5, 9


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    """Collect the SQL statements the app sends inside the block."""
    statements: list[str] = []
    engine = app.extensions["engine"]

    def listen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def big_document() -> dict[str, Any]:
    """Give a proposal with many parts: 300 localities and sites, 100 guarantees (the most)."""
    return proposal_document(
        localities=[{"name": f"Localidad {i}", "inegi_key": f"{170270000 + i}",
                     "population": 100 + i} for i in range(300)],
        social_sites=[{"kind": "school", "name": f"Escuela {i}", "locality": f"Localidad {i}"}
                      for i in range(300)],
        guarantees=[{"kind": "real_estate", "description": f"Predio {i}",
                     "value": "100000.00"} for i in range(100)])


def grow(make: Factory, cast: dict[Role, User], proposal: Proposal, rounds: int) -> None:
    """Take a proposal at step 5 round the changes loop: PROMTEL asks for changes, the SME
    edits three times and submits (a revision), so that its history and revisions pile up; it
    ends at step 5 again."""
    for i in range(rounds):
        make.act(proposal.id, cast[Role.PROMTEL], "request_changes", comment=f"Ronda {i}.")
        for j in range(3):
            current = get_proposal(make.session, cast[Role.SME], proposal.id)
            update_proposal(make.session, cast[Role.SME], proposal.id, current.version,
                            {"title": f"Red rural, ronda {i}.{j}"})
        make.act(proposal.id, cast[Role.SME], "submit_update")


@pytest.fixture
def proposals(make: Factory) -> dict[str, tuple[dict[Role, User], Proposal]]:
    """Give a small and a big proposal, each at PROMTEL's verification (step 5)."""
    small_cast, big_cast = make.cast(), make.cast()
    small = make.proposal(small_cast, at=State.PROMTEL_VERIFICATION)
    big = make.proposal(big_cast, at=State.PROMTEL_VERIFICATION, **{
        k: v for k, v in big_document().items() if k != "title"})
    grow(make, big_cast, big, 12)
    return {"small": (small_cast, small), "big": (big_cast, big)}


def _count(app: Flask, call: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
    """Count the statements of one request, made by ``call(*args, **kwargs)``."""
    with counting(app) as statements:
        response = call(*args, **kwargs)
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]
    return len(statements)


def _check_it_is_big(proposals: dict, api: ApiClient) -> None:
    """Check that the big proposal has what the module says."""
    cast, big = proposals["big"]
    detail = api.get(f"/proposals/{big.id}", cast[Role.PROMTEL]).json
    assert (len(detail["localities"]), len(detail["social_sites"]),
            len(detail["guarantees"])) == (300, 300, 100)
    history = api.get(f"/proposals/{big.id}/history", cast[Role.PROMTEL]).json
    # 65 steps and edits, and the nine documents' uploads and acceptances.
    assert len(history["items"]) == 83 and history["next"] is None
    revisions = api.get(f"/proposals/{big.id}/revisions", cast[Role.PROMTEL]).json
    assert len(revisions) == 14


def test_reads_take_few_statements_whatever_the_size(
        app: Flask, api: ApiClient, client: FlaskClient, proposals: dict) -> None:
    """Reading a proposal takes at most 3, its dossier page at most 5; the same for both."""
    counts: dict[str, dict[str, int]] = {}
    for size, (cast, proposal) in proposals.items():
        for role in (Role.SME, Role.PROMTEL):
            api.headers(cast[role])  # the token is made outside the count
        counts[size] = {
            "detail as sme": _count(app, api.get, f"/proposals/{proposal.id}", cast[Role.SME]),
            "detail as promtel": _count(app, api.get, f"/proposals/{proposal.id}",
                                        cast[Role.PROMTEL]),
        }
        sign_in(client, cast[Role.PROMTEL])
        counts[size]["dossier"] = _count(app, client.get, f"/proposals/{proposal.id}")
    assert counts["small"] == counts["big"], counts
    assert counts["big"]["detail as sme"] <= DETAIL, counts
    assert counts["big"]["detail as promtel"] <= DETAIL, counts
    assert counts["big"]["dossier"] <= DOSSIER, counts
    _check_it_is_big(proposals, api)


def test_the_dossier_of_a_proposal_at_contact_lists_reviewers_in_the_same_statements(
        app: Flask, client: FlaskClient, make: Factory) -> None:
    cast = make.cast()
    proposal = make.proposal(cast, at=State.CONTACT)
    sign_in(client, cast[Role.PROMTEL])
    with counting(app) as statements:
        page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert f'<option value="{cast[Role.PROMTEL].id}" selected>' in page
    assert len(statements) <= DOSSIER


# (role, action, params) around the changes loop, and the agreement's signatures.
ACTIONS = [
    (Role.PROMTEL, "request_changes", {"comment": "Ajuste el flujo del año 2."}),
    (Role.SME, "submit_update", {}),                    # freezes a revision
    (Role.PROMTEL, "verify", {}),
]


def test_a_transition_takes_at_most_9_statements(
        app: Flask, api: ApiClient, proposals: dict) -> None:
    counts: dict[str, list[int]] = {}
    for size, (cast, proposal) in proposals.items():
        for role, action, params in ACTIONS:
            user = cast[role]
            version = api.get(f"/proposals/{proposal.id}", user).json["version"]
            counts.setdefault(size, []).append(_count(
                app, api.post, f"/proposals/{proposal.id}/transitions", user,
                json={"action": action, "version": version, **params}))
    assert counts["small"] == counts["big"], counts
    assert max(counts["big"]) <= TRANSITION, counts


def test_acknowledging_and_signing_take_at_most_9_statements(
        app: Flask, api: ApiClient, make: Factory) -> None:
    cast = make.cast()
    fresh = make.proposal(cast, at=State.CONTACT)
    agreed = make.proposal(cast, at=State.AGREEMENT)
    steps = [(fresh, Role.PROMTEL, "acknowledge_contact",
              {"reviewer_id": make.user(Role.PROMTEL).id}),
             (agreed, Role.SME, "sign", {"terms_sha256": agreed.terms_sha256}),
             (agreed, Role.FOCIR, "sign", {"terms_sha256": agreed.terms_sha256})]
    for proposal, role, action, params in steps:
        version = api.get(f"/proposals/{proposal.id}", cast[role]).json["version"]
        if action == "sign":   # the e.firma signature, made before the request counted
            params = {**params, **api.efirma(proposal.id, cast[role])}
        count = _count(app, api.post, f"/proposals/{proposal.id}/transitions", cast[role],
                       json={"action": action, "version": version, **params})
        # Signing reads one thing more: the approval (its note and officer), which the
        # agreement's cadena original names and the e.firma signature covers.
        assert count <= TRANSITION + (action == "sign"), (action, count)
    assert api.get(f"/proposals/{agreed.id}", cast[Role.SME]).json["state"] == "signed"


@pytest.mark.parametrize("scope", ["all", "presented", "company", "none"])
def test_the_proposal_loader_statements_are_compiled_once(scope: str) -> None:
    """Can SQLAlchemy cache each of the loader's statements (compiling them anew on every
    request costs more than running them)?"""
    for extras in (Extras(), Extras(policy=True), Extras(policy=True, latest_revision=True),
                   Extras(policy=True, latest_revision=True, documents=True),
                   Extras(policy=True, history="latest", feedback=True, revisions=True),
                   Extras(policy=True, history="until", feedback=True, revisions=True)):
        statement, _names, _latest = loading._statement(scope, extras)
        assert statement._generate_cache_key() is not None, extras
