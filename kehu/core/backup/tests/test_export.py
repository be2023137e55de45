"""`kehu export_organization SLUG FILE.zip`: one organization's rows and files, nobody else's."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from kehu.core.accounts.models import Membership
from kehu.core.backup.tests.scene import PNG, organization_with_customers
from kehu.core.common.exports import FORMULA_START, PLAIN_NUMBER
from kehu.customers.models import Customer

pytestmark = pytest.mark.django_db

EVIL = "=cmd|' /C calc'!A0"


def read_csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    raw = archive.read(name)
    assert raw.startswith(b"\xef\xbb\xbf"), f"{name} has no BOM"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


@pytest.fixture
def exported(tmp_path):
    ours = organization_with_customers("甲方科技有限公司", ["华为技术有限公司", EVIL],
                                       attachment=True)
    theirs = organization_with_customers("乙方贸易有限公司", ["乙方的客户"], attachment=True)
    path = tmp_path / "甲方.zip"
    out = io.StringIO()
    call_command("export_organization", ours.slug, str(path), stdout=out)
    assert "Exported" in out.getvalue()
    with zipfile.ZipFile(path) as archive:
        yield archive, ours, theirs


def test_the_export_has_every_row_of_the_organization_and_none_of_another(exported):
    archive, ours, _theirs = exported
    customers = read_csv(archive, "customers.customer.csv")
    assert sorted(c["name"] for c in customers) == sorted(["华为技术有限公司", "'" + EVIL])
    assert {c["organization_id"] for c in customers} == {str(ours.pk)}
    assert len(read_csv(archive, "customers.contact.csv")) == 2
    assert len(read_csv(archive, "customers.followup.csv")) == 2
    ours_ids = {str(pk) for pk in Customer.objects.filter(organization=ours)
                .values_list("pk", flat=True)}
    tags = read_csv(archive, "customers.customer_tags.csv")
    assert {row["customer_id"] for row in tags} == ours_ids
    organization = read_csv(archive, "tenancy.organization.csv")
    assert [row["slug"] for row in organization] == [ours.slug]

    everything = "".join(archive.read(name).decode("utf-8-sig")
                         for name in archive.namelist() if name.endswith(".csv"))
    assert "乙方" not in everything
    for name in archive.namelist():
        if name.endswith(".csv"):
            for row in read_csv(archive, name):
                if "organization_id" in row:
                    assert row["organization_id"] == str(ours.pk), name

    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["organization"]["slug"] == ours.slug
    assert manifest["rows"]["customers.customer.csv"] == 2


def test_no_cell_can_run_as_a_formula(exported):
    archive, *_ = exported
    for name in archive.namelist():
        if name.endswith(".csv"):
            for row in read_csv(archive, name):
                for value in row.values():
                    assert not value.startswith(FORMULA_START) or PLAIN_NUMBER.match(value), (
                        name, value)
    contacts = read_csv(archive, "customers.contact.csv")
    assert {c["title"] for c in contacts} == {"'-经理"}
    customers = read_csv(archive, "customers.customer.csv")
    assert {c["phone"] for c in customers} == {"+8613812345678"}  # a number stays a number


def test_members_are_exported_without_passwords_and_files_come_along(exported):
    archive, ours, theirs = exported
    users = read_csv(archive, "accounts.user.csv")
    assert "password" not in users[0]
    member_emails = set(Membership.objects.filter(organization=ours)
                        .values_list("user__email", flat=True))
    assert {u["email"] for u in users} == member_emails
    assert "key_hash" not in archive.read("accounts.apitoken.csv").decode("utf-8-sig")
    attachments = read_csv(archive, "customers.attachment.csv")
    assert len(attachments) == 1
    assert archive.read(f"files/{attachments[0]['file']}") == PNG
    files = [name for name in archive.namelist() if name.startswith("files/")]
    assert files == [f"files/{attachments[0]['file']}"]
    assert f"/{theirs.pk}/" not in files[0]


def test_an_unknown_organization_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No organization"):
        call_command("export_organization", "nobody", str(tmp_path / "x.zip"))
    assert not (tmp_path / "x.zip").exists()
