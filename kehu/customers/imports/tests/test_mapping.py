"""Guessing which column goes to which field, validating and saving mappings."""

import pytest
from django.core.exceptions import ValidationError

from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of
from kehu.core.customfields import services as field_services
from kehu.customers.imports import mapping, services
from kehu.customers.imports.tests.files import csv_bytes, upload

CUSTOMER_TARGETS = mapping.targets(object_type="customers")


@pytest.mark.parametrize(("headers", "expected"), [
    (["客户名称", "手机", "邮箱", "省份", "城市", "区县", "详细地址", "行业", "来源", "级别",
      "状态", "负责人", "标签", "联系人", "联系人手机", "联系人职务", "备注"],
     ["name", "phone", "email", "province", "city", "district", "address", "industry",
      "source", "level", "status", "owner", "tags", "contact_name", "contact_mobile",
      "contact_title", "notes"]),
    (["公司名称 *", "联系电话（必填）", "E-mail", "Website", "下次跟进日期"],
     ["name", "phone", "email", "website", "next_follow_up_on"]),
    (["Customer Name", "Phone", "Owner", "Tags", "序号"],
     ["name", "phone", "owner", "tags", ""]),
    (["名称", "客户名称", "手机", "电话"], ["name", "", "phone", ""]),  # each field once
])
def test_guess_from_chinese_and_english_headers(headers, expected):
    assert mapping.guess(headers, all_targets=CUSTOMER_TARGETS) == expected


@pytest.mark.django_db
def test_custom_fields_are_found_by_label_and_key():
    org = OrganizationFactory()
    actor = actor_for(admin_of(org))
    for key, label in (("tier", "会员等级"), ("级别", "客户级别")):
        field_services.field_definition_create(actor=actor, object_type="customers.customer",
                                               key="credit" if key == "级别" else key,
                                               label=label, kind="text")
    targets = services.targets_for(organization=org, object_type="customers")
    guessed = mapping.guess(["会员等级", "TIER", "客户级别", "名称"], all_targets=targets)
    assert guessed == ["custom.tier", "", "custom.credit", "name"]


def test_a_template_wins_over_guessing():
    template = {mapping.normalize_header("编号"): "", mapping.normalize_header("单位"): "name"}
    assert mapping.guess(["编号", "单位", "电话"], all_targets=CUSTOMER_TARGETS,
                         template=template) == ["", "name", "phone"]


def test_validate_names_every_problem():
    with pytest.raises(ValidationError) as error:
        mapping.validate(["phone", "phone", "nonsense"], headers=["a", "b", "c"],
                         all_targets=CUSTOMER_TARGETS)
    messages = error.value.messages
    assert any("nonsense" in m for m in messages)
    assert any("more than one column" in m for m in messages)
    assert any("Customer name" in m for m in messages)


@pytest.mark.django_db
def test_a_saved_template_applies_to_the_next_file():
    org = OrganizationFactory()
    actor = actor_for(admin_of(org))
    data = csv_bytes([["单位全称", "号码", "序号"], ["星河科技", "13812345678", "1"]])
    job = services.import_job_create(actor=actor, file=upload("a.csv", data))
    assert job.mapping == ["", "", ""]
    services.import_job_configure(actor=actor, job=job, mapping_keys=["name", "phone", ""],
                                  save_mapping_as="ERP 导出")
    template = services.import_mapping_save(actor=actor, object_type="customers",
                                            name="ERP 导出", mapping_data={"单位全称": "name",
                                                                         "号码": "phone"})
    next_job = services.import_job_create(actor=actor, file=upload("b.csv", data),
                                          template=template)
    assert next_job.mapping == ["name", "phone", ""]
