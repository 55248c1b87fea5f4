"""Demo data drawn from the program's pilots, walked through the real services.

Every demo proposal reaches its state by the same actions a person would take, so its history
chain, revisions and signatures are genuine. Dates are spread over the past months.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .domain import efirma
from .domain.documents import PENDING, REJECTED, required_so_far
from .domain.efirma_issuer import Authority, issue, lifetime, make_authority, new_key
from .domain.workflow import STEPS, Action
from .models import Company, Proposal, User, clock_shift, utcnow
from .services import documents, users
from .services.agreement import agreement_document
from .services.efirma import DEMO_CA_FILE, demo_dir
from .services.messages import post_message
from .services.policy import current_policy
from .services.proposals import create_proposal, get_proposal
from .services.workflow import take_action
from .storage import DocumentStore, document_store

PASSWORDS = {
    "admin@demo.promtel.mx": ("admin", "Tejon-Milpa-Faro-81"),
    "revisor@demo.promtel.mx": ("promtel", "Nopal-Cometa-Guitarra-17"),
    "oficial@demo.focir.mx": ("focir", "Ocelote-Tinta-Viento-7"),
    # A second FOCIR officer: four eyes on every decision (issue 11 §5).
    "supervisora@demo.focir.mx": ("focir", "Quetzal-Marimba-Lluvia-52"),
    "morelos@demo.pyme.mx": ("sme", "Jicama-Bruma-Candil-31"),
    "chiapas@demo.pyme.mx": ("sme", "Jicama-Bruma-Candil-31"),
    "veracruz@demo.pyme.mx": ("sme", "Jicama-Bruma-Candil-31"),
}

# The demo FOCIR officer's own RFC: its e.firma names it, and signing checks that it does.
OFFICER_RFC = "LOVA800101A15"
# Every demo e.firma key (.key) opens with this password (it is in the README).
EFIRMA_PASSWORD = "12345678a"
# Who gets demo e.firma files: file stem, the RFC its certificate names (a company's, then its
# representative's), the CURP, the SAT certificate number.
EFIRMAS: dict[str, tuple[str, str, str | None, str | None, str]] = {
    "oficial@demo.focir.mx": ("oficial-focir", OFFICER_RFC, None, "LOVA800101HDFPLR09",
                              "30001000000500000001"),
    "morelos@demo.pyme.mx": ("fibra-rural-de-morelos", "FMR180605CD1", "RAMA750315A18",
                             "RAMA750315MMSMRN08", "30001000000500000002"),
    "chiapas@demo.pyme.mx": ("conectividad-satelital-de-los-altos", "CSA190312AB2",
                             "GOLM800101B20", "GOLM800101HCSMPR07", "30001000000500000003"),
    "veracruz@demo.pyme.mx": ("redes-comunitarias-de-huayacocotla", "RHU200110EF4",
                              "HELJ820720C39", "HELJ820720HVZRPS03", "30001000000500000004"),
}

COMPANIES = {
    "morelos@demo.pyme.mx": dict(
        legal_name="Fibra Rural de Morelos, S.A. de C.V.", rfc="FMR180605CD1",
        ift_registration="IFT/UCS/DG-AUTEL/0123/2019", state_code="17", municipality_key="17027",
        address="Calle Hidalgo 12, Tetecala, Morelos", legal_rep_name="Ana María Ramírez Mendoza",
        legal_rep_curp="RAMA750315MMSMRN08", contact_name="Ana María Ramírez",
        contact_email="morelos@demo.pyme.mx", contact_phone="751 123 4567"),
    "chiapas@demo.pyme.mx": dict(
        legal_name="Conectividad Satelital de los Altos, S.A. de C.V.", rfc="CSA190312AB2",
        ift_registration="IFT/UCS/DG-AUTEL/0456/2020", state_code="07", municipality_key="07109",
        address="Av. Central 45, Yajalón, Chiapas", legal_rep_name="Miguel Gómez López",
        legal_rep_curp="GOLM800101HCSMPR07", contact_name="Miguel Gómez",
        contact_email="chiapas@demo.pyme.mx", contact_phone="919 674 0011"),
    "veracruz@demo.pyme.mx": dict(
        legal_name="Redes Comunitarias de Huayacocotla, S.C.", rfc="RHU200110EF4",
        ift_registration="IFT/UCS/DG-AUTEL/0789/2021", state_code="30", municipality_key="30072",
        address="Plaza Principal s/n, Huayacocotla, Veracruz",
        legal_rep_name="José Hernández Pérez",
        legal_rep_curp="HELJ820720HVZRPS03", contact_name="José Hernández",
        contact_email="veracruz@demo.pyme.mx", contact_phone="774 758 0022"),
}

PROJECTS: dict[str, dict[str, Any]] = {
    "ftth": dict(
        title="Fibra al hogar en Cuautitla y Cuauchichinola",
        summary="Troncal de fibra óptica de 15 km y red de distribución FTTH de 5 km; Internet y "
                "telefonía 4.5G para dos comunidades de Tetecala y Mazatepec.",
        technology="ftth",
        localities=[
            {"name": "Cuautitla", "inegi_key": "170270003", "population": 1850},
            {"name": "Cuauchichinola", "inegi_key": "170160004", "population": 1320},
        ],
        social_sites=[
            {"kind": "school", "name": "Escuela Primaria Benito Juárez", "locality": "Cuautitla"},
            {"kind": "health_centre", "name": "Centro de Salud Cuauchichinola",
             "locality": "Cuauchichinola"},
        ],
        requested_amount="4500000.00", term_months=40, grace_months=6,
        amortization_method="level",
        guarantees=[{"kind": "real_estate", "description": "Terreno y caseta de la cabecera",
                     "value": "10000000.00"}],
        flows=[("2900000", "1200000", "4800000", "50000"),
               ("4000000", "1350000", "200000", "350000"),
               ("4300000", "1400000", "150000", "420000"),
               ("4500000", "1450000", "150000", "470000"),
               ("4700000", "1500000", "150000", "500000")],
    ),
    "satellite": dict(
        title="Conectividad satelital en Hidalgo Joshil y San Jerónimo Tulijá",
        summary="Estaciones satelitales VSAT con puntos de acceso comunitarios para servicios "
                "financieros e Internet en localidades indígenas de Yajalón y Chilón.",
        technology="satellite",
        localities=[
            {"name": "Hidalgo Joshil", "inegi_key": "071090012", "population": 1480,
             "priority_zone": True},
            {"name": "San Jerónimo Tulijá", "inegi_key": "070310145", "population": 1930,
             "priority_zone": True},
        ],
        social_sites=[
            {"kind": "school", "name": "Telesecundaria Hidalgo Joshil",
             "locality": "Hidalgo Joshil"},
            {"kind": "civic_square", "name": "Plaza cívica de San Jerónimo",
             "locality": "San Jerónimo Tulijá"},
        ],
        requested_amount="3200000.00", term_months=36, grace_months=6,
        amortization_method="equal_principal",
        guarantees=[{"kind": "movable_property", "description": "Equipo VSAT y antenas",
                     "value": "2500000.00"},
                    {"kind": "cash_deposit", "description": "Garantía líquida",
                     "value": "1000000.00"}],
        flows=[("1500000", "650000", "3400000", "20000"),
               ("2300000", "800000", "120000", "150000"),
               ("2500000", "850000", "100000", "200000"),
               ("2700000", "900000", "100000", "240000"),
               ("2800000", "950000", "100000", "260000")],
    ),
    "wifi": dict(
        title="Puntos WiFi con datos prepagados en Huayacocotla",
        summary="Red de puntos de acceso WiFi con enlace satelital y fichas de datos prepagadas "
                "para la cabecera y tres comunidades serranas.",
        technology="wifi_hotspots",
        localities=[
            {"name": "Huayacocotla", "inegi_key": "300720001", "population": 6200},
            {"name": "Palo Bendito", "inegi_key": "300720035", "population": 980},
        ],
        social_sites=[
            {"kind": "library", "name": "Biblioteca Pública Municipal", "locality": "Huayacocotla"},
            {"kind": "school", "name": "Escuela Primaria Palo Bendito", "locality": "Palo Bendito"},
        ],
        requested_amount="1800000.00", term_months=30, grace_months=3,
        amortization_method="level",
        guarantees=[{"kind": "personal_guarantee", "description": "Aval de los socios",
                     "value": "3000000.00"}],
        flows=[("1100000", "380000", "1900000", "20000"),
               ("1500000", "520000", "80000", "90000"),
               ("1650000", "560000", "60000", "120000"),
               ("1750000", "590000", "60000", "150000"),
               ("1800000", "610000", "60000", "170000")],
    ),
}

# (company e-mail, project, variant title, where it ends (a key of STEPS_TO), days ago it began)
PLAN: list[tuple[str, str, str, str, int]] = [
    ("morelos@demo.pyme.mx", "ftth", "", "contact", 3),
    ("chiapas@demo.pyme.mx", "satellite", " (segunda etapa)", "proposal", 8),
    ("veracruz@demo.pyme.mx", "wifi", "", "promtel_feedback", 20),
    ("morelos@demo.pyme.mx", "ftth", " (ampliación a Coatetelco)", "update", 30),
    ("chiapas@demo.pyme.mx", "satellite", "", "promtel_verification", 45),
    ("veracruz@demo.pyme.mx", "wifi", " (Palo Bendito)", "focir_presentation", 60),
    ("morelos@demo.pyme.mx", "ftth", " (Mazatepec centro)", "focir_feedback", 75),
    ("chiapas@demo.pyme.mx", "satellite", " (Tila)", "promtel_opinion", 90),
    ("veracruz@demo.pyme.mx", "wifi", " (Zontecomatlán)", "focir_decision", 105),
    ("morelos@demo.pyme.mx", "ftth", " (Tetecala norte)", "agreement", 120),
    ("chiapas@demo.pyme.mx", "satellite", " (Sitalá)", "sme_signs", 130),
    ("veracruz@demo.pyme.mx", "wifi", " (Tlachichilco)", "signed", 160),
    ("morelos@demo.pyme.mx", "ftth", " (Miacatlán)", "focir_requests_changes", 100),
    ("chiapas@demo.pyme.mx", "satellite", " (Chilón)", "rejected", 70),
    ("veracruz@demo.pyme.mx", "wifi", " (Ilamatlán)", "withdrawn", 50),
    ("morelos@demo.pyme.mx", "ftth", " (Cuautlita)", "decision_pending", 110),
]
# A few messages in the threads: (goal of the proposal, author, body).
MESSAGES: list[tuple[str, str, str]] = [
    ("promtel_feedback", "sme", "¿Necesitan la carta de la presidencia municipal antes de la "
                                "retroalimentación?"),
    ("promtel_feedback", "promtel", "Sí, por favor adjúntela; la revisamos esta semana."),
]
SECOND_FOCIR = "supervisora@demo.focir.mx"

# More signed agreements, in other states, so that the transparency portal shows a real map:
# five more SMEs (same password as the others) and two more agreements of the first three. They
# are walked to "signed" by the same plan and path as every other demo proposal.
_PORTAL_SMES = [
    # (e-mail, legal name, RFC, municipality key, town, project, title, amount, localities, sites)
    ("oaxaca@demo.pyme.mx", "Telecomunicaciones Comunitarias de la Mixteca, S.A. de C.V.",
     "TCM170410K73", "20397", "Santiago Juxtlahuaca", "wifi",
     "Puntos WiFi comunitarios en la Mixteca", "2600000.00",
     [("San Martín Peras", "203970021", 1350), ("Coicoyán de las Flores", "203970045", 940)],
     [("school", "Telebachillerato San Martín Peras", "San Martín Peras"),
      ("health_centre", "Casa de Salud Coicoyán", "Coicoyán de las Flores")]),
    ("puebla@demo.pyme.mx", "Enlaces Serranos de Puebla, S.A. de C.V.", "ESP160822K75",
     "21186", "Tlatlauquitepec", "ftth", "Fibra al hogar en la Sierra Nororiental",
     "6800000.00",
     [("Mazatepec", "211860012", 2100), ("Xonocuautla", "211860030", 1650)],
     [("school", "Escuela Secundaria Técnica 45", "Mazatepec"),
      ("library", "Biblioteca Comunitaria Xonocuautla", "Xonocuautla")]),
    ("guerrero@demo.pyme.mx", "Conecta Montaña de Guerrero, S.A. de C.V.", "CMG180915K71",
     "12041", "Malinaltepec", "satellite", "Conectividad satelital en la Montaña de Guerrero",
     "3900000.00",
     [("Iliatenco", "120410008", 1780), ("Paraje Montero", "120410027", 1120)],
     [("school", "Escuela Primaria Bilingüe Iliatenco", "Iliatenco"),
      ("civic_square", "Plaza cívica de Paraje Montero", "Paraje Montero")]),
    ("hidalgo@demo.pyme.mx", "Red Huasteca de Hidalgo, S.A. de C.V.", "RHH190203K70",
     "13028", "Huejutla de Reyes", "ftth", "Fibra óptica para comunidades de la Huasteca",
     "8500000.00",
     [("Tehuetlán", "130280041", 2300), ("Chililico", "130280015", 2450)],
     [("school", "Escuela Primaria Tehuetlán", "Tehuetlán"),
      ("health_centre", "Centro de Salud Chililico", "Chililico"),
      ("library", "Biblioteca Pública Chililico", "Chililico")]),
    ("yucatan@demo.pyme.mx", "Internet Maya del Oriente, S.A. de C.V.", "IMO200517K79",
     "31102", "Valladolid", "wifi", "Puntos WiFi en comisarías de Valladolid", "1500000.00",
     [("Popolá", "311020034", 1600), ("Xocén", "311020070", 2050)],
     [("school", "Escuela Primaria Xocén", "Xocén"),
      ("civic_square", "Parque de Popolá", "Popolá")]),
]
for _n, (_email, _name, _rfc, _mun, _town, _base, _title, _amount, _places, _sites) in \
        enumerate(_PORTAL_SMES):
    PASSWORDS[_email] = ("sme", "Jicama-Bruma-Candil-31")
    COMPANIES[_email] = dict(
        legal_name=_name, rfc=_rfc, ift_registration=f"IFT/UCS/DG-AUTEL/{1010 + _n}/2022",
        state_code=_mun[:2], municipality_key=_mun, address=f"Domicilio conocido, {_town}",
        contact_email=_email)
    PROJECTS[_email] = {
        **PROJECTS[_base], "title": _title, "requested_amount": _amount,
        "summary": f"Proyecto de conectividad rural de {_name}.",
        "localities": [{"name": a, "inegi_key": k, "population": p} for a, k, p in _places],
        "social_sites": [{"kind": k, "name": a, "locality": loc} for k, a, loc in _sites]}
    PLAN.append((_email, _email, "", "signed", 180 + 45 * _n))
    # Their e.firma names the company's RFC only (no representative's RFC or CURP on file).
    EFIRMAS[_email] = (_email.split("@")[0], _rfc, None, None, f"3000100000050000{_n + 10:04d}")
PLAN.append(("morelos@demo.pyme.mx", "ftth", " (Tetecala centro)", "signed", 300))
PLAN.append(("chiapas@demo.pyme.mx", "satellite", " (Yajalón)", "signed", 240))

# The actions that take a new proposal to each goal: the state it ends at (steps 1 to 10 along
# the happy path), or a named ending (signatures, FOCIR's request for changes, final states).
STEPS_TO: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
_path: list[tuple[str, str, dict[str, Any]]] = [
    ("promtel", "acknowledge_contact", {}),
    ("sme", "submit_proposal", {}),
    ("promtel", "give_feedback", {"comment": "Documente la demanda esperada por localidad y "
                                             "separe la inversión del primer año."}),
    ("sme", "submit_update", {}),
    ("promtel", "verify", {"comment": "Proyecto verificado; cifras consistentes."}),
    ("promtel", "present_to_focir", {"comment": "PROMTEL respalda el proyecto por su "
                                                "componente social y cobertura rural."}),
    ("focir", "give_feedback", {"comment": "Bancable; acreditar garantías en el siguiente paso."}),
    ("promtel", "give_opinion", {"opinion": "favourable",
                                 "comment": "Viable: flujos positivos desde el segundo año."}),
    ("focir", "approve", {}),
    ("focir_second", "confirm_decision", {}),
]
for _i, _state in enumerate(STEPS):
    STEPS_TO[str(_state)] = _path[:_i]
STEPS_TO["agreement"] = _path
STEPS_TO["decision_pending"] = _path[:-1]   # approved by one officer, awaiting the second
STEPS_TO["sme_signs"] = [*_path, ("sme", "sign", {})]
STEPS_TO["signed"] = [*_path, ("sme", "sign", {}), ("focir", "sign", {})]
STEPS_TO["focir_requests_changes"] = [
    *_path[:6], ("focir", "request_changes", {"comment": "Actualice las garantías: el avalúo "
                                                         "del terreno tiene más de un año."})]
STEPS_TO["rejected"] = [
    *_path[:3], ("sme", "submit_update", {}),
    ("promtel", "reject", {"reason": "La zona ya cuenta con cobertura de Red Compartida."})]
STEPS_TO["withdrawn"] = [*_path[:2], ("sme", "withdraw", {"comment": "La empresa decidió "
                                                                      "financiarse con recursos "
                                                                      "propios."})]


def _pdf_text(line: str) -> bytes:
    escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return escaped.encode("cp1252", "replace")


def sample_pdf(*lines: str) -> bytes:
    """Make a small, valid one-page PDF (Letter) with a few lines of Helvetica text: the demo's
    documents, and the tests'. The cross-reference table holds each object's byte offset."""
    text = b"BT /F1 12 Tf 72 720 Td 16 TL " + b" ".join(
        b"(" + _pdf_text(line) + b") '" for line in lines or ("Documento de prueba",)) + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _document(project: str, suffix: str) -> dict[str, Any]:
    spec = dict(PROJECTS[project])
    flows = spec.pop("flows")
    spec["title"] = spec["title"] + suffix
    spec["requested_amount"] = Decimal(spec["requested_amount"])
    spec["guarantees"] = [{**g, "value": Decimal(g["value"])} for g in spec["guarantees"]]
    spec["localities"] = [{"priority_zone": False, **loc} for loc in spec["localities"]]
    spec["credit_history"] = {"bureau_score": 690, "report_date": date.today() - timedelta(days=20)}
    spec["cash_flows"] = [
        {"year": i + 1, **{k: Decimal(v) for k, v in zip(("revenue", "opex", "capex", "taxes"),
                                                            row, strict=True)}}
        for i, row in enumerate(flows)
    ]
    return spec


def _params(proposal_id: int, action: str, params: dict[str, Any], session: Session,
            actor: User) -> dict[str, Any]:
    if action == "approve":
        doc = get_proposal(session, actor, proposal_id)
        return {"terms": {"amount": doc.requested_amount, "annual_rate": Decimal("0.10"),
                          "vat_rate": Decimal("0.16"), "term_months": doc.term_months,
                          "grace_months": doc.grace_months, "method": doc.amortization_method},
                "comment": "Aprobado en los términos solicitados."}
    return dict(params)


def _pem_key(key: Any) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def demo_authority(folder: Path) -> Authority:
    """The demo CA kept in ``folder`` (made on first use): trusted outside production only."""
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / DEMO_CA_FILE, folder / "demo-ca-key.pem"
    if cert_path.is_file() and key_path.is_file():
        key = serialization.load_pem_private_key(key_path.read_bytes(), None)
        return Authority(efirma.read_certificate(cert_path.read_bytes()), key)  # type: ignore[arg-type]
    start, end = lifetime(utcnow(), years=10, back_days=800)
    authority = make_authority("AC DEMO promtel_fin (NO ES DEL SAT)", new_key(), start, end)
    key_path.write_bytes(_pem_key(authority.key))
    key_path.chmod(0o600)
    cert_path.write_bytes(authority.certificate.public_bytes(serialization.Encoding.PEM))
    return authority


def demo_efirma_files(folder: Path | None = None) -> dict[str, tuple[Path, Path]]:
    """Make (once) the demo CA and each demo person's e.firma: ``STEM.cer`` (DER) and
    ``STEM.key`` (encrypted as the SAT does, password ``EFIRMA_PASSWORD``). Answers e-mail →
    (.cer, .key)."""
    folder = folder or demo_dir()
    authority = demo_authority(folder)
    files = {}
    for email, (stem, rfc, representative, curp, number) in EFIRMAS.items():
        cer, key = folder / f"{stem}.cer", folder / f"{stem}.key"
        if not (cer.is_file() and key.is_file()):
            private = new_key()
            name = str(COMPANIES.get(email, {}).get("legal_name", "Oficial de crédito FOCIR"))
            start, end = lifetime(utcnow())
            cert = issue(authority, private.public_key(), name=name.upper(), rfc=rfc,
                         representative_rfc=representative, curp=curp, number=number,
                         not_before=start, not_after=end)
            cer.write_bytes(efirma.der(cert))
            key.write_bytes(efirma.encrypt_key_like_sat(private, EFIRMA_PASSWORD))
        files[email] = (cer, key)
    return files


def sign_agreement(session: Session, actor: User, proposal_id: int) -> Any:
    """Sign a demo agreement as ``actor`` (a demo SME or the demo officer) with its demo
    e.firma, through every real check: the one way the demo signs (call it for more)."""
    cer, key_file = demo_efirma_files()[actor.email]
    text = agreement_document(session, actor, proposal_id)["cadena_original"]
    key = efirma.read_private_key(key_file.read_bytes(), EFIRMA_PASSWORD)
    current = get_proposal(session, actor, proposal_id)
    return take_action(session, actor, proposal_id, Action.SIGN, current.version,
                       {"terms_sha256": current.terms_sha256, "certificate": cer.read_bytes(),
                        "signature": efirma.sign(key, text)})


def _upload(session: Session, store: DocumentStore, proposal: Proposal, actor: User, kind: str,
            label: str, note: str) -> None:
    pdf = sample_pdf(label, proposal.company.legal_name, proposal.folio, note)
    documents.upload(session, store, actor, proposal.id, kind, f"{label}.pdf", BytesIO(pdf),
                     len(pdf))


def _papers(session: Session, store: DocumentStore, proposal: Proposal, role: str,
            actor: User, action: str) -> None:
    """File the checklist's papers as the steps need them, each a small PDF made here: the
    company uploads its documents before it submits; PROMTEL reviews them before its feedback
    (sending the financial statements back once) and accepts what waits before it verifies;
    the company uploads again what was rejected; FOCIR files its credit memo before it
    approves."""
    policy = current_policy(session)
    current = [d for d in documents.proposal_documents(session, proposal.id) if d.is_current]
    if action == "submit_proposal":
        for item in required_so_far(policy.checklist, Action.SUBMIT_PROPOSAL):
            if item.uploaded_by == role:
                _upload(session, store, proposal, actor, item.kind, item.label_es,
                        "Documento de demostración")
    elif action == "submit_update":
        for row in current:
            item = policy.item(row.kind)
            if row.status == REJECTED and item is not None and item.uploaded_by == role:
                _upload(session, store, proposal, actor, row.kind, item.label_es,
                        "Versión corregida")
    elif action in ("give_feedback", "verify") and role == "promtel":
        for row in current:
            if row.status != PENDING:
                continue
            if action == "give_feedback" and row.kind == "financial_statements":
                documents.review(session, actor, proposal.id, row.id, REJECTED,
                                 "Faltan las notas a los estados financieros del segundo "
                                 "ejercicio.")
            else:
                documents.review(session, actor, proposal.id, row.id, "accepted",
                                 "Cotejado con el original.")
    elif action == "approve":
        memo = policy.item("focir_credit_memo")
        if memo is not None and memo.uploaded_by == role:
            _upload(session, store, proposal, actor, memo.kind, memo.label_es,
                    "Riesgo aceptable; garantías suficientes.")


def seed(session: Session, if_empty: bool = False,
         store: DocumentStore | None = None) -> Iterator[str]:
    """Create the demo users and proposals; yield lines for the terminal. Documents go to
    ``store`` (by default the app's, under DOCUMENTS_DIR)."""
    store = store or document_store()
    if if_empty and session.scalar(select(func.count()).select_from(User)):
        yield "demo data already present; nothing done"
        return
    people: dict[str, User] = {}
    for email, (role, password) in PASSWORDS.items():
        company = None
        if email in COMPANIES:
            company = Company(**COMPANIES[email])
            session.add(company)
        key = "focir_second" if email == SECOND_FOCIR else role if role != "sme" else email
        people[key] = users.create_user(
            session, email, password, role, name=email.split("@")[0].title(), company=company)
    people["focir"].rfc = OFFICER_RFC
    session.commit()
    files = demo_efirma_files()
    for email, project, suffix, goal, days_ago in PLAN:
        sme = people[email]
        actors = {"sme": sme, "promtel": people["promtel"], "focir": people["focir"],
                  "focir_second": people["focir_second"]}
        start = timedelta(days=-days_ago)
        with clock_shift(start):
            proposal = create_proposal(session, sme, _document(project, suffix))
        steps = STEPS_TO[goal]
        for index, (role, action, params) in enumerate(steps):
            # Spread the steps over the time since the start, leaving the current one waiting.
            moment = start + timedelta(days=days_ago * (index + 1) / (len(steps) + 1))
            with clock_shift(moment):
                actor = actors[role]
                _papers(session, store, proposal, role, actor, action)
                if action == Action.SIGN:
                    sign_agreement(session, actor, proposal.id)
                    continue
                current = get_proposal(session, actor, proposal.id)
                take_action(session, actor, proposal.id, Action(action), current.version,
                            _params(proposal.id, action, params, session, actor))
        for at, role, body in MESSAGES:
            if at == goal:
                post_message(session, actors[role], proposal.id, body)
        if goal == "proposal":   # the company is still gathering its papers: four of nine
            with clock_shift(timedelta(days=-1)):
                papers = [i for i in current_policy(session).checklist if i.uploaded_by == "sme"]
                for item in papers[:4]:
                    _upload(session, store, proposal, sme, item.kind, item.label_es,
                            "Documento de demostración")
        yield f"proposal {proposal.id}: {proposal.title} -> {goal}"
    yield ""
    yield "Demo users (e-mail / password / role):"
    for email, (role, password) in PASSWORDS.items():
        yield f"  {email:28} {password:26} {role}"
    yield ""
    yield f"Demo e.firma files (.cer, .key; every key's password: {EFIRMA_PASSWORD}):"
    for email, (cer, key) in files.items():
        yield f"  {email:28} {cer}  {key.name}"
