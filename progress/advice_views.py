"""The pages of study advice on record (Art. 27-28): record and change a conversation, mark
its follow-up done, and read one advice with its history. Whoever does not see the student
gets a 404 (``students.selectors.students_for``); whoever sees the student but may not
record, or may not see that advice, a 403 (``progress.advice``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import clock
from core.history import history_rows
from core.permissions import Capability, requires
from students.selectors import students_for

from . import advice as rules
from .forms import StudyAdviceForm
from .models import AdviceTopic, StudyAdvice

YES_NO = {True: gettext_lazy("yes"), False: gettext_lazy("no")}


def _student(request, number):
    return get_object_or_404(students_for(request.user), number=number)


def _advice(student, pk) -> StudyAdvice:
    return get_object_or_404(StudyAdvice.objects.select_related("recorded_by"), student=student, pk=pk)


def _student_page(student) -> str:
    return reverse("students:student_detail", kwargs={"number": student.number}) + "#advice"


def _form_page(request, student, form, advice=None, status=200):
    return render(
        request,
        "progress/advice_form.html",
        {"student": student, "form": form, "advice": advice},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@requires(Capability.STUDENT_PAGES)
def advice_create(request, number):
    """Record a study advice conversation: a coach of the student (Art. 27-28)."""
    student = _student(request, number)
    if not rules.can_record_advice(request.user, student):
        raise PermissionDenied
    today = clock.today()
    if request.method == "POST":
        form = StudyAdviceForm(request.POST, today=today)
        if form.is_valid():
            try:
                rules.advice_record(student=student, by=request.user, data=form.cleaned_data, today=today)
            except rules.AdviceRefused as refused:
                for message in refused.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("The study advice is recorded."))
                return redirect(_student_page(student))
        return _form_page(request, student, form, status=422)
    return _form_page(request, student, StudyAdviceForm(initial={"held_on": today}, today=today))


@require_http_methods(["GET", "POST"])
@requires(Capability.STUDENT_PAGES)
def advice_edit(request, number, pk):
    """Change recorded advice: a coach of the student; the earlier version stays in its history."""
    student = _student(request, number)
    advice = _advice(student, pk)
    if not rules.can_record_advice(request.user, student):
        raise PermissionDenied
    today = clock.today()
    if request.method == "POST":
        form = StudyAdviceForm(request.POST, today=today, follow_up_on_record=advice.follow_up_on)
        if form.is_valid():
            try:
                rules.advice_update(advice, by=request.user, data=form.cleaned_data, today=today)
            except rules.AdviceRefused as refused:
                for message in refused.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("The study advice is saved."))
                return redirect(_student_page(student))
        return _form_page(request, student, form, advice, status=422)
    initial = {name: getattr(advice, name) for name in rules.FIELDS}
    form = StudyAdviceForm(initial=initial, today=today, follow_up_on_record=advice.follow_up_on)
    return _form_page(request, student, form, advice)


@require_POST
@requires(Capability.STUDENT_PAGES)
def advice_done(request, number, pk):
    """Mark the follow-up of the advice done today: it leaves the coach's home page."""
    student = _student(request, number)
    advice = _advice(student, pk)
    if not rules.can_record_advice(request.user, student):
        raise PermissionDenied
    try:
        rules.advice_follow_up_done(advice, request.user, clock.today())
    except rules.AdviceRefused as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The follow-up is marked done."))
    return redirect(_student_page(student))


def _shown(name, value):
    if name == "topics":
        labels = dict(AdviceTopic.choices)
        return ", ".join(str(labels.get(topic, topic)) for topic in value or [])
    if isinstance(value, bool):
        return YES_NO[value]
    return value


@require_GET
@requires(Capability.STUDENT_PAGES)
def advice_history(request, number, pk):
    """One advice as on record, with every version: whoever may see it (``progress.advice``)."""
    student = _student(request, number)
    advice = _advice(student, pk)
    if not rules.advice_visible_to(request.user, student).filter(pk=advice.pk).exists():
        raise PermissionDenied
    fields = (*rules.FIELDS, "followed_up_on")
    labels = {str(StudyAdvice._meta.get_field(name).verbose_name): name for name in fields}
    rows = history_rows(advice.history.select_related("history_user"), fields=fields, events=True)
    for row in rows:
        row["changes"] = [
            (label, _shown(labels.get(str(label)), old), _shown(labels.get(str(label)), new))
            for label, old, new in row["changes"]
        ]
    return render(
        request,
        "progress/advice_history.html",
        {
            "student": student,
            "advice": advice,
            "history": list(reversed(rows)),
            "can_record": rules.can_record_advice(request.user, student),
            "today": clock.today(),
        },
    )
