"""The appeals' daily e-mail writes its dates day-month-year in the reader's language
(issue 13, point 3): one appeal posted on 8 February 2024, overdue on 28 February 2024."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import translation

from appeals import services
from tests.appeals.test_services import register
from tests.support.worlds import on

D = dt.date


@pytest.mark.parametrize(("language", "subject"), [("en", "Appeals on 28/02/2024"), ("nl", "28/02/2024")])
def test_the_daily_summary_writes_day_month_year(college, settings, language, subject):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    register(college, posted_on=D(2024, 2, 8))
    with on(D(2024, 2, 28)), translation.override(language):
        services.appeals_summary_send(today=D(2024, 2, 28))
    (message,) = mail.outbox
    assert subject in message.subject
    assert "28/02/2024" in message.body
    assert "2024-02-28" not in message.subject + message.body
    assert "Feb" not in message.subject + message.body
