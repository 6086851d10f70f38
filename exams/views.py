import re

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.permissions import Capability, requires

from .forms import MarksheetForm
from .marksheets import template_csv
from .results import MarksheetRefused, marksheet_import, marksheet_template_rows


@requires(Capability.RESULTS_OFFICE)
def marksheet(request):
    """Upload a marksheet of one course for one exam period: every row is entered, or none."""
    problems = None
    if request.method == "POST":
        form = MarksheetForm(request.POST, request.FILES)
        if form.is_valid():
            course, period = form.cleaned_data["course"], form.cleaned_data["exam_period"]
            sheet = form.cleaned_data["marksheet"]
            try:
                summary = marksheet_import(course=course, exam_period=period, rows=sheet.rows, by=request.user)
            except MarksheetRefused as refused:
                problems = refused.problems
            else:
                context = {"course": course, "exam_period": period, "summary": summary, "skipped": sheet.skipped}
                return render(request, "exams/marksheet_done.html", context)
    else:
        form = MarksheetForm(initial=request.GET.dict())
    return render(request, "exams/marksheet.html", {"form": form, "problems": problems})


@requires(Capability.RESULTS_OFFICE)
def marksheet_template(request):
    """A blank marksheet (CSV) of the students whose ISP has the course in that year."""
    form = MarksheetForm(request.GET, upload=False)
    if not form.is_valid():
        return render(request, "exams/marksheet.html", {"form": form}, status=400)
    course, period = form.cleaned_data["course"], form.cleaned_data["exam_period"]
    rows = marksheet_template_rows(course=course, exam_period=period)
    response = HttpResponse(template_csv(rows), content_type="text/csv; charset=utf-8")
    name = f"{_('marksheet')}-{course.programme.code}-{course.code}-{period.academic_year.code}-{period.number}"
    filename = re.sub(r"[^\w.-]+", "_", name) + ".csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
