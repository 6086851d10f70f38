"""The select committee's inventory (committee/inventory.py, the inventory page; Art. 69-70, DOMAIN
§9) in the committee world (tests/support/worlds.py ``committee_world``): BA-E (180 credits,
initial bachelor) stage 1 has E1, E2, E3 (6 credits each); six students S1-S6 (s0000001..6, degree
contracts, first year) took all three in January 2024 (not published before 6 February 2024):

    student  E1  E2  E3
    S1        4  12  13
    S2        6  13  12
    S3        7  14  14
    S4        9  11  15
    S5       12   6  11
    S6        5  15  12

Every expected value below is worked out by hand from this table."""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse

from committee import inventory, rules, services
from committee.models import CaseFile, Postponement
from exams.models import Result
from programmes.models import Course
from reschedules.models import RescheduleRequest, SpecialStatus
from students.models import ISPLine
from tests.support.factories import EnrolmentFactory, ISPLineFactory, StudentFactory
from tests.support.worlds import on

D = dt.date
MEETS = D(2024, 2, 1)


@pytest.fixture
def world(committee_world):
    with on(MEETS):
        yield committee_world


def url(world):
    return reverse("committee:inventory", args=[world.deliberation.pk])


def open_meeting(world):
    """Open the deliberation with the chair and the secretary present: 2 of the 4 members with a
    vote, the quorum of Art. 71."""
    services.deliberation_open(deliberation=world.deliberation, on=MEETS)
    for member in (world.chair, world.secretary):
        services.attendance_record(deliberation=world.deliberation, member=member, presence="present")


def open_rows(world) -> list:
    """The examined students with a decision open, all on one page."""
    return inventory.student_page(world.deliberation, size=1000).open_rows


def rows(world) -> dict[str, list[str]]:
    return {row.student.number: list(row.reasons) for row in open_rows(world)}


# --- Mark profiles (Art. 69, DOMAIN §9) ------------------------------------------------------------
def test_the_profiles_flag_e1_for_its_pass_rate_only(world):
    # E1: marks 4 6 7 9 12 5; one pass (12) out of 6 = 16.67 % < 40 % → flagged. Its mean is 43/6 = 7.17.
    # E2: 12 13 14 11 6 15: five passes out of 6 = 83.33 %, mean 71/6 = 11.83.
    # E3: 13 12 14 15 11 12: six out of 6 = 100 %, mean 77/6 = 12.83.
    # The stage's mean of the course means: (43 + 71 + 77) / 18 = 191/18 = 10.61.
    # Deviations from it: E1 -62/18 = -3.44, E2 22/18 = 1.22, E3 40/18 = 2.22.
    # Population variance: (62² + 22² + 40²) / 18² / 3 = (3844 + 484 + 1600) / 972 = 5928/972 = 6.099;
    # SD = 2.470, two SD = 4.94: E1 is 3.44 away, not more than 4.94 → not far from the stage.
    # (With three courses no course can be: the largest distance is √2 = 1.41 SD.)
    profiles = {row.course.code: row for row in inventory.mark_profiles_for(world.deliberation)}
    assert list(profiles) == ["E1", "E2", "E3"]  # the flagged first
    e1, e2, e3 = profiles["E1"].profile, profiles["E2"].profile, profiles["E3"].profile
    assert (e1.students, round(e1.pass_percentage, 2), round(e1.mean, 2)) == (6, 16.67, 7.17)
    assert e1.low_pass_rate and not e1.far_from_stage and e1.flagged
    assert (round(e2.pass_percentage, 2), round(e2.mean, 2), e2.flagged) == (83.33, 11.83, False)
    assert (e3.pass_percentage, round(e3.mean, 2), e3.flagged) == (100.0, 12.83, False)
    assert round(e1.stage_mean, 2) == 10.61 and round(e1.stage_deviation, 2) == 2.47
    assert profiles["E1"].programme == world.programme and profiles["E1"].stage == 1
    # The distribution: one student each at 4, 5, 6, 7, 9 and 12.
    assert profiles["E1"].spread == [(4, 1), (5, 1), (6, 1), (7, 1), (9, 1), (12, 1)]


