"""Every URL of the site with every persona (ARCHITECTURE.md, Permissions).

The table below names each URL pattern; the walk over ``get_resolver()`` fails when a
named pattern of the site has no entry, so a new page cannot ship without saying who
may open it. Expected statuses: 302 to the login page for anonymous visitors, 200 (or
the redirect after a successful POST), 403 for a user who may see but not do, 404 for
an object outside the user's programmes.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.support import personas

# Django's own sites, tested by their own suites and by tests/core/test_admin.py and test_views.py.
SKIPPED_PREFIXES = ("admin/", "i18n/", "accounts/")

# The users of ``coach_world`` (tests/conftest.py): the coach, ombudsperson and substitute of
# BA-A, the coach of BA-B, a member of the examination committee, of student administration
# and a superuser.
PERSONAS = (
    "anonymous",
    "coach",
    "other_coach",
    "ombudsperson",
    "substitute",
    "committee",
    "administration",
    "admin",
)


def _statuses(*codes):
    """Expected statuses in the order of PERSONAS."""
    return dict(zip(PERSONAS, codes, strict=True))


def _isp_change(world):
    return {"action": "add", "course": world.courses["A201"].pk, "version": 1}


def _derogation(world):
    return {"kind": "model_route", "ground": "special_status", "version": 1}


def _appeal(world):
    """An appeal of the world's student, lodged pending feedback (made once per world)."""
    import datetime

    from appeals.models import Appeal

    if not hasattr(world, "appeal"):
        world.appeal = Appeal.objects.create(
            student=world.student,
            category="g",
            decision_text="Examination disciplinary decision: exam annulled",
            decision_on=datetime.date(2026, 11, 20),
            posted_on=datetime.date(2026, 11, 21),
            pending_feedback=True,
            decision_due_on=datetime.date(2026, 12, 10),
        )
    return world.appeal


def _lifting_request(world):
    """A refusal-lifting request of the world's student (made once per world)."""
    import datetime

    from appeals.models import RefusalLiftingRequest
    from students.models import Measure

    if not hasattr(world, "lifting_request"):
        measure = Measure.objects.create(
            student=world.student,
            kind="learning_account_refusal",
            programme=world.programme,
            from_year_code="2027-2028",
            until_year_code="2027-2028",
            decided_on=datetime.date(2026, 11, 1),
            decided_in=world.year,
        )
        world.lifting_request = RefusalLiftingRequest.objects.create(
            student=world.student,
            measure=measure,
            academic_year_code="2026-2027",
            submitted_on=datetime.date(2026, 11, 20),
            grounds="Illness.",
        )
    return world.lifting_request


def _notification(world):
    """A notification sent to the world's student (made once per world)."""
    import datetime

    from notifications.models import Notification

    if not hasattr(world, "notification"):
        world.notification = Notification.objects.create(
            student=world.student,
            kind="fraud_sanction",
            object_label="fraud.FraudDecision",
            decided_on=datetime.date(2026, 11, 20),
            language="nl",
            status="sent",
        )
    return world.notification


def _advice(world):
    """A study advice of the world's student by its coach, shared with the ombudsperson, its
    follow-up due on the walk's day (made once per world)."""
    import datetime

    from progress.models import StudyAdvice

    if not hasattr(world, "advice"):
        world.advice = StudyAdvice.objects.create(
            student=world.student,
            held_on=datetime.date(2026, 11, 20),
            topics=["study_progress"],
            advice="Take the second-semester courses first.",
            follow_up_on=datetime.date(2026, 11, 23),
            shared_with_ombuds=True,
            recorded_by=world.coach,
        )
    return world.advice


# The appeal register (appeals/): student administration reads and writes; the examination
# committee reads it, decides the appeals against its own decisions, (f) and (g), and
# corrects marks (Art. 102); coaches and ombudspersons have no register (403).
#                           anon coach other ombud subst commi admin super
APPEAL_READ = _statuses(302, 403, 403, 403, 403, 200, 200, 200)
APPEAL_WRITE_PAGE = _statuses(302, 403, 403, 403, 403, 403, 200, 200)
APPEAL_WRITE = _statuses(302, 403, 403, 403, 403, 403, 302, 302)

