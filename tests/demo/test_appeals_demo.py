"""The demo appeals: registered and decided through the services, as of the demo's today."""

import datetime as dt

from appeals.models import Appeal
from demo import appeals as demo_appeals
from exams.models import Result

D = dt.date


def test_the_demo_appeals_follow_the_rules_as_of_today(college):
    assert demo_appeals.load(today=D(2024, 3, 1)) == 1
    appeal = Appeal.objects.get()
    # C01 (7) of the January publication: posted three days after it, a new decision nine days later.
    assert (appeal.category, appeal.posted_on, appeal.decided_on, appeal.outcome) == (
        "f",
        D(2024, 2, 9),
        D(2024, 2, 18),
        "new_decision",
    )
    assert (appeal.old_mark, appeal.new_mark, appeal.overdue_since) == ("7", "10", None)
    assert Result.objects.get(pk=college.result.pk).score == 10


def test_before_a_decision_can_be_taken_only_the_recent_appeals_are_made(college):
    # 10 February: twelve days after the publication have not passed; R1 gets the recent (e) appeal.
    assert demo_appeals.load(today=D(2024, 2, 10)) == 1
    appeal = Appeal.objects.get()
    assert (appeal.category, appeal.status, appeal.decision_due_on) == ("e", "open", D(2024, 2, 12))
    assert appeal.isp_line.enrolment.student == college.student
