from django.db import models
from django.utils.translation import gettext_lazy as _

from core.dates import show_date


class Transition(models.Model):
    """A calendar transition of the timeline (a lock, a publication, a window end),
    marked once it has been processed so that it is never processed twice."""

    key = models.CharField(_("key"), max_length=120, unique=True)
    due_on = models.DateField(_("due on"))
    processed_at = models.DateTimeField(_("processed at"), auto_now_add=True)

    class Meta:
        ordering = ["due_on", "key"]
        verbose_name = _("processed transition")
        verbose_name_plural = _("processed transitions")

    def __str__(self):
        return f"{show_date(self.due_on)} {self.key}"
