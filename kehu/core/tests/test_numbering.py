from __future__ import annotations

import pytest
from django.db import transaction

from kehu.core.common.testing import OrganizationFactory
from kehu.core.numbering.services import next_number

pytestmark = pytest.mark.django_db


def test_numbers_count_up_per_organization_and_kind():
    first, other = OrganizationFactory(), OrganizationFactory()
    a = next_number(organization=first, key="quote", prefix="QT")
    b = next_number(organization=first, key="quote", prefix="QT")
    assert a.endswith("-00001") and b.endswith("-00002") and a.startswith("QT-")
    assert next_number(organization=first, key="order", prefix="SO").endswith("-00001")
    assert next_number(organization=other, key="quote", prefix="QT").endswith("-00001")


def test_a_rolled_back_document_gives_its_number_back():
    org = OrganizationFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        next_number(organization=org, key="quote", prefix="QT")
        raise RuntimeError
    assert next_number(organization=org, key="quote", prefix="QT").endswith("-00001")
