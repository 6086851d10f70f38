"""A student's page for the deliberation (committee:student; Art. 70, 73-75, 78-81, 91): the
standing as it is and with a proposed decision, computed by the rules, and the decision form.

The committee world (tests/support/worlds.py ``committee_world``): BA-E (180 credits, initial
bachelor), E1, E2, E3 of 6 credits in stage 1; first-year students on a degree contract, January
2024 marks (published on 6 February 2024):

    student  E1  E2  E3
    S2        6  13  12
    S3        7  14  14
    S4        9  11  15
    S5       12   6  11

The tolerance credit (Art. 91 §1) is 10 % of 180 = 18, at most 12 for a starter in a bachelor:
12. Every figure below is worked out by hand."""

import datetime as dt

import pytest
from django.urls import reverse

from committee import services
from committee.models import Decision
from exams.models import Result
from programmes.models import Course
from students.models import ISPLine
from tests.support import personas
from tests.support.factories import EnrolmentFactory, StudentFactory
from tests.support.worlds import on

D = dt.date
MEETS = D(2024, 2, 1)


@pytest.fixture
def world(committee_world):
    with on(MEETS):
        yield committee_world


def url(world, number="s0000005", **query):
    base = reverse("committee:student", args=[world.deliberation.pk, number])
    if query:
        base += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return base


def open_meeting(world):
    """Open with the chair and the secretary present: 2 of 4 members with a vote (Art. 71)."""
    services.deliberation_open(deliberation=world.deliberation, on=MEETS)
    for member in (world.chair, world.secretary):
        services.attendance_record(deliberation=world.deliberation, member=member, presence="present")


def figures(response) -> dict[str, tuple[str, str]]:
    (section,) = response.context["sections"]
    return {str(row["label"]): (row["now"], row["proposed"]) for row in section["figures"]}


def lines(response) -> dict[str, tuple[str, str, str]]:
    (section,) = response.context["sections"]
    return {row["code"]: (row["examiner"], row["now"], row["proposed"]) for row in section["lines"]}


def written() -> tuple:
    return Decision.objects.count(), Decision.history.count(), list(Result.objects.values_list("pk", "score"))


# --- The standing, as it is and with a proposal ---------------------------------------------
def test_the_standing_as_it_is(client, world):
    # S5: E1 12 and E3 11 passed, E2 6 an intolerable fail. Certified 12 of 18 credits: 66.67 %.
    # Percentage of the courses done (Art. 78): (12×6 + 11×6) × 100 / (12 × 20) = 138 / 2.4 = 57.50 %.
    client.force_login(world.chair_user)
    response = client.get(url(world))
    assert response.status_code == 200
    assert lines(response) == {
        "E1": ("12", "12 · passed", ""),
        "E2": ("6", "6 · intolerable fail", ""),
        "E3": ("11", "11 · passed", ""),
    }
    assert figures(response) == {
        "Tolerance credit (Art. 91)": ("12 credits", ""),
        "Tolerance credit used": ("0 credits", ""),
        "Tolerance credit left": ("12 credits", ""),
        "Tolerable fails not tolerated": ("0 credits", ""),
        "Study efficiency this year": ("66.67 %", ""),
        "Programme result (Art. 79)": ("not reached", ""),
        "Programme percentage (Art. 78)": ("57.50 %", ""),
        "Level of achievement (Art. 81)": ("–", ""),
        "Automatic tolerance (Art. 91 §3)": ("none", ""),
    }
    assert response.context["sections"][0]["section"].reasons == ["Intolerable fail in E2: 6 (Art. 70, 79)."]
    assert response.context["proposal"] is None


def test_the_preview_of_a_fail_considered_tolerable(client, world):
    # S5's E2 (6) tolerated: 6 credits of tolerance used, 6 left; the percentage counts E2 now:
    # (12×6 + 6×6 + 11×6) × 100 / (18 × 20) = 174 / 3.6 = 48.33 %. The efficiency counts credit
    # certificates only: still 12 / 18 = 66.67 %.
    client.force_login(world.chair_user)
    response = client.get(url(world, kind="tolerated", line=world.lines["s0000005", "E2"].pk))
    assert lines(response)["E2"] == ("6", "6 · intolerable fail", "6 · tolerated")
    found = figures(response)
    assert found["Tolerance credit used"] == ("0 credits", "6 credits")
    assert found["Tolerance credit left"] == ("12 credits", "6 credits")
    assert found["Programme percentage (Art. 78)"] == ("57.50 %", "48.33 %")
    assert found["Study efficiency this year"] == ("66.67 %", "66.67 %")
    assert found["Programme result (Art. 79)"] == ("not reached", "not reached")
    assert Decision.objects.count() == 0


