from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from kehu.core.accounts.models import Membership
from kehu.customers import dedup, indexing
from kehu.customers.models import Contact, Customer, FollowUp


def _owner_team(organization, owner):
    if owner is None:
        return None
    membership = Membership.objects.filter(organization=organization, user=owner).first()
    return membership.team if membership else None


class CustomerFactory(DjangoModelFactory):
    """A customer row written directly (no audit, no duplicate check), but searchable:
    for setting the scene, not for testing writes. Pass `organization` and, for owned
    customers, `owner` and `team`."""

    class Meta:
        model = Customer
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试客户{n}有限公司")
    kind = Customer.Kind.COMPANY
    name_key = factory.LazyAttribute(lambda o: dedup.name_key(o.name))
    domain_key = factory.LazyAttribute(lambda o: dedup.domain_key(o.website, o.email))
    website = ""
    email = ""
    owner = None
    team = factory.LazyAttribute(lambda o: _owner_team(o.organization, o.owner))

    @factory.post_generation
    def _index(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy passes the object
        if create:
            indexing.reindex([obj.pk])


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    organization = factory.SelfAttribute("customer.organization")
    name = factory.Sequence(lambda n: f"联系人{n}")

    @factory.post_generation
    def _index(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            indexing.reindex([obj.customer_id])


class FollowUpFactory(DjangoModelFactory):
    class Meta:
        model = FollowUp

    customer = factory.SubFactory(CustomerFactory)
    organization = factory.SelfAttribute("customer.organization")
    content = factory.Sequence(lambda n: f"第{n}次电话沟通")
