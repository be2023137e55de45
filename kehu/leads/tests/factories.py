from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from kehu.core.accounts.models import Membership
from kehu.leads.models import AssignmentRule, Lead


def _owner_team(organization, owner):
    if owner is None:
        return None
    membership = Membership.objects.filter(organization=organization, user=owner).first()
    return membership.team if membership else None


class LeadFactory(DjangoModelFactory):
    """A lead row written directly (no audit): for setting the scene, not for testing writes.
    Pass `organization` and, for owned leads, `owner`."""

    class Meta:
        model = Lead

    name = factory.Sequence(lambda n: f"线索{n}")
    company = factory.Sequence(lambda n: f"线索公司{n}有限公司")
    source = Lead.Source.IMPORT
    owner = None
    team = factory.LazyAttribute(lambda o: _owner_team(o.organization, o.owner))


class RuleFactory(DjangoModelFactory):
    class Meta:
        model = AssignmentRule
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"规则{n}")
    position = factory.Sequence(lambda n: n)

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy passes the object
        if create and extracted:
            obj.members.set(extracted)