def test_with_one_deviation_e1_is_far_from_the_stage(world):
    # E1 is 3.44 / 2.470 = 1.39 SD from the stage's mean (> 1); E3 2.22 / 2.470 = 0.90 and E2
    # 1.22 / 2.470 = 0.49 (≤ 1). With a pass rate threshold of 10 %, E1's 16.67 % is not low.
    thresholds = rules.ProfileThresholds(min_pass_rate=10, max_deviations=1.0, min_students=5)
    profiles = {row.course.code: row.profile for row in inventory.mark_profiles_for(world.deliberation, thresholds)}
    assert (profiles["E1"].low_pass_rate, profiles["E1"].far_from_stage) == (False, True)
    assert not profiles["E2"].flagged and not profiles["E3"].flagged


@override_settings(COMMITTEE_PROFILE_THRESHOLDS={"min_pass_rate": 40, "max_deviations": 2.0, "min_students": 7})
def test_a_course_with_fewer_marks_than_the_minimum_has_no_profile(world):
    assert inventory.mark_profiles_for(world.deliberation) == []


def test_the_profiles_count_the_numeric_marks_of_this_period_only(world):
    # S1's E1 becomes NA (a grade, no score): E1 keeps five numeric marks 6 7 9 12 5, one pass
    # out of 5 = 20 %, mean 39/5 = 7.8. Another committee's course does not appear.
    Result.objects.filter(isp_line=world.lines["s0000001", "E1"]).update(score=None, grade="NA")
    tech_course = Course.objects.create(
        programme=world.tech, code="T1", name="Course T1", credits=6, semester="1", stage=1
    )
    for i in range(5):
        enrolment = EnrolmentFactory(programme=world.tech, academic_year=world.year, student__number=f"t{i}")
        line = ISPLineFactory(enrolment=enrolment, course=tech_course)
        Result.objects.create(isp_line=line, exam_period=world.january, opportunity=1, score=2)
    profiles = {row.course.code: row.profile for row in inventory.mark_profiles_for(world.deliberation)}
    assert set(profiles) == {"E1", "E2", "E3"}
    assert (profiles["E1"].students, profiles["E1"].pass_percentage, profiles["E1"].mean) == (5, 20.0, 7.8)


# --- The students with a decision open (Art. 69-70) ------------------------------------------------
def test_the_open_students_are_the_intolerable_fails(world):
    # E1 under 8 is an intolerable fail (S1 4, S2 6, S3 7, S6 5); S5's E2 6 too. S4's 9 in E1 is a
    # tolerable fail: 6 credits needed, the tolerance credit is 10 % of 180 = 18, at most 12 for a
    # starter in a bachelor (Art. 91): 12 left → no decision open for S4.
    assert rows(world) == {
        "s0000001": ["Intolerable fail in E1: 4 (Art. 70, 79)."],
        "s0000002": ["Intolerable fail in E1: 6 (Art. 70, 79)."],
        "s0000003": ["Intolerable fail in E1: 7 (Art. 70, 79)."],
        "s0000005": ["Intolerable fail in E2: 6 (Art. 70, 79)."],
        "s0000006": ["Intolerable fail in E1: 5 (Art. 70, 79)."],
    }
    (row,) = [r for r in open_rows(world) if r.student.number == "s0000005"]
    assert row.url == f"/committee/deliberations/{world.deliberation.pk}/students/s0000005/"


def test_tolerance_needed_beyond_the_credit_left(world):
    # BA-E with 50 credits: the tolerance credit is 10 % of 50 = 5 (under the starter's cap of 12);
    # S4's tolerable fail in E1 needs 6 credits > 5 left.
    world.programme.credits = 50
    world.programme.save()
    assert rows(world)["s0000004"] == [
        "Tolerable fails of 6 credits, 5 credits of tolerance credit left (Art. 70, 91)."
    ]


def test_a_level_within_one_point(world):
    # A programme of 20 credits: E3 counts 8 credits. S3's E1 becomes 18: S3 passes E1, E2, E3
    # (20 credits done of 20, no fail) → the programme is passed (Art. 79), on a degree contract.
    # Percentage (Art. 78): (18×6 + 14×6 + 14×8) × 100 / (20 × 20) = (108 + 84 + 112) / 4 = 76.00 %:
    # cum laude (68), and magna cum laude (77) is 1.00 point away: within one point.
    # S4 (9 in E1): the credit is 10 % of 20 = 2; 6 needed > 2 left.
    world.programme.credits = 20
    world.programme.save()
    Course.objects.filter(pk=world.courses["E3"].pk).update(credits=8)
    Result.objects.filter(isp_line=world.lines["s0000003", "E1"]).update(score=18)
    found = rows(world)
    assert found["s0000003"] == ["Programme percentage 76.00 %: within one point of magna cum laude (Art. 70, 81)."]
    assert found["s0000004"] == ["Tolerable fails of 6 credits, 2 credits of tolerance credit left (Art. 70, 91)."]


