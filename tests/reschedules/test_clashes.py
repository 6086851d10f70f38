"""Issue 13 point 13: exam moments last (three hours unless the planning says otherwise) and a
decided new moment is checked against the student's individual exam schedule. Two exams of
one student that overlap in time clash, for every student; a model-route student also keeps
the one-compulsory-exam-a-day rule (Art. 17, 43). A clash is refused unless the ombudsperson
keeps it with a reason, which is recorded. Rooms are never a clash.

The world (tests/reschedules/ombuds_world.py): r0000001 follows the model route of stage 1;
A101 on Monday 11 January 2027 at 09:00, A102 on Thursday 14 January at 09:00 (period 1).
"""

import pytest
from django.urls import reverse

from reschedules import rules
from reschedules import services as ombuds
from reschedules.models import ExamMoment, RescheduleRequest
from reschedules.schedule import exam_schedule
from tests.reschedules.ombuds_world import D, T, add_ombuds_world, log
from tests.support.factories import ISPLineFactory

pytestmark = pytest.mark.django_db
TODAY = D(2026, 11, 23)


@pytest.fixture
def world(coach_world, on_coach_day):
    return add_ombuds_world(coach_world)


@pytest.fixture
def individual(world):
    """r0000001 on an individualised route: a stage-2 course besides the stage-1 ones."""
    ISPLineFactory(enrolment=world.enrolment, course=world.courses["A204"])
    return world


def decide(world, request, *, on, at, override="", accepted=True, reason="certificate"):
    return ombuds.request_decide(
        request=request,
        accepted=accepted,
        reason=reason,
        new_on=on if accepted else None,
        new_starts_at=at if accepted else None,
        clash_override_reason=override,
        today=TODAY,
        by=world.ombudsperson,
    )


# --- The rule -------------------------------------------------------------------------------
def sitting(key, on, at, minutes=180, model_route=False):
    return rules.Sitting(key=key, code=key, on=on, starts_at=at, minutes=minutes, model_route=model_route)


@pytest.mark.parametrize(
    ("start", "minutes", "clash"),
    [
        (T(9, 0), 180, True),  # the same moment
        (T(11, 59), 180, True),  # one minute before the other ends
        (T(12, 0), 180, False),  # when the other ends: no clash
        (T(6, 0), 180, False),  # ends when the other starts
        (T(6, 1), 180, True),
        (T(6, 0), 240, True),  # a four-hour exam reaches into the other
    ],
)
def test_two_exams_clash_when_they_overlap_in_time(start, minutes, clash):
    other = sitting("A102", D(2027, 1, 14), T(9, 0))  # 09:00-12:00
    new = sitting("A101", D(2027, 1, 14), start, minutes)
    assert rules.overlap(new, other) is clash
    assert bool(rules.new_moment_clashes(new, [other])) is clash


def test_an_exam_late_in_the_evening_clashes_with_one_early_the_next_day_only_when_it_runs_into_it():
    evening = sitting("A101", D(2027, 1, 13), T(22, 0), minutes=180)  # until 01:00 on the 14th
    assert rules.overlap(evening, sitting("A102", D(2027, 1, 14), T(0, 30)))
    assert not rules.overlap(evening, sitting("A102", D(2027, 1, 14), T(1, 0)))


def test_a_model_route_student_keeps_at_most_one_compulsory_exam_a_day():
    other = sitting("A102", D(2027, 1, 14), T(9, 0), model_route=True)
    afternoon = sitting("A101", D(2027, 1, 14), T(13, 0), model_route=True)
    assert rules.new_moment_clashes(afternoon, [other]) == [(rules.CLASH_SAME_DAY, other)]
    # An elective (not model_route) on that afternoon is no clash.
    elective = sitting("A101", D(2027, 1, 14), T(13, 0), model_route=False)
    assert rules.new_moment_clashes(elective, [other]) == []


def test_the_moved_exam_is_no_clash_with_itself():
    old = sitting("A101", D(2027, 1, 11), T(9, 0))
    assert rules.new_moment_clashes(sitting("A101", D(2027, 1, 11), T(10, 0)), [old]) == []


def test_schedule_overlaps_finds_every_pair():
    a = sitting("A", D(2027, 1, 14), T(9, 0))
    b = sitting("B", D(2027, 1, 14), T(11, 0))
    c = sitting("C", D(2027, 1, 14), T(11, 30), minutes=30)
    d = sitting("D", D(2027, 1, 14), T(12, 0))
    found = rules.schedule_overlaps([d, c, b, a])
    assert {k: sorted(s.key for s in v) for k, v in found.items()} == {
        "A": ["B", "C"],
        "B": ["A", "C", "D"],
        "C": ["A", "B"],
        "D": ["B"],
    }


