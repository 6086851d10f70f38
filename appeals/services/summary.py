"""The daily summary of the appeals to follow up, e-mailed to student administration. What
it holds is a read: ``appeals.selectors.appeals_summary``."""

import datetime

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from ..selectors import appeals_summary, day_text, summary_recipients


def appeals_summary_send(*, today: datetime.date) -> int:
    """E-mail the daily summary to student administration; nothing when there is nothing to
    follow up. Returns the number of recipients."""
    summary = appeals_summary(today=today)
    recipients = summary_recipients()
    if summary.empty or not recipients:
        return 0
    subject = _("Appeals on %(day)s: %(overdue)s overdue, %(soon)s due soon") % {
        "day": day_text(today),
        "overdue": len(summary.overdue),
        "soon": len(summary.due_soon),
    }
    body = render_to_string("appeals/summary_email.txt", {"summary": summary})
    send_mail(subject, body, None, recipients)
    return len(recipients)
