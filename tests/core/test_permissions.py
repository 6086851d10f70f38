"""The scope object of ``core.permissions``: read once per request, from the assignments
that ``programmes`` registers, and the same answers for every persona as the URL walk
(tests/test_permissions.py) expects of the pages."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured

from core import permissions, roles
from core.permissions import Capability, requires, scope
from programmes.models import AssignmentRole

C = Capability


def fresh(user):
    """The same user as a new request loads it: nothing cached."""
    return user.__class__.objects.get(pk=user.pk)


@pytest.mark.parametrize("persona", ["coach", "ombudsperson", "substitute", "committee", "administration"])
def test_groups_and_assignments_are_read_once_per_request(coach_world, django_assert_num_queries, persona):
    user = fresh(getattr(coach_world, persona))
    # One query for the groups with the assignments; the examination committee and the
    # ombudspersons may hold a seat on a committee (Art. 68): one more for the seats.
    with_seats = persona in ("committee", "ombudsperson", "substitute")
    with django_assert_num_queries(1 + with_seats):
        first = scope(user)
        for capability in Capability:
            first.has(capability)
        second = scope(user)
        second.has(C.STUDENT_PAGES)
        second.sees(coach_world.programme.pk, coach_world.year.pk)
        second.writes(coach_world.programme.pk, coach_world.year.pk)
        second.students_q("enrolments__")
        second.requests_q("isp_line__enrolment__")
    assert second is first


def test_a_superuser_costs_no_query(coach_world, django_assert_num_queries):
    user = fresh(coach_world.admin)
    with django_assert_num_queries(0):
        assert all(scope(user).has(capability) for capability in Capability)


def test_anonymous_and_inactive_users_have_nothing(coach_world, django_assert_num_queries):
    inactive = fresh(coach_world.administration)
    inactive.is_active = False
    with django_assert_num_queries(0):
        for user in (AnonymousUser(), inactive):
            assert not any(scope(user).has(capability) for capability in Capability)
            assert not scope(user).sees(coach_world.programme.pk, coach_world.year.pk)


def test_without_an_assignment_source_the_scope_refuses_to_guess(coach_world, monkeypatch):
    monkeypatch.setattr(permissions, "_assignment_source", None)
    with pytest.raises(ImproperlyConfigured, match="assignment source"):
        scope(fresh(coach_world.coach))
    with pytest.raises(ImproperlyConfigured):
        scope(fresh(coach_world.administration))


def test_the_programmes_app_registers_its_assignments():
    from programmes.selectors import assignments_of

    assert permissions.assignment_source() is assignments_of


def test_the_assignment_roles_are_core_s_values():
    assert set(AssignmentRole.values) == set(roles.ASSIGNMENT_ROLES)
    assert (AssignmentRole.COACH, AssignmentRole.OMBUDSPERSON, AssignmentRole.SUBSTITUTE) == roles.ASSIGNMENT_ROLES


# persona -> the capabilities it has (the module docstring of core.permissions)
HAS = {
    "coach": {C.SIGNED_IN, C.STUDENT_PAGES, C.ISP_WRITE},
    "other_coach": {C.SIGNED_IN, C.STUDENT_PAGES, C.ISP_WRITE},
    # An ombudsperson of a programme sees its fraud files (Art. 84).
    "ombudsperson": {C.SIGNED_IN, C.STUDENT_PAGES, C.OMBUDS_PAGES, C.OMBUDS_WRITE, C.FRAUD_PAGES},
    "substitute": {C.SIGNED_IN, C.STUDENT_PAGES, C.OMBUDS_PAGES, C.OMBUDS_WRITE, C.FRAUD_PAGES},
    "committee": {
        C.SIGNED_IN,
        C.STUDENT_PAGES,
        C.OMBUDS_PAGES,
        C.APPEAL_REGISTER,
        C.COMMITTEE_APPEALS,
        C.MARK_CORRECTIONS,
    },
    "administration": set(Capability) - {C.OMBUDS_WRITE, C.ISP_WRITE},
    "admin": set(Capability),
}


@pytest.mark.parametrize("persona", sorted(HAS))
def test_each_persona_has_its_capabilities(coach_world, persona):
    user_scope = scope(fresh(getattr(coach_world, persona)))
    assert {capability for capability in Capability if user_scope.has(capability)} == HAS[persona]


def test_programme_checks(coach_world):
    w = coach_world
    ba_a, ba_b = (w.programme.pk, w.year.pk), (w.other_programme.pk, w.year.pk)
    expected = {
        # persona: (sees BA-A, sees BA-B, writes BA-A's ISPs, sees BA-A's requests, writes them)
        "coach": (True, False, True, False, False),
        "other_coach": (False, True, False, False, False),
        "ombudsperson": (True, False, False, True, True),
        "substitute": (True, False, False, True, True),
        "committee": (True, True, False, True, False),
        "administration": (True, True, False, True, False),
        "admin": (True, True, True, True, True),
    }
    for persona, answers in expected.items():
        s = scope(fresh(getattr(w, persona)))
        got = (s.sees(*ba_a), s.sees(*ba_b), s.writes(*ba_a), s.sees_requests(*ba_a), s.writes_requests(*ba_a))
        assert got == answers, persona


def test_an_assignment_counts_only_with_its_group(coach_world):
    coach = fresh(coach_world.coach)
    coach.groups.clear()
    assert not scope(coach).has(C.STUDENT_PAGES)
    substitute = fresh(coach_world.substitute)
    substitute.groups.set([roles.ensure_groups()[roles.COACH]])
    assert not scope(substitute).sees(coach_world.programme.pk, coach_world.year.pk)


def test_the_substitute_handles_what_the_examining_ombudsperson_may_not(coach_world):
    w = coach_world
    key = (w.programme.pk, w.year.pk)
    ombudsperson, substitute = scope(fresh(w.ombudsperson)), scope(fresh(w.substitute))
    assert ombudsperson.handles(*key, examines_student=False)
    assert not ombudsperson.handles(*key, examines_student=True)  # Art. 58
    assert substitute.handles(*key, examines_student=True)
    assert not scope(fresh(w.committee)).handles(*key, examines_student=False)


def test_the_q_builders_leave_out_other_programmes(coach_world):
    from students.models import Enrolment

    w = coach_world
    for persona, expected in (
        ("coach", {w.enrolment}),
        ("ombudsperson", {w.enrolment}),
        ("other_coach", {w.other_enrolment}),
        ("committee", {w.enrolment, w.other_enrolment}),
    ):
        assert set(Enrolment.objects.filter(scope(fresh(getattr(w, persona))).students_q())) == expected, persona
    assert not Enrolment.objects.filter(scope(fresh(w.coach)).requests_q()).exists()


def test_the_decorator_sends_anonymous_visitors_to_log_in_and_refuses_without_the_capability(coach_world, rf):
    from django.core.exceptions import PermissionDenied

    @requires(C.FEE_PAGES)
    def view(request):
        return "shown"

    assert view.required_capability is C.FEE_PAGES
    request = rf.get("/somewhere/")
    request.user = AnonymousUser()
    assert view(request).status_code == 302
    request.user = fresh(coach_world.committee)
    with pytest.raises(PermissionDenied):
        view(request)
    request.user = fresh(coach_world.administration)
    assert view(request) == "shown"
