"""Mexico's states as inline SVG, drawn on the server and shaded by a class per state.

The outlines come from ``promtel_fin/data/mexico_map.json``, an adaptation of @svg-maps/mexico
(CC BY 4.0; see ``data/NOTICE.mexico_map.md``). The package names states with its own ids;
``CVE_ENT`` below maps each to INEGI's two-digit code, explicitly, since neither the ids' order
(alphabetical in English) nor their names match INEGI's numbering.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..domain.geography import STATE_NAMES

DATA = Path(__file__).resolve().parents[1] / "data" / "mexico_map.json"
CVE_ENT = {
    "agu": "01", "bcn": "02", "bcs": "03", "cam": "04", "coa": "05", "col": "06", "chp": "07",
    "chh": "08", "cmx": "09", "dur": "10", "gua": "11", "gro": "12", "hid": "13", "jal": "14",
    "mex": "15", "mic": "16", "mor": "17", "nay": "18", "nle": "19", "oax": "20", "pue": "21",
    "que": "22", "roo": "23", "slp": "24", "sin": "25", "son": "26", "tab": "27", "tam": "28",
    "tla": "29", "ver": "30", "yuc": "31", "zac": "32",
}


@cache
def outlines() -> dict[str, Any]:
    """The map's data file: viewBox, source, licence and each state's id, name and path."""
    return json.loads(DATA.read_text(encoding="utf-8"))


def draw(classes: Mapping[str, int], titles: Mapping[str, str], link: Callable[[str], str],
         title: str, description: str) -> Markup:
    """Draw the map: each state a link to ``link(CVE_ENT)``, class ``q{n}``, with its <title>.

    ``classes`` and ``titles`` are keyed by CVE_ENT; a state's <title> is what a pointer shows
    for it, and its link's name for a screen reader. The map is a group of links, not an image
    (an image's content is not interactive: axe's nested-interactive).
    """
    data = outlines()
    parts = [f'<svg viewBox="{data["viewBox"]}" class="map" role="group" '
             f'aria-labelledby="map-t map-d" xmlns="http://www.w3.org/2000/svg">'
             f'<title id="map-t">{escape(title)}</title><desc id="map-d">{escape(description)}'
             f'</desc>']
    for state in data["states"]:
        code = CVE_ENT[state["id"]]
        name = titles.get(code) or STATE_NAMES[code]
        parts.append(f'<a href="{escape(link(code))}" aria-label="{escape(name)}">'
                     f'<path class="q{classes.get(code, 0)}" '
                     f'd="{state["path"]}"><title>{escape(name)}</title></path></a>')
    parts.append("</svg>")
    return Markup("".join(parts))
