"""What the public sees: figures of signed agreements by state, the pipeline, and open data.

Plain Python: the services gather the figures in SQL (GROUP BY) and hand them here; this module
says what each figure means (working days, medians, the approval rate, the map's classes), and
writes the open data (the CSV of agreements, its dictionary, the DCAT catalogue). The open data is
in Spanish only, as Mexico's open-data portal publishes it: its columns and their descriptions
never change with the reader's language, so a download is the same file for everyone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .geography import STATE_NAMES
from .proposal import SOCIAL_SITE_KINDS
from .workflow import STEPS

CENT = Decimal("0.01")
# The map's shading: states without agreements, then this many classes of financed amount.
AMOUNT_CLASSES = 4


@dataclass(frozen=True)
class StateFigures:
    """Signed agreements of one state (or the country): how many, how much, whom they reach."""

    code: str
    agreements: int = 0
    amount: Decimal = Decimal("0.00")
    localities: int = 0
    population: int = 0
    sites: Mapping[str, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return STATE_NAMES.get(self.code, "")

    def sites_of(self, kind: str) -> int:
        return self.sites.get(kind, 0)


@dataclass(frozen=True)
class StepFigures:
    """One step of the process: proposals there now, and the median time a visit took."""

    state: str
    step: int
    proposals: int
    median_working_days: Decimal | None
    visits: int


@dataclass(frozen=True)
class Pipeline:
    steps: tuple[StepFigures, ...]
    finished: Mapping[str, int]          # signed, rejected, withdrawn
    in_process: int
    approved: int
    rejected: int
    approval_rate: Decimal | None


@dataclass(frozen=True)
class Agreement:
    """A signed agreement, published one by one (companies are legal persons: no personal data)."""

    folio: str
    company: str
    title: str
    state_code: str
    municipality_key: str | None
    technology: str | None
    amount: Decimal
    term_months: int | None
    grace_months: int | None
    annual_rate: Decimal | None
    signed_on: date
    locality_keys: tuple[str, ...]
    localities: int
    population: int
    sites: Mapping[str, int]


def sum_figures(code: str, states: Iterable[StateFigures]) -> StateFigures:
    """Add up states' figures (the country's totals)."""
    items = list(states)
    sites: dict[str, int] = {}
    for s in items:
        for kind, n in s.sites.items():
            sites[kind] = sites.get(kind, 0) + n
    return StateFigures(code, sum(s.agreements for s in items),
                        sum((s.amount for s in items), Decimal("0.00")),
                        sum(s.localities for s in items), sum(s.population for s in items),
                        sites)


def working_days(start_weekday: int, calendar_days: int) -> int:
    """Count the working days (Monday to Friday) after a start day, up to the end day included.

    ``start_weekday`` is 0 for Monday to 6 for Sunday. The same day is 0; from a Friday to the
    next Monday is 1. Public holidays are not subtracted (see the README).
    """
    weeks, rest = divmod(max(calendar_days, 0), 7)
    extra = sum(1 for k in range(1, rest + 1) if (start_weekday + k) % 7 < 5)
    return weeks * 5 + extra


def median(histogram: Mapping[int, int]) -> Decimal | None:
    """Give the median of values given as ``{value: how many}`` (None when there are none)."""
    total = sum(n for n in histogram.values() if n > 0)
    if total == 0:
        return None
    wanted = [(total - 1) // 2, total // 2]      # the middle one, or the two middle ones
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        count = histogram[value]
        for position in wanted[len(found):]:
            if seen <= position < seen + count:
                found.append(value)
        seen += count
        if len(found) == 2:
            break
    return (Decimal(found[0] + found[1]) / 2).quantize(Decimal("0.1"), ROUND_HALF_UP)


def approval_rate(approved: int, rejected: int) -> Decimal | None:
    """Approved over decided: proposals FOCIR approved over those approved or rejected.

    Proposals still in process and withdrawn ones are not decided, so they do not count. A
    fraction with four decimals (0.7500 is 75%), None before any decision.
    """
    decided = approved + rejected
    if decided == 0:
        return None
    return (Decimal(approved) / decided).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def amount_breaks(amounts: Iterable[Decimal]) -> list[Decimal]:
    """Give the upper bounds of the map's classes: equal parts of the largest amount."""
    top = max((a for a in amounts if a > 0), default=Decimal(0))
    if top <= 0:
        return []
    return [(top * k / AMOUNT_CLASSES).quantize(CENT, ROUND_HALF_UP)
            for k in range(1, AMOUNT_CLASSES + 1)]