def test_the_preview_of_a_mark_adjusted(client, world):
    # S2's E1 6 → 10: passed, a credit certificate: 18 / 18 = 100.00 % efficiency; the percentage
    # goes from (13×6 + 12×6) / 2.4 = 62.50 % to (10×6 + 13×6 + 12×6) / 3.6 = 58.33 %.
    client.force_login(world.chair_user)
    line = world.lines["s0000002", "E1"].pk
    response = client.get(url(world, "s0000002", kind="mark_adjusted", line=line, new_score=10))
    assert lines(response)["E1"] == ("6", "6 · intolerable fail", "10 · passed")
    found = figures(response)
    assert found["Study efficiency this year"] == ("66.67 %", "100.00 %")
    assert found["Programme percentage (Art. 78)"] == ("62.50 %", "58.33 %")
    assert found["Tolerance credit left"] == ("12 credits", "12 credits")
    assert Result.objects.get(isp_line=world.lines["s0000002", "E1"]).score == 6


def test_the_preview_of_a_tolerance_beyond_the_credit(client, world):
    # BA-E of 50 credits: a credit of 10 % of 50 = 5. S4's tolerable 9 in E1 (6 credits) needs 6;
    # tolerated beyond the credit: 6 used, 1 credit beyond.
    world.programme.credits = 50
    world.programme.save()
    client.force_login(world.chair_user)
    response = client.get(url(world, "s0000004", kind="beyond_credit", line=world.lines["s0000004", "E1"].pk))
    found = figures(response)
    assert found["Tolerance credit (Art. 91)"] == ("5 credits", "5 credits")
    assert found["Tolerable fails not tolerated"] == ("6 credits", "0 credits")
    assert found["Tolerance credit left"] == ("5 credits", "1 credit beyond the credit (Art. 70)")
    assert lines(response)["E1"] == ("9", "9 · tolerable fail", "9 · tolerated")


def test_the_preview_of_a_level_awarded(client, world):
    # A programme of 20 credits (E3 of 8): S3 with E1 18 passes the programme with
    # (18×6 + 14×6 + 14×8) / 4 = 76.00 %: cum laude (Art. 81); the committee may award magna.
    world.programme.credits = 20
    world.programme.save()
    Course.objects.filter(pk=world.courses["E3"].pk).update(credits=8)
    Result.objects.filter(isp_line=world.lines["s0000003", "E1"]).update(score=18)
    client.force_login(world.chair_user)
    response = client.get(url(world, "s0000003", kind="level_awarded", level="magna_cum_laude"))
    found = figures(response)
    assert found["Programme result (Art. 79)"] == ("reached", "reached")
    assert found["Programme percentage (Art. 78)"] == ("76.00 %", "76.00 %")
    assert found["Level of achievement (Art. 81)"] == (
        "cum laude",
        "magna cum laude, awarded by the committee (Art. 70)",
    )


def test_beyond_the_credit_the_programme_is_passed(client, world):
    # A programme of 18 credits: the credit is 10 % of 18 = 1.8, rounded half up 2. S4's tolerable
    # 9 in E1 needs 6 > 2: no automatic tolerance (Art. 91 §3 a), the programme is not passed.
    # Tolerated beyond the credit: every course done, 18 credits, (9×6 + 11×6 + 15×6) / 3.6 =
    # 58.33 % (as it is, E2 and E3: (11×6 + 15×6) / 2.4 = 65.00 %); 18 examined credits < 20: no
    # level of achievement (Art. 81).
    world.programme.credits = 18
    world.programme.save()
    client.force_login(world.chair_user)
    response = client.get(url(world, "s0000004", kind="beyond_credit", line=world.lines["s0000004", "E1"].pk))
    found = figures(response)
    assert found["Automatic tolerance (Art. 91 §3)"] == ("none", "none")
    assert found["Programme result (Art. 79)"] == ("not reached", "reached")
    assert found["Programme percentage (Art. 78)"] == ("65.00 %", "58.33 %")
    assert found["Level of achievement (Art. 81)"] == ("–", "none (Art. 81)")
    assert found["Tolerance credit left"] == ("2 credits", "4 credits beyond the credit (Art. 70)")


