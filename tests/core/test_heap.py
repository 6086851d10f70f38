"""The heap settled between requests (``core.middleware.HeapMiddleware``, issue 19): the garbage
collector's full collections walk what the requests make, not the application loaded once."""

import gc
import weakref

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse

from core import middleware
from core.middleware import YOUNG_THRESHOLD, HeapMiddleware, settle_heap


@pytest.fixture
def collector():
    """The collector as it was before the test: its thresholds, nothing frozen by the test."""
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


class Cycle:
    def __init__(self):
        self.me = self


def test_the_heap_is_settled_before_the_2nd_11th_101st_and_1001st_request_of_the_process(monkeypatch):
    settled_before = []
    monkeypatch.setattr(HeapMiddleware, "served", 0)
    monkeypatch.setattr(middleware, "settle_heap", lambda: settled_before.append(HeapMiddleware.served))
    response = HttpResponse("page")
    # Two handlers (the test client builds one per client): the count is the process's.
    first, second = HeapMiddleware(lambda request: response), HeapMiddleware(lambda request: response)

    answers = [(first if served % 2 else second)(object()) for served in range(1, 1201)]

    assert settled_before == [2, 11, 101, 1001]
    assert all(answer is response for answer in answers)


def test_settling_collects_the_garbage_then_freezes_what_lives(collector):
    garbage, alive = Cycle(), Cycle()
    gone = weakref.ref(garbage)
    del garbage
    frozen_before = gc.get_freeze_count()

    settle_heap()

    assert gone() is None  # collected, not frozen
    assert gc.get_freeze_count() > frozen_before
    # Frozen: a collection no longer looks at it, even once it is garbage.
    kept = weakref.ref(alive)
    del alive
    gc.collect()
    assert kept() is not None
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD == 20_000


def test_the_middleware_comes_first_and_counts_the_requests_of_the_site(client, monkeypatch, collector):
    assert settings.MIDDLEWARE[0] == "core.middleware.HeapMiddleware"
    monkeypatch.setattr(HeapMiddleware, "served", 1)
    frozen_before = gc.get_freeze_count()

    response = client.get(reverse(settings.LOGIN_URL))

    assert response.status_code == 200
    assert HeapMiddleware.served == 2
    assert gc.get_freeze_count() > frozen_before