def amount_class(amount: Decimal, breaks: Sequence[Decimal]) -> int:
    """Give a state's class: 0 without agreements, then 1 to AMOUNT_CLASSES."""
    if amount <= 0 or not breaks:
        return 0
    for index, bound in enumerate(breaks, start=1):
        if amount <= bound:
            return index
    return len(breaks)


def step_number(state: str) -> int:
    return [str(s) for s in STEPS].index(state) + 1


# --- open data -------------------------------------------------------------------------------

SITE_COLUMNS = {"school": "ESCUELAS", "health_centre": "CENTROS_SALUD",
                "library": "BIBLIOTECAS", "civic_square": "PLAZAS_CIVICAS"}
assert set(SITE_COLUMNS) == set(SOCIAL_SITE_KINDS)

# (column, type, description, unit): the dictionary, and the order of the CSV's columns.
DICTIONARY: tuple[tuple[str, str, str, str], ...] = (
    ("FOLIO", "texto", "Folio del acuerdo: PF-AAAA-NNNNN (año de la propuesta y número).", ""),
    ("EMPRESA", "texto", "Razón social de la empresa acreditada (persona moral).", ""),
    ("PROYECTO", "texto", "Título del proyecto financiado.", ""),
    ("CVE_ENT", "texto", "Clave INEGI de la entidad federativa del domicilio registrado de la "
     "empresa, dos dígitos con cero a la izquierda (01 a 32). El acuerdo se cuenta en esta "
     "entidad en el mapa y en las cifras por entidad.", ""),
    ("NOM_ENT", "texto", "Nombre de la entidad federativa (CVE_ENT).", ""),
    ("CVE_MUN", "texto", "Clave INEGI del municipio del domicilio registrado de la empresa, "
     "tres dígitos con ceros a la izquierda; vacía si la empresa no la registró.", ""),
    ("CVE_LOC", "texto", "Claves geoestadísticas INEGI de las localidades atendidas, de nueve "
     "dígitos cada una (entidad 2, municipio 3, localidad 4), separadas por | en el orden de la "
     "propuesta; vacía si no se registró ninguna.", ""),
    ("NUM_LOCALIDADES", "entero", "Número de localidades atendidas.", "localidades"),
    ("POBLACION_CUBIERTA", "entero", "Suma de la población de las localidades atendidas, según "
     "la propuesta.", "personas"),
    ("TECNOLOGIA", "texto", "Tecnología: ftth (fibra al hogar), fixed_wireless (inalámbrico "
     "fijo), small_cells (celdas pequeñas), wifi_hotspots (puntos WiFi), satellite (satelital), "
     "other (otra).", ""),
    ("MONTO_APROBADO", "decimal", "Monto del crédito aprobado por FOCIR, con punto decimal y dos "
     "decimales, sin separador de miles.", "pesos mexicanos (MXN)"),
    ("PLAZO_MESES", "entero", "Plazo del crédito aprobado.", "meses"),
    ("GRACIA_MESES", "entero", "Periodo de gracia aprobado.", "meses"),
    ("TASA_ANUAL", "decimal", "Tasa de interés anual aprobada, como fracción (0.10 es 10 %), "
     "sin IVA.", "fracción anual"),
    ("FECHA_FIRMA", "fecha", "Fecha de firma del acuerdo: cuando firmó la última de las dos "
     "partes (la empresa y FOCIR), en la zona horaria de la Ciudad de México, ISO 8601 "
     "(AAAA-MM-DD).", ""),
    ("ESCUELAS", "entero", "Escuelas atendidas (sitios de compromiso social).", "sitios"),
    ("CENTROS_SALUD", "entero", "Centros de salud atendidos.", "sitios"),
    ("BIBLIOTECAS", "entero", "Bibliotecas atendidas.", "sitios"),
    ("PLAZAS_CIVICAS", "entero", "Plazas cívicas atendidas.", "sitios"),
)
COLUMNS = tuple(name for name, *_rest in DICTIONARY)
LICENCE_NAME = "Libre Uso MX"
LICENCE_URL = "https://datos.gob.mx/libreusomx"


def _plain(value: Decimal | None, places: str = "0.01") -> str:
    if value is None:
        return ""
    return str(Decimal(value).quantize(Decimal(places), ROUND_HALF_UP))


