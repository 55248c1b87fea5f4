"""Files for the document tests, made in code: a PDF, images, workbooks and things that are not
what their names say."""

from __future__ import annotations

import struct
import zipfile
import zlib
from io import BytesIO

from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from promtel_fin.demo import sample_pdf

PDF = sample_pdf("Acta constitutiva", "Telecom Rural, S.A. de C.V.")


def png() -> bytes:
    """A real 1x1 white PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


# The start of a JFIF file (SOI, APP0) and its end (EOI): what a JPEG's content begins with.
JPEG = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + b"\x00" * 64 + b"\xff\xd9")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML = b"<!doctype html><script>alert(document.cookie)</script>"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{main}" ContentType="{type}"/></Types>')


def _zip(parts: dict[str, str]) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def xlsx(macros: bool = False) -> bytes:
    """A minimal workbook written with zipfile: the parts an XLSX has."""
    parts = {
        "[Content_Types].xml": CONTENT_TYPES.format(
            main="xl/workbook.xml",
            type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
        "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                       'relationships"><Relationship Id="rId1" Type="http://schemas.'
                       'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
                       'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                           '2006/main"><sheets><sheet name="Flujos" sheetId="1"/></sheets>'
                           '</workbook>',
        "xl/worksheets/sheet1.xml": '<worksheet xmlns="http://schemas.openxmlformats.org/'
                                    'spreadsheetml/2006/main"><sheetData/></worksheet>',
    }
    if macros:
        parts["xl/vbaProject.bin"] = "Attribute VB_Name"
    return _zip(parts)


def docx() -> bytes:
    """A minimal Word document: a ZIP with [Content_Types].xml, but word/, not xl/."""
    return _zip({
        "[Content_Types].xml": CONTENT_TYPES.format(
            main="word/document.xml",
            type="application/vnd.openxmlformats-officedocument.wordprocessingml.document."
                 "main+xml"),
        "word/document.xml": '<w:document xmlns:w="http://schemas.openxmlformats.org/'
                             'wordprocessingml/2006/main"><w:body/></w:document>',
    })


def plain_zip() -> bytes:
    return _zip({"flujos.csv": "año,ingresos\n1,900000\n"})


def openpyxl_workbook() -> bytes:
    """A workbook as Excel users make them (openpyxl writes what Excel reads)."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Año", "Ingresos"])
    book.active.append([1, 900000])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def padded_pdf(size: int) -> bytes:
    """A PDF of exactly ``size`` bytes (a comment after its end)."""
    assert size >= len(PDF) + 2
    return PDF + b"%" + b"x" * (size - len(PDF) - 2) + b"\n"



def multipart(fields: dict[str, str], content: bytes, filename: str) -> tuple[bytes, str]:
    """Encode an upload form in memory, as the test client would: body and Content-Type.
    (The test client spools a large form to a temporary file that it never closes.)"""
    stream, _length, boundary = stream_encode_multipart(
        {**fields, "file": FileStorage(BytesIO(content), filename)}, use_tempfile=False)
    return stream.getvalue(), f"multipart/form-data; boundary={boundary}"
