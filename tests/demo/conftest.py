"""The appeal tests' small college, for the tests of the demo appeals."""

import pytest

from tests.appeals.conftest import build


@pytest.fixture
def college(db, django_user_model):
    return build(django_user_model)
