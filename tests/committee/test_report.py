"""The deliberation report (issue 15 point 5, Art. 82): its content, the signatures that freeze
it, the corrected versions, the printable page and the PDF in Dutch and English, and who may
read, sign and correct it (Art. 72).

The meeting of ``held`` (tests/support/worlds.py, ``CommitteeWorld``), on 1 February 2024, in
Room A.101: Cato (chair) and Sien (secretary) present, Mo online, Noor excused, Olga
(ombudsperson) present, Wim (substitute for the chair) not recorded: 3 of the 4 members with a
vote, the quorum is met (Art. 71). The examiner of E1 is heard about S1 (mark 4) and S1's E1 is
adjusted to 10 (Art. 70 §1, 74). S5's intolerable fail E2 (6) is considered tolerable; Olga
asks for a vote, Mo recuses himself (a relative), Cato votes for, Sien against: a tie, and the
proposal favours S5, so it is adopted (Art. 75). Then the deliberation is closed.
"""

import datetime
import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from committee import report, services
from committee.models import Decision, Deliberation, Report
from tests.support import worlds

pytestmark = pytest.mark.django_db

D = datetime.date
MEETING = D(2024, 2, 1)


@pytest.fixture
def meeting_day():
    with worlds.on(MEETING):
        yield


def _line(world, n, code):
    return world.lines[f"s{n:07d}", code]


def _student(world, n):
    return world.students[n - 1]


def _open(world, presences):
    services.deliberation_open(deliberation=world.deliberation)
    for member, presence in presences.items():
        services.attendance_record(deliberation=world.deliberation, member=member, presence=presence)


def held(world, *, close=True):
    """The meeting of the module's docstring."""
    d = world.deliberation
    _open(
        world,
        {
            world.chair: "present",
            world.secretary: "present",
            world.member_mo: "online",
            world.member_noor: "excused",
            world.ombuds: "present",
        },
    )
    services.hearing_record(
        deliberation=d,
        kind="examiner",
        student=_student(world, 1),
        course=world.courses["E1"],
        heard="Els Examiner",
        held_on=MEETING,
        present="Cato Chair, Olga Ombuds",
        notes="Secret notes of the hearing.",
    )
    services.decision_record(
        deliberation=d,
        student=_student(world, 1),
        kind="mark_adjusted",
        isp_line=_line(world, 1, "E1"),
        new_score=10,
        reason="The exam's second part was not marked.",
    )
    services.recusal_record(deliberation=d, member=world.member_mo, student=_student(world, 5), ground="relative")
    tolerated = services.decision_record(
        deliberation=d,
        student=_student(world, 5),
        kind="tolerated",
        isp_line=_line(world, 5, "E2"),
        reason="Long illness in December, documented.",
        vote_requested_by=world.ombuds,
    )
    services.votes_record(decision=tolerated, ballots={world.chair: "for", world.secretary: "against"})
    if close:
        services.deliberation_close(deliberation=d)
    return d


def _seat(member, role, presence, *, votes=False, replaces=None):
    return {"member": member, "role": role, "presence": presence, "replaces": replaces, "votes": votes}


