"""The agreement and the term sheet as PDF: a Jinja template rendered to HTML, laid out by fpdf2.

The templates (``templates/pdf/``) are Jinja like every page and include the dossier's
``_schedule.html``, so the PDF's schedule is the page's table. fpdf2 lays out a small subset of
HTML (headings, paragraphs, lists, tables without markup in their cells); ``for_fpdf`` turns the
page's conventions into it (``class="num"`` cells aligned right, wrappers and captions that
only matter on screen dropped). The text is always Spanish, as the agreement is signed in
Mexico, with dates in Mexico City's time and pesos as ``$1,234,567.89``.

Paper: US Letter (carta, what Mexican offices print on), with margins that keep every line
inside the part Letter and A4 share (210 × 279.4 mm), so it prints whole on either at 100%.
Fonts: Liberation Sans and Mono (``data/fonts``, with their licence), embedded as subsets, so
the PDF shows accents, ñ and the peso sign on any machine and its text can be extracted.
"""

from __future__ import annotations

import asyncio
import io
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, render_template
from flask_babel import force_locale
from fpdf import FPDF
from fpdf.fonts import TextStyle

from config import ConfigError

from .services.papers import Paper

FONTS = Path(__file__).resolve().parent / "data" / "fonts"
FAMILY, MONO = "liberation", "liberationmono"
PAGE_FORMAT = "letter"
# Millimetres. Letter is 215.9 × 279.4, A4 210 × 297: side margins of 22 mm leave 171.9 mm of
# text, inside A4's width with 19 mm to spare on each side; top 18 and bottom 20 keep the text
# (241.4 mm high) well inside both heights.
MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM = 22.0, 18.0, 20.0
TEMPLATES = {"agreement": "pdf/agreement.html", "terms": "pdf/terms.html"}
# Headings' bottom margins are in lines of the heading (fpdf2), the others in millimetres.
STYLES = {
    "h1": TextStyle(font_family=FAMILY, font_style="B", font_size_pt=15, t_margin=0, b_margin=0.3),
    "h2": TextStyle(font_family=FAMILY, font_style="B", font_size_pt=11.5, t_margin=4,
                    b_margin=0.2),
    "h3": TextStyle(font_family=FAMILY, font_style="B", font_size_pt=10, t_margin=3,
                    b_margin=0.2),
    "p": TextStyle(font_family=FAMILY, font_size_pt=9.5, t_margin=1, b_margin=1),
    "li": TextStyle(font_family=FAMILY, font_size_pt=9.5, l_margin=6, t_margin=0.5),
    "code": TextStyle(font_family=MONO, font_size_pt=8),
}
TEXT_FONT_PT = 9.5


class Sheet(FPDF):
    """A page with the folio and page number at its foot."""

    footer_text = ""

    def footer(self) -> None:
        self.set_y(-MARGIN_BOTTOM + 6)
        self.set_font(FAMILY, size=7.5)
        self.set_text_color(90)
        self.cell(0, 4, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)


def for_fpdf(html: str) -> str:
    """Turn the pages' HTML into the subset fpdf2 lays out (see the module's doc)."""
    html = re.sub(r"<(td|th)([^>]*?) class=\"num\"", r'<\1\2 align="right"', html)
    html = re.sub(r"<caption[^>]*>.*?</caption>", "", html, flags=re.S)
    html = re.sub(r"</?(div|span|details|summary|section)\b[^>]*>", "", html)
    html = re.sub(r"(<t[dh])\s+scope=\"[a-z]+\"", r"\1", html)
    # Whitespace between two tags would become an empty line of its own.
    return re.sub(r">\s+<", "><", html)


