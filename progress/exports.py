"""The study progress file as the college issues it (a print view and a PDF) and the student
list as a CSV file. The print view and the PDF render the same template
(``progress/file_official.html``): no navigation, no buttons, the college's header, every
academic year, the full learning-account ledger and the full change history."""

import io
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from xhtml2pdf import pisa

from core import clock
from core.csv import csv_response
from core.permissions import Capability, requires
from exams.models import ProgrammeResult
from programmes.models import Course
from students.models import Enrolment, LearningAccountEntry
from students.refusals import measures_with_end
from students.selectors import students_for

from . import selectors
from .risk_facts import student_signals
from .views import change_history, student_filter


def file_context(request, student) -> dict:
    """What the issued study progress file shows, oldest first as a file reads."""
    measures = measures_with_end(student)
    # Art. 28: the risks of refusal as they stand on the day the file is issued.
    risks = selectors.risk_rows(student_signals(student.pk, today=clock.today()))
    progress = selectors.study_progress(student, measures=measures, risks=risks)
    entries = (
        LearningAccountEntry.objects.filter(student=student)
        .select_related("academic_year", "programme", "course")
        .order_by("on", "id")
    )
    running, ledger = 0, []
    for entry in entries:
        running += entry.credits
        ledger.append({"entry": entry, "balance": running})
    enrolments = list(
        Enrolment.objects.filter(student=student)
        .select_related("academic_year", "programme", "isp_approved_by")
        .order_by("academic_year__starts_on", "enrolled_on", "pk")
    )
    refusals = selectors.refusal_texts(enrolments)
    years = [
        {"enrolment": enrolment, "file": file, "refusal": refusals.get(enrolment.pk, "")}
        for enrolment, file in zip(enrolments, progress["enrolments"], strict=False)
    ]
    return {
        "student": student,
        "progress": progress,
        "ledger": ledger,
        "years": years,
        "measures": measures,
        "risks": risks,
        "programme_results": ProgrammeResult.objects.filter(student=student).select_related(
            "programme", "academic_year"
        ),
        "history": change_history(student, [e.pk for e in enrolments], limit=None),
        "course_names": dict(
            Course.objects.filter(programme_id__in={e.programme_id for e in enrolments}).values_list("code", "name")
        ),
        "issued_on": clock.today(),
        "issued_by": request.user,
    }


def _student(request, number):
    return get_object_or_404(students_for(request.user), number=number)


@require_GET
@requires(Capability.STUDENT_PAGES)
def file_print(request, number):
    """The study progress file to print from the browser."""
    context = file_context(request, _student(request, number))
    return HttpResponse(render_to_string("progress/file_official.html", context, request=request))


def pdf_bytes(html: str) -> bytes:
    """``html`` as a PDF (xhtml2pdf); ValueError when it cannot be rendered."""
    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8")
    if result.err:
        raise ValueError(f"the PDF could not be rendered ({result.err} errors)")
    return out.getvalue()


@require_GET
@requires(Capability.STUDENT_PAGES)
def file_pdf(request, number):
    """The study progress file as a PDF download."""
    student = _student(request, number)
    context = file_context(request, student) | {"pdf": True, "font": _pdf_font(), "stylesheet": _pdf_stylesheet()}
    html = render_to_string("progress/file_official.html", context, request=request)
    response = HttpResponse(pdf_bytes(html), content_type="application/pdf")
    filename = _("study-progress-file-%(number)s-%(day)s.pdf") % {
        "number": student.number,
        "day": clock.today().isoformat(),
    }
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _pdf_stylesheet() -> str:
    """The file's style sheet (static/css/study-file.css), which the page links, for the PDF's own
    <style> element: the PDF is made here, so it reads no URL."""
    return Path(finders.find("css/study-file.css")).read_text(encoding="utf-8")


def _pdf_font() -> dict:
    """Bitstream Vera, shipped with reportlab: a TrueType font embedded in the PDF, with the
    accented letters of every European name (the PDF's built-in Helvetica has fewer)."""
    import reportlab

    folder = Path(reportlab.__file__).parent / "fonts"
    return {"regular": (folder / "Vera.ttf").as_uri(), "bold": (folder / "VeraBd.ttf").as_uri()}


# --- The student list as a CSV file -------------------------------------------------------
@require_GET
@requires(Capability.STUDENT_PAGES)
def student_list_csv(request):
    """The filtered student list (the same filters and order as the page, every page) as a
    CSV file for a Belgian Excel (``core.csv``: UTF-8 with BOM, ``;``)."""
    filterset = student_filter(request)
    enrolments = list(filterset.qs)
    refusals = selectors.refusal_texts(enrolments)
    year = filterset.form.cleaned_data.get("academic_year") if filterset.form.is_valid() else None
    name = _("students-%(year)s") % {"year": year.code if year else _("all-years")}
    response, writer = csv_response(name)
    writer.row(
        [
            _("Student number"),
            _("Last name"),
            _("First name"),
            _("Programme"),
            _("Programme name"),
            _("Academic year"),
            _("Contract"),
            _("Status"),
            _("Refusal"),
            _("ISP status"),
            _("Credits"),
            _("Learning account"),
        ]
    )
    for e in enrolments:
        writer.row(
            [
                e.student.number,
                e.student.last_name,
                e.student.first_name,
                e.programme.code,
                e.programme.name,
                e.academic_year.code,
                e.get_contract_display(),
                e.get_status_display(),
                refusals.get(e.pk, ""),
                e.get_isp_status_display(),
                e.isp_credits,
                e.balance,
            ]
        )
    return response