# name -> (method, URL kwargs from the world, POST data or GET query from the world, expected status per persona)
TABLE = {
    # Columns:                                     anon coach other ombud subst commi admin super
    "home": ("get", lambda w: {}, None, _statuses(302, 200, 200, 200, 200, 200, 200, 200)),
    # The notifications outbox (issue 17): the student administration's page.
    "notifications:outbox": ("get", lambda w: {}, None, _statuses(302, 403, 403, 403, 403, 403, 200, 200)),
    "notifications:resend": (
        "post",
        lambda w: {"pk": _notification(w).pk},
        lambda w: {},
        _statuses(302, 403, 403, 403, 403, 403, 302, 302),
    ),
    # Every role with programmes or reading all sees students; the ombudsperson and the
    # substitute read their programmes' students, the committee and the office every student.
    "students:student_list": ("get", lambda w: {}, None, _statuses(302, 200, 200, 200, 200, 200, 200, 200)),
    "students:student_detail": (
        "get",
        lambda w: {"number": w.student.number},
        None,
        _statuses(302, 200, 404, 200, 200, 200, 200, 200),
    ),
    # Compute a student's risk signals again (Art. 28): a coach who sees the student.
    "students:student_risks_refresh": (
        "post",
        lambda w: {"number": w.student.number},
        lambda w: {},
        _statuses(302, 302, 404, 403, 403, 403, 403, 302),
    ),
    # The list's CSV and the issued file (print view, PDF): whoever sees the list or the page.
    "students:student_list_csv": ("get", lambda w: {}, None, _statuses(302, 200, 200, 200, 200, 200, 200, 200)),
    # The risk list (Art. 28) and its CSV: whoever sees the student list, each their own students' signals.
    "students:risk_list": ("get", lambda w: {}, None, _statuses(302, 200, 200, 200, 200, 200, 200, 200)),
    "students:risk_list_csv": ("get", lambda w: {}, None, _statuses(302, 200, 200, 200, 200, 200, 200, 200)),
    "students:student_file_print": (
        "get",
        lambda w: {"number": w.student.number},
        None,
        _statuses(302, 200, 404, 200, 200, 200, 200, 200),
    ),
    "students:student_file_pdf": (
        "get",
        lambda w: {"number": w.student.number},
        None,
        _statuses(302, 200, 404, 200, 200, 200, 200, 200),
    ),
    # Study advice on record (issue 18, Art. 27-28): the student's coach (and a superuser)
    # records, changes and follows it up; whoever sees the student otherwise: 403. The history of
    # one advice: whoever may see it; the world's advice is shared with the ombudsperson (and so
    # the substitute), not with the committee; the administration sees no advice.
    "students:advice_create": (
        "get",
        lambda w: {"number": w.student.number},
        None,
        _statuses(302, 200, 404, 403, 403, 403, 403, 200),
    ),
    "students:advice_edit": (
        "get",
        lambda w: {"number": w.student.number, "pk": _advice(w).pk},
        None,
        _statuses(302, 200, 404, 403, 403, 403, 403, 200),
    ),
    "students:advice_done": (
        "post",
        lambda w: {"number": w.student.number, "pk": _advice(w).pk},
        lambda w: {},
        _statuses(302, 302, 404, 403, 403, 403, 403, 302),
    ),
    "students:advice_history": (
        "get",
        lambda w: {"number": w.student.number, "pk": _advice(w).pk},
        None,
        _statuses(302, 200, 404, 200, 200, 403, 403, 200),
    ),
    # What if… (a preview by GET, nothing written): whoever may write the current enrolment's ISP.
    "students:student_whatif": (
        "get",
        lambda w: {"number": w.student.number},
        lambda w: {"kind": "deregister", "on": "2026-12-10"},
        _statuses(302, 200, 404, 403, 403, 403, 403, 200),
    ),
    # Only the programme's coach (and a superuser) writes the ISP; the others who see it: 403.
    "students:isp_editor": (
        "get",
        lambda w: {"pk": w.enrolment.pk},
        None,
        _statuses(302, 200, 404, 403, 403, 403, 403, 200),
    ),
    # A preview (no ``confirm``): nothing is written.
    "students:isp_change": (
        "post",
        lambda w: {"pk": w.enrolment.pk},
        _isp_change,
        _statuses(302, 200, 404, 403, 403, 403, 403, 200),
    ),
    "students:isp_derogation": (
        "post",
        lambda w: {"pk": w.enrolment.pk},
        _derogation,
        _statuses(302, 302, 404, 403, 403, 403, 403, 302),
    ),
    # No tolerated course in the world: an allowed user gets the form back with its error.
    "students:isp_tolerated_retake": (
        "post",
        lambda w: {"pk": w.enrolment.pk},
        _derogation,
        _statuses(302, 422, 404, 403, 403, 403, 403, 422),
    ),
    "students:isp_submit": (
        "post",
        lambda w: {"pk": w.enrolment.pk},
        # 23 November is after the submission deadline (15 October): the late route's reason.
        lambda w: {"version": 1, "late_reason": "Enrolled late after a transfer."},
        _statuses(302, 302, 404, 403, 403, 403, 403, 302),
    ),
    "students:isp_approve": (
        "post",
        lambda w: {"pk": w.enrolment.pk},
        lambda w: {"version": 1},
        _statuses(302, 302, 404, 403, 403, 403, 403, 302),
    ),
    # Results entry (exams/): the student administration office only.
    "exams:marksheet": ("get", lambda w: {}, None, _statuses(302, 403, 403, 403, 403, 403, 200, 200)),
    "exams:marksheet_template": (
        "get",
        lambda w: {},
        lambda w: {"course": w.courses["A101"].pk, "exam_period": w.year.exam_periods.get(number=1).pk},
        _statuses(302, 403, 403, 403, 403, 403, 200, 200),
    ),
    "appeals:register": ("get", lambda w: {}, None, APPEAL_READ),
    "appeals:appeal_create": ("get", lambda w: {}, lambda w: {"student": w.student.number}, APPEAL_WRITE_PAGE),
    "appeals:appeal_detail": ("get", lambda w: {"pk": _appeal(w).pk}, None, APPEAL_READ),
    "appeals:appeal_elaborate": (
        "post",
        lambda w: {"pk": _appeal(w).pk},
        lambda w: {"on": "2026-11-23", "facts_and_objections": "The feedback showed ..."},
        APPEAL_WRITE,
    ),
    "appeals:appeal_postpone": (
        "post",
        lambda w: {"pk": _appeal(w).pk},
        lambda w: {"announced_on": "2026-11-23", "later_on": "2027-01-15", "reasons": "Hearing."},
        APPEAL_WRITE,
    ),
    # A disciplinary decision (g): the examination committee decides it too.
    "appeals:appeal_decide": (
        "post",
        lambda w: {"pk": _appeal(w).pk},
        lambda w: {"outcome": "inadmissible", "on": "2026-11-23", "reason": "Not signed."},
        _statuses(302, 403, 403, 403, 403, 302, 302, 302),
    ),
    "appeals:lifting_list": ("get", lambda w: {}, None, APPEAL_READ),
    "appeals:lifting_create": ("get", lambda w: {}, lambda w: {"student": w.student.number}, APPEAL_WRITE_PAGE),
    "appeals:lifting_detail": ("get", lambda w: {"pk": _lifting_request(w).pk}, None, APPEAL_READ),
    "appeals:lifting_decide": (
        "post",
        lambda w: {"pk": _lifting_request(w).pk},
        lambda w: {"granted": "no", "on": "2026-11-23", "reason": "Not exceptional."},
        APPEAL_WRITE,
    ),
    "appeals:correction_list": ("get", lambda w: {}, None, APPEAL_READ),
    # The examination committee corrects marks (Art. 102): it opens the correction form.
    "appeals:correction_create": ("get", lambda w: {}, lambda w: {"student": w.student.number}, APPEAL_READ),
    # Tuition fees (fees/): student administration and superusers; coaches see the
    # statement on the student page only.
    "fees:open_balances": ("get", lambda w: {}, None, _statuses(302, 403, 403, 403, 403, 403, 200, 200)),
    "fees:export_csv": ("get", lambda w: {}, None, _statuses(302, 403, 403, 403, 403, 403, 200, 200)),
}

