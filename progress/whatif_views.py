"""The what-if page (issue 18, point 5): from the student page a coach previews a change of
the student's enrolment of the current academic year, without writing anything (``progress.whatif``).

GET only, the form submits by GET: a preview writes nothing, locks nothing. Only a user who
may write the enrolment's ISP (its programme's coach, a superuser) previews its changes;
another who sees the student gets 403, one who does not 404.
"""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core import clock
from core.permissions import Capability, requires
from core.validators import DateRange
from students.models import Contract
from students.selectors import require_isp_write, students_for

from . import whatif
from .forms import WhatIfForm


@require_GET
@requires(Capability.STUDENT_PAGES)
def student_whatif(request, number):
    today = clock.today()
    student, enrolment = whatif.current_enrolment_of(students_for(request.user), number, today=today)
    if student is None:
        raise Http404
    if enrolment is None:
        return render(request, "progress/whatif.html", {"student": student, "enrolment": None})
    enrolment.student = student
    require_isp_write(request.user, enrolment)
    year = enrolment.academic_year
    # Every line, read once: the courses still in the ISP to choose from, and the snapshot's.
    all_lines = whatif.enrolment_lines(enrolment)
    lines = [line for line in all_lines if line.removed_on is None]
    # The measures a preview judges, read once for the switch's refusal and the risk facts.
    measures = whatif.student_measures(student.pk) if "kind" in request.GET else []
    form = WhatIfForm(
        request.GET if "kind" in request.GET else None,
        kinds=whatif.KINDS,
        programmes=whatif.switch_targets(enrolment),
        contracts=[(value, label) for value, label in Contract.choices if value != enrolment.contract],
        lines=[(line.pk, f"{line.course.code} {line.course.name} ({line.course.credits})") for line in lines],
        refusal=lambda programme, on: whatif.switch_refusal(enrolment, programme, on=on, measures=measures),
        enrol_before=year.second_semester_lock,
        deregistered_on=enrolment.deregistered_on,
        date_range=DateRange(enrolment.enrolled_on, year.ends_on),
        today=today,
        initial={"on": max(today, enrolment.enrolled_on)},
    )
    outcome = scenario = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        scenario = whatif.Scenario(
            kind=data["kind"],
            on=data["on"],
            programme_id=data["programme"].pk if data.get("programme") else None,
            contract=data.get("contract") or None,
            line_ids=tuple(data.get("lines") or ()),
        )
        outcome = whatif.preview(
            enrolment, scenario, today=today, target=data.get("programme"), lines=all_lines, measures=measures
        )
    context = {
        "student": student,
        "enrolment": enrolment,
        "form": form,
        "outcome": outcome,
        "scenario": scenario,
        "kind_label": dict(whatif.KINDS).get(scenario.kind) if scenario else None,
    }
    return render(request, "progress/whatif.html", context, status=200 if not form.errors else 422)
