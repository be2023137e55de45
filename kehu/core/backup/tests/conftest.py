import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """The commands speak the operator's language; these tests read their English words."""
    with translation.override("en"):
        yield
