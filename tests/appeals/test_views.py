"""The register's pages: filters, badges, the daily summary, an appeal's page with its
timeline, the forms that call the services, and every URL of the register with every persona."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from appeals import services
from appeals.models import Appeal, Correction, RefusalLiftingRequest
from appeals.urls import urlpatterns
from exams.models import Result
from students.models import Measure
from tests.support import personas
from tests.support.worlds import on

D = dt.date
FILED = D(2024, 2, 10)


def register(world, *, posted_on=FILED, **kwargs):
    values = {
        "student": world.student,
        "category": "f",
        "posted_on": posted_on,
        "result": world.result,
        "facts_and_objections": "Question 3 was not marked.",
        "by": world.administration,
    }
    values.update(kwargs)
    with on(posted_on):
        return services.appeal_register(**values)


@pytest.fixture
def register_of(college):
    """Four appeals seen on 27 February 2024: overdue, due soon, on time, decided."""
    appeals = {
        "overdue": register(college, posted_on=D(2024, 2, 7)),  # due 26 February
        "soon": register(college, posted_on=D(2024, 2, 12)),  # due 2 March
        "on_time": register(
            college,
            category="d",
            result=None,
            decision_text="Exemption refused for C05",
            decision_on=D(2024, 2, 20),
            posted_on=D(2024, 2, 22),
        ),
        "late": register(college, posted_on=D(2024, 2, 14)),  # filed on day 8
    }
    with on(D(2024, 2, 27)):
        services.appeal_decide(
            appeal=appeals["late"], outcome="inadmissible", on=D(2024, 2, 27), reason="Filed late.", by=college.admin
        )
        from core.timeline import run_deadlines

        run_deadlines(today=D(2024, 2, 27))
    return appeals


@pytest.fixture
def today():
    with on(D(2024, 2, 27)):
        yield D(2024, 2, 27)


def rows(response):
    return [row["appeal"].reference for row in response.context["rows"]]


def test_the_register_shows_every_appeal_with_its_badges_and_the_summary(client, college, register_of, today):
    client.force_login(college.administration)
    response = client.get(reverse("appeals:register"))
    assert response.status_code == 200
    assert len(rows(response)) == 4
    content = response.content.decode()
    assert f"overdue, due {date_format(D(2024, 2, 26), 'SHORT_DATE_FORMAT')}" in content
    assert f"due {date_format(D(2024, 3, 2), 'SHORT_DATE_FORMAT')}" in content
    assert "Register an appeal" in content
    summary = response.context["summary"]
    assert [a.pk for a in summary.overdue] == [register_of["overdue"].pk]
    assert [a.pk for a in summary.due_soon] == [register_of["soon"].pk]
    badges = {row["appeal"].pk: row["deadline"] for row in response.context["rows"]}
    assert badges[register_of["on_time"].pk] == "on_time"
    assert badges[register_of["late"].pk] is None  # decided


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "decided"}, ["late"]),
        ({"status": "open"}, ["on_time", "soon", "overdue"]),
        ({"outcome": "inadmissible"}, ["late"]),
        ({"category": "d"}, ["on_time"]),
        ({"overdue": "on"}, ["overdue"]),
        ({"due_soon": "on"}, ["soon"]),
        ({"q": "R1", "category": "d"}, ["on_time"]),
        ({"ordering": "due"}, ["overdue", "soon", "late", "on_time"]),
    ],
)
def test_the_register_filters(client, college, register_of, today, query, expected):
    client.force_login(college.committee)
    response = client.get(reverse("appeals:register"), query)
    assert rows(response) == [register_of[name].reference for name in expected]


def test_the_register_filters_by_programme(client, college, register_of, today):
    client.force_login(college.administration)
    assert len(rows(client.get(reverse("appeals:register"), {"programme": college.programme.pk}))) == 4
    other = college.programme.__class__.objects.create(code="OTHER", name="Other", kind="associate", credits=120)
    assert rows(client.get(reverse("appeals:register"), {"programme": other.pk})) == []


def test_the_register_reads_in_a_fixed_number_of_queries(
    client, college, register_of, today, django_assert_max_num_queries
):
    client.force_login(college.administration)
    for day in range(20):
        register(college, posted_on=D(2024, 2, 7) + dt.timedelta(days=day % 14))
    with django_assert_max_num_queries(15):  # issue 19
        assert client.get(reverse("appeals:register")).status_code == 200


def test_the_committee_reads_but_does_not_register(client, college, register_of, today):
    client.force_login(college.committee)
    content = client.get(reverse("appeals:register")).content.decode()
    assert "Register an appeal" not in content
    assert client.get(reverse("appeals:appeal_create")).status_code == 403


# --- Registering through the page ---------------------------------------------------------------
def test_registering_an_appeal_through_the_form(client, college):
    client.force_login(college.administration)
    with on(D(2024, 2, 12)):
        assert "student_form" in client.get(reverse("appeals:appeal_create")).context
        form_page = client.get(reverse("appeals:appeal_create"), {"student": "R1"})
        assert form_page.status_code == 200
        decisions = form_page.context["form"].fields["decision"].choices[1:]
        choices = {value for _group, options in decisions for value, _label in options}
        assert f"result:{college.result.pk}" in choices
        response = client.post(
            reverse("appeals:appeal_create"),
            {
                "student": "R1",
                "category": "f",
                "decision": f"result:{college.result.pk}",
                "posted_on": "2024-02-12",
                "email": "r1.private@example.org",
                "facts_and_objections": "Question 3 was not marked.",
            },
        )
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == appeal.get_absolute_url()
    assert (appeal.result, appeal.email, appeal.registered_by) == (
        college.result,
        "r1.private@example.org",
        college.administration,
    )


def test_a_refused_registration_shows_why(client, college):
    client.force_login(college.administration)
    with on(D(2024, 2, 12)):
        response = client.post(
            reverse("appeals:appeal_create"),
            {"student": "R1", "category": "d", "decision": f"result:{college.result.pk}", "posted_on": "2024-02-12"},
        )
    assert response.status_code == 422
    assert "cannot be appealed under this category" in response.content.decode()
    assert not Appeal.objects.exists()


def test_an_unknown_student_keeps_what_was_typed_and_says_so(client, college):
    client.force_login(college.administration)
    response = client.get(reverse("appeals:appeal_create"), {"student": "nobody"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="nobody"' in content
    assert "No student found for “nobody”" in content


# --- An appeal's page ---------------------------------------------------------------------------
def test_the_page_shows_the_last_day_and_why_an_appeal_is_inadmissible(client, college):
    appeal = register(college, posted_on=D(2024, 2, 14), facts_and_objections="")
    client.force_login(college.administration)
    with on(D(2024, 2, 15)):
        response = client.get(appeal.get_absolute_url())
    content = response.content.decode()
    last = date_format(D(2024, 2, 13), "DATE_FORMAT")
    assert f"the last day to file was <strong>{last}</strong>" in content
    assert f"Filed too late: the last day to file was {last}" in content
    assert "The appeal gives no facts and objections." in content
    labels = [step.label for step in response.context["timeline"]]
    assert labels[:4] == ["Decision published", "Last day to file", "Appeal posted (filing day)", "Registered"]


def test_the_timeline_of_a_decided_appeal(client, college):
    appeal = register(college, pending_feedback=True)
    with on(D(2024, 2, 14)):
        services.appeal_elaborate(appeal=appeal, on=D(2024, 2, 14), facts_and_objections="Part B.", by=college.admin)
    with on(D(2024, 3, 4)):
        services.appeal_decide(
            appeal=appeal, outcome="new_decision", on=D(2024, 3, 4), mark=12, reason="Recounted.", by=college.admin
        )
        client.force_login(college.committee)
        response = client.get(appeal.get_absolute_url())
    steps = [(s.on, s.label, s.state) for s in response.context["timeline"]]
    assert (D(2024, 2, 14), "Elaborated", "done") in steps
    assert (D(2024, 2, 29), "Decision due", "missed") in steps
    assert (D(2024, 3, 1), "Overdue", "missed") in steps
    assert (D(2024, 3, 4), "Decided", "done") in steps
    content = response.content.decode()
    assert "7 → 12" in content
    assert "Record the decision" not in content  # decided
    assert [row["reason"] for row in response.context["history"]][0] == "Decided: new decision"


def test_deciding_through_the_page(client, college):
    appeal = register(college)
    client.force_login(college.committee)  # an examination decision: the committee decides it
    with on(D(2024, 2, 20)):
        page = client.get(appeal.get_absolute_url())
        assert "decision_form" in page.context and "postpone_form" not in page.context
        response = client.post(
            reverse("appeals:appeal_decide", args=[appeal.pk]),
            {"outcome": "new_decision", "on": "2024-02-20", "mark": "12", "reason": "Recounted."},
        )
    assert response.status_code == 302
    assert Result.objects.get(pk=college.result.pk).score == 12


def test_a_refused_decision_shows_why_on_the_page(client, college):
    appeal = register(college)
    client.force_login(college.administration)
    with on(D(2024, 2, 20)):
        response = client.post(
            reverse("appeals:appeal_decide", args=[appeal.pk]),
            {"outcome": "new_decision", "on": "2024-02-20", "mark": "7", "reason": "x"},
        )
    assert response.status_code == 422
    assert "The new decision gives the same mark" in response.content.decode()


def test_the_committee_does_not_decide_other_categories(client, college):
    appeal = register(college, category="d", result=None, decision_text="Exemption refused", decision_on=D(2024, 2, 8))
    client.force_login(college.committee)
    with on(D(2024, 2, 20)):
        assert "decision_form" not in client.get(appeal.get_absolute_url()).context
        response = client.post(
            reverse("appeals:appeal_decide", args=[appeal.pk]),
            {"outcome": "unfounded", "on": "2024-02-20", "reason": "x"},
        )
    assert response.status_code == 403


def test_elaborating_and_postponing_through_the_page(client, college):
    appeal = register(college, pending_feedback=True)
    client.force_login(college.administration)
    with on(D(2024, 2, 15)):
        response = client.post(
            reverse("appeals:appeal_elaborate", args=[appeal.pk]),
            {"on": "2024-02-15", "facts_and_objections": "Part B was not marked."},
        )
        assert response.status_code == 302
        response = client.post(
            reverse("appeals:appeal_postpone", args=[appeal.pk]),
            {"announced_on": "2024-02-15", "later_on": "2024-03-10", "reasons": "Hearing the examiner."},
        )
        assert response.status_code == 302
        late = client.post(
            reverse("appeals:appeal_postpone", args=[appeal.pk]),
            {"announced_on": "2024-02-15", "later_on": "2024-02-20", "reasons": "x"},
        )
    assert late.status_code == 422
    appeal.refresh_from_db()
    assert (appeal.elaborated_on, appeal.decision_due_on) == (D(2024, 2, 15), D(2024, 3, 10))


# --- Refusal lifting and corrections ---------------------------------------------------------------
@pytest.fixture
def refusal(college):
    return Measure.objects.create(
        student=college.student,
        kind="learning_account_refusal",
        programme=college.programme,
        from_year_code="2024-2025",
        until_year_code="2024-2025",
        decided_on=D(2024, 9, 15),
        decided_in=college.year,
    )


def test_a_lifting_request_through_the_pages(client, college, refusal):
    client.force_login(college.administration)
    with on(D(2024, 10, 1)):
        form_page = client.get(reverse("appeals:lifting_create"), {"student": "R1"})
        assert list(form_page.context["form"].fields["measure"].queryset) == [refusal]
        response = client.post(
            reverse("appeals:lifting_create"),
            {"student": "R1", "measure": refusal.pk, "submitted_on": "2024-10-01", "grounds": "Illness."},
        )
        request = RefusalLiftingRequest.objects.get()
        assert response.status_code == 302 and response["Location"] == request.get_absolute_url()
        detail = client.get(request.get_absolute_url())
        assert "In time" in detail.content.decode()
        response = client.post(
            reverse("appeals:lifting_decide", args=[request.pk]),
            {"granted": "no", "on": "2024-10-01", "reason": "Not exceptional."},
        )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "rejected"
    with on(D(2024, 10, 6)):
        page = client.get(reverse("appeals:lifting_list"), {"status": "rejected"})
    assert [r.pk for r in page.context["page"].object_list] == [request.pk]


def test_a_mark_correction_through_the_page(client, college):
    client.force_login(college.committee)
    with on(D(2024, 2, 12)):
        response = client.post(
            reverse("appeals:correction_create"),
            {"student": "R1", "result": str(college.result.pk), "mark": "12", "on": "2024-02-12", "reason": "Typo."},
        )
    assert response.status_code == 302
    correction = Correction.objects.get()
    assert (correction.old_value, correction.new_value, correction.recorded_by) == ("7", "12", college.committee)
    with on(D(2024, 2, 13)):
        listed = client.get(reverse("appeals:correction_list"))
    assert "Typo." in listed.content.decode()


def test_the_committee_corrects_marks_only(client, college):
    client.force_login(college.committee)
    with on(D(2024, 2, 12)):
        response = client.post(
            reverse("appeals:correction_create"),
            {
                "student": "R1",
                "subject": "Exemption",
                "decision_on": "2024-02-01",
                "in_favour": "yes",
                "on": "2024-02-12",
                "reason": "x",
            },
        )
    assert response.status_code == 403
    assert not Correction.objects.exists()


def test_a_late_correction_against_the_student_is_refused_on_the_page(client, college):
    client.force_login(college.administration)
    with on(D(2024, 2, 17)):
        response = client.post(
            reverse("appeals:correction_create"),
            {"student": "R1", "result": str(college.result.pk), "mark": "5", "on": "2024-02-17", "reason": "Typo."},
        )
    assert response.status_code == 422
    assert "only within ten calendar days" in response.content.decode()


def test_the_navigation_shows_the_register_to_who_reads_it(client, college):
    for user, shown in ((college.administration, True), (college.committee, True), (college.coach, False)):
        client.force_login(user)
        assert (reverse("appeals:register") in client.get(reverse("home")).content.decode()) is shown


def test_the_lifting_page_says_which_tolerances_lifting_applies(client, refused):
    from core import roles

    refused["office"].groups.add(roles.ensure_groups()[roles.ADMINISTRATION])
    with on(D(2025, 10, 10)):
        request = services.refusal_lifting_request_register(
            measure=refused["measure"], submitted_on=D(2025, 10, 10), grounds="Illness.", by=refused["office"]
        )
        client.force_login(refused["office"])
        response = client.get(request.get_absolute_url())
    assert [line.course.code for line in response.context["tolerances"]] == ["T2", "T3"]
    assert "T2 (8), T3 (9)" in response.content.decode()


# --- Every URL of the appeal register with every persona, the examination committee included
# (the site-wide walk in tests/test_permissions.py has no committee persona).
# (formerly tests/appeals/test_permissions.py)

PERSONAS = ("anonymous", "coach", "ombudsperson", "committee", "administration", "admin")


def _statuses(*codes):
    return dict(zip(PERSONAS, codes, strict=True))


READERS = _statuses(302, 403, 403, 200, 200, 200)
WRITERS_PAGE = _statuses(302, 403, 403, 403, 200, 200)
WRITERS_POST = _statuses(302, 403, 403, 403, 302, 302)


class Objects:
    pass


@pytest.fixture
def objects(college):
    found = Objects()
    found.appeal = Appeal.objects.create(
        student=college.student,
        category="f",
        result=college.result,
        decision_text="C01: 7",
        decision_on=D(2024, 2, 6),
        posted_on=D(2024, 2, 10),
        pending_feedback=True,
        decision_due_on=D(2024, 2, 29),
    )
    found.exemption_appeal = Appeal.objects.create(
        student=college.student,
        category="d",
        decision_text="Exemption refused",
        decision_on=D(2024, 2, 6),
        posted_on=D(2024, 2, 10),
        facts_and_objections="x",
        decision_due_on=D(2024, 2, 29),
    )
    measure = Measure.objects.create(
        student=college.student,
        kind="learning_account_refusal",
        programme=college.programme,
        from_year_code="2024-2025",
        until_year_code="2024-2025",
        decided_on=D(2024, 2, 1),
        decided_in=college.year,
    )
    found.lifting = RefusalLiftingRequest.objects.create(
        student=college.student,
        measure=measure,
        academic_year_code="2024-2025",
        submitted_on=D(2024, 2, 11),
        grounds="Illness.",
    )
    return found


# name -> (method, URL kwargs, data, expected status per persona)
TABLE = {
    "appeals:register": ("get", lambda o: {}, {}, READERS),
    "appeals:appeal_create": ("get", lambda o: {}, {"student": "R1"}, WRITERS_PAGE),
    "appeals:appeal_detail": ("get", lambda o: {"pk": o.appeal.pk}, {}, READERS),
    "appeals:appeal_elaborate": (
        "post",
        lambda o: {"pk": o.appeal.pk},
        {"on": "2024-02-12", "facts_and_objections": "Part B."},
        WRITERS_POST,
    ),
    "appeals:appeal_postpone": (
        "post",
        lambda o: {"pk": o.appeal.pk},
        {"announced_on": "2024-02-12", "later_on": "2024-03-15", "reasons": "Hearing."},
        WRITERS_POST,
    ),
    # An examination decision (f): the examination committee decides it too.
    "appeals:appeal_decide": (
        "post",
        lambda o: {"pk": o.appeal.pk},
        {"outcome": "inadmissible", "on": "2024-02-12", "reason": "Not signed."},
        _statuses(302, 403, 403, 302, 302, 302),
    ),
    "appeals:lifting_list": ("get", lambda o: {}, {}, READERS),
    "appeals:lifting_create": ("get", lambda o: {}, {"student": "R1"}, WRITERS_PAGE),
    "appeals:lifting_detail": ("get", lambda o: {"pk": o.lifting.pk}, {}, READERS),
    "appeals:lifting_decide": (
        "post",
        lambda o: {"pk": o.lifting.pk},
        {"granted": "no", "on": "2024-02-12", "reason": "Not exceptional."},
        WRITERS_POST,
    ),
    "appeals:correction_list": ("get", lambda o: {}, {}, READERS),
    # The examination committee corrects marks (Art. 102).
    "appeals:correction_create": ("get", lambda o: {}, {"student": "R1"}, READERS),
}


def test_every_url_of_the_register_has_an_entry():
    assert sorted(f"appeals:{p.name}" for p in urlpatterns) == sorted(TABLE)


CASES = [(name, persona) for name in TABLE for persona in PERSONAS]


@pytest.mark.parametrize(("name", "persona"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_every_url_with_every_persona(client, college, objects, name, persona):
    method, url_kwargs, data, expected = TABLE[name]
    url = reverse(name, kwargs=url_kwargs(objects))
    if persona != "anonymous":
        client.force_login(getattr(college, persona))
    with on(D(2024, 2, 12)):
        response = client.post(url, data) if method == "post" else client.get(url, data)
    assert response.status_code == expected[persona], (name, persona)
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login") + "?next=")
    if response.status_code == 403:
        assert "403.html" in [t.name for t in response.templates]


def test_the_committee_does_not_decide_an_appeal_of_another_category(client, college, objects):
    client.force_login(college.committee)
    with on(D(2024, 2, 12)):
        response = client.post(
            reverse("appeals:appeal_decide", kwargs={"pk": objects.exemption_appeal.pk}),
            {"outcome": "inadmissible", "on": "2024-02-12", "reason": "x"},
        )
    assert response.status_code == 403


def test_a_user_without_a_role_gets_403(client, college, objects):
    client.force_login(personas.nobody("nobody", password="x"))
    assert client.get(reverse("appeals:register")).status_code == 403
    assert client.get(reverse("appeals:appeal_detail", kwargs={"pk": objects.appeal.pk})).status_code == 403


def test_an_inactive_office_member_has_no_register(client, college, objects):
    college.administration.is_active = False
    college.administration.save()
    client.force_login(college.administration)
    assert client.get(reverse("appeals:register")).status_code == 302
