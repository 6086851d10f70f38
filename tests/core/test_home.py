"""The home page: each persona's work for today, counted by hand in a small college on
2 December 2026 (core/home.py and the panels of progress, reschedules, appeals, exams, fees).

BA-A and BA-B in 2026-2027 (the ISP deadline was 15 October, the first-semester lock
1 December, the second-semester lock is 15 March 2027); the January exam period's results
are published on 6 February 2027.

BA-A 2026-2027, coached by ``coach``, ombudsperson ``ombudsperson``:
  s1 ISP draft,     learning account 140, A101 (sem. 1, no mark), A103 (sem. 2)
  s2 ISP draft,     account 40,  A101 (mark in January already)
  s3 ISP submitted, account 59,  A102 (sem. 1, removed)
  s4 ISP approved,  account 60,  A105 (year course), A101 exempted
  s5 deregistered,  ISP draft, account 10, A101 (not counted anywhere)
  s1 also had a draft ISP in BA-A 2025-2026 (an earlier year: not counted)
BA-B 2026-2027, coached by ``other_coach``: s6 ISP draft, account 20, B101 (sem. 1, no mark).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from appeals.models import Appeal
from core import home
from core.permissions import Capability
from exams.models import Result
from fees.models import FeeStatement
from reschedules.models import OmbudsReport, RescheduleRequest
from students.models import LearningAccountEntry
from tests.support import personas
from tests.support.factories import (
    AcademicYearFactory,
    CourseFactory,
    EnrolmentFactory,
    ISPLineFactory,
    ProgrammeFactory,
    StudentFactory,
)
from tests.support.worlds import on

D = dt.date
TODAY = D(2026, 12, 2)


class World:
    pass


def _student(number, balance):
    student = StudentFactory(number=number)
    LearningAccountEntry.objects.create(
        student=student, on=D(2026, 9, 1), credits=balance, kind="opening", source=f"test:{number}", reason="opening"
    )
    return student


@pytest.fixture
def world(db):
    w = World()
    w.last_year, w.year = AcademicYearFactory(first_year=2025), AcademicYearFactory(first_year=2026)
    ba, bb = ProgrammeFactory(code="BA-A"), ProgrammeFactory(code="BA-B")
    course = {
        code: CourseFactory(programme=ba, code=code, semester=semester)
        for code, semester in (("A101", "1"), ("A102", "1"), ("A103", "2"), ("A105", "year"))
    }
    b101 = CourseFactory(programme=bb, code="B101", semester="1")
    january = w.year.exam_periods.get(number=1)

    def enrol(student, programme, status="enrolled", isp_status="draft", year=None):
        return EnrolmentFactory(
            student=student,
            programme=programme,
            academic_year=year or w.year,
            status=status,
            isp_status=isp_status,
            enrolled_on=D(2026, 9, 15),
        )

    s = {n: _student(f"s{n}", balance) for n, balance in ((1, 140), (2, 40), (3, 59), (4, 60), (5, 10), (6, 20))}
    e1 = enrol(s[1], ba)
    w.line = ISPLineFactory(enrolment=e1, course=course["A101"])
    ISPLineFactory(enrolment=e1, course=course["A103"])
    enrol(s[1], ba, year=w.last_year)
    e2 = enrol(s[2], ba)
    Result.objects.create(
        isp_line=ISPLineFactory(enrolment=e2, course=course["A101"]), exam_period=january, opportunity=1, score=12
    )
    e3 = enrol(s[3], ba, isp_status="submitted")
    ISPLineFactory(enrolment=e3, course=course["A102"], removed_on=D(2026, 10, 1))
    e4 = enrol(s[4], ba, isp_status="approved")
    ISPLineFactory(enrolment=e4, course=course["A105"])
    ISPLineFactory(enrolment=e4, course=course["A101"], exempted=True)
    e5 = enrol(s[5], ba, status="deregistered")
    ISPLineFactory(enrolment=e5, course=course["A101"])
    e6 = enrol(s[6], bb)
    b_line = ISPLineFactory(enrolment=e6, course=b101)

    w.coach = personas.coach("coach", programme=ba, academic_year=w.year)
    w.other_coach = personas.coach("other_coach", programme=bb, academic_year=w.year)
    w.ombudsperson = personas.ombudsperson("ombudsperson", programme=ba, academic_year=w.year)
    personas.assign(w.ombudsperson, ba, w.last_year, "ombudsperson")
    w.committee = personas.committee("committee_member")
    w.administration = personas.administration("administration")
    w.admin = personas.superuser("admin")

    # Reschedule requests: BA-A open due 5 Dec, open due 30 Nov (overdue), accepted; BA-B open.
    def request(line, decide_by, **fields):
        return RescheduleRequest.objects.create(
            kind="force_majeure",
            isp_line=line,
            exam_period=january,
            requested_on=D(2026, 11, 20),
            reason="ill",
            decide_by=decide_by,
            logged_by=w.ombudsperson,
            **fields,
        )

    request(w.line, D(2026, 12, 5))
    request(w.line, D(2026, 11, 30))
    request(
        w.line,
        D(2026, 11, 25),
        status="accepted",
        decided_on=D(2026, 11, 24),
        decision_reason="certificate",
        new_on=D(2027, 1, 20),
        new_starts_at=dt.time(9, 0),
    )
    request(b_line, D(2026, 12, 1))
    # Annual reports: BA-A 2025-2026 not submitted, due 15 November (overdue); BA-B not submitted.
    for programme in (ba, bb):
        OmbudsReport.objects.create(
            programme=programme, academic_year=w.last_year, prepared_on=D(2026, 9, 20), due_on=D(2026, 11, 15)
        )

    # Appeals: overdue (due 30 Nov), due soon (5 and 7 Dec), later (20 Dec, awaiting its
    # elaboration), decided; due soon runs to 7 December (five days).
    def appeal(due, **fields):
        values = {
            "student": s[1],
            "category": "d",
            "decision_text": "exemption",
            "decision_on": D(2026, 11, 1),
            "posted_on": D(2026, 11, 3),
            "decision_due_on": due,
        }
        values.update(fields)
        return Appeal.objects.create(**values)

    appeal(D(2026, 11, 30))
    appeal(D(2026, 12, 5))
    appeal(D(2026, 12, 7))
    appeal(D(2026, 12, 8))
    w.awaiting = appeal(D(2026, 12, 20), pending_feedback=True, category="f")
    appeal(D(2026, 11, 20), status="decided", outcome="unfounded", decided_on=D(2026, 11, 19), decision_reason="x")

    # Fees: s1's fee went back to 0 (not open); s2 owes 300.50; s3 is owed 50 (open too).
    def fee(student, on, total):
        FeeStatement.objects.create(
            student=student,
            academic_year_code="2026-2027",
            group="main",
            key="main",
            on=on,
            fixed=0,
            variable=0,
            surcharge=0,
            platform=0,
            total=Decimal(total),
            credits=0,
            surcharge_credits=0,
            change=0,
            reason="enrolment",
        )

    fee(s[1], D(2026, 9, 15), "500")
    fee(s[1], D(2026, 10, 15), "0")
    fee(s[2], D(2026, 9, 15), "300.50")
    fee(s[3], D(2026, 9, 15), "-50")
    return w


def shown(user):
    with on(TODAY):
        return {p.panel.key: [(i.count, i.tone) for i in p.items] for p in home.panels_for(user, today=TODAY)}


def test_the_coach_sees_the_isps_of_their_programme_and_the_students_below_60(world):
    # to submit: s1, s2 (s5 is deregistered, s6 is BA-B's); the 15 October deadline passed: danger.
    # to approve: s3, submitted and never approved: its deadline was the 1 December lock
    # (students.rules.approval_deadline), missed: danger. Below 60: s2 (40), s3 (59); s4 has 60.
    # No risk signal in this world: no student with a refusal ahead or a warning (Art. 28,
    # tests/progress/test_risk_list.py counts them); no study advice: no follow-up due.
    assert shown(world.coach) == {
        "progress": [(2, "danger"), (1, "danger"), (2, ""), (0, "danger"), (0, "warning"), (0, "")]
    }
    assert shown(world.other_coach) == {
        "progress": [(1, "danger"), (0, "warning"), (1, ""), (0, "danger"), (0, "warning"), (0, "")]
    }


def test_the_approval_deadline_follows_the_isp(world):
    """Never approved and enrolled before 1 December: the deadline was that lock (late
    route); approved before and changed since, or enrolled from the lock on: 15 March."""
    from students.models import Enrolment

    def approve_item():
        with translation.override("en"), on(TODAY):
            return home.panels_for(world.coach, today=TODAY)[0].items[1]

    item = approve_item()
    assert (item.count, item.tone) == (1, "danger")
    assert item.note == "The approval deadline was 01/12/2026: late route."
    # s3 was approved on 20 November and changed since: due before the 15 March lock.
    Enrolment.objects.filter(student__number="s3").update(isp_approved_on=D(2026, 11, 20))
    item = approve_item()
    assert (item.tone, item.note) == ("warning", "To approve before 15/03/2027.")
    # Two to approve, one of them late.
    enrolment = Enrolment.objects.get(student__number="s1", academic_year=world.year)
    enrolment.isp_status = "submitted"
    enrolment.save(update_fields=["isp_status"])
    item = approve_item()
    assert (item.count, item.tone) == (2, "danger")
    assert item.note == (
        "1 missed the approval deadline of 01/12/2026 (late route); the others are approved before 15/03/2027."
    )
    # A student enrolled on 1 December, never approved: 15 March too.
    Enrolment.objects.filter(pk=enrolment.pk).update(enrolled_on=D(2026, 12, 1))
    assert approve_item().tone == "warning"


def test_a_late_enrolment_still_has_its_seven_days(world):
    # Enrolled on 28 November, after the ISP deadline: submits by 5 December. s6's draft is late.
    from students.models import Enrolment

    Enrolment.objects.filter(student__number="s6").update(enrolled_on=D(2026, 11, 28))
    with translation.override("en"), on(TODAY):
        (panel,) = home.panels_for(world.other_coach, today=TODAY)
    submit = panel.items[0]
    assert (submit.count, submit.tone) == (1, "warning")
    assert submit.note.endswith("1 late enrolment still has its seven days.")
    Enrolment.objects.filter(student__number="s6").update(enrolled_on=D(2026, 11, 25))  # until 2 December
    with on(TODAY):
        assert home.panels_for(world.other_coach, today=TODAY)[0].items[0].tone == "warning"
    Enrolment.objects.filter(student__number="s6").update(enrolled_on=D(2026, 11, 24))  # until 1 December
    with on(TODAY):
        assert home.panels_for(world.other_coach, today=TODAY)[0].items[0].tone == "danger"


def test_the_ombudsperson_sees_requests_to_decide_overdue_ones_and_the_report_due(world):
    # Open in BA-A: due 5 Dec and due 30 Nov (overdue); the accepted one and BA-B's do not
    # count. The BA-A report of 2025-2026 was due on 15 November: overdue.
    # No fraud file in the small college: the fraud panel counts none (Art. 84: the ombudsperson
    # attends the student's hearing).
    assert shown(world.ombudsperson) == {
        "reschedules": [(2, ""), (1, "danger"), (1, "danger")],
        "fraud": [(0, "")],
    }


def test_student_administration_sees_appeals_missing_marks_and_open_balances(world):
    # Appeals: overdue 1 (30 Nov); due within five days 2 (5 and 7 Dec, not 8 Dec); awaiting
    # the elaboration 1; no lifting request. Marks missing for January: s1 A101 and s6 B101
    # (s2 has a mark, A102 is removed, A105 is a year course, A101 of s4 is exempted, s5 is
    # deregistered; A103 is a second-semester course). Open balances: s2 and s3.
    assert shown(world.administration) == {
        "appeals": [(1, "danger"), (2, "warning"), (1, ""), (0, "")],
        "exams": [(2, "warning")],
        "fees": [(2, "")],
        "fraud": [(0, "")],
        # No examination committee in this world: nothing to prepare, hold or sign.
        "committee": [(0, ""), (0, "warning"), (0, "")],
    }


def test_the_committee_reads_the_appeals_only(world):
    assert shown(world.committee) == {"appeals": [(1, "danger"), (2, "warning"), (1, ""), (0, "")]}


def test_a_superuser_sees_every_panel_with_every_programme(world):
    result = shown(world.admin)
    assert list(result) == ["progress", "reschedules", "appeals", "committee", "fraud", "exams", "fees"]
    # s1, s2, s6 to submit; s3 to approve; s2, s3, s6 below 60.
    assert result["progress"] == [(3, "danger"), (1, "danger"), (3, ""), (0, "danger"), (0, "warning"), (0, "")]
    # Open: BA-A's two and BA-B's (due 1 Dec: overdue too); both reports are overdue.
    assert result["reschedules"] == [(3, ""), (2, "danger"), (2, "danger")]


def test_each_panel_names_its_capability():
    assert {p.key: p.capability for p in home.panels()} == {
        "progress": Capability.ISP_WRITE,
        "reschedules": Capability.OMBUDS_WRITE,
        "appeals": Capability.APPEAL_REGISTER,
        "exams": Capability.RESULTS_OFFICE,
        "fees": Capability.FEE_PAGES,
        "committee": Capability.COMMITTEE_PAGES,
        "fraud": Capability.FRAUD_PAGES,
    }


def test_the_links_lead_to_the_lists_the_counts_come_from(client, world):
    client.force_login(world.coach)
    with on(TODAY):
        page = client.get(reverse("home")).content.decode()
        assert f"?academic_year={world.year.pk}&amp;isp_status=draft" in page
        assert f"?academic_year={world.year.pk}&amp;below_60=on" in page
        # The linked list shows the two drafts counted.
        listed = client.get(reverse("students:student_list"), {"academic_year": world.year.pk, "isp_status": "draft"})
        assert listed.status_code == 200
        body = listed.content.decode()
        # By the links to the students' pages (a bare "s6" can turn up in the page's CSRF token).
        shown = {number for number in ("s1", "s2", "s6") if reverse("students:student_detail", args=[number]) in body}
        assert shown == {"s1", "s2"}
    client.force_login(world.administration)
    with on(TODAY):
        page = client.get(reverse("home")).content.decode()
        assert reverse("appeals:register") + "?overdue=on" in page
        assert reverse("fees:open_balances") in page
        listed = client.get(reverse("appeals:register"), {"awaiting_elaboration": "on"})
        assert listed.status_code == 200
        # (the reference comes from the primary key: PostgreSQL does not reset its sequences)
        assert world.awaiting.reference in listed.content.decode()


def test_the_home_page_speaks_dutch(client, world):
    client.force_login(world.administration)
    client.cookies["django_language"] = "nl"
    with on(TODAY):
        page = client.get(reverse("home")).content.decode()
    assert "1 beroep met verstreken termijn" in page
    assert "2 openstaande saldi studiegeld" in page
    with translation.override("nl"):
        assert f"Uw werk voor vandaag, {date_format(TODAY, 'DATE_FORMAT')}." in page


@pytest.mark.parametrize("persona", ["coach", "ombudsperson", "administration", "committee", "admin"])
def test_the_home_page_stays_cheap(client, world, django_assert_max_num_queries, persona):
    """Session, user, groups, assignments, then a few aggregate queries per panel, whatever
    the number of students: 13 for the superuser's five panels today, bounded at 15."""
    client.force_login(getattr(world, persona))
    with on(TODAY), django_assert_max_num_queries(15):
        response = client.get(reverse("home"))
    assert response.status_code == 200


