"""The demo's examination committees (issue 15 point 7): a committee per cluster and academic
year, signed deliberations on every exam period published before the demo's today with decisions
of each kind in Health Care, the decisions applied exactly once by the publications, and one
deliberation per committee to prepare for January 2027.

The demo is loaded once, as ``make demo`` does (300 students), on its today: 2 December 2026.
"""

import datetime
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from committee.models import Committee, Decision, Deliberation, Member, Report, Vote
from exams.models import ProgrammeResult, Result
from students.models import ISPLine

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
D = datetime.date
TODAY = D(2026, 12, 2)
# The demo calendar (demo/college.py): the exams end, then the results are published.
PUBLISHED = {
    ("2024-2025", 1): (D(2025, 1, 31), D(2025, 2, 4)),
    ("2024-2025", 2): (D(2025, 6, 27), D(2025, 7, 1)),
    ("2024-2025", 3): (D(2025, 9, 10), D(2025, 9, 12)),
    ("2025-2026", 1): (D(2026, 1, 30), D(2026, 2, 3)),
    ("2025-2026", 2): (D(2026, 6, 26), D(2026, 6, 30)),
    ("2025-2026", 3): (D(2026, 9, 9), D(2026, 9, 11)),
}


@pytest.fixture
def demo(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 2, 10, 0), tick=False)
    out = io.StringIO()
    call_command("load_demo", "--today", TODAY.isoformat(), stdout=out)
    return out.getvalue()


def _key(deliberation):
    return deliberation.exam_period.academic_year.code, deliberation.exam_period.number


