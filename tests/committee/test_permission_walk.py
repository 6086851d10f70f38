"""Every committee URL with every persona (ARCHITECTURE.md, Permissions; Art. 68, 72): the walk of
tests/test_permissions.py for the examination committees' pages, with members of two committees.

Expected: 302 to the login page for anonymous visitors; 403 for a coach, an examiner, the fraud
authority and a user of the examination committee group without a seat (Art. 72: secret to the committee and the
administration); 404 for the (Bio)Technology chair on Education's deliberation; the
administration reads (200) and writes nothing (403); the ombudsperson, an advisory member, reads,
asks for a vote and indicates files of special circumstances; the chair, the secretary and the
chair's substitute run the meeting; a superuser does everything. ``OK`` is a request that was let
through: the page, a redirect after the write, or the form's refusal (400, 422) — never 403/404.
"""

import datetime as dt

import pytest
from django.urls import reverse

from committee import services
from tests.support import personas
from tests.support.worlds import on

from ..test_permissions import SITE

OK = "ok"
PERSONAS = (
    "anonymous",
    "coach",
    "seatless",
    "chair",
    "secretary",
    "chair_substitute",
    "ombuds",
    "chair_tech",
    "administration",
    "admin",
    "examiner",
    "fraud_authority",
)


def _statuses(*codes):
    """Expected statuses in the order of PERSONAS; an examiner and the fraud authority have no
    committee page (403: their fraud pages are walked in tests/fraud/test_views.py)."""
    if len(codes) == len(PERSONAS) - 2:
        codes = (*codes, 403, 403)
    return dict(zip(PERSONAS, codes, strict=True))


READ = _statuses(302, 403, 403, 200, 200, 200, 200, 404, 200, 200)
RUN = _statuses(302, 403, 403, OK, OK, OK, 403, 404, 403, OK)
SEAT = _statuses(302, 403, 403, OK, OK, OK, OK, 404, 403, OK)


def _deliberation(w):
    return {"pk": w.deliberation.pk}


def _decision(w):
    return {"pk": w.deliberation.pk, "decision": w.decision.pk}


TABLE = {
    # Columns:                 anon coach seatless chair secr subst ombuds tech admin super
    "committee:home": ("get", lambda w: {}, _statuses(302, 403, 403, 200, 200, 200, 200, 200, 200, 200)),
    "committee:deliberation": ("get", _deliberation, READ),
    "committee:inventory": ("get", _deliberation, READ),
    "committee:students": ("get", _deliberation, READ),
    "committee:student": ("get", lambda w: {"pk": w.deliberation.pk, "number": w.students[4].number}, READ),
    "committee:report": ("get", _deliberation, READ),
    "committee:report_pdf": ("get", _deliberation, READ),
    "committee:deliberation_open": ("post", _deliberation, RUN),
    "committee:deliberation_close": ("post", _deliberation, RUN),
    "committee:attendance_record": ("post", _deliberation, RUN),
    "committee:hearing_record": ("post", _deliberation, RUN),
    "committee:recusal_record": ("post", _deliberation, RUN),
    "committee:votes_record": ("post", _decision, RUN),
    "committee:vote_request": ("post", _decision, SEAT),
    # The select committee (Art. 69): the chair indicates irregularities, the ombudsperson
    # special circumstances; later announcements are decided by the select committee.
    "committee:case_file_open": ("post", _deliberation, SEAT),
    "committee:postponement_record": ("post", _deliberation, SEAT),
}


def test_every_committee_url_has_an_entry():
    names = sorted(name for name, _route in SITE if name and name.startswith("committee:"))
    assert names == sorted(TABLE)


@pytest.fixture
def walk_world(committee_world):
    """The Education deliberation opened on 1 February 2024 with chair, secretary and Mo present,
    one adopted decision (S5's E2 considered tolerable); a user of the committee group without a
    seat."""
    w = committee_world
    w.seatless = personas.committee("seatless")
    w.ombuds = w.ombuds_user
    w.chair, w.secretary_seat = w.chair_user, w.secretary
    w.secretary = w.secretary_user
    w.chair_substitute = w.substitute_user
    w.chair_tech = w.chair_tech_user
    w.examiner = personas.examiner("examiner", course=w.courses["E1"], academic_year=w.year)
    w.fraud_authority = personas.fraud_authority("fraud_authority")
    seats = w.education.members.all()
    with on(dt.date(2024, 2, 1)):
        services.deliberation_open(deliberation=w.deliberation)
        for seat in seats.filter(role__in=["chair", "secretary", "member"])[:3]:
            services.attendance_record(deliberation=w.deliberation, member=seat, presence="present")
        s5 = w.students[4]
        w.decision = services.decision_record(
            deliberation=w.deliberation,
            student=s5,
            kind="tolerated",
            isp_line=w.lines[s5.number, "E2"],
            reason="Hospitalised during the exam period.",
        )
    return w


CASES = [(name, persona) for name in TABLE for persona in PERSONAS]


@pytest.mark.parametrize(("name", "persona"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_every_committee_url_with_every_persona(client, walk_world, name, persona):
    method, url_kwargs, expected = TABLE[name]
    url = reverse(name, kwargs=url_kwargs(walk_world))
    if persona != "anonymous":
        client.force_login(getattr(walk_world, persona))
    with on(dt.date(2024, 2, 1)):
        response = client.post(url, {}) if method == "post" else client.get(url)
    status = response.status_code
    if expected[persona] == OK:
        assert status in (200, 302, 400, 422), (name, persona, status)
        if status == 302:
            assert not response["Location"].startswith(reverse("login")), (name, persona)
    else:
        assert status == expected[persona], (name, persona, status)
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login") + "?next=")
