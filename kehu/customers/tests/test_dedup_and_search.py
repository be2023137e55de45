"""Duplicate prevention (查重) and the search index."""

import pytest

from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, api_client, member
from kehu.core.search import tokens
from kehu.customers import dedup, selectors, services
from kehu.customers.tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("a", "b"), [
    ("深圳市华为技术有限公司", "深圳市华为技术股份有限公司"),
    ("深圳市华为技术有限公司", "深圳市华为技术（有限公司）"),
    ("ＡＢＣ贸易有限公司", "abc贸易"),
    ("Acme Co., Ltd.", "ACME"),
    ("Acme Inc.", "acme corporation"),
    ("阿里巴巴集团", "阿里巴巴"),
])
def test_company_names_compare_without_legal_suffix_punctuation_width_or_case(a, b):
    assert dedup.name_key(a) == dedup.name_key(b)


def test_different_companies_keep_different_keys():
    assert dedup.name_key("华为技术有限公司") != dedup.name_key("华为终端有限公司")
    assert dedup.name_key("有限公司")  # never reduced to nothing


def test_domain_key_ignores_free_mail():
    assert dedup.domain_key("https://www.huawei.com/cn/", "") == "huawei.com"
    assert dedup.domain_key("", "li@huawei.com") == "huawei.com"
    assert dedup.domain_key("", "li@qq.com") == ""


@pytest.fixture
def org():
    return OrganizationFactory()


def test_create_refuses_a_probable_duplicate_and_names_why(org):
    actor = actor_for(admin_of(org))
    existing = services.customer_create(actor=actor, values={
        "name": "深圳市华为技术有限公司", "phone": "13812345678", "website": "huawei.com"})
    with pytest.raises(services.DuplicateFound) as found:
        services.customer_create(actor=actor, values={"name": "深圳市华为技术股份有限公司"})
    assert [c.customer_id for c in found.value.candidates] == [existing.pk]
    for values in ({"name": "别名", "phone": "+86 138-1234-5678"},
                   {"name": "别名", "website": "http://www.huawei.com/x"}):
        with pytest.raises(services.DuplicateFound):
            services.customer_create(actor=actor, values=values)
    twin = services.customer_create(actor=actor, values={"name": "深圳市华为技术股份有限公司"},
                                    allow_duplicates=True)
    assert twin.pk != existing.pk


def test_a_contacts_mobile_counts_as_the_customers_phone(org):
    actor = actor_for(admin_of(org))
    customer = services.customer_create(actor=actor, values={"name": "甲公司"})
    services.contact_create(actor=actor, customer=customer,
                            values={"name": "张伟", "mobile": "139 0000 1111"})
    with pytest.raises(services.DuplicateFound):
        services.customer_create(actor=actor, values={"name": "乙公司", "phone": "13900001111"})


def test_api_answers_409_with_candidates_until_confirmed(org):
    client = api_client(admin_of(org))
    first = client.post("/api/v1/customers", {"name": "Acme Co., Ltd."}).json()
    response = client.post("/api/v1/customers", {"name": "ACME Inc"})
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "duplicate"
    assert error["candidates"][0]["customer_id"] == first["id"]
    assert error["candidates"][0]["reasons"]
    assert client.get("/api/v1/customers/duplicates", name="acme").json()[0]["customer_id"] \
        == first["id"]
    confirmed = client.post("/api/v1/customers", {"name": "ACME Inc", "confirm_duplicate": True})
    assert confirmed.status_code == 201


def test_a_rep_learns_a_colleague_has_the_customer_without_seeing_it(org):
    colleague = member(org, "sales_rep")
    CustomerFactory(organization=org, name="华为技术有限公司", owner=colleague.user)
    rep_client = api_client(member(org, "sales_rep"))
    response = rep_client.post("/api/v1/customers", {"name": "华为技术"})
    assert response.status_code == 409
    assert response.json()["error"]["candidates"][0]["owner"] == str(colleague.user)


def test_query_tokens():
    assert tokens.bigrams("华为技术") == {"华为", "为技", "技术"}
    assert tokens.query_alternatives("5678") == [(["t5678"], False), (["56", "67", "78"], False)]
    assert tokens.phone_tokens("+8613812345678") == {"t5678", "n13812345678"}


@pytest.fixture
def searchable(org):
    admin = admin_of(org)
    rep = member(org, "sales_rep")
    rows = {
        "huawei": CustomerFactory(organization=org, name="深圳市华为技术有限公司",
                                  phone="+8613812345678", owner=rep.user),
        "zte": CustomerFactory(organization=org, name="中兴通讯股份有限公司",
                               email="info@zte.com.cn", owner=admin.user),
        "person": CustomerFactory(organization=org, name="张伟", kind="person",
                                  phone="+861088886666", owner=admin.user),
    }
    ContactFactory(customer=rows["zte"], name="李华为", mobile="+8613955556789")
    CustomerFactory(organization=OrganizationFactory(), name="华为别家", phone="+8613812345678")
    return admin, rep, rows


def found(membership, q):
    return sorted(c.name for c in selectors.customer_search(actor=actor_for(membership), q=q))


@pytest.mark.parametrize(("q", "names"), [
    ("华为", ["中兴通讯股份有限公司", "深圳市华为技术有限公司"]),  # the contact 李华为 counts
    ("张伟", ["张伟"]),
    ("为技", ["深圳市华为技术有限公司"]),
    ("华为技术", ["深圳市华为技术有限公司"]),
    ("5678", ["深圳市华为技术有限公司"]),
    ("6789", ["中兴通讯股份有限公司"]),
    ("138 1234 5678", ["深圳市华为技术有限公司"]),
    ("+86 138-1234-5678", ["深圳市华为技术有限公司"]),
    ("010-88886666", ["张伟"]),
    ("INFO@zte.com.cn", ["中兴通讯股份有限公司"]),
    ("ＺＴＥ", []),
    ("中", ["中兴通讯股份有限公司"]),
    ("不存在", []),
])
def test_search_finds_by_any_two_characters_phone_tail_or_email(searchable, q, names):
    admin, _rep, _rows = searchable
    assert found(admin, q) == names


def test_search_respects_the_data_scope(searchable):
    _admin, rep, _rows = searchable
    assert found(rep, "华为") == ["深圳市华为技术有限公司"]
    assert found(rep, "张伟") == []


def test_search_follows_edits_and_deletes(searchable):
    admin, _rep, rows = searchable
    actor = actor_for(admin)
    customer = services.customer_update(actor=actor, customer=rows["person"],
                                        values={"name": "王芳"})
    assert found(admin, "张伟") == []
    assert found(admin, "王芳") == ["王芳"]
    services.customer_delete(actor=actor, customer=customer)
    assert found(admin, "王芳") == []
    services.customer_restore(actor=actor, customer=customer)
    assert found(admin, "王芳") == ["王芳"]


def test_api_search(searchable):
    admin, _rep, rows = searchable
    items = api_client(admin).get("/api/v1/customers", q="5678").json()["items"]
    assert [i["id"] for i in items] == [rows["huawei"].pk]
