"""The committee's home and meeting page (Art. 71-75): who reads and who writes (Art. 72 keeps the
deliberation secret to the committee and the administration), attendance and quorum, opening and
closing, hearings, recusals, asking for a vote and recording the votes, refusals that write
nothing, the query budget and the pages in Dutch.

The world (``committee_world``): Education's seats are chair Cato (user ``chair``), secretary Sien
(``secretary``), members Mo and Noor (no user), Wim substitute for the chair (``chair_substitute``)
and ombudsperson Olga (``ombuds_edu``, advisory): four members with a vote. Tom (``chair_tech``)
chairs (Bio)Technology."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from committee import services
from committee.models import Attendance, Decision, Deliberation, Hearing, Recusal, Vote
from tests.support import personas
from tests.support.worlds import on

D = dt.date
DAY = D(2024, 2, 1)  # the meeting day
PRESENT_ALL = ("chair", "secretary", "member_mo", "member_noor")

PERSONA_USERS = {
    "chair": "chair_user",
    "secretary": "secretary_user",
    "chair_substitute": "substitute_user",
    "ombuds_edu": "ombuds_user",
    "chair_tech": "chair_tech_user",
    "administration": "administration",
    "coach": "coach",
    "admin": "admin",
}


@pytest.fixture
def world(committee_world):
    with on(DAY):
        yield committee_world


def login(client, world, persona):
    if persona == "anonymous":
        return
    seatless = persona == "seatless"  # in the committee group without a seat
    client.force_login(personas.committee("seatless") if seatless else getattr(world, PERSONA_USERS[persona]))


def page_url(world):
    return reverse("committee:deliberation", args=[world.deliberation.pk])


def refresh(world) -> Deliberation:
    return Deliberation.objects.get(pk=world.deliberation.pk)


def meeting(world, present=PRESENT_ALL, **presence):
    """Open Education's deliberation with ``present`` attending (and ``presence``: member → value)."""
    services.deliberation_open(deliberation=world.deliberation, on=DAY)
    for name in present:
        services.attendance_record(deliberation=world.deliberation, member=getattr(world, name), presence="present")
    for name, value in presence.items():
        services.attendance_record(deliberation=world.deliberation, member=getattr(world, name), presence=value)


def level_decision(world, student=0, *, vote_by=None):
    return services.decision_record(
        deliberation=world.deliberation,
        student=world.students[student],
        kind="level_awarded",
        level="cum_laude",
        reason="The thesis carries the programme.",
        vote_requested_by=vote_by,
    )


def mark_decision(world, *, student=0, course="E3", new_score=11):
    """A mark adjusted after the examiner of ``course`` was heard (Art. 74)."""
    services.hearing_record(
        deliberation=world.deliberation,
        kind="examiner",
        student=world.students[student],
        course=world.courses[course],
        heard="Examiner E3",
        held_on=DAY,
        present="Cato Chair, Sien Secretary",
    )
    return services.decision_record(
        deliberation=world.deliberation,
        student=world.students[student],
        kind="mark_adjusted",
        isp_line=world.lines[world.students[student].number, course],
        new_score=new_score,
        reason="The marking scheme was applied wrongly.",
        vote_requested_by=world.chair,
    )


def ballots(decision, votes):
    """The votes form's data: member → ballot."""
    return {f"v{decision.pk}-ballot_{member.pk}": ballot for member, ballot in votes.items()}


