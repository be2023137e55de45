import pytest
from django.utils import translation

from kehu.bi.tests.scene import EVIL, build


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def ours(db):
    return build("甲方科技有限公司", ["华为技术有限公司", EVIL])


@pytest.fixture
def theirs(db):
    return build("乙方贸易有限公司", ["乙方的客户"], amount="1.00")
