"""Text rendered without gettext (issue 13, point 4): with the pseudo locale of
tests/core/pseudo.py every translated string comes out between markers; every persona's
main pages of the demo college are rendered and any visible word outside the markers
that is not data (names, codes, titles, numbers, dates, what people typed) fails.

``PAGES`` is the one table of pages: a page added later gets a row there.
"""

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext, ngettext, pgettext, trans_real

from tests.core.pseudo import (
    CLOSE,
    OPEN,
    data_pattern,
    page_texts,
    pseudo_locale,
    untranslated,
    visible_texts,
)

DEMO_DAY = datetime.datetime(2026, 12, 2, 10, 0)
DEMO_STUDENTS = 300

# Words that are the same in every language and never go through gettext.
ALLOWED_WORDS = frozenset(
    {
        "English",  # the language switch names each language in its own language
        "Nederlands",
        "EN",
        "NL",
        "CSV",  # names of file formats
        "PDF",
        "XLSX",
        "SQ",  # the programme guide's codes of (strict) sequentiality, as in the regulations
        "SSQ",  # (Annex); the ISP editor's legend says what they mean in both languages
    }
)

# Messages of Django 5.2's admin that Django's own Dutch catalogue does not translate yet
# (the admin's app list: column headers read by screen readers).
DJANGO_UNTRANSLATED = frozenset({"Model name", "Add link", "Change or view list link"})

# Django's admin writes these alternative texts of its icons without gettext (the search
# field's magnifier, the boolean icons); they are skipped on admin pages only.
ADMIN_ICON_TEXTS = frozenset({"Search", "True", "False", "None"})

# Data the demo stores in fields of these models is generated text, not data: it must
# be rendered through gettext (the ledger reasons, the change history's reasons).
NOT_DATA_MODELS = {"HistoricalRecords"}
NOT_DATA_FIELDS = {
    ("students", "learningaccountentry", "reason"),
}
PROJECT_APPS = {"core", "programmes", "students", "exams", "progress", "fees", "reschedules", "appeals", "exchange"}


def data_phrases() -> set[str]:
    """Every text the college's records hold that a person typed or that names something:
    the values of text fields without choices of the project's models and of the users,
    history tables and generated text excluded; multi-line text also line by line."""
    phrases: set[str] = set()
    models_ = [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS] + [get_user_model()]
    for model in models_:
        if model.__name__.startswith("Historical"):
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not f.choices
            and (model._meta.app_label, model._meta.model_name, f.name) not in NOT_DATA_FIELDS
            and f.name not in {"password"}
        ]
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            for value in row:
                if value:
                    phrases.add(value)
                    phrases.update(line for line in value.splitlines() if line.strip())
    for user in get_user_model().objects.all():
        phrases.add(user.get_full_name())
    return phrases


# --- the pages ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Page:
    persona: str
    name: str
    kwargs: Any = None  # demo -> URL kwargs
    method: str = "get"
    data: Any = None  # demo -> GET query or POST data
    status: int = 200


class Demo:
    """The demo objects the pages show, looked up once."""

    def __init__(self):
        from appeals.models import Appeal, RefusalLiftingRequest
        from programmes.models import AcademicYear, Programme
        from reschedules.models import RescheduleRequest
        from students.models import Enrolment

        self.year = AcademicYear.objects.order_by("-starts_on").first()
        self.programme = Programme.objects.get(code="BA-NURS")
        self.enrolment = (
            Enrolment.objects.filter(academic_year=self.year, programme=self.programme, status="enrolled")
            .select_related("student")
            .order_by("student__number")
            .first()
        )
        self.student = self.enrolment.student
        self.addable = self.programme.courses.exclude(
            pk__in=self.enrolment.lines.values_list("course_id", flat=True)
        ).order_by("code")[0]
        self.request = RescheduleRequest.objects.order_by("pk").first()
        self.open_request = RescheduleRequest.objects.filter(status="open").order_by("pk").first() or self.request
        self.open_appeal = Appeal.objects.filter(status="open").order_by("pk").first()
        self.request_student = self.request.student if hasattr(self.request, "student") else None
        self.appeal = Appeal.objects.order_by("pk").first()
        self.decided_appeal = Appeal.objects.filter(status="decided").order_by("pk").first() or self.appeal
        self.lifting = RefusalLiftingRequest.objects.order_by("pk").first()