def texts(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Who reads (Art. 72) ----------------------------------------------------------------------------
READS = [
    # persona, home, deliberation page
    ("chair", 200, 200),
    ("secretary", 200, 200),
    ("chair_substitute", 200, 200),
    ("ombuds_edu", 200, 200),
    ("chair_tech", 200, 404),  # a seat on (Bio)Technology: Education's deliberation is not found
    ("administration", 200, 200),
    ("coach", 403, 403),  # coaches see the outcome, never the deliberation
    ("seatless", 403, 403),  # in the committee group without a seat
    ("admin", 200, 200),
    ("anonymous", 302, 302),
]


@pytest.mark.parametrize(("persona", "home", "page"), READS)
def test_who_opens_the_committee_pages(client, world, persona, home, page):
    login(client, world, persona)
    assert client.get(reverse("committee:home")).status_code == home
    response = client.get(page_url(world))
    assert response.status_code == page
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_the_home_lists_the_deliberation_to_prepare_with_its_day_and_place(client, world):
    login(client, world, "chair")
    response = client.get(reverse("committee:home"))
    groups = {key: items for key, _label, items in response.context["groups"]}
    assert [d.pk for d in groups["prepared"]] == [world.deliberation.pk]
    assert groups["open"] == groups["to-sign"] == groups["signed"] == []
    content = response.content.decode()
    assert "01/02/2024" in content and "Room A.101" in content
    assert page_url(world) in content
    assert "chair, Education 2023-2024" in content  # the user's seat


def test_the_home_of_another_committee_lists_nothing_of_education(client, world):
    login(client, world, "chair_tech")
    response = client.get(reverse("committee:home"))
    assert all(items == [] for _key, _label, items in response.context["groups"])
    assert page_url(world) not in response.content.decode()


def test_the_home_groups_open_to_sign_and_signed(client, world):
    from programmes.models import ExamPeriod

    meeting(world)
    opened = world.deliberation
    # Two more Education deliberations: June closed and not signed, September closed and signed.
    june, september = (ExamPeriod.objects.get(academic_year=world.year, number=n) for n in (2, 3))
    to_sign = Deliberation.objects.create(committee=world.education, exam_period=june)
    signed = Deliberation.objects.create(committee=world.education, exam_period=september)
    for deliberation in (to_sign, signed):
        services.deliberation_open(deliberation=deliberation, on=DAY)
        for member in (world.chair, world.secretary):
            services.attendance_record(deliberation=deliberation, member=member, presence="present")
        services.deliberation_close(deliberation=deliberation, on=DAY)
    for member in (world.chair, world.secretary):
        services.report_sign(deliberation=signed, member=member, content={"signed": True})
    services.report_sign(deliberation=to_sign, member=world.chair, content={})  # the secretary has not signed

    login(client, world, "secretary")
    response = client.get(reverse("committee:home"))
    groups = {key: [d.pk for d in items] for key, _label, items in response.context["groups"]}
    assert groups == {"prepared": [], "open": [opened.pk], "to-sign": [to_sign.pk], "signed": [signed.pk]}


# --- Who writes ------------------------------------------------------------------------------------
def write_urls(world, decision):
    pk = world.deliberation.pk
    return {
        "open": (reverse("committee:deliberation_open", args=[pk]), {}),
        "close": (reverse("committee:deliberation_close", args=[pk]), {}),
        "attendance": (
            reverse("committee:attendance_record", args=[pk]),
            {f"presence_{world.member_noor.pk}": "excused"},
        ),
        "hearing": (
            reverse("committee:hearing_record", args=[pk]),
            {
                "kind": "student",
                "student": world.students[0].number,
                "heard": "Student1 Surname1",
                "held_on": "2024-02-01",
                "present": "Cato Chair",
            },
        ),
        "recusal": (
            reverse("committee:recusal_record", args=[pk]),
            {"member": world.member_mo.pk, "student": world.students[1].number, "ground": "relative"},
        ),
        "vote_request": (reverse("committee:vote_request", args=[pk, decision.pk]), {}),
        "votes": (reverse("committee:votes_record", args=[pk, decision.pk]), ballots(decision, {})),
    }


WRITES = ["open", "close", "attendance", "hearing", "recusal", "vote_request", "votes"]


@pytest.mark.parametrize("persona", ["administration", "coach", "seatless", "chair_tech", "anonymous", "ombuds_edu"])
@pytest.mark.parametrize("write", WRITES)
def test_who_may_not_write_writes_nothing(client, world, persona, write):
    meeting(world)
    decision = level_decision(world)
    url, data = write_urls(world, decision)[write]
    login(client, world, persona)
    before = (Attendance.objects.count(), Hearing.objects.count(), Recusal.objects.count(), Vote.objects.count())
    response = client.post(url, data)
    expected = {"anonymous": 302, "chair_tech": 404}.get(persona, 403)
    if persona == "ombuds_edu" and write == "vote_request":
        expected = 302  # any seat holder may ask for a vote (Art. 75)
    assert response.status_code == expected
    after = (Attendance.objects.count(), Hearing.objects.count(), Recusal.objects.count(), Vote.objects.count())
    assert after == before
    assert refresh(world).status == "open"


@pytest.mark.parametrize("persona", ["ombuds_edu", "administration"])
def test_who_reads_without_running_the_meeting_sees_no_form(client, world, persona):
    meeting(world)
    decision = level_decision(world, vote_by=world.chair)
    login(client, world, persona)
    response = client.get(page_url(world))
    content = response.content.decode()
    for name in ("attendance_record", "hearing_record", "recusal_record", "deliberation_close"):
        assert reverse(f"committee:{name}", args=[world.deliberation.pk]) not in content
    assert reverse("committee:votes_record", args=[world.deliberation.pk, decision.pk]) not in content
    for key in ("attendance_form", "hearing_form", "recusal_form"):
        assert key not in response.context


def test_those_who_run_the_meeting_see_its_forms(client, world):
    meeting(world)
    decision = level_decision(world, vote_by=world.chair)
    login(client, world, "chair_substitute")
    content = client.get(page_url(world)).content.decode()
    for name in ("attendance_record", "hearing_record", "recusal_record", "deliberation_close"):
        assert reverse(f"committee:{name}", args=[world.deliberation.pk]) in content
    assert reverse("committee:votes_record", args=[world.deliberation.pk, decision.pk]) in content


# --- Opening and closing -------------------------------------------------------------------------------
def test_the_chair_opens_and_closes_the_deliberation(client, world):
    login(client, world, "chair")
    response = client.post(reverse("committee:deliberation_open", args=[world.deliberation.pk]), follow=True)
    assert refresh(world).status == "open"
    assert refresh(world).opened_on == DAY
    assert "The deliberation is open." in texts(response)
    assert "Close the deliberation" in response.content.decode()

    response = client.post(reverse("committee:deliberation_close", args=[world.deliberation.pk]), follow=True)
    assert refresh(world).status == "closed"
    assert refresh(world).closed_on == DAY
    content = response.content.decode()
    assert "report to sign" in content
    assert "Record the attendance" not in content  # the attendance list is final


def test_closing_with_a_vote_not_counted_is_refused_and_shown(client, world):
    meeting(world)
    level_decision(world, vote_by=world.member_mo)
    login(client, world, "secretary")
    response = client.post(reverse("committee:deliberation_close", args=[world.deliberation.pk]), follow=True)
    assert refresh(world).status == "open"
    (message,) = texts(response)
    assert message.startswith("A vote was asked on 1 decision") and message.endswith("(Art. 75).")


# --- Attendance and quorum (Art. 71) ------------------------------------------------------------------
def post_attendance(client, world, **rows):
    data = {}
    for name, value in rows.items():
        if name.endswith("_replaces"):
            data[f"replaces_{getattr(world, name.removesuffix('_replaces')).pk}"] = value
        else:
            data[f"presence_{getattr(world, name).pk}"] = value
    return client.post(reverse("committee:attendance_record", args=[world.deliberation.pk]), data, follow=True)


def test_two_of_four_members_with_a_vote_present_is_a_quorum(client, world):
    login(client, world, "secretary")
    response = post_attendance(
        client, world, chair="present", secretary="online", member_mo="excused", member_noor="absent", ombuds="present"
    )
    assert "The attendance was recorded." in texts(response)
    recorded = dict(Attendance.objects.filter(deliberation=world.deliberation).values_list("member__name", "presence"))
    assert recorded == {
        "Cato Chair": "present",
        "Sien Secretary": "online",
        "Mo Member": "excused",
        "Noor Member": "absent",
        "Olga Ombuds": "present",
    }
    quorum = response.context["quorum"]
    assert (quorum.present, quorum.members, quorum.met) == (2, 4, True)  # the ombudsperson does not count
    content = response.content.decode()
    assert "2 of 4 members with a vote present" in content
    assert 'id="quorum-met"' in content


def test_one_of_four_is_no_quorum_and_a_vote_is_then_refused(client, world):
    meeting(world, present=("chair", "secretary"))
    decision = level_decision(world, vote_by=world.member_mo)
    login(client, world, "chair")
    response = post_attendance(client, world, chair="excused")
    quorum = response.context["quorum"]
    assert (quorum.present, quorum.members, quorum.met) == (1, 4, False)
    assert 'id="quorum-not-met"' in response.content.decode()

    response = client.post(
        reverse("committee:votes_record", args=[world.deliberation.pk, decision.pk]),
        ballots(decision, {world.secretary: "for"}),
    )
    assert response.status_code == 422
    assert "cannot decide (Art. 71)" in response.content.decode()
    assert not Vote.objects.exists()
    assert Decision.objects.get(pk=decision.pk).outcome == "proposed"


def test_a_substitute_counts_for_the_chair_replaced(client, world):
    login(client, world, "chair_substitute")
    response = post_attendance(
        client, world, chair="excused", chair_substitute="present", chair_substitute_replaces=str(world.chair.pk)
    )
    assert Attendance.objects.get(member=world.chair_substitute).replaces == world.chair
    quorum = response.context["quorum"]
    assert (quorum.present, quorum.members, quorum.met) == (1, 4, False)
    response = post_attendance(client, world, secretary="present")
    quorum = response.context["quorum"]
    assert (quorum.present, quorum.members, quorum.met) == (2, 4, True)
    assert "replaces" in response.content.decode()


def test_attendance_on_a_closed_deliberation_is_refused_and_nothing_written(client, world):
    meeting(world)
    services.deliberation_close(deliberation=world.deliberation, on=DAY)
    login(client, world, "chair")
    response = post_attendance(client, world, member_noor="excused", ombuds="present")
    assert response.status_code == 422
    assert "its attendance list is final (Art. 71)" in response.content.decode()
    assert Attendance.objects.get(member=world.member_noor).presence == "present"
    assert not Attendance.objects.filter(member=world.ombuds).exists()


# --- Hearings and recusals (Art. 73-74) ---------------------------------------------------------------
def test_a_hearing_of_an_examiner_is_recorded(client, world):
    login(client, world, "secretary")
    response = client.post(
        reverse("committee:hearing_record", args=[world.deliberation.pk]),
        {
            "kind": "examiner",
            "student": world.students[0].number,
            "course": "E1",
            "heard": "Dr. Examiner",
            "held_on": "2024-01-30",
            "present": "Cato Chair\nSien Secretary",
            "notes": "The scheme was explained.",
        },
        follow=True,
    )
    hearing = Hearing.objects.get()
    assert (hearing.kind, hearing.student, hearing.course, hearing.held_on) == (
        "examiner",
        world.students[0],
        world.courses["E1"],
        D(2024, 1, 30),
    )
    assert "The hearing was recorded." in texts(response)
    assert "Dr. Examiner" in response.content.decode()


def test_an_examiner_heard_without_a_course_is_refused_with_the_article(client, world):
    login(client, world, "secretary")
    response = client.post(
        reverse("committee:hearing_record", args=[world.deliberation.pk]),
        {
            "kind": "examiner",
            "student": world.students[0].number,
            "heard": "Dr. Examiner",
            "held_on": "2024-01-30",
            "present": "Cato Chair",
        },
    )
    assert response.status_code == 422
    assert "An examiner is heard about a course: choose it (Art. 74)." in response.content.decode()
    assert not Hearing.objects.exists()


def test_a_hearing_is_about_a_student_the_committee_deliberates_on(client, world):
    from tests.support.factories import StudentFactory

    outsider = StudentFactory(number="t0000001")
    login(client, world, "secretary")
    response = client.post(
        reverse("committee:hearing_record", args=[world.deliberation.pk]),
        {"kind": "student", "student": outsider.number, "heard": "T", "held_on": "2024-01-30", "present": "Cato"},
    )
    assert response.status_code == 422
    assert response.context["hearing_form"].errors["student"]
    assert not Hearing.objects.exists()


def test_a_recusal_is_recorded_and_listed(client, world):
    login(client, world, "chair")
    response = client.post(
        reverse("committee:recusal_record", args=[world.deliberation.pk]),
        {"member": world.member_mo.pk, "student": world.students[1].number, "ground": "own_mark"},
        follow=True,
    )
    recusal = Recusal.objects.get()
    assert (recusal.member, recusal.student, recusal.ground) == (world.member_mo, world.students[1], "own_mark")
    assert "Mo Member" in response.content.decode()
    assert "own mark under review" in response.content.decode()


# --- Votes (Art. 73, 75) ---------------------------------------------------------------------------
def test_the_ombudsperson_asks_for_a_vote_with_her_own_seat(client, world):
    meeting(world)
    decision = level_decision(world)
    assert decision.outcome == "adopted"  # the committee decides as a college unless a vote is asked
    login(client, world, "ombuds_edu")
    page = client.get(page_url(world)).content.decode()
    assert "Ask for a vote" in page
    response = client.post(reverse("committee:vote_request", args=[world.deliberation.pk, decision.pk]), follow=True)
    decision.refresh_from_db()
    assert (decision.vote_requested_by, decision.outcome) == (world.ombuds, "proposed")
    assert "Olga Ombuds asked for a vote." in texts(response)
    assert "asked by Olga Ombuds" in response.content.decode()


def test_the_superuser_records_who_asked_for_the_vote(client, world):
    meeting(world)
    decision = level_decision(world)
    login(client, world, "admin")
    client.post(
        reverse("committee:vote_request", args=[world.deliberation.pk, decision.pk]),
        {f"r{decision.pk}-member": world.member_noor.pk},
    )
    decision.refresh_from_db()
    assert decision.vote_requested_by == world.member_noor


def test_a_tie_takes_the_proposal_favourable_to_the_student(client, world):
    meeting(world)
    decision = level_decision(world, vote_by=world.member_mo)
    login(client, world, "chair")
    response = client.post(
        reverse("committee:votes_record", args=[world.deliberation.pk, decision.pk]),
        ballots(
            decision,
            {world.chair: "for", world.secretary: "against", world.member_mo: "for", world.member_noor: "against"},
        ),
        follow=True,
    )
    decision.refresh_from_db()
    assert decision.outcome == "adopted"  # 2 for, 2 against: awarding a level favours the student
    assert Vote.objects.filter(decision=decision).count() == 4
    assert "The votes were counted: 2 for, 2 against, 0 not counted; adopted." in texts(response)
    content = response.content.decode()
    assert "2 for, 2 against, 0 not counted" in content
    assert "A tie: the proposal, the more favourable to the student, is adopted (Art. 75)." in content


def test_a_tie_on_a_lower_mark_keeps_the_examiners_mark(client, world):
    meeting(world)
    decision = mark_decision(world, new_score=11)  # S1's E3: 13 → 11
    login(client, world, "chair")
    response = client.post(
        reverse("committee:votes_record", args=[world.deliberation.pk, decision.pk]),
        ballots(decision, {world.chair: "for", world.secretary: "against", world.member_mo: "abstain"}),
        follow=True,
    )
    decision.refresh_from_db()
    assert decision.outcome == "rejected"
    content = response.content.decode()
    assert "1 for, 1 against, 1 not counted" in content
    assert "13 → <strong>11</strong>" in content
    assert "A tie: the proposal is not the more favourable to the student, so it is rejected (Art. 75)." in content


def test_a_recused_members_vote_is_refused_and_nothing_written(client, world):
    meeting(world)
    decision = level_decision(world, vote_by=world.chair)
    login(client, world, "chair")
    client.post(
        reverse("committee:recusal_record", args=[world.deliberation.pk]),
        {"member": world.member_noor.pk, "student": world.students[0].number, "ground": "relative"},
    )
    page = client.get(page_url(world)).content.decode()
    assert "Recused for this student: a vote is refused (Art. 73)." in page
    response = client.post(
        reverse("committee:votes_record", args=[world.deliberation.pk, decision.pk]),
        ballots(decision, {world.chair: "for", world.secretary: "for", world.member_noor: "against"}),
    )
    assert response.status_code == 422
    assert (
        "Noor Member does not take part in the deliberation of this student: the vote is refused (Art. 73)."
        in response.content.decode()
    )
    assert not Vote.objects.exists()
    decision.refresh_from_db()
    assert decision.outcome == "proposed"


def test_a_vote_needs_at_least_one_ballot(client, world):
    meeting(world)
    decision = level_decision(world, vote_by=world.chair)
    login(client, world, "chair")
    response = client.post(reverse("committee:votes_record", args=[world.deliberation.pk, decision.pk]), {})
    assert response.status_code == 422
    assert "Record at least one member&#x27;s vote." in response.content.decode()
    assert not Vote.objects.exists()


def test_the_decision_links_to_the_students_page_when_it_exists(client, world):
    from django.urls import NoReverseMatch

    meeting(world)
    decision = level_decision(world)
    login(client, world, "chair")
    content = client.get(page_url(world)).content.decode()
    try:
        url = reverse("committee:student", args=[world.deliberation.pk, decision.student.number])
    except NoReverseMatch:
        url = None
    if url:
        assert url in content
    assert "Surname1, Student1" in content


# --- Query budget -------------------------------------------------------------------------------------
HOME_QUERIES = 8  # session, user, groups, seats, the deliberations, their reports, the user's seats: 7
PAGE_QUERIES = 15  # issue 19, whatever the number of decisions


@pytest.mark.parametrize("decisions", [1, 5])
def test_the_pages_query_budget_does_not_grow_with_the_decisions(
    client, world, decisions, django_assert_max_num_queries
):
    meeting(world, ombuds="present")
    for student in range(decisions):
        decision = level_decision(world, student, vote_by=world.member_mo)
        services.votes_record(decision=decision, ballots={world.chair: "for", world.secretary: "against"})
        noor, student = world.member_noor, world.students[student]
        services.recusal_record(deliberation=world.deliberation, member=noor, student=student, ground="relative")
    login(client, world, "chair")
    with django_assert_max_num_queries(HOME_QUERIES):
        assert client.get(reverse("committee:home")).status_code == 200
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get(page_url(world))
    assert len(response.context["decisions"]) == decisions


# --- Dutch --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["chair", "ombuds_edu"])
def test_the_pages_render_in_dutch(client, world, persona):
    meeting(world)
    level_decision(world, vote_by=world.chair)
    decision = mark_decision(world, student=1, new_score=14)
    services.votes_record(decision=decision, ballots={world.chair: "for", world.secretary: "against"})
    login(client, world, persona)
    with translation.override("nl"):
        for url in (reverse("committee:home"), page_url(world)):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="nl")
            assert response.status_code == 200
            content = response.content.decode()
            assert '<html lang="nl">' in content
            if url == page_url(world):
                assert "Beslissing" in content  # "Decision", translated already