def expected_content(*, chair="Cato Chair", version=1, correction="", closed_on="2024-02-01"):
    """The report of ``held``, worked out by hand from the module's docstring."""
    return {
        "schema": 1,
        "version": version,
        "correction": correction,
        "committee": {"name": "Education", "academic_year": "2023-2024", "approved_on": "2023-09-20"},
        "exam_period": {"academic_year": "2023-2024", "number": 1, "results_published_on": "2024-02-06"},
        "meets_on": "2024-02-01",
        "place": "Room A.101",
        "opened_on": "2024-02-01",
        "closed_on": closed_on,
        "attendance": [
            _seat(chair, "chair", "present", votes=True),
            _seat("Sien Secretary", "secretary", "present", votes=True),
            _seat("Mo Member", "member", "online", votes=True),
            _seat("Noor Member", "member", "excused"),
            _seat("Olga Ombuds", "ombudsperson", "present"),
            _seat("Wim Substitute", "chair_substitute", None),
        ],
        "quorum": {"members": 4, "present": 3, "met": True},
        "students": [
            {
                "number": "s0000001",
                "name": "Student1 Surname1",
                "decisions": [
                    {
                        "kind": "mark_adjusted",
                        "course": {"code": "E1", "name": "Course E1"},
                        "mark": "4",
                        "new_mark": 10,
                        "level": None,
                        "reason": "The exam's second part was not marked.",
                        "outcome": "adopted",
                        "decided_on": "2024-02-01",
                        "examiner_heard_on": "2024-02-01",
                        "vote": None,
                    }
                ],
                "hearings": [
                    {
                        "kind": "examiner",
                        "heard": "Els Examiner",
                        "course": {"code": "E1", "name": "Course E1"},
                        "held_on": "2024-02-01",
                        "present": "Cato Chair, Olga Ombuds",
                    }
                ],
                "recusals": [],
                "postponements": [],
            },
            {
                "number": "s0000005",
                "name": "Student5 Surname5",
                "decisions": [
                    {
                        "kind": "tolerated",
                        "course": {"code": "E2", "name": "Course E2"},
                        "mark": "6",
                        "new_mark": None,
                        "level": None,
                        "reason": "Long illness in December, documented.",
                        "outcome": "adopted",
                        "decided_on": "2024-02-01",
                        "examiner_heard_on": None,
                        "vote": {
                            "requested_by": "Olga Ombuds",
                            "requested_by_role": "ombudsperson",
                            "for": 1,
                            "against": 1,
                            "not_counted": 0,
                            "tie": True,
                            "favours_student": True,
                        },
                    }
                ],
                "hearings": [],
                "recusals": [{"member": "Mo Member", "role": "member", "ground": "relative"}],
                "postponements": [],
            },
        ],
        "students_deliberated": 6,
        "compliance": {
            "quorum_met": True,
            "adjustments_heard": True,
            "votes_valid": True,
            "met": True,
            "unheard": [],
            "invalid_votes": [],
        },
        "marks": {"academic_year": "2023-2024", "exam_period": 1},
    }


def _client(client, user, language=None):
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    return client


def _url(world, name="committee:report"):
    return reverse(name, args=[world.deliberation.pk])


def _sign(client, world, user, member):
    _client(client, user)
    return client.post(_url(world), {"action": "sign", "member": member.pk})


