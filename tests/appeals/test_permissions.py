"""Every URL of the appeal register with every persona, the examination committee included
(the site-wide walk in tests/test_permissions.py has no committee persona)."""

import datetime as dt

import pytest
from django.urls import reverse

from appeals.models import Appeal, RefusalLiftingRequest
from appeals.urls import urlpatterns
from students.models import Measure

from .conftest import on

D = dt.date
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


def test_a_user_without_a_role_gets_403(client, college, objects, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    assert client.get(reverse("appeals:register")).status_code == 403
    assert client.get(reverse("appeals:appeal_detail", kwargs={"pk": objects.appeal.pk})).status_code == 403


def test_an_inactive_office_member_has_no_register(client, college, objects):
    college.administration.is_active = False
    college.administration.save()
    client.force_login(college.administration)
    assert client.get(reverse("appeals:register")).status_code == 302
