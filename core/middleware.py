"""Middleware of the college's own."""

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