def test_the_demo_committees_deliberate_and_the_publications_apply_their_decisions(demo, client):
    assert "examination committees" in demo

    # --- A committee per cluster used and academic year (Art. 68) -----------------------------
    committees = list(Committee.objects.select_related("academic_year").prefetch_related("clusters", "members"))
    assert Counter(c.academic_year.code for c in committees) == {"2024-2025": 3, "2025-2026": 3, "2026-2027": 3}
    clusters = {c.name: sorted(x.cluster for x in c.clusters.all()) for c in committees}
    assert clusters == {
        "Health Care": ["Health Care"],
        "Business Management": ["Business and Management"],
        "Education": ["Education"],
    }
    for committee in committees:
        # Approved about three weeks after the year starts.
        assert 14 <= (committee.approved_on - committee.academic_year.starts_on).days <= 28
        roles = Counter(m.role for m in committee.members.all())
        assert roles["chair"] == roles["secretary"] == roles["chair_substitute"] == 1
        assert roles["secretary_substitute"] == roles["ombudsperson"] == 1 and roles["member"] >= 2
        ombudsperson = committee.members.get(role="ombudsperson")
        assert ombudsperson.user.username == "ombudsperson"
        secretary = committee.members.get(role="secretary")
        assert secretary.programme is not None  # a programme head
    health = [c for c in committees if c.name == "Health Care"]
    for committee in health:
        assert committee.members.get(role="chair").user.username == "committee"
        assert committee.members.get(role="secretary").user.username == "secretary"
        assert {m.programme.code for m in committee.members.filter(role="member")} == {"BA-NURS", "BANABA-EMC"}
    # Only the demo users hold seats; the other members have no login.
    assert set(Member.objects.filter(user__isnull=False).values_list("user__username", flat=True)) == {
        "committee",
        "secretary",
        "ombudsperson",
    }

    # --- Every period published before today: a closed deliberation per committee, signed ----
    closed = list(
        Deliberation.objects.filter(status="closed").select_related("committee", "exam_period__academic_year")
    )
    assert Counter(_key(d) for d in closed) == Counter(dict.fromkeys(PUBLISHED, 3))
    for d in closed:
        ended, published = PUBLISHED[_key(d)]
        assert ended < d.meets_on < published and d.meets_on.weekday() < 5
        assert d.opened_on == d.closed_on == d.meets_on
        # A room, or online for the August-September period.
        assert (d.place == "online") == (d.exam_period.number == 3) and d.place
        report = Report.objects.get(deliberation=d)  # one version
        assert report.signed and report.version == 1
        assert timezone.localtime(report.chair_signed_at).date() == d.meets_on
        assert timezone.localtime(report.secretary_signed_at).date() == d.meets_on
        assert report.secretary_signed_by.role == "secretary"
        assert report.content["compliance"]["met"] and report.content["quorum"]["met"]
        assert report.content["meets_on"] == d.meets_on.isoformat()
        for student in report.content["students"]:
            for decision in student["decisions"]:
                assert decision["decided_on"] == d.meets_on.isoformat()
    # Everybody present, online in the August-September period, one excused now and then, and
    # once the chair's substitute replacing the chair, who then signs.
    presences = Counter(a.presence for d in closed for a in d.attendance.all())
    assert presences["present"] and presences["online"] and presences["excused"] >= 2
    assert "absent" not in presences
    replaced = [d for d in closed if d.attendance.filter(replaces__isnull=False).exists()]
    assert len(replaced) == 1
    stand_in = replaced[0].attendance.get(replaces__isnull=False)
    assert stand_in.member.role == "chair_substitute" and stand_in.replaces.role == "chair"
    assert replaced[0].attendance.get(member=stand_in.replaces).presence == "excused"
    assert Report.objects.get(deliberation=replaced[0]).chair_signed_by == stand_in.member
    others = [d for d in closed if d not in replaced]
    assert all(Report.objects.get(deliberation=d).chair_signed_by.role == "chair" for d in others)

    # --- Decisions of each kind in Health Care's deliberations (Art. 70) -----------------------
    decisions = list(
        Decision.objects.select_related("deliberation__committee", "deliberation__exam_period", "result", "isp_line")
    )
    assert {d.deliberation.committee.name for d in decisions} == {"Health Care"}
    kinds = Counter((d.kind, d.outcome) for d in decisions)
    for kind in ("mark_adjusted", "tolerated", "beyond_credit", "level_awarded"):
        assert kinds[kind, "adopted"] >= 1, kind
    assert kinds["tolerated", "rejected"] >= 1
    assert not any(outcome == "proposed" for _, outcome in kinds)
    # In a meeting, each decision is about another student.
    adopted = [d for d in decisions if d.outcome == "adopted"]
    meetings = Counter((d.deliberation_id, d.student_id) for d in decisions)
    assert set(meetings.values()) == {1}

    for decision in decisions:
        published = decision.deliberation.exam_period.results_published_on
        # Applied exactly once, by the publication of its period; a rejected one never.
        assert decision.applied_on == (published if decision.outcome == "adopted" else None)

    # A mark of 9 raised to 10 after the examiner was heard (Art. 74): the result's mark now,
    # changed once by the publication, with the history.
    for decision in (d for d in decisions if d.kind == "mark_adjusted"):
        assert decision.hearing.kind == "examiner" and decision.hearing.course_id == decision.isp_line.course_id
        assert decision.hearing.held_on <= decision.deliberation.meets_on
        result = Result.objects.get(pk=decision.result_id)
        assert result.score == decision.new_score == 10
        history = list(result.history.order_by("history_date", "history_id").values_list("score", flat=True))
        assert history[0] == 9
        assert result.history.filter(history_change_reason__contains="examination committee").count() == 1
        line = ISPLine.objects.get(pk=decision.isp_line_id)
        assert line.mark == "10" and line.outcome == "passed"

    # An intolerable fail (5-7 in a tolerable course) considered tolerable, and a fail tolerated
    # beyond the credit: the tolerance kind "committee" on the line, from the publication day.
    for decision in (d for d in adopted if d.kind in ("tolerated", "beyond_credit")):
        line = ISPLine.objects.select_related("course").get(pk=decision.isp_line_id)
        assert (line.tolerance_kind, line.tolerated_on) == ("committee", decision.applied_on)
        assert line.course.tolerable
        if decision.kind == "tolerated":
            assert decision.result.score in (5, 6, 7) and line.outcome == "failed"
        else:
            assert decision.result.score in (8, 9)

    # Beyond the credit: the ombudsperson asked for the vote; it tied, and the proposal, the more
    # favourable to the student, was adopted (Art. 75).
    for decision in (d for d in decisions if d.kind == "beyond_credit"):
        assert decision.vote_requested_by.role == "ombudsperson"
        ballots = Counter(decision.votes.values_list("ballot", flat=True))
        assert ballots["for"] == ballots["against"] >= 2
        report = Report.objects.get(deliberation=decision.deliberation).content
        vote = next(
            x["vote"]
            for s in report["students"]
            for x in s["decisions"]
            if s["number"] == decision.student.number and x["kind"] == "beyond_credit"
        )
        assert vote["tie"] and vote["requested_by_role"] == "ombudsperson"

    # A level of achievement awarded to a student who passed the programme at that publication.
    for decision in (d for d in decisions if d.kind == "level_awarded"):
        result = ProgrammeResult.objects.get(student_id=decision.student_id, programme__code="BANABA-EMC")
        assert result.passed_on == decision.applied_on
        assert result.level == decision.level

    # A rejected proposal, its student's relative recused (Art. 73): no vote of theirs, nothing
    # applied.
    for decision in (d for d in decisions if d.outcome == "rejected"):
        recusal = decision.deliberation.recusals.get(student_id=decision.student_id)
        assert recusal.ground == "relative"
        assert not Vote.objects.filter(decision=decision, member=recusal.member).exists()
        ballots = Counter(decision.votes.values_list("ballot", flat=True))
        assert ballots["against"] > ballots["for"]
        line = ISPLine.objects.get(pk=decision.isp_line_id)
        assert line.tolerance_kind != "committee"

    # Education: a file of special circumstances from the ombudsperson in a past deliberation.
    files = [f for d in closed for f in d.files.all()]
    assert [(f.deliberation.committee.name, f.kind, f.indicated_by.role) for f in files] == [
        ("Education", "circumstances", "ombudsperson")
    ]

    # --- January 2027: each committee's deliberation to prepare, one file each ---------------
    prepared = list(Deliberation.objects.exclude(status="closed").select_related("committee", "exam_period"))
    assert sorted(d.committee.name for d in prepared) == ["Business Management", "Education", "Health Care"]
    for d in prepared:
        assert d.status == "prepared" and _key(d) == ("2026-2027", 1)
        # The exams end on Friday 29 January, the results are published on Tuesday 2 February.
        assert d.meets_on == D(2027, 2, 1)
        assert d.files.count() == 1 and not d.decisions.exists() and not d.attendance.exists()
    health_file = next(d for d in prepared if d.committee.name == "Health Care").files.get()
    assert (health_file.kind, health_file.indicated_by.role) == ("irregularity", "chair")

    # --- The chair and the secretary find them on their pages ---------------------------------
    assert client.login(username="secretary", password="demo")
    home = client.get(reverse("committee:home"))
    assert home.status_code == 200
    signed = next(d for d in closed if d.committee.name == "Health Care" and d.decisions.exists())
    assert client.get(reverse("committee:report", kwargs={"pk": signed.pk})).status_code == 200
    education = next(d for d in closed if d.committee.name == "Education")
    assert client.get(reverse("committee:report", kwargs={"pk": education.pk})).status_code == 404