def test_the_automatic_tolerance_is_in_the_standing(client, world):
    # BA-E of 60 credits; S4 passed P1-P7 (42 credits, 15 each) in 2022-2023. The credit is 10 % of
    # 60 = 6 (a starter still: 42 < 60 credits before this year; cap 12). In January S4 passes E2
    # and E3 and has a tolerable 9 in E1: tolerating it makes S4 pass the programme (60 credits
    # done), the efficiency is 12 / 18 = 66.67 % ≥ 50 % and 6 credits are left: the publication
    # tolerates E1 itself (Art. 91 §3 a). Percentage: (15×42 + 9×6 + 11×6 + 15×6) × 100 / (60 × 20)
    # = (630 + 210) / 12 = 70.00 %: cum laude.
    from tests.support.factories import AcademicYearFactory, CourseFactory, ISPLineFactory

    world.programme.credits = 60
    world.programme.save()
    earlier = AcademicYearFactory(first_year=2022)
    enrolment = EnrolmentFactory(
        student=world.students[3], academic_year=earlier, programme=world.programme, enrolled_on=D(2022, 9, 15)
    )
    for i in range(1, 8):
        course = CourseFactory(programme=world.programme, code=f"P{i}", credits=6, stage=1)
        ISPLineFactory(enrolment=enrolment, course=course, mark="15", outcome="passed", certified_on=D(2023, 2, 6))
    client.force_login(world.chair_user)
    response = client.get(url(world, "s0000004"))
    found = figures(response)
    assert found["Automatic tolerance (Art. 91 §3)"] == ("E1", "")
    assert found["Tolerance credit used"] == ("6 credits", "")
    assert found["Tolerance credit left"] == ("0 credits", "")
    assert found["Programme result (Art. 79)"] == ("reached", "")
    assert found["Programme percentage (Art. 78)"] == ("70.00 %", "")
    assert found["Level of achievement (Art. 81)"] == ("cum laude", "")
    assert lines(response)["E1"] == ("9", "9 · tolerated", "")


def test_a_preview_names_what_it_needs(client, world):
    client.force_login(world.chair_user)
    response = client.get(url(world, "s0000002", kind="mark_adjusted", line=world.lines["s0000002", "E1"].pk))
    assert response.status_code == 200
    assert response.context["proposal"] is None
    assert "Give the adjusted mark (Art. 70 §1)." in response.content.decode()
    response = client.get(url(world, "s0000002", kind="tolerated"))
    assert "Choose the course the decision is about (Art. 70)." in response.content.decode()


def test_a_line_of_another_student_is_not_a_choice(client, world):
    client.force_login(world.chair_user)
    response = client.get(url(world, "s0000002", kind="tolerated", line=world.lines["s0000005", "E2"].pk))
    assert response.context["proposal"] is None


# --- The decision form -----------------------------------------------------------------------
def decide(client, world, number="s0000005", **fields):
    post = {"kind": "tolerated", "line": world.lines[number, "E2"].pk, "reason": "Long illness."} | fields
    return client.post(url(world, number), post)


def test_the_chair_records_a_decision_adopted(client, world):
    open_meeting(world)
    client.force_login(world.chair_user)
    preview = client.get(url(world, kind="tolerated", line=world.lines["s0000005", "E2"].pk))
    assert 'id="decision-form"' in preview.content.decode()
    response = decide(client, world)
    assert response.status_code == 302 and response["Location"] == url(world)
    (decision,) = Decision.objects.all()
    assert (decision.student, decision.kind, decision.isp_line, decision.outcome, decision.vote_requested_by) == (
        world.students[4],
        "tolerated",
        world.lines["s0000005", "E2"],
        "adopted",
        None,
    )
    # As it is now counts the adopted decision: E2 tolerated, 6 credits used.
    page = client.get(url(world))
    assert lines(page)["E2"] == ("6", "6 · tolerated", "")
    assert figures(page)["Tolerance credit used"] == ("6 credits", "")
    assert page.context["sections"][0]["section"].reasons == []
    assert "Long illness." in page.content.decode()


def test_asking_for_a_vote_proposes_the_decision(client, world):
    open_meeting(world)
    client.force_login(world.secretary_user)
    response = decide(client, world, ask_vote="on")
    assert response.status_code == 302
    (decision,) = Decision.objects.all()
    assert (decision.outcome, decision.vote_requested_by) == ("proposed", world.secretary)