def test_a_level_more_than_a_point_away_is_not_open(world):
    # S3's E1 19: (114 + 84 + 112) / 4 = 77.50 % → magna cum laude; summa (85) is 7.5 away.
    world.programme.credits = 20
    world.programme.save()
    Course.objects.filter(pk=world.courses["E3"].pk).update(credits=8)
    Result.objects.filter(isp_line=world.lines["s0000003", "E1"]).update(score=19)
    assert "s0000003" not in rows(world)


def test_a_postponed_result_and_the_adopted_decisions(world):
    # S4's E1 is announced later: S4 is listed. The committee considers S1's E1 (4) tolerable and
    # adjusts S2's E1 (6 → 10, after hearing the examiner): S1 and S2 are no longer open.
    services.postponement_record(
        deliberation=world.deliberation,
        isp_line=world.lines["s0000004", "E1"],
        announce_on=D(2024, 2, 20),
        reason="Examiner ill.",
    )
    open_meeting(world)
    s1, s2 = world.students[0], world.students[1]
    services.decision_record(
        deliberation=world.deliberation,
        student=s1,
        kind="tolerated",
        isp_line=world.lines["s0000001", "E1"],
        reason="Long illness.",
    )
    services.hearing_record(
        deliberation=world.deliberation,
        kind="examiner",
        student=s2,
        course=world.courses["E1"],
        heard="Examiner of E1",
        held_on=MEETS,
        present="Cato Chair, Olga Ombuds",
    )
    services.decision_record(
        deliberation=world.deliberation,
        student=s2,
        kind="mark_adjusted",
        isp_line=world.lines["s0000002", "E1"],
        new_score=10,
        reason="Question 4 was marked on the wrong key.",
    )
    found = rows(world)
    assert found["s0000004"] == ["Result of E1 announced later, on 20/02/2024 (Art. 69)."]
    assert "s0000001" not in found and "s0000002" not in found
    assert set(found) == {"s0000003", "s0000004", "s0000005", "s0000006"}


def test_a_decision_waiting_for_its_votes_does_not_close_the_question(world):
    open_meeting(world)
    services.decision_record(
        deliberation=world.deliberation,
        student=world.students[0],
        kind="tolerated",
        isp_line=world.lines["s0000001", "E1"],
        reason="Long illness.",
        vote_requested_by=world.member_mo,
    )
    assert rows(world)["s0000001"] == ["Intolerable fail in E1: 4 (Art. 70, 79)."]


# --- Files (Art. 69) ---------------------------------------------------------------------------
def test_the_files_with_the_requests_and_statuses_of_the_committees_students(world):
    s3 = world.students[2]
    services.case_file_open(
        deliberation=world.deliberation,
        kind="irregularity",
        student=s3,
        course=world.courses["E1"],
        description="Notes found.",
        indicated_by=world.chair,
    )
    request = RescheduleRequest.objects.create(
        kind="force_majeure",
        isp_line=world.lines["s0000003", "E1"],
        exam_period=world.january,
        requested_on=D(2024, 1, 10),
        reason="Ill.",
        logged_by=world.ombuds_user,
    )
    status = SpecialStatus.objects.create(
        student=s3, academic_year=world.year, kind="working", granted_by="Care", granted_on=D(2023, 10, 1)
    )
    # Another programme's student: not the committee's.
    other = EnrolmentFactory(programme=world.tech, academic_year=world.year, student=StudentFactory(number="t9"))
    SpecialStatus.objects.create(
        student=other.student, academic_year=world.year, kind="working", granted_by="Care", granted_on=D(2023, 10, 1)
    )
    files = inventory.files_for(world.deliberation)
    assert [f.description for f in files.irregularities] == ["Notes found."]
    assert files.circumstances == []
    assert files.requests == [request]
    assert files.statuses == [status]


