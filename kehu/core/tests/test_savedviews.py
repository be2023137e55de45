import pytest

from kehu.core.common.testing import OrganizationFactory, actor_for, admin_of, member
from kehu.core.savedviews import services

pytestmark = pytest.mark.django_db
AVAILABLE = ["name", "phone", "city", "owner", "custom.grade"]


def test_columns_are_remembered_per_user_and_survive_removed_fields():
    org = OrganizationFactory()
    admin, rep = actor_for(admin_of(org)), actor_for(member(org))
    default = ["name", "phone"]
    assert services.columns_for(actor=rep, object_type="customers.customer",
                                available=AVAILABLE, default=default) == default
    services.columns_save(actor=rep, object_type="customers.customer",
                          columns=["custom.grade", "name", "bogus", "name"], available=AVAILABLE)
    assert services.columns_for(actor=rep, object_type="customers.customer",
                                available=AVAILABLE, default=default) == ["custom.grade", "name"]
    assert services.columns_for(actor=admin, object_type="customers.customer",
                                available=AVAILABLE, default=default) == default
    assert services.columns_for(actor=rep, object_type="customers.customer",
                                available=["name", "phone"], default=default) == ["name"]
