"""The personal data requests through the API and the settings page."""

import pytest

from kehu.core.audit.models import ChangeRecord
from kehu.core.common.testing import (
    OrganizationFactory,
    actor_for,
    admin_of,
    api_client,
    member,
    team,
    web_client,
)
from kehu.customers import services
from kehu.customers.models import Contact

pytestmark = pytest.mark.django_db
MOBILE, EMAIL = "13912345678", "lin.xiaoyu@example.com"


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def admin(org):
    return admin_of(org)


@pytest.fixture
def contact(org, admin):
    actor = actor_for(admin)
    customer = services.customer_create(actor=actor, values={"name": "丙丁贸易有限公司"})
    return services.contact_create(actor=actor, customer=customer,
                                   values={"name": "林小雨", "mobile": MOBILE, "email": EMAIL})


@pytest.fixture
def manager(org):
    return member(org, "sales_manager", team=team(org, "华南组"))


def test_api_preview_erase_and_repeat(admin, contact):
    client = api_client(admin)
    preview = client.get("/api/v1/privacy/preview", phone=MOBILE)
    assert preview.status_code == 200
    body = preview.json()
    assert [r["key"] for r in body["records"]] == [f"customers.contact:{contact.pk}"]
    assert body["history"] == 1

    erased = client.post("/api/v1/privacy/erase", {"phone": MOBILE, "reason": "DSR-7"})
    assert erased.status_code == 200
    assert erased.json()["records"] == [f"customers.contact:{contact.pk}"]
    assert Contact.objects.get(pk=contact.pk).mobile == ""
    assert client.get("/api/v1/privacy/preview", phone=MOBILE).json()["records"] == []

    again = client.post("/api/v1/privacy/erase", {"phone": MOBILE, "reason": "DSR-7"})
    assert again.json() == {"records": [], "counts": {}, "change_record_id": None}
    assert ChangeRecord.objects.filter(action="erase").count() == 1


def test_api_refuses_non_admins_and_requires_a_reason(admin, contact, manager):
    client = api_client(manager)
    assert client.get("/api/v1/privacy/preview", phone=MOBILE).status_code == 403
    assert client.post("/api/v1/privacy/erase",
                       {"phone": MOBILE, "reason": "x"}).status_code == 403
    assert client.get("/api/v1/privacy/export", phone=MOBILE).status_code == 403
    response = api_client(admin).post("/api/v1/privacy/erase", {"phone": MOBILE, "reason": " "})
    assert response.status_code == 422
    assert "reason" in response.json()["error"]["fields"]
    assert Contact.objects.get(pk=contact.pk).mobile == "+86" + MOBILE


def test_api_export(admin, contact):
    data = api_client(admin).get("/api/v1/privacy/export", email=EMAIL).json()
    assert [c["name"] for c in data["contacts"]] == ["林小雨"]


def test_other_organizations_are_not_searched(contact):
    stranger = api_client(admin_of(OrganizationFactory()))
    assert stranger.get("/api/v1/privacy/preview", phone=MOBILE).json()["records"] == []


def test_settings_page_lists_and_erases(admin, contact):
    client = web_client(admin)
    page = client.get("/customers/privacy/", {"phone": MOBILE})
    assert page.status_code == 200
    assert f'data-key="customers.contact:{contact.pk}"'.encode() in page.content

    refused = client.post("/customers/privacy/erase/", {"phone": MOBILE, "reason": ""})
    assert refused.status_code == 422
    assert Contact.objects.get(pk=contact.pk).mobile == "+86" + MOBILE

    done = client.post("/customers/privacy/erase/", {
        "phone": MOBILE, "reason": "DSR-8", "records": [f"customers.contact:{contact.pk}"]})
    assert done.status_code == 302
    assert Contact.objects.get(pk=contact.pk).mobile == ""
    assert client.get("/settings/audit/").status_code == 200


def test_settings_page_export_downloads_json(admin, contact):
    response = web_client(admin).get("/customers/privacy/export/", {"email": EMAIL})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "林小雨" in response.content.decode()


def test_settings_page_is_for_admins_only(manager, contact):
    client = web_client(manager)
    assert client.get("/customers/privacy/", {"phone": MOBILE}).status_code == 403
    assert client.post("/customers/privacy/erase/",
                       {"phone": MOBILE, "reason": "x",
                        "records": [f"customers.contact:{contact.pk}"]}).status_code == 403
    assert Contact.objects.get(pk=contact.pk).mobile == "+86" + MOBILE