def test_the_coachs_counts_stop_at_the_cap_and_say_so(client, world, monkeypatch):
    """Issue 19: each count of the coach's panel reads at most the cap and one more row; beyond
    the cap it reads "1+" (here a cap of 1: the coach has two ISPs to submit and two students
    below 60, one ISP to approve)."""
    from core import pagination

    monkeypatch.setattr(pagination, "CAP", 1)
    with on(TODAY):
        items = {i.label: i for i in home.panels_for(world.coach, today=TODAY)[0].items}
    assert "1+ ISPs to submit" in items and items["1+ ISPs to submit"].count == 2
    assert "1 ISP to approve" in items
    assert "1+ students below 60 credits" in items
    client.force_login(world.coach)
    with on(TODAY):
        page = client.get(reverse("home")).content.decode()
    assert 'data-count="2">1+</span>' in page


def _fees_item(user):
    with on(TODAY):
        panel = next(p for p in home.panels_for(user, today=TODAY) if p.panel.key == "fees")
    [item] = panel.items
    return item


def test_the_open_balances_are_summed_up_to_the_cap(world):
    """s2 owes 300.50 and s3 is owed 50: two open balances, 250.50 in all."""
    item = _fees_item(world.administration)
    assert (item.label, item.count, item.note) == ("2 open fee balances", 2, "€ 250.50 in all.")


def test_the_open_balances_stop_at_the_cap_and_say_so(world, monkeypatch):
    """Issue 19: the fee panel reads at most the cap and one more balance; beyond the cap it
    reads "1+" and points to the export for the amount (a sum of some balances would be wrong)."""
    from core import pagination

    monkeypatch.setattr(pagination, "CAP", 1)
    item = _fees_item(world.administration)
    assert (item.label, item.count) == ("1+ open fee balances", 2)
    assert item.note == "The amount in all is in the CSV export of the open balances."
    assert item.url == reverse("fees:open_balances")