def agreement_row(a: Agreement) -> list[str]:
    """One CSV row: strings as the dictionary says (keys keep their leading zeros)."""
    municipality = a.municipality_key[2:] if a.municipality_key else ""
    return [a.folio, a.company, a.title, a.state_code, STATE_NAMES.get(a.state_code, ""),
            municipality, "|".join(a.locality_keys), str(a.localities), str(a.population),
            a.technology or "", _plain(a.amount),
            "" if a.term_months is None else str(a.term_months),
            "" if a.grace_months is None else str(a.grace_months),
            "" if a.annual_rate is None else format(a.annual_rate, "f"),
            a.signed_on.isoformat(),
            *(str(a.sites.get(kind, 0)) for kind in SITE_COLUMNS)]


def _csv(rows: Iterable[Sequence[str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def agreements_csv(agreements: Iterable[Agreement]) -> bytes:
    """The signed agreements as CSV (RFC 4180, UTF-8 without BOM, CRLF), one row each."""
    return _csv([COLUMNS, *(agreement_row(a) for a in agreements)])


def dictionary_csv() -> bytes:
    """The data dictionary as CSV: column, type, description, unit."""
    return _csv([("columna", "tipo", "descripcion", "unidad"), *DICTIONARY])


def catalog(urls: Mapping[str, str], modified: date | None, issued: date | None) -> dict:
    """The DCAT catalogue (JSON-LD) of the open data, as datos.gob.mx harvests it.

    ``urls`` holds absolute addresses: ``catalog``, ``portal``, ``agreements``, ``dictionary``,
    ``stats``.
    """
    day = (modified or date.today()).isoformat()
    licence = {"@id": LICENCE_URL, "dct:title": LICENCE_NAME}
    publisher = {"@type": "foaf:Organization",
                 "foaf:name": "Fondo de Capitalización e Inversión del Sector Rural (FOCIR) y "
                              "Promtel (Promotor de Inversiones en Telecomunicaciones)"}

    def distribution(key: str, title: str, description: str, media: str, fmt: str) -> dict:
        return {"@type": "dcat:Distribution", "@id": urls[key], "dct:title": title,
                "dct:description": description, "dcat:downloadURL": urls[key],
                "dcat:accessURL": urls[key], "dcat:mediaType": media, "dct:format": fmt,
                "dct:license": licence, "dct:modified": day}

    return {
        "@context": {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
                     "foaf": "http://xmlns.com/foaf/0.1/",
                     "vcard": "http://www.w3.org/2006/vcard/ns#"},
        "@id": urls["catalog"], "@type": "dcat:Catalog",
        "dct:title": "Datos abiertos del financiamiento PROMTEL/FOCIR",
        "dct:description": "Acuerdos de financiamiento firmados para conectividad rural.",
        "dct:publisher": publisher, "dct:language": "es", "dct:license": licence,
        "dct:modified": day, "foaf:homepage": {"@id": urls["portal"]},
        "dcat:dataset": [{
            "@type": "dcat:Dataset", "@id": urls["portal"],
            "dct:identifier": "promtel-focir-acuerdos-firmados",
            "dct:title": "Acuerdos de financiamiento firmados para conectividad rural",
            "dct:description": "Cada acuerdo firmado entre una PyME de telecomunicaciones y "
                               "FOCIR: empresa, entidad, municipio y localidades atendidas, "
                               "tecnología, monto aprobado, plazo, fecha de firma y sitios de "
                               "compromiso social (escuelas, centros de salud, bibliotecas y "
                               "plazas cívicas). Las propuestas en proceso solo se publican en "
                               "cifras agregadas.",
            "dcat:keyword": ["conectividad", "telecomunicaciones", "rural", "financiamiento",
                             "PROMTEL", "FOCIR"],
            "dcat:theme": "Infraestructura",
            "dct:publisher": publisher,
            "dcat:contactPoint": {"@type": "vcard:Organization",
                                  "vcard:fn": "PROMTEL / FOCIR",
                                  "vcard:hasURL": urls["portal"]},
            "dct:issued": (issued or modified or date.today()).isoformat(),
            "dct:modified": day, "dct:language": "es",
            "dct:accrualPeriodicity": "http://purl.org/cld/freq/continuous",
            "dct:spatial": "México", "dct:license": licence,
            "dcat:landingPage": {"@id": urls["portal"]},
            "dcat:distribution": [
                distribution("agreements", "Acuerdos firmados (CSV)",
                             "Un renglón por acuerdo firmado; columnas en el diccionario.",
                             "text/csv", "CSV"),
                distribution("dictionary", "Diccionario de datos (CSV)",
                             "Columna, tipo, descripción y unidad de cada columna.",
                             "text/csv", "CSV"),
                distribution("stats", "Cifras agregadas (JSON)",
                             "Acuerdos por entidad y avance de las propuestas por paso.",
                             "application/json", "JSON"),
            ],
        }],
    }