def test_a_decision_without_a_reason_is_refused_and_nothing_is_written(client, world):
    open_meeting(world)
    client.force_login(world.chair_user)
    before = written()
    response = decide(client, world, reason="  ")
    assert response.status_code == 422
    assert "carefully justified: give the reason (Art. 70)." in response.content.decode()
    assert written() == before
    # The page still previews the proposal.
    assert lines(response)["E2"] == ("6", "6 · intolerable fail", "6 · tolerated")


def test_a_mark_adjusted_without_hearing_the_examiner_is_refused(client, world):
    open_meeting(world)
    client.force_login(world.chair_user)
    before = written()
    response = decide(
        client, world, "s0000002", kind="mark_adjusted", line=world.lines["s0000002", "E1"].pk, new_score=10
    )
    assert response.status_code == 422
    assert "adjusted only after the examiner was heard (Art. 74)" in response.content.decode()
    assert written() == before
    services.hearing_record(
        deliberation=world.deliberation,
        kind="examiner",
        student=world.students[1],
        course=world.courses["E1"],
        heard="Examiner of E1",
        held_on=MEETS,
        present="Cato Chair, Olga Ombuds",
    )
    response = decide(
        client, world, "s0000002", kind="mark_adjusted", line=world.lines["s0000002", "E1"].pk, new_score=10
    )
    assert response.status_code == 302
    (decision,) = Decision.objects.all()
    assert (decision.new_score, decision.result.score, decision.outcome) == (10, 6, "adopted")


def test_a_decision_before_the_meeting_is_open_is_refused(client, world):
    client.force_login(world.chair_user)
    preview = client.get(url(world, kind="tolerated", line=world.lines["s0000005", "E2"].pk))
    assert 'id="decision-form"' not in preview.content.decode()
    before = written()
    response = decide(client, world)
    assert response.status_code == 422 and "open it first (Art. 70-71)" in response.content.decode()
    assert written() == before


# --- Who sees and who writes -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("chair_user", 200),
        ("secretary_user", 200),
        ("substitute_user", 200),
        ("ombuds_user", 200),
        ("administration", 200),
        ("admin", 200),
        ("chair_tech_user", 404),
        ("coach", 403),
    ],
)
def test_who_sees_the_page(client, world, user, status):
    client.force_login(getattr(world, user))
    assert client.get(url(world)).status_code == status


def test_a_student_outside_the_committees_programmes_is_not_found(client, world):
    EnrolmentFactory(programme=world.tech, academic_year=world.year, student=StudentFactory(number="t0000001"))
    client.force_login(world.chair_user)
    assert client.get(url(world, "t0000001")).status_code == 404
    assert client.get(url(world, "nobody")).status_code == 404


@pytest.mark.parametrize("user", ["ombuds_user", "administration", "member"])
def test_only_those_who_run_the_meeting_decide(client, world, user):
    open_meeting(world)
    if user == "member":
        account = personas.committee("mo")
        world.member_mo.user = account
        world.member_mo.save()
    else:
        account = getattr(world, user)
    client.force_login(account)
    page = client.get(url(world, kind="tolerated", line=world.lines["s0000005", "E2"].pk))
    assert page.status_code == 200 and 'id="decision-form"' not in page.content.decode()
    before = written()
    assert decide(client, world).status_code == 403
    assert written() == before


def test_another_committees_chair_cannot_decide(client, world):
    open_meeting(world)
    client.force_login(world.chair_tech_user)
    assert decide(client, world).status_code == 404
    assert Decision.objects.count() == 0


# --- Query budget -----------------------------------------------------------------------------
def test_the_page_stays_within_its_query_budget(client, world, django_assert_max_num_queries):
    open_meeting(world)
    client.force_login(world.chair_user)
    address = url(world, kind="tolerated", line=world.lines["s0000005", "E2"].pk)
    with django_assert_max_num_queries(30) as few:
        client.get(address)
    for i in range(12):
        enrolment = EnrolmentFactory(
            student=StudentFactory(number=f"x{i:07d}"), academic_year=world.year, programme=world.programme
        )
        for code in ("E1", "E2", "E3"):
            line = ISPLine.objects.create(enrolment=enrolment, course=world.courses[code], added_on=D(2023, 9, 15))
            Result.objects.create(isp_line=line, exam_period=world.january, opportunity=1, score=5)
    with django_assert_max_num_queries(30) as many:
        client.get(address)
    assert len(many.captured_queries) == len(few.captured_queries)