def _request_number(d: Demo) -> str:
    request = d.request
    for path in ("student", "isp_line.enrolment.student", "line.enrolment.student"):
        obj = request
        try:
            for part in path.split("."):
                obj = getattr(obj, part)
        except AttributeError:
            continue
        return obj.number
    raise AssertionError("no student found for the reschedule request")


PAGES = [
    # Everyone's home.
    *(Page(p, "home") for p in ("admin", "administration", "committee", "coach", "ombudsperson", "substitute")),
    # The coach: students, the student page, the ISP editor and its preview.
    Page("coach", "students:student_list"),
    Page("coach", "students:student_list", data=lambda d: {"status": "refused"}),
    Page("coach", "students:student_detail", lambda d: {"number": d.student.number}),
    Page("coach", "students:student_file_print", lambda d: {"number": d.student.number}),
    # Issue 18: the risk list, the what-if preview and the study advice form.
    Page("coach", "students:risk_list"),
    Page("coach", "students:risk_list", data=lambda d: {"level": "refusal_ahead", "ordering": "kind"}),
    Page(
        "coach",
        "students:student_whatif",
        lambda d: {"number": d.student.number},
        data=lambda d: {"kind": "deregister", "on": "2026-12-10"},
    ),
    Page("coach", "students:advice_create", lambda d: {"number": d.student.number}),
    Page("coach", "students:isp_editor", lambda d: {"pk": d.enrolment.pk}),
    Page(
        "coach",
        "students:isp_change",
        lambda d: {"pk": d.enrolment.pk},
        method="post",
        data=lambda d: {"action": "add", "course": d.addable.pk, "version": d.enrolment.version},
    ),
    # The ombudsperson: exam reschedule requests, the individual exam schedule, reports.
    Page("ombudsperson", "exams:request_list"),
    Page("ombudsperson", "exams:request_detail", lambda d: {"pk": d.request.pk}),
    Page("ombudsperson", "exams:request_detail", lambda d: {"pk": d.open_request.pk}),
    Page("ombudsperson", "exams:request_create", lambda d: {"number": _request_number(d)}),
    Page("ombudsperson", "exams:schedule", lambda d: {"number": _request_number(d)}),
    Page("ombudsperson", "exams:schedule_print", lambda d: {"number": _request_number(d)}),
    Page("ombudsperson", "exams:report_list"),
    Page("ombudsperson", "exams:report_detail", lambda d: {"programme": d.programme.code, "year": d.year.code}),
    Page("substitute", "exams:request_list"),
    # Student administration: marksheet, appeals, fees, refusal lifting, corrections.
    Page("administration", "exams:marksheet"),
    Page("administration", "appeals:register"),
    Page("administration", "appeals:appeal_create"),
    Page("administration", "appeals:appeal_detail", lambda d: {"pk": d.appeal.pk}),
    Page("administration", "appeals:appeal_detail", lambda d: {"pk": d.decided_appeal.pk}),
    Page("administration", "appeals:appeal_detail", lambda d: {"pk": d.open_appeal.pk}),
    Page("administration", "appeals:lifting_list"),
    Page("administration", "appeals:lifting_create"),
    Page("administration", "appeals:lifting_detail", lambda d: {"pk": d.lifting.pk}),
    Page("administration", "appeals:correction_list"),
    Page("administration", "appeals:correction_create"),
    Page("administration", "fees:open_balances"),
    Page("administration", "students:student_detail", lambda d: {"number": d.student.number}),
    # The examination committee reads the register and the students.
    Page("committee", "appeals:register"),
    Page("committee", "students:student_list"),
    # The admin site: the student with the ledger, the ledger, the exam periods.
    Page("administration", "admin:index"),
    Page("administration", "admin:students_student_change", lambda d: {"object_id": d.student.pk}),
    Page("administration", "admin:students_learningaccountentry_changelist"),
    Page("committee", "admin:programmes_examperiod_changelist"),
]


def _label(page: Page) -> str:
    return f"{page.persona} {page.method.upper()} {page.name}"


