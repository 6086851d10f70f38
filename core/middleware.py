"""Middleware of the college's own."""

import gc

from core import clock

# The session's last renewal (a Unix time), kept in the session itself.
RENEWED_KEY = "_renewed_at"
# A session is renewed at most this often (seconds): an idle session ends between
# SESSION_IDLE_SECONDS minus this and SESSION_IDLE_SECONDS after the last request.
RENEW_EVERY = 60


def _now() -> int:
    return int(clock.now().timestamp())


class SessionIdleMiddleware:
    """An idle session ends, an active one goes on.

    A stored session expires ``SESSION_COOKIE_AGE`` (the ``SESSION_IDLE_SECONDS`` setting) after
    it was last saved. For a signed-in user this saves it again after a request once a minute
    has passed since the last renewal (or the login, ``renewed_on_login``), which moves its
    expiry on; without a database write on every request, as ``SESSION_SAVE_EVERY_REQUEST``
    would make. Placed after ``SessionMiddleware``, which saves the session on the way out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = _now()
            if now - session.get(RENEWED_KEY, 0) >= RENEW_EVERY:
                session[RENEWED_KEY] = now
        return response


def renewed_on_login(sender, request, user, **kwargs):
    """``user_logged_in``: a login saves the session anyway; the minute counts from there
    (connected in ``CoreConfig.ready``)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[RENEWED_KEY] = _now()


# The requests of a process before which its heap is settled (``HeapMiddleware``): after the
# first page (Django's URLs and the page's templates loaded), after the first ten pages, the
# first hundred and the first thousand (the templates of the pages visited by then).
SETTLE_BEFORE = frozenset({2, 11, 101, 1001})
# A young collection after this many new objects (Python's default: 700), set at the first
# settling: a page of the admin makes some 100,000, so with the default a young collection ran
# 13 times a request and promoted the objects the request was still using to the older
# generations, whose collections then walked them again.
YOUNG_THRESHOLD = 20_000


def settle_heap() -> None:
    """Collect what is garbage, then hand every object still alive to the permanent generation
    (``gc.freeze``): the cyclic garbage collector no longer walks them. The young generation
    is collected every ``YOUNG_THRESHOLD`` new objects from then on."""
    gc.collect()
    gc.freeze()
    _young, *older = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, *older)


class HeapMiddleware:
    """The garbage collector walks what requests create, not the application loaded once.

    Python's cyclic garbage collector makes a full collection now and then (on the admin's
    change page of an enrolment, every 10 to 15 requests), which walks every object of the
    process: Django, the apps, the URL patterns, the compiled templates, the translations, some
    200,000 objects. On this 2-core machine that took 85 to 105 ms, on top of the request that
    happened to trigger it: the p95 of the admin's change pages at 250,000 students was that
    collection (issue 19). Before the process's 2nd, 11th, 101st and 1001st request
    (``SETTLE_BEFORE``) the objects alive, by then nearly all loaded for good, are frozen
    (``settle_heap``): a full collection then walks only what was made since, 7 to 20 ms here.

    Each freeze follows a collection, so no garbage is frozen; what the requests keep alive
    at that moment (their request object) stays in memory: four requests' worth in a process's
    life. The count is the process's (a class attribute): the test client builds a handler and
    its middleware for each client, as a server's process does once. First in ``MIDDLEWARE``,
    so that the previous request is over when it settles.
    """

    served = 0  # the requests this process has received

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        HeapMiddleware.served += 1
        if HeapMiddleware.served in SETTLE_BEFORE:
            settle_heap()
        return self.get_response(request)
