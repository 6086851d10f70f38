"""Issue 13 point 17: registering an appeal by name or a mistyped number, the outcomes that
follow the admissibility, where a new decision is carried out, the decision list in words,
"is"/"was" for the last day to file, and the texts the form fills in, in the reader's language."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from appeals import rules, selectors, services
from appeals.models import Appeal
from exams.models import Result
from students.models import ISPLine
from tests.support.factories import StudentFactory
from tests.support.worlds import on

D = dt.date


@pytest.fixture
def people(college):
    """Besides R1 and R2: two Peeters and a Janssens. R1's name is fixed too: the factory's
    random Flemish surname is sometimes Peeters or Janssens."""
    student = college.student
    student.first_name, student.last_name = "Robin", "Vandersmissen"
    student.save(update_fields=["first_name", "last_name"])
    college.other.first_name, college.other.last_name = "Noor", "Verstraeten"
    college.other.save(update_fields=["first_name", "last_name"])
    StudentFactory(number="r0100", first_name="An", last_name="Peeters")
    StudentFactory(number="r0101", first_name="Bart", last_name="Peeters")
    StudentFactory(number="r0200", first_name="Cas", last_name="Janssens")
    return college


# --- Finding the student ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("R0100", "r0100"),  # a number in another case: straight to the form
        ("  r0100 ", "r0100"),
        ("r1", "R1"),
    ],
)
def test_a_number_in_any_case_opens_the_form(client, people, typed, found):
    client.force_login(people.administration)
    with on(D(2024, 2, 12)):
        response = client.get(reverse("appeals:appeal_create"), {"student": typed})
    assert response.status_code == 200
    assert response.context["student"].number == found
    assert "form" in response.context


def test_a_name_lists_the_students_to_choose_from_and_keeps_the_text(client, people):
    client.force_login(people.administration)
    response = client.get(reverse("appeals:appeal_create"), {"student": "peeters"})
    assert response.status_code == 200
    assert [s.number for s in response.context["lookup"].matches] == ["r0100", "r0101"]
    content = response.content.decode()
    assert 'value="peeters"' in content
    assert "2 students found for “peeters”" in content
    assert 'href="?student=r0100"' in content and 'href="?student=r0101"' in content
    # Two words narrow it down; a mistyped number finds the numbers that contain it.
    assert [s.number for s in selectors.student_lookup(people.administration, "bart peeters").matches] == ["r0101"]
    assert [s.number for s in selectors.student_lookup(people.administration, "r010").matches] == ["r0100", "r0101"]


def test_the_other_forms_find_the_student_the_same_way(client, people):
    client.force_login(people.administration)
    for name in ("appeals:lifting_create", "appeals:correction_create"):
        listed = client.get(reverse(name), {"student": "janssens"})
        assert [s.number for s in listed.context["lookup"].matches] == ["r0200"]
        assert client.get(reverse(name), {"student": "R0200"}).context["student"].number == "r0200"


# --- The decision list in words --------------------------------------------------------------
def test_the_decision_list_speaks_words_and_leaves_out_removed_lines(client, college):
    Result.objects.create(isp_line=college.lines["C01"], exam_period=college.january, opportunity=2, score=13)
    ISPLine.objects.filter(pk=college.lines["C10"].pk).update(removed_on=D(2023, 10, 1))
    with on(D(2024, 2, 12)), translation.override("en"):
        groups = dict(selectors.decision_choices(college.student, today=D(2024, 2, 12)))
    results = [label for _value, label in groups["Results (examination decisions)"]]
    name = college.lines["C01"].course.name
    assert f"2023-2024 · C01 {name} · 1st opportunity, 1st exam period: 7/20" in results
    assert f"2023-2024 · C01 {name} · 2nd opportunity, 1st exam period: 13/20" in results
    courses = " ".join(label for _value, label in groups["Courses (denial of access, refusal in the contract)"])
    assert "C09" in courses and "C10" not in courses
    assert "P1" not in " ".join(results) and "#" not in " ".join(results)


def test_the_decision_list_speaks_dutch(college):
    with on(D(2024, 2, 12)), translation.override("nl"):
        groups = dict(selectors.decision_choices(college.student, today=D(2024, 2, 12)))
    labels = [label for options in groups.values() for _value, label in options]
    assert any(label.endswith("1e kans, 1e examenperiode: 7/20") for label in labels)


# --- The last day to file: "is" or "was" ------------------------------------------------------
def _register(college, **kwargs):
    values = {
        "student": college.student,
        "category": "f",
        "posted_on": D(2024, 2, 8),
        "result": college.result,
        "facts_and_objections": "Question 3 was not marked.",
        "by": college.administration,
    }
    values.update(kwargs)
    with on(values["posted_on"]):
        return services.appeal_register(**values)


def test_the_last_day_to_file_is_still_to_come_or_was(client, college):
    # Published 6 February: the window runs from 7 to 13 February.
    appeal = _register(college)
    client.force_login(college.administration)
    last = date_format(D(2024, 2, 13), "DATE_FORMAT")
    with on(D(2024, 2, 12)):
        content = client.get(appeal.get_absolute_url()).content.decode()
    assert f"the last day to file is <strong>{last}</strong>" in content
    with on(D(2024, 2, 13)):
        content = client.get(appeal.get_absolute_url()).content.decode()
    assert f"the last day to file is <strong>{last}</strong>" in content
    with on(D(2024, 2, 14)):
        content = client.get(appeal.get_absolute_url()).content.decode()
    assert f"the last day to file was <strong>{last}</strong>" in content


# --- The outcomes follow the admissibility ---------------------------------------------------
@pytest.mark.parametrize(
    ("problems", "pending", "elaborated", "expected"),
    [
        ([], False, False, ["inadmissible", "unfounded", "new_decision"]),
        (["late"], False, False, ["inadmissible"]),
        (["no_facts"], False, False, ["inadmissible"]),
        ([], True, False, ["inadmissible"]),
        ([], True, True, ["inadmissible", "unfounded", "new_decision"]),
    ],
)
def test_outcomes_open(problems, pending, elaborated, expected):
    assert rules.outcomes_open(admissibility=problems, pending_feedback=pending, elaborated=elaborated) == expected


def test_an_inadmissible_appeal_offers_only_inadmissible(client, college):
    late = _register(college, posted_on=D(2024, 2, 14))  # day 8
    client.force_login(college.administration)
    with on(D(2024, 2, 15)):
        response = client.get(late.get_absolute_url())
        choices = [value for value, _label in response.context["decision_form"].fields["outcome"].choices]
        assert choices == ["inadmissible"]
        assert 'id="only-inadmissible"' in response.content.decode()
        assert 'name="mark"' not in response.content.decode()
        refused = client.post(
            reverse("appeals:appeal_decide", args=[late.pk]),
            {"outcome": "unfounded", "on": "2024-02-15", "reason": "No."},
        )
    assert refused.status_code == 422
    assert Appeal.objects.get(pk=late.pk).status == "open"


# --- Where a new decision is carried out -------------------------------------------------------
def test_a_new_examination_decision_is_carried_out_here_and_links_the_file(client, college):
    appeal = _register(college)
    client.force_login(college.administration)
    with on(D(2024, 2, 12)):
        content = client.get(appeal.get_absolute_url()).content.decode()
    assert 'id="new-decision-place"' in content
    assert "Carried out here: the new mark replaces the linked result" in content
    assert reverse("students:student_detail", args=["R1"]) in content


def test_a_new_decision_on_a_course_is_carried_out_in_the_isp_and_links_it(client, college):
    line = college.lines["C05"]
    appeal = _register(college, category="e", result=None, isp_line=line, decision_on=D(2024, 2, 6))
    client.force_login(college.administration)
    with on(D(2024, 2, 12)):
        content = client.get(appeal.get_absolute_url()).content.decode()
        assert "Carried out in the ISP of 2023-2024: change the course C05 there" in content
        assert reverse("students:isp_editor", args=[line.enrolment_id]) in content
        client.post(
            reverse("appeals:appeal_decide", args=[appeal.pk]),
            {"outcome": "new_decision", "on": "2024-02-12", "reason": "C05 allowed."},
        )
        decided = client.get(appeal.get_absolute_url()).content.decode()
    assert 'id="carried-out"' in decided
    assert reverse("students:isp_editor", args=[line.enrolment_id]) in decided


# --- The texts the form fills in, in the reader's language -----------------------------------
def test_the_description_filled_in_is_written_in_the_readers_language(client, college):
    with translation.override("en"):
        appeal = _register(college)
    assert appeal.described_from_link
    name = college.lines["C01"].course.name
    assert appeal.decision_text == f"Result of C01 {name} in 2023-2024, 1st opportunity, 1st exam period: 7/20"
    client.force_login(college.administration)
    client.cookies["django_language"] = "nl"
    with on(D(2024, 2, 12)):
        detail = client.get(appeal.get_absolute_url()).content.decode()
        listed = client.get(reverse("appeals:register")).content.decode()
    assert f"Resultaat van C01 {name} in 2023-2024, 1e kans, 1e examenperiode: 7/20" in detail
    assert "Resultaat van C01" in listed
    assert "Result of C01" not in detail


def test_a_description_typed_by_hand_stays_as_typed(college):
    appeal = _register(college, decision_text="The mark of C01 in January")
    assert not appeal.described_from_link
    with translation.override("nl"):
        assert selectors.decision_description(appeal) == "The mark of C01 in January"


def test_after_a_new_mark_the_description_keeps_the_mark_appealed(college):
    appeal = _register(college)
    with on(D(2024, 2, 12)):
        services.appeal_decide(
            appeal=appeal, outcome="new_decision", on=D(2024, 2, 12), reason="Recounted.", mark=12, by=college.admin
        )
    appeal.refresh_from_db()
    with translation.override("en"):
        assert selectors.decision_description(appeal).endswith("1st opportunity, 1st exam period: 7/20")
