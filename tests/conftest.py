import pytest


@pytest.fixture(autouse=True)
def _english(settings):
    """Tests assert English messages; the Dutch translation is tested on its own."""
    settings.LANGUAGE_CODE = "en"