def render(paper: Paper) -> bytes:
    """Lay out one paper as PDF bytes, in Spanish."""
    with force_locale("es"):
        html = render_template(TEMPLATES[paper.kind], paper=paper, proposal=paper.proposal,
                               plan=paper.schedule, terms=paper.terms,
                               institutions=institutions())
        title = paper.filename.removesuffix(".pdf")
    pdf = Sheet(format=PAGE_FORMAT, unit="mm")
    for style, suffix in (("", "Regular"), ("B", "Bold"), ("I", "Italic"),
                          ("BI", "BoldItalic")):
        pdf.add_font(FAMILY, style, FONTS / f"LiberationSans-{suffix}.ttf")
    pdf.add_font(MONO, "", FONTS / "LiberationMono-Regular.ttf")
    pdf.set_margins(MARGIN_SIDE, MARGIN_TOP, MARGIN_SIDE)
    pdf.set_auto_page_break(True, margin=MARGIN_BOTTOM)
    pdf.set_title(title)
    pdf.set_author("PROMTEL / FOCIR")
    pdf.set_creator("promtel_fin")
    pdf.set_lang("es-MX")
    pdf.set_creation_date(paper.issued_at)
    pdf.footer_text = title
    pdf.add_page()
    pdf.set_font(FAMILY, size=TEXT_FONT_PT)
    pdf.write_html(for_fpdf(html), font_family=FAMILY, tag_styles=STYLES,
                   table_line_separators=True, li_prefix_color=(0, 0, 0))
    return bytes(pdf.output())


def institutions() -> dict[str, dict[str, str]]:
    """Give FOCIR's and PROMTEL's names and RFCs as configured (see the README)."""
    config = current_app.config
    return {
        "focir": {"name": config["FOCIR_LEGAL_NAME"], "rfc": config["FOCIR_RFC"]},
        "promtel": {"name": config["PROMTEL_LEGAL_NAME"], "rfc": config["PROMTEL_RFC"]},
    }


def load_seal(config: Any) -> Any:
    """Load the institutional seal (``AGREEMENT_SEAL_KEY`` and ``AGREEMENT_SEAL_CERT``, PEM or
    DER; ``AGREEMENT_SEAL_CHAIN``, the CA certificates above it; ``AGREEMENT_SEAL_PASSWORD``);
    None when it is not configured; ConfigError when it is but cannot be read."""
    key, cert = config.get("AGREEMENT_SEAL_KEY"), config.get("AGREEMENT_SEAL_CERT")
    if not key and not cert:
        return None
    if not (key and cert):
        raise ConfigError("AGREEMENT_SEAL_KEY and AGREEMENT_SEAL_CERT go together")
    from pyhanko.sign import signers  # seconds to import: only when a seal is configured
    chain = config.get("AGREEMENT_SEAL_CHAIN")
    password = config.get("AGREEMENT_SEAL_PASSWORD")
    signer = signers.SimpleSigner.load(
        key, cert, ca_chain_files=(chain,) if chain else None,
        key_passphrase=password.encode() if password else None)
    if signer is None:
        raise ConfigError(f"cannot read the agreement seal's key {key} or certificate {cert}")
    return signer


def init_app(app: Flask) -> None:
    """Load the seal at start-up, so that a seal that cannot be read stops the start."""
    app.extensions["agreement_seal"] = load_seal(app.config)


def seal(data: bytes, signer: Any) -> bytes:
    """Seal a PDF with the institution's certificate: a PAdES signature (ETSI.CAdES.detached)
    over the whole file, added as an incremental update, so the text is unchanged."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(
        field_name="SelloInstitucional", subfilter=fields.SigSeedSubFilter.PADES,
        reason="Sello institucional del convenio firmado", location="Ciudad de México")
    # pyHanko's synchronous sign_pdf calls asyncio.run(), which fails when the calling thread
    # already has an event loop running (an async server, a test driving a browser): the
    # asynchronous signer runs in its own thread with its own loop instead.
    def in_own_loop() -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        return asyncio.run(signers.async_sign_pdf(writer, meta, signer=signer)).getvalue()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(in_own_loop).result()


def download(paper: Paper) -> Response:
    """Answer a paper as a PDF attachment named by its folio; a signed agreement is sealed
    when the institution's seal is configured."""
    data = render(paper)
    signer = current_app.extensions.get("agreement_seal")
    if signer is not None and paper.kind == "agreement" and paper.signed:
        data = seal(data, signer)
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{paper.filename}"'})
