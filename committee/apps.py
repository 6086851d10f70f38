from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class CommitteeConfig(AppConfig):
    name = "committee"
    verbose_name = _("Examination committees")

    def ready(self):
        from core import events, gates, permissions, roles

        from . import home, publication, rules, tallies

        running = {rules.Role.CHAIR, rules.Role.SECRETARY, *rules.SUBSTITUTES}
        if {str(role) for role in running} != roles.SEATS_RUNNING_THE_MEETING:
            raise ImproperlyConfigured("core.roles.SEATS_RUNNING_THE_MEETING disagrees with committee.rules.Role")
        permissions.register_seat_source(seats_of)
        home.register()
        gates.committee_decisions.answer_with(publication.decisions_to_apply)
        gates.committee_decisions_applied.answer_with(publication.decisions_applied)
        gates.held_programmes.answer_with(publication.held_programmes)
        gates.postponed_results.answer_with(publication.postponed)
        gates.committee_clusters.answer_with(clusters_of)
        events.results_recorded.connect(tallies.results_recorded, dispatch_uid="committee.tallies")


def seats_of(user):
    """The user's seats: (committee id, role), for ``core.permissions``."""
    from .models import Member

    return Member.objects.filter(user=user).values_list("committee_id", "role")


def clusters_of(committee_ids):
    """(cluster, academic year id) the committees are competent for (``core.gates.committee_clusters``)."""
    from .models import CommitteeCluster

    return CommitteeCluster.objects.filter(committee_id__in=committee_ids).values_list("cluster", "academic_year_id")
