"""Settings for the test suite: the production settings with a test secret,
no HTTPS redirect (the test client speaks plain HTTP) and a fast password hasher."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
# Many tests move the clock on by days with one signed-in client: sessions last Django's default
# two weeks here. tests/core/test_security_headers.py tests the idle time with its own value and
# the production default (8 hours) from config.settings.
os.environ.setdefault("SESSION_IDLE_SECONDS", str(14 * 24 * 60 * 60))

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# django-axes stays on (its database handler, as in production); only an authenticate() without
# a request, as the test client's login() makes, gets one (tests/support/auth.py).
AUTHENTICATION_BACKENDS = ["tests.support.auth.TestClientAxesBackend", *AUTHENTICATION_BACKENDS[1:]]  # noqa: F405

# SQLite's test database is in memory (shared cache), where a thread that meets another's
# lock fails at once instead of waiting. TEST_SQLITE_FILE=1 puts it in a file in the temp
# folder (one per process; removed at the end), for the tests whose threads race on it
# (tests/progress/test_isp_race.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and env.bool(  # noqa: F405
    "TEST_SQLITE_FILE", default=False
):
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"college-test-{os.getpid()}.sqlite3")
    }

# The suite is not live for notifications whatever .env says (``make`` writes the day it was
# created there): a test that tells students goes live itself (tests/notifications/conftest.py).
NOTIFICATIONS_GO_LIVE = None
NOTIFICATIONS_DIGEST = []