@pytest.fixture
def demo(db):
    with time_machine.travel(DEMO_DAY, tick=False):
        call_command("load_demo", students=DEMO_STUDENTS, verbosity=0)
    return Demo()


@pytest.mark.slow
def test_every_page_shows_only_translated_text_and_data(client, demo):
    data = data_pattern(data_phrases())
    users = {u.username: u for u in get_user_model().objects.all()}
    problems = []
    with time_machine.travel(DEMO_DAY, tick=False), pseudo_locale() as pseudo:
        for page in PAGES:
            client.force_login(users[page.persona])
            url = reverse(page.name, kwargs=page.kwargs(demo) if page.kwargs else None)
            payload = page.data(demo) if page.data else None
            response = client.post(url, payload) if page.method == "post" else client.get(url, payload)
            if response.status_code != page.status:
                problems.append(f"{_label(page)} {url}: status {response.status_code}")
                continue
            for text, rest in page_texts(visible_texts(response.content.decode())):
                if page.name.startswith("admin:") and text in ADMIN_ICON_TEXTS:
                    continue
                words = untranslated(text, data, ALLOWED_WORDS, rest=rest)
                if not words:
                    continue
                problems.append(f"{_label(page)} {url}: {' '.join(words)!r} in {text[:160]!r}")
    # Every message the pages looked up is in the Dutch catalogue (the project's or a
    # library's): a message marked with a name makemessages does not know never gets there.
    # Not asked for by the code: the change reasons stored in the history, which
    # ``core.history.reason_text`` looks up to find out whether they are a message or data.
    dutch = trans_real.translation("nl")._catalog
    stored_reasons = {
        reason
        for model in apps.get_models()
        if hasattr(model, "history_change_reason")
        for reason in model.objects.exclude(history_change_reason=None).values_list("history_change_reason", flat=True)
    }
    problems += [
        f"not in the Dutch catalogue: {key!r}"
        for key in sorted(pseudo.looked_up - stored_reasons - DJANGO_UNTRANSLATED - {""}, key=str)
        if key not in dutch and not str(key).startswith(OPEN)  # (a language name wrapped twice)
    ]
    assert problems == [], f"{len(problems)} texts outside gettext:\n" + "\n".join(dict.fromkeys(problems))


# --- the checker itself ---------------------------------------------------------------------
def test_the_pseudo_locale_wraps_every_kind_of_translation():
    # Messages in variables: makemessages takes no test text into the catalogue.
    students, credit, credits, context, may = "Students", "%(n)s credit", "%(n)s credits", "month name", "May"
    with pseudo_locale():
        assert gettext(students) == f"{OPEN}Students{CLOSE}"
        assert ngettext(credit, credits, 2) == f"{OPEN}%(n)s credits{CLOSE}"
        assert pgettext(context, may) == f"{OPEN}May{CLOSE}"
    assert gettext(students) == "Students"  # and is gone afterwards


def test_text_outside_gettext_is_found_and_data_is_not():
    data = data_pattern({"An Peeters", "Anatomy", "BA-NURS"})
    assert untranslated(f"{OPEN}Student{CLOSE}: An Peeters", data) == []
    assert untranslated("NUR205 passed", data) == ["passed"]
    assert untranslated(f"{OPEN}ISP 2026-2027: 52 credits{CLOSE}", data) == []
    assert untranslated(f"{OPEN}Semester{CLOSE}: year", data) == ["year"]
    # A translated sentence with a translated value inside it is inside markers as a whole.
    assert untranslated(f"{OPEN}Decided: {OPEN}accepted{CLOSE}{CLOSE} (descending)", data) == ["descending"]
    # Numbers, dates, codes and punctuation are data.
    assert untranslated("12/01/2026 · 13:30 – 3/20 · r0000001 · BA-NURS", data) == []
    assert untranslated("Anatomy (6)", data) == []


def test_visible_text_includes_tooltips_and_buttons_but_not_scripts():
    html = (
        '<p title="Help">Hello <b>you</b></p><script>var x = "code";</script>'
        '<input type="submit" value="Save"><input type="hidden" value="secret">'
        '<span aria-label="Close"></span><style>.a{}</style>'
    )
    assert sorted(visible_texts(html)) == ["Close", "Hello", "Help", "Save", "you"]
