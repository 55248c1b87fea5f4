"""The transparency portal and the open data: public, Spanish first, cached, no JavaScript.

``/transparencia`` (the map, the table beside it and the pipeline), ``/transparencia/<CVE_ENT>``
(a state's signed agreements), and ``/datos/`` (the agreements as CSV, their dictionary and the
DCAT catalogue). Every answer carries ``ETag`` and ``Last-Modified`` and may be kept
``max-age`` seconds by anyone (``Cache-Control: public``) when nobody is signed in; a request
that still has the same version gets a 304 without a body.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _

from ..db import get_session
from ..domain import transparency as t
from ..domain.geography import STATE_NAMES
from ..headers import PUBLIC_MAX_AGE, public_answer
from ..services import transparency
from . import labels, mexico_map
from .filters import money

bp = Blueprint("transparency", __name__)
# Bump when the CSV, the dictionary or the catalogue change shape: their ETags change with it.
FORMAT_VERSION = "1"


def page(body: str, modified: datetime | None) -> Response:
    """A page, with an ETag of its own bytes (they depend on the language and the menu)."""
    response = Response(body, mimetype="text/html")
    if modified is not None:
        response.last_modified = modified
    response.cache_control.public = True
    response.cache_control.max_age = PUBLIC_MAX_AGE
    response.add_etag()
    return response.make_conditional(request)


def data_file(snapshot: transparency.Published, name: str, mimetype: str,
              body: Callable[[], bytes], download: str | None = None) -> Response:
    """A data file whose ETag comes from the data's stamp: a 304 costs no rendering."""
    def answer() -> Response:
        response = Response(body(), mimetype=mimetype)
        if download:
            response.headers["Content-Disposition"] = f'inline; filename="{download}"'
        return response

    return public_answer(snapshot.etag(name, FORMAT_VERSION, request.host_url),
                         snapshot.modified, answer)


def _title(figures: t.StateFigures) -> str:
    return _("%(state)s. Signed agreements: %(num)s; amount: %(amount)s",
             state=figures.name, num=figures.agreements, amount=money(figures.amount))


def legend(breaks: list) -> list[tuple[int, str]]:
    """The map's classes and what each means."""
    rows = [(0, _("No signed agreements"))]
    low = None
    for index, high in enumerate(breaks, start=1):
        rows.append((index, _("Up to %(high)s", high=money(high)) if low is None else
                     _("More than %(low)s, up to %(high)s", low=money(low), high=money(high))))
        low = high
    return rows


@bp.get("/transparencia")
def portal() -> Response:
    """The map of signed agreements by state, the same figures as a table, and the pipeline."""
    snapshot = transparency.figures(get_session())
    classes = {code: t.amount_class(s.amount, snapshot.breaks)
               for code, s in snapshot.states.items()}
    svg = mexico_map.draw(
        classes, {code: _title(s) for code, s in snapshot.states.items()},
        lambda code: url_for("transparency.state", code=code),
        _("Map of Mexico: amount financed by state"),
        _("Each state is shaded by the amount of its signed agreements; the table below gives "
          "the same figures."))
    return page(render_template(
        "transparency.html", snapshot=snapshot, map=svg, legend=legend(snapshot.breaks),
        classes=classes, kinds=labels.SITE_KINDS, map_source=mexico_map.outlines()),
        snapshot.modified)


@bp.get("/transparencia/<code>")
def state(code: str) -> Response:
    """One state's signed agreements, one by one."""
    if code not in STATE_NAMES:   # /transparencia/99, /transparencia/abc: a 404 page
        abort(404)
    snapshot, figures, agreements = transparency.state_agreements(get_session(), code)
    return page(render_template("transparency_state.html", figures=figures,
                                agreements=agreements, kinds=labels.SITE_KINDS),
                snapshot.modified)


@bp.get("/datos/acuerdos.csv")
def agreements_csv() -> Response:
    """The signed agreements as CSV, one row each (the dictionary describes the columns)."""
    snapshot, body = transparency.agreements_csv(get_session())
    return data_file(snapshot, "acuerdos.csv", "text/csv", body, "acuerdos.csv")


@bp.get("/datos/diccionario.csv")
def dictionary_csv() -> Response:
    """The data dictionary: column, type, description, unit."""
    return data_file(transparency.published_now(get_session()), "diccionario.csv",
                     "text/csv", t.dictionary_csv, "diccionario.csv")


@bp.get("/datos/catalogo.json")
def catalog() -> Response:
    """The DCAT catalogue of the open data, in JSON-LD."""
    snapshot, issued = transparency.catalog_dates(get_session())

    def body() -> bytes:
        urls = {name: url_for(endpoint, _external=True) for name, endpoint in (
            ("catalog", "transparency.catalog"), ("portal", "transparency.portal"),
            ("agreements", "transparency.agreements_csv"),
            ("dictionary", "transparency.dictionary_csv"), ("stats", "public_api.PublicStats"))}
        modified = snapshot.modified.date() if snapshot.modified else None
        document = t.catalog(urls, modified, issued())
        return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")

    return data_file(snapshot, "catalogo.json", "application/ld+json", body)