# --- The decision ---------------------------------------------------------------------------
def test_an_exam_moment_lasts_three_hours_unless_the_planning_says_otherwise(world):
    moment = ExamMoment.objects.create(
        course=world.courses["A201"], exam_period=world.periods[1], on=D(2027, 1, 20), starts_at=T(9)
    )
    assert moment.duration == 180


def test_a_new_moment_on_another_exam_of_the_student_is_refused_and_changes_nothing(world):
    request = log(world)
    before = list(RescheduleRequest.objects.values())
    with pytest.raises(ombuds.RequestRefused) as refused:
        decide(world, request, on=D(2027, 1, 14), at=T(10, 0))
    assert refused.value.codes == ["new_moment_clash"]
    message = refused.value.messages[0]
    assert "A102 at the same time (14/01/2027, 09:00 to 12:00)" in message
    assert "give the reason" in message
    assert list(RescheduleRequest.objects.values()) == before


def test_every_student_is_checked_not_only_the_model_route(individual):
    world = individual
    assert exam_schedule(student=world.student, year=world.year, today=TODAY).model_route == {}
    with pytest.raises(ombuds.RequestRefused) as refused:
        decide(world, log(world), on=D(2027, 1, 14), at=T(11, 59))  # A102 runs until 12:00
    assert refused.value.codes == ["new_moment_clash"]


def test_an_individual_route_may_take_two_exams_a_day_that_do_not_overlap(individual):
    world = individual
    decided = decide(world, log(world), on=D(2027, 1, 14), at=T(12, 0))  # A102 ends at 12:00
    assert (decided.status, decided.clashes, decided.clash_override_reason) == ("accepted", [], "")


def test_the_model_route_one_exam_a_day_rule_stays(world):
    with pytest.raises(ombuds.RequestRefused) as refused:
        decide(world, log(world), on=D(2027, 1, 14), at=T(14, 0))
    assert "at most one compulsory exam a day (Art. 17, 43)" in refused.value.messages[0]


def test_the_duration_of_the_other_exam_counts(individual):
    world = individual
    ExamMoment.objects.filter(pk=world.moments["A102"].pk).update(duration=60)  # 09:00-10:00
    decided = decide(world, log(world), on=D(2027, 1, 14), at=T(10, 0))
    assert decided.status == "accepted"


def test_the_moved_exam_keeps_its_own_duration(individual):
    world = individual
    ExamMoment.objects.filter(pk=world.moments["A101"].pk).update(duration=240)  # four hours
    with pytest.raises(ombuds.RequestRefused):
        decide(world, log(world), on=D(2027, 1, 14), at=T(5, 30))  # 05:30-09:30 runs into A102


def test_an_exam_moved_before_counts_at_its_new_moment(individual):
    world = individual
    decide(world, log(world, code="A102"), on=D(2027, 1, 20), at=T(9, 0))
    # A102 left the 14th for the 20th: A101 may take its old place, not its new one.
    request = log(world)
    with pytest.raises(ombuds.RequestRefused):
        decide(world, request, on=D(2027, 1, 20), at=T(10, 0))
    assert decide(world, request, on=D(2027, 1, 14), at=T(9, 0)).status == "accepted"


def test_an_exam_not_announced_yet_counts_too(individual):
    world = individual
    ExamMoment.objects.filter(pk=world.moments["A102"].pk).update(announced_on=D(2026, 12, 15))
    with pytest.raises(ombuds.RequestRefused):
        decide(world, log(world), on=D(2027, 1, 14), at=T(9, 0))


def test_rooms_and_other_students_exams_are_no_clash(individual):
    world = individual
    # A201 is not in this student's ISP: its exam in the very room at that moment does not matter.
    ExamMoment.objects.create(
        course=world.courses["A201"], exam_period=world.periods[1], on=D(2027, 1, 18), starts_at=T(9), room="B.201"
    )
    decided = ombuds.request_decide(
        request=log(world),
        accepted=True,
        reason="ok",
        new_on=D(2027, 1, 18),
        new_starts_at=T(9),
        new_room="B.201",
        today=TODAY,
        by=world.ombudsperson,
    )
    assert decided.status == "accepted"