# The ombudsperson's pages (exams/): their entries live with the ombudsperson's tests.
from tests.reschedules.ombuds_table import OMBUDS_TABLE  # noqa: E402
from tests.reschedules.ombuds_table import PERSONAS as OMBUDS_PERSONAS  # noqa: E402

assert OMBUDS_PERSONAS == PERSONAS, "tests/reschedules/ombuds_table.py lists the walk's personas in another order"
TABLE.update(OMBUDS_TABLE)


def site_patterns(patterns=None, prefix="", namespace=""):
    """(name, route) of every URL pattern of the site outside the skipped prefixes."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from site_patterns(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}{pattern.name}" if pattern.name else None), route


SITE = sorted(site_patterns(), key=lambda item: item[1])


# The examination committees' pages are walked with members of two committees in their own
# world: tests/committee/test_permission_walk.py (which fails when one has no entry there); the
# fraud pages with examiners and the fraud authority on a fraud file: tests/fraud/test_views.py.
OWN_WALKS = ("committee:", "fraud:")


def test_every_url_of_the_site_has_an_entry_in_the_table():
    unnamed = [route for name, route in SITE if name is None]
    missing = sorted(name for name, _route in SITE if name and name not in TABLE and not name.startswith(OWN_WALKS))
    assert unnamed == [], "give these URL patterns a name and an entry in TABLE"
    assert missing == [], "add these URL names to TABLE in tests/test_permissions.py"


def test_the_walk_skips_only_what_it_says():
    routes = [route for _name, route in SITE]
    assert any(route.startswith("students/") for route in routes)
    assert not any(route.startswith(SKIPPED_PREFIXES) for route in routes)


CASES = [(name, persona) for name, _route in SITE if name in TABLE for persona in PERSONAS]


@pytest.mark.parametrize(("name", "persona"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_every_url_with_every_persona(client, coach_world, on_coach_day, name, persona):
    method, url_kwargs, data, expected = TABLE[name]
    url = reverse(name, kwargs=url_kwargs(coach_world))
    if persona != "anonymous":
        client.force_login(getattr(coach_world, persona))
    payload = data(coach_world) if data else {}
    response = client.post(url, payload) if method == "post" else client.get(url, payload)
    assert response.status_code == expected[persona], (name, persona)
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login") + "?next=")
    if response.status_code == 403:
        assert "403.html" in [t.name for t in response.templates]


def test_a_user_without_a_role_has_no_student_pages(client, coach_world):
    client.force_login(personas.nobody("nobody", password="x"))
    assert client.get(reverse("students:student_list")).status_code == 403
    assert (
        client.get(reverse("students:student_detail", kwargs={"number": coach_world.student.number})).status_code == 403
    )


def test_a_coach_sees_another_year_of_the_student_but_cannot_change_its_isp(client, coach_world, on_coach_day):
    from tests.support.factories import AcademicYearFactory, EnrolmentFactory

    earlier = EnrolmentFactory(
        student=coach_world.student, programme=coach_world.programme, academic_year=AcademicYearFactory(first_year=2025)
    )
    client.force_login(coach_world.coach)
    assert (
        client.get(reverse("students:student_detail", kwargs={"number": coach_world.student.number})).status_code == 200
    )
    assert client.get(reverse("students:isp_editor", kwargs={"pk": earlier.pk})).status_code == 403
