import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """Messages in English, the source language (the translations change independently)."""
    with translation.override("en"):
        yield