# --- The page -------------------------------------------------------------------------------------
def test_the_page_shows_the_profiles_files_and_the_students_examined(client, world):
    client.force_login(world.chair_user)
    response = client.get(url(world))
    assert response.status_code == 200
    content = response.content.decode()
    assert "under 40 %" in content and "more than 2 standard deviations" in content
    # The profiles count every mark of the period: computed when asked for.
    assert response.context["profiles"] is None and 'id="profile-table"' not in content
    assert 'href="?profiles=1#profiles"' in content
    # Why a decision is open needs each student's standing: the students' pages show it.
    assert "6 students of the committee's programmes were examined in this exam period." in content
    assert reverse("committee:students", args=[world.deliberation.pk]) in content
    assert 'id="file-form"' in content and 'id="postponement-form"' in content
    response = client.get(url(world) + "?profiles=1")
    content = response.content.decode()
    assert "16.7 %" in content  # E1's pass rate
    assert [row.course.code for row in response.context["profiles"] if row.flagged] == ["E1"]
    students = client.get(reverse("committee:students", args=[world.deliberation.pk])).content.decode()
    assert "Intolerable fail in E2: 6 (Art. 70, 79)." in students


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("chair_user", 200),
        ("secretary_user", 200),
        ("ombuds_user", 200),
        ("administration", 200),
        ("admin", 200),
        ("chair_tech_user", 404),
        ("coach", 403),
    ],
)
def test_who_sees_the_inventory(client, world, user, status):
    client.force_login(getattr(world, user))
    assert client.get(url(world)).status_code == status


def test_anonymous_users_log_in_first(client, world):
    response = client.get(url(world))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_administration_reads_and_writes_nothing(client, world):
    client.force_login(world.administration)
    content = client.get(url(world)).content.decode()
    assert 'id="file-form"' not in content and 'id="postponement-form"' not in content
    post = {"kind": "irregularity", "student": "s0000003", "course": "E1", "description": "x"}
    assert client.post(reverse("committee:case_file_open", args=[world.deliberation.pk]), post).status_code == 403
    post = {"student": "s0000003", "course": "E1", "announce_on": "2024-02-20", "reason": "x"}
    response = client.post(reverse("committee:postponement_record", args=[world.deliberation.pk]), post)
    assert response.status_code == 403
    assert CaseFile.objects.count() == 0 and Postponement.objects.count() == 0


def test_the_chair_opens_a_file_of_irregularities(client, world):
    client.force_login(world.chair_user)
    post = {"kind": "irregularity", "student": "s0000003", "course": "e1", "description": "Notes found."}
    response = client.post(reverse("committee:case_file_open", args=[world.deliberation.pk]), post)
    assert response.status_code == 302
    (case,) = CaseFile.objects.all()
    assert (case.student.number, case.course.code, case.indicated_by, case.kind) == (
        "s0000003",
        "E1",
        world.chair,
        "irregularity",
    )


@pytest.mark.parametrize(
    ("user", "kind", "message"),
    [
        ("chair_user", "circumstances", "indicated by the ombudsperson (Art. 69)"),
        ("ombuds_user", "irregularity", "indicated by the chair (Art. 69)"),
        ("secretary_user", "irregularity", "indicated by the chair (Art. 69)"),
    ],
)
def test_a_file_is_indicated_by_its_seat_only(client, world, user, kind, message):
    client.force_login(getattr(world, user))
    post = {"kind": kind, "student": "s0000003", "course": "", "description": "Something."}
    response = client.post(reverse("committee:case_file_open", args=[world.deliberation.pk]), post)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert CaseFile.objects.count() == 0


def test_the_ombudsperson_opens_a_file_of_circumstances_for_a_committee_student_only(client, world):
    client.force_login(world.ombuds_user)
    endpoint = reverse("committee:case_file_open", args=[world.deliberation.pk])
    post = {"kind": "circumstances", "student": "nobody", "course": "", "description": "Ill."}
    response = client.post(endpoint, post)
    assert response.status_code == 422 and "No student with this number" in response.content.decode()
    post = {"kind": "circumstances", "student": "s0000005", "course": "X9", "description": "Ill."}
    response = client.post(endpoint, post)
    assert response.status_code == 422 and "not in the student&#x27;s ISP" in response.content.decode()
    assert CaseFile.objects.count() == 0
    post = {"kind": "circumstances", "student": "s0000005", "course": "", "description": "Ill."}
    assert client.post(endpoint, post).status_code == 302
    (case,) = CaseFile.objects.all()
    assert (case.indicated_by, case.course) == (world.ombuds, None)


