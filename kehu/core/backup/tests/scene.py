"""An organization with customers, contacts, follow-ups and tags, made through the services."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, member
from kehu.core.tenancy.models import Organization
from kehu.customers import services

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def organization_with_customers(name: str, customers: list[str], *,
                                attachment: bool = False) -> Organization:
    organization = OrganizationFactory(name=name)
    rep = actor_for(member(organization, "sales_rep"))
    admin = actor_for(admin_of(organization))
    tag = services.tag_get_or_create(actor=admin, name="重点")
    for index, customer_name in enumerate(customers):
        customer = services.customer_create(
            actor=rep, values={"name": customer_name, "phone": "+8613812345678"},
            allow_duplicates=True)
        contact = services.contact_create(actor=rep, customer=customer,
                                          values={"name": f"联系人{index}", "title": "-经理"})
        files = [SimpleUploadedFile("现场.png", PNG, content_type="image/png")] if (
            attachment and index == 0) else []
        services.follow_up_create(actor=rep, customer=customer,
                                  values={"content": f"电话沟通 {index}", "contact": contact},
                                  files=files)
        services.customers_tag(actor=admin, customer_ids=[customer.pk], tags=[tag])
    return organization
