import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    # The services' refusals are matched in English here; the pages are tested in Chinese.
    with translation.override("en"):
        yield