def test_a_clash_kept_with_a_reason_is_recorded(world):
    decided = decide(world, log(world), on=D(2027, 1, 14), at=T(10, 0), override="A102 is moved as well")
    decided.refresh_from_db()
    assert decided.status == "accepted"
    assert decided.clash_override_reason == "A102 is moved as well"
    assert decided.clashes == [
        {"kind": "overlap", "course": "A102", "on": "2027-01-14", "starts_at": "09:00", "ends_at": "12:00"}
    ]
    assert decided.history.first().clash_override_reason == "A102 is moved as well"


def test_a_rejection_is_not_checked(world):
    assert decide(world, log(world), on=None, at=None, accepted=False).status == "rejected"


def test_every_problem_of_a_decision_is_reported_at_once(world):
    with pytest.raises(ombuds.RequestRefused) as refused:
        decide(world, log(world), on=D(2027, 2, 20), at=None, reason="  ")
    assert refused.value.codes == [
        "decision_without_reason",
        "accepted_without_new_moment",
        "new_moment_outside_period",
    ]


# --- The pages ------------------------------------------------------------------------------
@pytest.fixture
def ombuds_client(client, world):
    client.force_login(world.ombudsperson)
    return client


def decision(**change):
    data = {"accepted": "yes", "reason": "certificate", "new_on": "2027-01-14", "new_starts_at": "10:00"}
    data.update(change)
    return data


def test_the_decision_page_refuses_a_clash_and_asks_for_a_reason_to_keep_it(ombuds_client, world):
    request = log(world)
    url = reverse("exams:request_decide", kwargs={"pk": request.pk})
    response = ombuds_client.post(url, decision())
    assert response.status_code == 422
    content = response.content.decode()
    assert "clashes with the student&#x27;s individual exam schedule" in content
    assert (
        'name="clash_override_reason"' in content
        and "<textarea" in content.split('name="clash_override_reason"')[0][-300:]
    )
    response = ombuds_client.post(url, decision(clash_override_reason="A102 moves too"), follow=True)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="clash-override"' in content and "A102 moves too" in content
    request.refresh_from_db()
    assert request.status == "accepted"


def test_the_decision_page_shows_every_problem_at_once(ombuds_client, world):
    request = log(world)
    url = reverse("exams:request_decide", kwargs={"pk": request.pk})
    response = ombuds_client.post(url, decision(reason="", new_on="2027-02-20"))
    assert response.status_code == 422
    form = response.context["decision_form"]
    assert "A decision states its reason." in form.errors["reason"]
    assert any("outside exam period 1" in e for e in form.errors["new_on"])


def test_the_schedule_marks_two_exams_that_overlap(ombuds_client, world):
    ExamMoment.objects.filter(pk=world.moments["A102"].pk).update(on=D(2027, 1, 11), starts_at=T(11, 0))
    response = ombuds_client.get(reverse("exams:schedule", kwargs={"number": world.student.number}))
    content = response.content.decode()
    assert 'data-overlap="A101-A102"' in content
    assert "A101 (11/01/2027, 09:00 to 12:00) and A102 (11/01/2027, 11:00 to 14:00) overlap" in content
    row = content[content.index('id="exam-A101-1"') :]
    assert 'class="table-danger" data-clash-with="A102"' in row[: row.index(">")]
    assert 'id="exam-A103-2" class=""' in content  # the others are not marked
    schedule = response.context["schedule"]
    assert [(a.course.code, b.course.code) for a, b in schedule.overlap_pairs] == [("A101", "A102")]


def test_an_exam_in_the_same_room_at_another_time_is_not_marked(ombuds_client, world):
    response = ombuds_client.get(reverse("exams:schedule", kwargs={"number": world.student.number}))
    assert "data-overlap" not in response.content.decode()  # A103 and A104 share room B.101


def test_the_schedule_shows_each_exam_from_start_to_end(ombuds_client, world):
    ExamMoment.objects.filter(pk=world.moments["A103"].pk).update(duration=90)
    content = ombuds_client.get(reverse("exams:schedule", kwargs={"number": world.student.number})).content.decode()
    row = content[content.index('id="exam-A103-2"') :]
    assert "09:00–10:30" in row[: row.index("</tr>")]


def test_an_exam_kept_despite_a_clash_says_so_on_the_schedule(ombuds_client, world):
    decide(world, log(world), on=D(2027, 1, 14), at=T(10, 0), override="A102 moves too")
    content = ombuds_client.get(reverse("exams:schedule", kwargs={"number": world.student.number})).content.decode()
    row = content[content.index('id="exam-A101-1"') :]
    row = row[: row.index("</tr>")]
    assert "kept despite a clash" in row and 'data-clash-with="A102"' in row
