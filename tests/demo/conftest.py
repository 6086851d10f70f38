"""The appeal tests' small college, for the tests of the demo appeals."""

import pytest

from tests.support.worlds import appeals_college


@pytest.fixture
def college(db):
    return appeals_college()