def _pdf_text(response) -> str:
    """The PDF's text, its white space (line ends) as single spaces."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    return " ".join(text.split())


# --- The content (Art. 82) -------------------------------------------------------------------------
def test_the_report_holds_every_part_of_art_82(committee_world, meeting_day):
    deliberation = held(committee_world)
    content = report.report_content(deliberation)
    assert content == expected_content()
    # Plain data: it is stored as JSON when signed and reads back the same.
    assert json.loads(json.dumps(content)) == content
    # Who voted how is recorded, but the report holds the counts only (Art. 72); so are the notes.
    text = json.dumps(content)
    assert "Secret notes" not in text and '"ballot"' not in text


def test_before_signing_the_report_is_the_deliberation_as_it_stands(committee_world, meeting_day):
    deliberation = held(committee_world, close=False)
    content = report.frozen_or_current(deliberation)
    assert content["closed_on"] is None
    assert content["version"] == 1
    committee_world.member_noor.name = "Noor Renamed"
    committee_world.member_noor.save()
    assert report.frozen_or_current(deliberation)["attendance"][3]["member"] == "Noor Renamed"


def test_a_vote_of_a_member_no_longer_present_makes_the_votes_invalid(committee_world, meeting_day):
    world = committee_world
    _open(world, {world.chair: "present", world.secretary: "present", world.member_mo: "present"})
    decision = services.decision_record(
        deliberation=world.deliberation,
        student=_student(world, 5),
        kind="tolerated",
        isp_line=_line(world, 5, "E2"),
        reason="Circumstances.",
        vote_requested_by=world.chair,
    )
    services.votes_record(decision=decision, ballots={world.chair: "for", world.secretary: "for"})
    # The secretary's attendance is corrected after the vote: her vote still counts.
    services.attendance_record(deliberation=world.deliberation, member=world.secretary, presence="excused")
    compliance = report.report_content(world.deliberation)["compliance"]
    assert compliance["votes_valid"] is False
    assert compliance["met"] is False
    assert compliance["invalid_votes"] == [
        {"number": "s0000005", "name": "Student5 Surname5", "member": "Sien Secretary", "refusal": "not_present"}
    ]
    # Chair and Mo of the 4 members with a vote: 50 %, still a quorum.
    assert compliance["quorum_met"] is True


def test_a_mark_adjusted_before_the_hearings_day_is_not_after_hearing_the_examiner(committee_world, meeting_day):
    world = committee_world
    _open(world, {world.chair: "present", world.secretary: "present", world.member_mo: "present"})
    services.hearing_record(
        deliberation=world.deliberation,
        kind="examiner",
        student=_student(world, 1),
        course=world.courses["E1"],
        heard="Els Examiner",
        held_on=D(2024, 2, 5),  # typed as a later day than the decision of 1 February
        present="Cato Chair",
    )
    services.decision_record(
        deliberation=world.deliberation,
        student=_student(world, 1),
        kind="mark_adjusted",
        isp_line=_line(world, 1, "E1"),
        new_score=10,
        reason="Unreasonable.",
    )
    compliance = report.report_content(world.deliberation)["compliance"]
    assert compliance["adjustments_heard"] is False
    assert compliance["unheard"] == [
        {"number": "s0000001", "name": "Student1 Surname1", "course": {"code": "E1", "name": "Course E1"}}
    ]
    assert compliance["quorum_met"] and compliance["votes_valid"]


def test_a_quorum_lost_after_the_decisions_shows_in_the_report(committee_world, meeting_day):
    world = committee_world
    held(world, close=False)
    for member in (world.secretary, world.member_mo):
        services.attendance_record(deliberation=world.deliberation, member=member, presence="excused")
    content = report.report_content(world.deliberation)
    # Only the chair of the 4 members with a vote: under half.
    assert content["quorum"] == {"members": 4, "present": 1, "met": False}
    assert content["compliance"]["quorum_met"] is False and content["compliance"]["met"] is False
    # The secretary's vote on S5 now counts without her being present.
    assert content["compliance"]["invalid_votes"][0]["member"] == "Sien Secretary"


def test_a_vote_without_quorum_is_refused_so_the_report_never_shows_one(committee_world, meeting_day):
    world = committee_world
    _open(world, {world.chair: "present", world.member_noor: "excused", world.secretary: "excused"})
    with pytest.raises(services.Refused) as refused:
        services.decision_record(
            deliberation=world.deliberation,
            student=_student(world, 5),
            kind="tolerated",
            isp_line=_line(world, 5, "E2"),
            reason="Circumstances.",
        )
    assert "no_quorum" in refused.value.codes
    assert report.report_content(world.deliberation)["students"] == []


def test_a_substitute_who_replaces_the_chair_is_on_the_attendance_list_and_signs(client, committee_world, meeting_day):
    world = committee_world
    services.deliberation_open(deliberation=world.deliberation)
    services.attendance_record(deliberation=world.deliberation, member=world.chair, presence="excused")
    services.attendance_record(
        deliberation=world.deliberation, member=world.chair_substitute, presence="present", replaces=world.chair
    )
    services.attendance_record(deliberation=world.deliberation, member=world.secretary, presence="present")
    services.deliberation_close(deliberation=world.deliberation)
    content = report.report_content(world.deliberation)
    wim = next(row for row in content["attendance"] if row["member"] == "Wim Substitute")
    assert wim == _seat("Wim Substitute", "chair_substitute", "present", votes=True, replaces="Cato Chair")
    assert content["quorum"] == {"members": 4, "present": 2, "met": True}
    page = _client(client, world.substitute_user).get(_url(world)).content.decode()
    assert "Sign as chair" in page
    assert _sign(client, world, world.substitute_user, world.chair_substitute).status_code == 302
    assert Report.objects.get(deliberation=world.deliberation).chair_signed_by == world.chair_substitute


# --- Signing freezes, a correction is a new version (Art. 82) ----------------------------------------
def test_signed_by_chair_and_secretary_the_report_is_frozen(client, committee_world, meeting_day):
    world = committee_world
    deliberation = held(world)
    response = _sign(client, world, world.chair_user, world.chair)
    assert response.status_code == 302
    first = Report.objects.get(deliberation=deliberation)
    assert first.chair_signed_by == world.chair and not first.signed
    page = client.get(_url(world)).content.decode()
    assert "Sign as chair" not in page and "not signed yet" in page

    _sign(client, world, world.secretary_user, world.secretary)
    signed = Report.objects.get(deliberation=deliberation)
    assert signed.signed and signed.version == 1
    assert signed.secretary_signed_by == world.secretary
    assert signed.secretary_signed_at == datetime.datetime(2024, 2, 1, 12, 0, tzinfo=datetime.UTC)  # worlds.on's clock
    assert signed.content == expected_content()

    # A decision after signing is refused (Art. 82) and nothing is written.
    with pytest.raises(services.Refused) as refused:
        services.decision_record(
            deliberation=deliberation,
            student=_student(world, 2),
            kind="level_awarded",
            level="cum_laude",
            reason="Late change.",
        )
    assert "signed" in refused.value.codes
    assert "Art. 82" in refused.value.messages[0]
    assert Decision.objects.filter(deliberation=deliberation).count() == 2

    # The composition changes later (kept in the admin): the signed report does not.
    world.chair.name = "Cato Renamed"
    world.chair.save()
    assert report.frozen_or_current(deliberation) == expected_content()
    assert report.report_content(deliberation)["attendance"][0]["member"] == "Cato Renamed"
    assert Report.objects.get(pk=signed.pk).content == expected_content()

    page = _client(client, world.chair_user).get(_url(world)).content.decode()
    assert "signed and frozen" in page
    assert "Cato Chair" in page and "Cato Renamed" not in page.split('id="attendance"')[1].split("</table>")[0]
    assert 'value="sign"' not in page
    assert 'value="correct"' in page  # the chair may start a corrected version


def test_the_second_signature_is_put_on_the_report_as_it_stands_then(client, committee_world, meeting_day):
    world = committee_world
    deliberation = held(world)
    _sign(client, world, world.chair_user, world.chair)
    assert 'id="changed-since-signature"' not in client.get(_url(world)).content.decode()
    world.member_noor.name = "Noor Renamed"  # the composition is kept in the admin
    world.member_noor.save()
    page = _client(client, world.secretary_user).get(_url(world)).content.decode()
    assert 'id="changed-since-signature"' in page
    _sign(client, world, world.secretary_user, world.secretary)
    assert Report.objects.get(deliberation=deliberation).content["attendance"][3]["member"] == "Noor Renamed"


def test_a_correction_makes_an_unsigned_second_version_and_reopens(client, committee_world, meeting_day):
    world = committee_world
    deliberation = held(world)
    _sign(client, world, world.chair_user, world.chair)
    _sign(client, world, world.secretary_user, world.secretary)

    # Without saying what it corrects: refused, nothing written.
    _client(client, world.chair_user)
    response = client.post(_url(world), {"action": "correct", "correction": "  "})
    assert response.status_code == 200
    assert Report.objects.filter(deliberation=deliberation).count() == 1

    response = client.post(_url(world), {"action": "correct", "correction": "S1's new mark is 11, not 10."})
    assert response.status_code == 302
    second = services.current_report(deliberation)
    assert second.version == 2 and not second.signed
    assert second.correction == "S1's new mark is 11, not 10."
    assert Deliberation.objects.get(pk=deliberation.pk).status == "open"
    content = report.frozen_or_current(deliberation)
    assert content == expected_content(version=2, correction="S1's new mark is 11, not 10.")

    page = client.get(_url(world)).content.decode()
    assert "not signed yet: the report shows the deliberation as it stands" in page
    assert "S1&#x27;s new mark is 11, not 10." in page
    # The first version stays readable, frozen.
    old = client.get(_url(world) + "?version=1").content.decode()
    assert "signed and frozen" in old and "replaced by a corrected version" in old
    # A decision is possible again, then the second version is closed and signed.
    services.decision_record(
        deliberation=deliberation,
        student=_student(world, 2),
        kind="level_awarded",
        level="cum_laude",
        reason="Within one point of cum laude.",
    )
    services.deliberation_close(deliberation=deliberation)
    _sign(client, world, world.chair_user, world.chair)
    _sign(client, world, world.secretary_user, world.secretary)
    second.refresh_from_db()
    assert second.signed
    assert [s["number"] for s in second.content["students"]] == ["s0000001", "s0000002", "s0000005"]
    assert Report.objects.get(deliberation=deliberation, version=1).content == expected_content()


# --- The PDF ----------------------------------------------------------------------------------------
def test_the_pdf_is_the_report(client, committee_world, meeting_day):
    world = committee_world
    held(world)
    response = _client(client, world.chair_user).get(_url(world, "committee:report_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="deliberation-report-education-2023-2024-period-1-v1.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response)
    for part in (
        "Deliberation report",
        "Attendance list (Art. 71)",
        "Decisions per student (Art. 70)",
        "Compliance with the procedure (Art. 71-75)",
        "Signatures (Art. 82)",
        "s0000001",
        "s0000005",
        "Sien Secretary",
        "student administrative services centre",
        "page 1 / ",
    ):
        assert part in text, part


def test_the_pdf_in_dutch(client, committee_world, meeting_day):
    world = committee_world
    held(world)
    response = _client(client, world.secretary_user, "nl").get(_url(world, "committee:report_pdf"))
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == (
        'attachment; filename="verslag-deliberatie-education-2023-2024-periode-1-v1.pdf"'
    )
    text = _pdf_text(response)
    for heading in (
        "Verslag van de deliberatie",
        "Aanwezigheidslijst (art. 71)",
        "Beslissingen per student (art. 70)",
        "Naleving van de procedure (art. 71-75)",
        "De examencijfers (art. 82)",
        "Handtekeningen (art. 82)",
    ):
        assert heading in text, heading
    assert "Attendance list" not in text


# --- Who reads, signs and corrects (Art. 72, 82) ----------------------------------------------------
@pytest.mark.parametrize(
    ("user", "status", "sign_button"),
    [
        ("chair_user", 200, "Sign as chair"),
        ("secretary_user", 200, "Sign as secretary"),
        ("ombuds_user", 200, None),
        ("substitute_user", 200, None),  # did not replace the chair at this meeting
        ("administration", 200, None),
        ("coach", 403, None),
        ("chair_tech_user", 404, None),
    ],
)
def test_the_page_for_each_role(client, committee_world, meeting_day, user, status, sign_button):
    world = committee_world
    held(world)
    _client(client, getattr(world, user))
    response = client.get(_url(world))
    assert response.status_code == status
    assert client.get(_url(world, "committee:report_pdf")).status_code == status
    if status != 200:
        return
    page = response.content.decode()
    assert "Attendance list (Art. 71)" in page and "report-screen-only" in page
    if sign_button:
        assert sign_button in page
    else:
        assert 'value="sign"' not in page


def test_only_the_chair_and_the_secretary_sign(client, committee_world, meeting_day):
    world = committee_world
    held(world)
    for user, member in (
        (world.administration, world.chair),
        (world.ombuds_user, world.ombuds),
        (world.substitute_user, world.chair_substitute),
        (world.chair_user, world.secretary),  # not the chair's own seat
        (world.admin, world.chair),  # a superuser has no seat to sign with
    ):
        assert _sign(client, world, user, member).status_code == 403, user
    assert _sign(client, world, world.coach, world.chair).status_code == 403
    assert _sign(client, world, world.chair_tech_user, world.chair).status_code == 404
    assert not Report.objects.filter(deliberation=world.deliberation).exists()


def test_only_who_runs_the_committee_corrects(client, committee_world, meeting_day):
    world = committee_world
    held(world)
    _sign(client, world, world.chair_user, world.chair)
    _sign(client, world, world.secretary_user, world.secretary)
    for user in (world.administration, world.ombuds_user):
        _client(client, user)
        page = client.get(_url(world)).content.decode()
        assert 'value="correct"' not in page
        assert client.post(_url(world), {"action": "correct", "correction": "x"}).status_code == 403
    assert Report.objects.filter(deliberation=world.deliberation).count() == 1


def test_signing_before_the_deliberation_is_closed_is_refused(client, committee_world, meeting_day):
    world = committee_world
    held(world, close=False)
    _client(client, world.chair_user)
    page = client.get(_url(world)).content.decode()
    assert 'value="sign"' not in page and 'id="sign-later"' in page
    response = client.post(_url(world), {"action": "sign", "member": world.chair.pk}, follow=True)
    assert "The report is signed after the deliberation is closed (Art. 82)." in response.content.decode()
    assert not Report.objects.filter(deliberation=world.deliberation).exists()


def test_an_unknown_action_is_a_bad_request(client, committee_world, meeting_day):
    world = committee_world
    held(world)
    assert _client(client, world.chair_user).post(_url(world), {"action": "erase"}).status_code == 400


def test_the_page_needs_a_login(client, committee_world):
    response = client.get(_url(committee_world))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_page_reads_in_a_bounded_number_of_queries(client, committee_world, meeting_day):
    """The queries do not grow with the decisions, hearings and students of the report."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world = committee_world
    held(world, close=False)
    _client(client, world.chair_user)
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url(world)).status_code == 200
    for n in (2, 3, 4, 6):
        services.hearing_record(
            deliberation=world.deliberation,
            kind="student",
            student=_student(world, n),
            heard=f"Student{n}",
            held_on=MEETING,
            present="Cato Chair",
        )
        services.decision_record(
            deliberation=world.deliberation,
            student=_student(world, n),
            kind="level_awarded",
            level="cum_laude",
            reason="Within one point.",
            vote_requested_by=world.member_mo,
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get(_url(world)).content.decode()
    assert page.count("Within one point.") == 4
    assert len(many) == len(few) <= 15  # issue 19
