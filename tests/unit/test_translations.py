"""Every message the code can show has a Spanish translation; the compiled catalogue is current."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "promtel_fin" / "translations" / "es" / "LC_MESSAGES"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "N_": None}


def _source_messages() -> set[str]:
    found: set[str] = set()
    for folder, method in (("promtel_fin", "python"), ("templates", "jinja2")):
        for _file, _line, message, _comments, _context in extract_from_dir(
                ROOT / folder, method_map=[("**.py", "python")] if method == "python"
                else [("**.html", "jinja2")], keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_in_the_code_has_a_spanish_translation() -> None:
    with open(CATALOG / "messages.po", "rb") as f:
        catalog = read_po(f)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(_source_messages() - translated)
    assert missing == [], "run `make translations` and translate:\n" + "\n".join(missing)


def test_the_compiled_catalogue_matches_the_po_file() -> None:
    with open(CATALOG / "messages.po", "rb") as f:
        catalog = read_po(f)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    with open(CATALOG / "messages.mo", "rb") as f:
        committed = read_mo(f)
    fresh = read_mo(compiled)
    assert {m.id: m.string for m in fresh if m.id} == {m.id: m.string for m in committed if m.id}
