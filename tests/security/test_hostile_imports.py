"""Hostile import files get a clear error that names the problem, without exhausting memory
(peak under 200 MB, measured with tracemalloc) and without writing anything: a zip bomb, a
header of millions of columns, a 10 MB cell, binary garbage, an empty file (files in UTF-16,
UTF-32 or GB18030 are read as text). Both importers are tried: customers
(`import_job_create`) and leads (`lead_import`)."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
import zlib

import pytest
from django.core.files import File
from django.utils import translation
from openpyxl import Workbook

from kehu.core.common.errors import DomainError
from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of
from kehu.customers.imports import services as import_services
from kehu.customers.models import Customer, ImportJob
from kehu.leads import imports as lead_imports
from kehu.leads.models import Lead

pytestmark = pytest.mark.django_db

PEAK_LIMIT = 200 * 1024 * 1024


@pytest.fixture
def actor(db):
    return actor_for(admin_of(OrganizationFactory()))


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _replace_parts(data: bytes, parts: dict[str, bytes]) -> bytes:
    source, buffer = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, parts.get(info.filename, source.read(info)))
    return buffer.getvalue()


def _zip_bomb_xlsx(inflated_gb: float = 1.1) -> bytes:
    """A real workbook whose shared strings (which openpyxl loads whole) inflate to over 1 GB
    from about 1 MB: one deflate block of 1 MB of "A" repeated, written as raw zip records."""
    chunk = b"A" * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    count = int(inflated_gb * 1024)
    head, tail = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' \
                 b"<si><t>", b"</t></si></sst>"
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    raw += block * count
    raw += compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(chunk) * count + len(tail)
    base = zipfile.ZipFile(io.BytesIO(_xlsx([["名称"], ["x"]])))
    parts = [(i.filename, base.read(i)) for i in base.infolist()
             if i.filename != "xl/sharedStrings.xml"]
    entries = [(name, zlib.compress(content, 9)[2:-4], zlib.crc32(content), len(content))
               for name, content in parts]
    entries.append(("xl/sharedStrings.xml", raw, crc, size))
    return _raw_zip(entries)


def _raw_zip(entries) -> bytes:
    body, directory = bytearray(), bytearray()
    for name, raw, crc, size in entries:
        encoded = name.encode()
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(raw), size,
                            len(encoded), 0) + encoded + raw
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc,
                                 len(raw), size, len(encoded), 0, 0, 0, 0, 0,
                                 offset) + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries),
                      len(directory), len(body), 0)
    return bytes(body + directory + end)


def _dimension_claim_xlsx() -> bytes:
    data = _xlsx([["名称", "电话"], ["甲公司", "13800138000"]])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    return _replace_parts(data, {"xl/worksheets/sheet1.xml": sheet.replace(
        b'<dimension ref="A1:B2"/>', b'<dimension ref="A1:XFD1048576"/>')})


def _wide_xlsx_header() -> bytes:
    data = _xlsx([["名称"], ["甲公司"]])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    far = b'<c r="XFD1" t="inlineStr"><is><t>far</t></is></c></row>'
    return _replace_parts(data, {"xl/worksheets/sheet1.xml": sheet.replace(b"</row>", far, 1)})


HOSTILE = {
    # name: (file name, content builder, words the (English) message must contain)
    "empty": ("客户.csv", lambda: b"", "empty"),
    "binary": ("客户.csv", lambda: bytes(range(256)) * 4000, "binary"),
    "2,000,000 columns": ("客户.csv", lambda: "名称".encode() + b"," * 2_000_000 + b"x\n",
                          "columns"),
    "10 MB cell": ("客户.csv", lambda: "名称\n".encode() + b"x" * (10 << 20) + b"\n",
                   "cannot be read"),
    "XFD column": ("客户.xlsx", _wide_xlsx_header, "columns"),
    "zip bomb": ("客户.xlsx", _zip_bomb_xlsx, "unpacks"),
    "not a workbook": ("客户.xlsx", lambda: b"PK\x03\x04" + b"\x00" * 100, "workbook"),
}


def _measure(call):
    tracemalloc.start()
    try:
        with translation.override("en"):
            try:
                call()
            except DomainError as exc:
                return exc, tracemalloc.get_traced_memory()[1]
        return None, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("case", HOSTILE)
def test_customer_import_refuses_a_hostile_file_clearly(actor, case):
    name, build, words = HOSTILE[case]
    data = build()
    error, peak = _measure(lambda: import_services.import_job_create(
        actor=actor, file=File(io.BytesIO(data), name=name), name=name))
    assert error is not None and error.status == 422, case
    assert words in error.message, error.message
    assert peak < PEAK_LIMIT, peak
    assert not ImportJob.objects.exists() and not Customer.objects.exists()


@pytest.mark.parametrize("case", HOSTILE)
def test_lead_import_refuses_a_hostile_file_clearly(actor, case):
    name, build, words = HOSTILE[case]
    data = build()
    error, peak = _measure(lambda: lead_imports.lead_import(
        actor=actor, file_name=name.replace("客户", "线索"), data=data, max_bytes=0))
    assert error is not None and error.status == 422, case
    assert words in error.message, error.message
    assert peak < PEAK_LIMIT, peak
    assert not Lead.objects.exists()


@pytest.mark.parametrize("encoding", ["utf-32", "utf-16", "gb18030", "utf-8-sig"])
def test_a_file_in_another_encoding_is_read_as_text(actor, encoding):
    data = "名称,电话\n甲公司,13800138000\n".encode(encoding)
    job = import_services.import_job_create(
        actor=actor, file=File(io.BytesIO(data), name="客户.csv"), name="客户.csv")
    assert job.headers == ["名称", "电话"]


def test_a_sheet_that_claims_the_largest_size_is_read_as_it_is(actor):
    data = _dimension_claim_xlsx()
    job, peak = None, 0
    tracemalloc.start()
    try:
        job = import_services.import_job_create(
            actor=actor, file=File(io.BytesIO(data), name="客户.xlsx"), name="客户.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert job.headers == ["名称", "电话"]
    assert peak < PEAK_LIMIT


def test_the_bomb_is_small_on_disk_and_really_inflates_past_a_gigabyte():
    data = _zip_bomb_xlsx()
    part = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/sharedStrings.xml")
    assert len(data) < 3 << 20
    assert part.file_size > 1 << 30
    with zipfile.ZipFile(io.BytesIO(data)).open(part) as handle:
        assert handle.read(80).startswith(b"<sst")