def test_a_postponement_from_the_page_and_its_refusals(client, world):
    client.force_login(world.chair_user)
    endpoint = reverse("committee:postponement_record", args=[world.deliberation.pk])
    # The calendar publishes on 6 February 2024: a later date is needed (Art. 69).
    post = {"student": "s0000004", "course": "E1", "announce_on": "2024-02-06", "reason": "Examiner ill."}
    response = client.post(endpoint, post)
    assert response.status_code == 422 and "after the calendar" in response.content.decode()
    post["announce_on"], post["reason"] = "2024-02-20", " "
    response = client.post(endpoint, post)
    assert response.status_code == 422
    assert Postponement.objects.count() == 0
    post["reason"] = "Examiner ill."
    assert client.post(endpoint, post).status_code == 302
    (postponement,) = Postponement.objects.all()
    assert (postponement.isp_line, postponement.announce_on) == (world.lines["s0000004", "E1"], D(2024, 2, 20))


def test_a_member_without_a_part_in_the_select_committee_cannot_postpone(client, world):
    from tests.support import personas

    mo_user = personas.committee("mo")
    world.member_mo.user = mo_user
    world.member_mo.save()
    client.force_login(mo_user)
    assert client.get(url(world)).status_code == 200
    post = {"student": "s0000004", "course": "E1", "announce_on": "2024-02-20", "reason": "x"}
    response = client.post(reverse("committee:postponement_record", args=[world.deliberation.pk]), post)
    assert response.status_code == 403


def test_the_ombudsperson_postpones_too(client, world):
    client.force_login(world.ombuds_user)
    post = {"student": "s0000004", "course": "E1", "announce_on": "2024-02-20", "reason": "Examiner ill."}
    response = client.post(reverse("committee:postponement_record", args=[world.deliberation.pk]), post)
    assert response.status_code == 302 and Postponement.objects.count() == 1


def more_students(world, count: int, start: int):
    """``count`` more BA-E students with January marks in E1-E3 (a fail in E1)."""
    for i in range(start, start + count):
        student = StudentFactory(number=f"x{i:07d}")
        enrolment = EnrolmentFactory(student=student, academic_year=world.year, programme=world.programme)
        for code, score in (("E1", 5), ("E2", 12), ("E3", 9)):
            line = ISPLine.objects.create(enrolment=enrolment, course=world.courses[code], added_on=D(2023, 9, 15))
            Result.objects.create(isp_line=line, exam_period=world.january, opportunity=1, score=score)


def test_the_page_stays_within_its_query_budget(client, world, django_assert_max_num_queries):
    client.force_login(world.chair_user)
    services.postponement_record(
        deliberation=world.deliberation,
        isp_line=world.lines["s0000004", "E1"],
        announce_on=D(2024, 2, 20),
        reason="Examiner ill.",
    )
    students = reverse("committee:students", args=[world.deliberation.pk])
    with django_assert_max_num_queries(40) as six:
        client.get(url(world) + "?profiles=1")
    with django_assert_max_num_queries(40) as six_listed:
        client.get(students)
    more_students(world, 12, 100)
    with django_assert_max_num_queries(40) as eighteen:
        response = client.get(url(world) + "?profiles=1")
    assert response.context["examined"].count == 6 + 12
    with django_assert_max_num_queries(40) as eighteen_listed:
        response = client.get(students)
    # The five with an intolerable fail, S4 with a result announced later, the twelve new ones (E1: 5).
    assert len(response.context["rows"]) == 6 + 12
    assert len(eighteen.captured_queries) == len(six.captured_queries)
    assert len(eighteen_listed.captured_queries) == len(six_listed.captured_queries)


def test_the_ombudsperson_opens_a_file_from_a_reschedule_request(client, world):
    RescheduleRequest.objects.create(
        kind="force_majeure",
        isp_line=world.lines["s0000003", "E1"],
        exam_period=world.january,
        requested_on=D(2024, 1, 10),
        reason="Ill.",
        logged_by=world.ombuds_user,
    )
    client.force_login(world.ombuds_user)
    content = client.get(url(world)).content.decode()
    link = "?kind=circumstances&amp;student=s0000003&amp;course=E1#file-form"
    assert link in content
    response = client.get(url(world) + "?kind=circumstances&student=s0000003&course=E1")
    form = response.context["file_form"]
    assert (form["kind"].value(), form["student"].value(), form["course"].value()) == (
        "circumstances",
        "s0000003",
        "E1",
    )
    # The chair indicates irregularities only: no link to a file of circumstances.
    client.force_login(world.chair_user)
    assert link not in client.get(url(world)).content.decode()
