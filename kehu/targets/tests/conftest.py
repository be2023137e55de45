import pytest

from kehu.core.common.testing import OrganizationFactory, member, team


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def people(org):
    """销售部 with 华东 and 华西 under it; a manager of the whole department, two reps in 华东,
    one in 华西, and a rep of another department."""
    root = team(org, "销售部")
    east = team(org, "华东", parent=root)
    west = team(org, "华西", parent=root)
    other = team(org, "渠道部")
    return {
        "root": root, "east": east, "west": west, "other_team": other,
        "manager": member(org, "sales_manager", team=root),
        "a": member(org, "sales_rep", team=east),
        "b": member(org, "sales_rep", team=east),
        "c": member(org, "sales_rep", team=west),
        "outsider": member(org, "sales_rep", team=other),
    }
