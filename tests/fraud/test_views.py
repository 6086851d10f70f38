"""The fraud pages (fraud.views; Art. 74, 84-85, 92): who opens which page (the walk), the
examiner's report with its evidence in one transaction, the file page's forms with the services'
refusals as form errors, the evidence download, the fraud authority's ratification page.

The world (tests/fraud/conftest.py): S1's file on E1 (BA-E, committee Education) at the January
2024 exam moment, reported on 15 January 2024 by the examiner Eva (user ``eva``, who examines E1
in 2023-2024); Otto (``otto``) examines E2. Education's chair Cato, secretary Sien, ombudsperson
Olga (a seat, and BA-E's ombudsperson that year); Tom chairs (Bio)Technology.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fraud import services
from fraud.models import Evidence, FraudDecision, FraudFile, FraudHearing, Investigation, Ratification
from tests.support import personas
from tests.support.worlds import on

from ..test_permissions import SITE

D = dt.date
BRUSSELS = ZoneInfo("Europe/Brussels")
PDF = b"%PDF-1.4 the exam sheet\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
DAY = D(2024, 1, 20)


@pytest.fixture
def people(fraud):
    w = fraud
    w.eva = personas.examiner("eva", course=w.e1, academic_year=w.year, first_name="Eva", last_name="Examiner")
    w.otto = personas.examiner("otto", course=w.e2, academic_year=w.year, first_name="Otto", last_name="Other")
    w.authority = personas.fraud_authority("authority")
    return w


def _pdf(name="sheet.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def gross(people, open_file, heard):
    """Eva's file with one piece of evidence, both hearings held and a 6° + 7° (one year)
    decision of 20 January 2024, awaiting ratification."""
    w = people
    with on(DAY):
        w.file = open_file(reported_by_user=w.eva)
        w.evidence = services.evidence_add(fraud_file=w.file, upload=_pdf(), on=D(2024, 1, 15))
        heard(w.file)
        w.decision = services.decision_record(
            fraud_file=w.file,
            sanctions=["programme_exclusion", "enrolment_ban"],
            reason="A smartphone with the notes at the exam, the third time this year.",
            judged_gross=True,
            ban_years=1,
            decided_on=DAY,
        )
    return w


# --- The walk ------------------------------------------------------------------------------------
OK = "ok"
PERSONAS = (
    "anonymous",
    "coach",
    "eva",
    "otto",
    "chair",
    "secretary",
    "ombuds",
    "chair_tech",
    "administration",
    "authority",
    "admin",
)


def _statuses(*codes):
    return dict(zip(PERSONAS, codes, strict=True))


def _file(w):
    return {"pk": w.file.pk}


def _decision(w):
    return {"pk": w.decision.pk}


#                             anon coach eva  otto chair secr ombud tech admin auth super
LIST = _statuses(302, 403, 200, 200, 200, 200, 200, 200, 200, 200, 200)
REPORT = _statuses(302, 403, 200, 200, 403, 403, 403, 403, 403, 403, 200)
REPORT_POST = _statuses(302, 403, OK, OK, 403, 403, 403, 403, 403, 403, OK)
FILE = _statuses(302, 403, 200, 404, 200, 200, 200, 404, 200, 200, 200)
RUN = _statuses(302, 403, 403, 404, OK, OK, 403, 404, 403, 403, OK)
EVIDENCE = _statuses(302, 403, 403, 404, 200, 200, 200, 404, 200, 403, 200)
RATIFICATION = _statuses(302, 403, 403, 404, 200, 200, 200, 404, 200, 200, 200)
RATIFY = _statuses(302, 403, 403, 404, 403, 403, 403, 404, 403, OK, OK)

TABLE = {
    "fraud:file_list": ("get", lambda w: {}, LIST),
    "fraud:report": ("get", lambda w: {}, REPORT),
    "fraud:report-post": ("post", lambda w: {}, REPORT_POST),
    "fraud:file_detail": ("get", _file, FILE),
    "fraud:investigation_record": ("post", _file, RUN),
    "fraud:hearing_record": ("post", _file, RUN),
    "fraud:decision_record": ("post", _file, RUN),
    "fraud:dispute_decide": ("post", _file, RUN),
    "fraud:decision_notify": ("post", lambda w: {"pk": w.file.pk, "decision": w.decision.pk}, RUN),
    "fraud:evidence_download": ("get", lambda w: {"pk": w.file.pk, "evidence": w.evidence.pk}, EVIDENCE),
    "fraud:ratification": ("get", _decision, RATIFICATION),
    "fraud:advice_record": ("post", _decision, RATIFY),
    "fraud:ratification_record": ("post", _decision, RATIFY),
}


def test_every_fraud_url_has_an_entry():
    names = sorted(name for name, _route in SITE if name and name.startswith("fraud:"))
    assert names == sorted(name for name in TABLE if not name.endswith("-post"))


CASES = [(name, persona) for name in TABLE for persona in PERSONAS]


@pytest.mark.parametrize(("name", "persona"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_every_fraud_url_with_every_persona(client, gross, name, persona):
    w = gross
    w.chair, w.secretary, w.ombuds, w.chair_tech = w.chair_user, w.secretary_user, w.ombuds_user, w.chair_tech_user
    method, url_kwargs, expected = TABLE[name]
    url = reverse(name.removesuffix("-post"), kwargs=url_kwargs(w))
    if persona != "anonymous":
        client.force_login(getattr(w, persona))
    with on(DAY):
        response = client.post(url, {}) if method == "post" else client.get(url)
    status = response.status_code
    if expected[persona] == OK:
        assert status in (200, 302, 422), (name, persona, status)
        if status == 302:
            assert not response["Location"].startswith(reverse("login")), (name, persona)
    else:
        assert status == expected[persona], (name, persona, status)
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login") + "?next=")


def test_the_fraud_authority_does_not_see_a_file_without_a_decision_to_ratify(client, people, open_file):
    w = people
    with on(DAY):
        fraud_file = open_file(reported_by_user=w.eva)
    client.force_login(w.authority)
    assert client.get(reverse("fraud:file_detail", args=[fraud_file.pk])).status_code == 404
    client.force_login(w.eva)
    assert client.get(reverse("fraud:file_detail", args=[fraud_file.pk])).status_code == 200


def test_each_list_shows_the_user_s_files_only(client, people, open_file):
    w = people
    with on(DAY):
        eva_s = open_file(reported_by_user=w.eva)
        open_file(course=w.e2, exam_moment=None, assignment="Essay", reported_by="Otto Other", reported_by_user=w.otto)
    client.force_login(w.eva)
    response = client.get(reverse("fraud:file_list"))
    assert [f.pk for f in response.context["files"]] == [eva_s.pk]
    assert b'id="report-link"' in response.content
    client.force_login(w.chair_user)
    assert len(client.get(reverse("fraud:file_list")).context["files"]) == 2
    client.force_login(w.chair_tech_user)
    assert client.get(reverse("fraud:file_list")).context["files"] == []
    client.force_login(w.authority)
    assert client.get(reverse("fraud:file_list")).context["files"] == []


def test_the_list_filters_by_status_and_kind(client, gross, open_file):
    w = gross
    with on(DAY):
        plagiarism = open_file(kind="plagiarism", exam_moment=None, assignment="Bachelor paper")
    client.force_login(w.chair_user)
    url = reverse("fraud:file_list")
    pks = lambda query: [f.pk for f in client.get(url, query).context["files"]]  # noqa: E731
    assert pks({"status": "open"}) == [plagiarism.pk]
    assert pks({"status": "awaiting_ratification"}) == [w.file.pk]
    assert pks({"status": "final"}) == []
    assert pks({"kind": "plagiarism"}) == [plagiarism.pk]
    assert pks({"kind": "fraud", "status": "awaiting_ratification"}) == [w.file.pk]


def test_the_nav_shows_the_fraud_files_to_the_roles_only(client, people):
    w = people
    link = reverse("fraud:file_list").encode()
    for user, shown in ((w.eva, True), (w.authority, True), (w.chair_user, True), (w.coach, False)):
        client.force_login(user)
        assert (link in client.get(reverse("home")).content) is shown, user


# --- The examiner's report (Art. 84) ---------------------------------------------------------------
def _report(w, **overrides):
    data = {
        "kind": "fraud",
        "student": w.s1.number,
        "course": w.e1.pk,
        "exam_period": w.january.pk,
        "exam_moment": w.moment.pk,
        "assignment": "",
        "reported_on": "2024-01-15",
        "what_happened": "Notes on the calculator's cover.",
    }
    data.update(overrides)
    return data


def _nothing_written(w):
    assert FraudFile.objects.count() == 0
    assert Evidence.objects.count() == 0
    stored = w.evidence_root / "fraud-evidence"
    assert not stored.exists() or list(stored.iterdir()) == []


def test_the_examiner_reports_with_two_pieces_of_evidence(client, people):
    w = people
    client.force_login(w.eva)
    data = _report(w, evidence=[_pdf("sheet.pdf"), SimpleUploadedFile("phone.png", PNG)])
    with on(D(2024, 1, 15)):
        response = client.post(reverse("fraud:report"), data)
    fraud_file = FraudFile.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("fraud:file_detail", args=[fraud_file.pk])
    assert (fraud_file.student, fraud_file.course, fraud_file.exam_moment) == (w.s1, w.e1, w.moment)
    assert (fraud_file.reported_by, fraud_file.reported_by_user) == ("Eva Examiner", w.eva)
    assert fraud_file.committee == w.education
    assert fraud_file.notified_chair_on == fraud_file.notified_ombudsperson_on == D(2024, 1, 15)
    assert sorted(e.name for e in fraud_file.evidence.all()) == ["phone.png", "sheet.pdf"]
    assert len(list((w.evidence_root / "fraud-evidence").iterdir())) == 2


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([_pdf("sheet.pdf"), SimpleUploadedFile("tool.exe", b"MZ\x90\x00")], "tool.exe is not of a type allowed"),
        ([_pdf("sheet.pdf"), SimpleUploadedFile("fake.pdf", b"MZ\x90\x00")], "The content of fake.pdf"),
        ([SimpleUploadedFile("empty.txt", b"")], "empty.txt is empty"),
    ],
    ids=["type", "content", "empty"],
)
def test_a_refused_piece_of_evidence_refuses_the_whole_report(client, people, files, message):
    w = people
    client.force_login(w.eva)
    with on(D(2024, 1, 15)):
        response = client.post(reverse("fraud:report"), _report(w, evidence=files))
    assert response.status_code == 422
    errors = " ".join(response.context["form"].errors["evidence"])
    assert message in errors and "(Art. 84)" in errors
    _nothing_written(w)


def test_evidence_over_the_size_limit_is_refused(client, people, settings):
    w = people
    settings.FRAUD_EVIDENCE_MAX_BYTES = 10
    client.force_login(w.eva)
    with on(D(2024, 1, 15)):
        response = client.post(reverse("fraud:report"), _report(w, evidence=[_pdf("big.pdf", PDF)]))
    assert response.status_code == 422
    assert "big.pdf is larger than the 10 bytes allowed" in response.context["form"].errors["evidence"][0]
    _nothing_written(w)


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"student": "s9999999"}, "student", "No student has the number s9999999"),
        ({"course": "E2"}, "course", ""),  # not among the courses offered: only those Eva examines
        ({"exam_moment": "", "assignment": ""}, "assignment", "Choose the exam moment, or describe the assignment"),
        ({"what_happened": ""}, "what_happened", ""),
        ({"reported_on": "2031-01-01"}, "reported_on", ""),
    ],
    ids=["unknown-student", "course-not-examined", "no-moment-nor-assignment", "nothing-happened", "date-far-off"],
)
def test_a_bad_report_is_refused_field_by_field(client, people, overrides, field, fragment):
    w = people
    if overrides.get("course") == "E2":
        overrides = overrides | {"course": w.e2.pk, "exam_moment": ""}
        overrides.setdefault("assignment", "Essay")
    client.force_login(w.eva)
    with on(D(2024, 1, 15)):
        response = client.post(reverse("fraud:report"), _report(w, evidence=[_pdf()]) | overrides)
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert fragment in " ".join(response.context["form"].errors[field])
    _nothing_written(w)


def test_a_student_who_does_not_take_the_course_is_refused(client, people):
    w = people
    from tests.support.factories import StudentFactory

    stranger = StudentFactory(number="s0000099")
    client.force_login(w.eva)
    with on(D(2024, 1, 15)):
        response = client.post(reverse("fraud:report"), _report(w, student=stranger.number))
    assert response.status_code == 422
    assert "does not take this course" in response.context["form"].errors["student"][0]
    _nothing_written(w)


# --- The evidence --------------------------------------------------------------------------------
def test_the_evidence_is_an_attachment_with_its_content(client, gross):
    w = gross
    client.force_login(w.ombuds_user)
    response = client.get(reverse("fraud:evidence_download", args=[w.file.pk, w.evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="sheet.pdf"'
    assert b"".join(response.streaming_content) == PDF


def test_evidence_of_another_file_is_not_found(client, gross, open_file):
    w = gross
    with on(DAY):
        other = open_file(exam_moment=None, assignment="Lab report")
    client.force_login(w.chair_user)
    assert client.get(reverse("fraud:evidence_download", args=[other.pk, w.evidence.pk])).status_code == 404


def test_the_examiner_sees_the_report_but_no_evidence_link(client, gross):
    w = gross
    client.force_login(w.eva)
    response = client.get(reverse("fraud:file_detail", args=[w.file.pk]))
    assert response.status_code == 200
    assert reverse("fraud:evidence_download", args=[w.file.pk, w.evidence.pk]).encode() not in response.content
    assert b"1 file attached." in response.content
    assert response.context["hearings"] == [] and response.context["forms"] == {}
    client.force_login(w.chair_user)
    response = client.get(reverse("fraud:file_detail", args=[w.file.pk]))
    assert reverse("fraud:evidence_download", args=[w.file.pk, w.evidence.pk]).encode() in response.content


# --- The file page's forms ----------------------------------------------------------------------
def test_the_hearings_are_recorded_examiner_then_student(client, people, open_file):
    w = people
    with on(DAY):
        fraud_file = open_file()
    client.force_login(w.chair_user)
    url = reverse("fraud:hearing_record", args=[fraud_file.pk])
    with on(DAY):
        page = client.get(reverse("fraud:file_detail", args=[fraud_file.pk]))
        assert page.context["forms"]["hearing"]["kind"].initial == "examiner"
        examiner = {"kind": "examiner", "held_on": "2024-01-17", "heard_by": "Cato Chair"}
        assert client.post(url, examiner).status_code == 302
        page = client.get(reverse("fraud:file_detail", args=[fraud_file.pk]))
        assert page.context["forms"]["hearing"]["kind"].initial == "student"
        refused = client.post(url, {"kind": "student", "held_on": "2024-01-18", "heard_by": "Cato Chair"})
    assert refused.status_code == 422
    assert "name the ombudsperson (Art. 84)" in refused.context["forms"]["hearing"].errors["ombudsperson"][0]
    assert list(FraudHearing.objects.values_list("kind", flat=True)) == ["examiner"]


def test_a_hearing_before_the_report_is_refused(client, people, open_file):
    w = people
    with on(DAY):
        fraud_file = open_file()
        client.force_login(w.chair_user)
        response = client.post(
            reverse("fraud:hearing_record", args=[fraud_file.pk]),
            {"kind": "examiner", "held_on": "2024-01-10", "heard_by": "Cato Chair"},
        )
    assert response.status_code == 422
    assert "held after the report" in str(response.context["forms"]["hearing"].non_field_errors())
    assert FraudHearing.objects.count() == 0


def _decide(**fields):
    data = {"reason": "Notes under the sheet.", "decided_on": "2024-01-20"}
    data.update(fields)
    return data


@pytest.mark.parametrize(
    ("hearings", "fields", "field", "fragment"),
    [
        (False, {"sanctions": ["zero_exam"]}, None, "(Art. 74, 84)"),
        (True, {"sanctions": ["enrolment_ban"], "ban_years": "1"}, None, "only together with the exclusion"),
        (True, {"sanctions": ["zero_exam"], "reason": ""}, "reason", "(Art. 85)"),
        (True, {"sanctions": ["appropriate_mark"], "new_mark": "25"}, "new_mark", "(Art. 65-66, 85 §1 2°)"),
        (True, {"sanctions": ["programme_exclusion"]}, None, "gross irregularity"),
        (True, {"sanctions": ["not_validly_taken", "zero_exam"]}, None, "1° stands alone"),
        (True, {}, None, "Choose at least one sanction"),
    ],
    ids=["before-hearings", "7-without-6", "no-reason", "mark-25", "6-not-gross", "1-not-alone", "nothing"],
)
def test_a_refused_decision_shows_the_article_and_writes_nothing(
    client, people, open_file, heard, hearings, fields, field, fragment
):
    w = people
    with on(DAY):
        fraud_file = open_file()
        if hearings:
            heard(fraud_file)
        client.force_login(w.chair_user)
        response = client.post(reverse("fraud:decision_record", args=[fraud_file.pk]), _decide(**fields))
    assert response.status_code == 422
    form = response.context["forms"]["decision"]
    errors = form.errors[field] if field else form.non_field_errors()
    assert fragment in " ".join(errors)
    assert FraudDecision.objects.count() == 0


def test_a_zero_for_the_exam_is_final_at_once(client, people, open_file, heard):
    w = people
    with on(DAY):
        fraud_file = heard(open_file())
        client.force_login(w.chair_user)
        response = client.post(reverse("fraud:decision_record", args=[fraud_file.pk]), _decide(sanctions=["zero_exam"]))
        assert response.status_code == 302
        decision = FraudDecision.objects.get()
        assert (decision.sanctions, decision.status, decision.decided_on) == (["zero_exam"], "final", DAY)
        page = client.get(reverse("fraud:file_detail", args=[fraud_file.pk]))
    assert "decision" not in page.context["forms"]  # one decision in force
    assert b"3\xc2\xb0 zero for the exam" in page.content


def test_the_plagiarism_investigation_with_the_four_factors(client, people, open_file):
    w = people
    with on(DAY):
        fraud_file = open_file(kind="plagiarism", exam_moment=None, assignment="Bachelor paper")
        client.force_login(w.chair_user)
        page = client.get(reverse("fraud:file_detail", args=[fraud_file.pk]))
        assert page.context["forms"]["investigation"]["chair"].initial == "Cato Chair"
        refused = client.post(
            reverse("fraud:investigation_record", args=[fraud_file.pk]),
            {
                "chair": "Cato Chair",
                "teacher": "",
                "programme_head": "Hanne Head",
                "findings": "x",
                "recorded_on": "2024-01-19",
            },
        )
        assert refused.status_code == 422
        assert "teacher" in refused.context["forms"]["investigation"].errors
        assert Investigation.objects.count() == 0
        response = client.post(
            reverse("fraud:investigation_record", args=[fraud_file.pk]),
            {
                "chair": "Cato Chair",
                "teacher": "Tine Teacher",
                "programme_head": "Hanne Head",
                "findings": "Four pages copied from a blog.",
                "proportion": "4 of 30 pages",
                "plagiarism_kind": "copied without a reference",
                "experience": "third year",
                "intention": "deliberate",
                "recorded_on": "2024-01-19",
            },
        )
    assert response.status_code == 302
    investigation = Investigation.objects.get()
    assert [str(f) for f in investigation.weighed()] == ["proportion", "kind", "experience", "intention"]


def test_a_dispute_is_decided_with_its_outcome_after_both_hearings(client, people, open_file):
    w = people
    with on(DAY):
        dispute = open_file(kind="dispute")
    client.force_login(w.chair_user)
    page = client.get(reverse("fraud:file_detail", args=[dispute.pk]))
    assert set(page.context["forms"]) == {"hearing", "dispute"}
    url = reverse("fraud:dispute_decide", args=[dispute.pk])
    outcome = {"outcome": "The exam is retaken in a quiet room.", "decided_on": "2024-01-20"}
    with on(DAY):
        refused = client.post(url, outcome)
        assert refused.status_code == 422
        assert "(Art. 92)" in str(refused.context["forms"]["dispute"].non_field_errors())
        assert FraudDecision.objects.count() == 0
        services.hearing_record(fraud_file=dispute, kind="examiner", held_on=D(2024, 1, 17), heard_by="Cato Chair")
        services.hearing_record(fraud_file=dispute, kind="student", held_on=D(2024, 1, 18), heard_by="Cato Chair")
        assert client.post(url, outcome | {"outcome": ""}).status_code == 422
        assert client.post(url, outcome).status_code == 302
    decision = FraudDecision.objects.get()
    assert (decision.sanctions, decision.reason, decision.status) == ([], outcome["outcome"], "final")


# --- The fraud authority (Art. 85 §2) ----------------------------------------------------------
def test_the_ratification_page_shows_the_48_hours_and_when_the_advice_may_be_disregarded(client, gross):
    w = gross
    requested = dt.datetime(2024, 1, 22, 9, 30, tzinfo=BRUSSELS)
    services.advice_record(
        decision=w.decision,
        ombudsperson_advice="Proportionate.",
        ombudsperson_advice_on=D(2024, 1, 22),
        council_advice_requested_at=requested,
    )
    client.force_login(w.authority)
    url = reverse("fraud:ratification", args=[w.decision.pk])
    with time_machine.travel(dt.datetime(2024, 1, 24, 9, 30, tzinfo=BRUSSELS), tick=False):
        within = client.get(url)
    with time_machine.travel(dt.datetime(2024, 1, 24, 9, 31, tzinfo=BRUSSELS), tick=False):
        after = client.get(url)
    assert b"24/01/2024 09:30" in within.content  # the deadline, 48 hours after the request
    assert b'id="may-disregard"' not in within.content
    assert b'id="may-disregard"' in after.content
    # The fraud authority may decide now without the chair's advice.
    with time_machine.travel(dt.datetime(2024, 1, 24, 9, 31, tzinfo=BRUSSELS), tick=False):
        response = client.post(
            reverse("fraud:ratification_record", args=[w.decision.pk]), {"ratified": "yes", "on": "2024-01-24"}
        )
    assert response.status_code == 302
    w.decision.refresh_from_db()
    assert w.decision.status == "final"


def test_ratifying_before_the_advice_is_refused_with_the_article(client, gross):
    w = gross
    client.force_login(w.authority)
    with on(D(2024, 1, 22)):
        response = client.post(
            reverse("fraud:ratification_record", args=[w.decision.pk]), {"ratified": "yes", "on": "2024-01-22"}
        )
    assert response.status_code == 422
    assert "(Art. 85 §2)" in str(response.context["ratification_form"].non_field_errors())
    assert not Ratification.objects.exists()
    w.decision.refresh_from_db()
    assert w.decision.status == "awaiting_ratification"


def test_the_advice_is_recorded_then_not_ratified_with_reasoning(client, gross):
    w = gross
    client.force_login(w.authority)
    with on(D(2024, 1, 22)):
        advice = client.post(
            reverse("fraud:advice_record", args=[w.decision.pk]),
            {
                "ombudsperson_advice": "Too heavy.",
                "ombudsperson_advice_on": "2024-01-22",
                "council_advice_requested_at": "2024-01-22T09:00",
                "council_advice": "Too heavy as well.",
                "council_advice_given_at": "2024-01-22T15:00",
            },
        )
        assert advice.status_code == 302
        ratification = Ratification.objects.get()
        assert ratification.council_advice_requested_at == dt.datetime(2024, 1, 22, 9, 0, tzinfo=BRUSSELS)
        without_reason = client.post(
            reverse("fraud:ratification_record", args=[w.decision.pk]), {"ratified": "no", "on": "2024-01-23"}
        )
        assert without_reason.status_code == 422
        assert "(Art. 85 §2)" in str(without_reason.context["ratification_form"].non_field_errors())
        response = client.post(
            reverse("fraud:ratification_record", args=[w.decision.pk]),
            {"ratified": "no", "reason": "Not proportionate.", "on": "2024-01-23"},
        )
    assert response.status_code == 302
    w.decision.refresh_from_db()
    assert w.decision.status == "not_ratified"
    # The committee decides anew: the file page offers the decision form again.
    client.force_login(w.chair_user)
    with on(D(2024, 1, 24)):
        page = client.get(reverse("fraud:file_detail", args=[w.file.pk]))
    assert "decision" in page.context["forms"]


def test_an_empty_advice_form_is_refused(client, gross):
    client.force_login(gross.authority)
    response = client.post(reverse("fraud:advice_record", args=[gross.decision.pk]), {})
    assert response.status_code == 422
    assert not Ratification.objects.exists()


def test_a_decision_without_ratification_has_no_ratification_page(client, people, open_file, heard):
    w = people
    with on(DAY):
        fraud_file = heard(open_file())
        decision = services.decision_record(fraud_file=fraud_file, sanctions=["zero_exam"], reason="Notes.")
    client.force_login(w.admin)
    assert client.get(reverse("fraud:ratification", args=[decision.pk])).status_code == 404


@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_page_renders_in_both_languages(client, gross, language):
    w = gross
    client.cookies.load({"django_language": language})
    pages = [
        (w.chair_user, reverse("fraud:file_list")),
        (w.chair_user, reverse("fraud:file_detail", args=[w.file.pk])),
        (w.authority, reverse("fraud:ratification", args=[w.decision.pk])),
        (w.eva, reverse("fraud:report")),
        (w.eva, reverse("fraud:file_detail", args=[w.file.pk])),
    ]
    for user, url in pages:
        client.force_login(user)
        with on(DAY):
            response = client.get(url)
        assert response.status_code == 200, url
        assert f'lang="{language}"'.encode() in response.content
