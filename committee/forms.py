"""Forms of the committee's meeting page (Art. 71-75); every decision stays in ``committee.rules``
and the services. The per-decision and per-member forms take the members as a list already read,
so that a page with many decisions asks the database nothing more for them."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.validators import BoundedDatesMixin
from students.models import ISPLine

from . import rules
from .models import Ballot, HearingKind, Member, Presence, RecusalGround

NOT_RECORDED = ("", _("not recorded"))
NO_BALLOT = ("", "–")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def member_label(member: Member) -> str:
    return f"{member.name} ({member.get_role_display()})"


def member_choices(members, *, blank: bool = True):
    choices = [(str(member.pk), member_label(member)) for member in members]
    return [("", "---------"), *choices] if blank else choices


class AttendanceForm(forms.Form):
    """One row per member (Art. 71): present, online, excused or absent; a substitute who attends
    names the chair or secretary replaced. A row left "not recorded" records nothing; a recorded
    row cannot be emptied again (the attendance list keeps every member named)."""

    def __init__(self, *args, members, attendance, **kwargs):
        """``members``: the committee's members in the order shown; ``attendance``: member id →
        Attendance already recorded."""
        super().__init__(*args, **kwargs)
        self.members = list(members)
        self.attendance = attendance
        by_role = {}
        for member in self.members:
            by_role.setdefault(rules.Role(member.role), []).append(member)
        self.by_pk = {member.pk: member for member in self.members}
        for member in self.members:
            recorded = attendance.get(member.pk)
            choices = list(Presence.choices) if recorded else [NOT_RECORDED, *Presence.choices]
            self.fields[f"presence_{member.pk}"] = forms.ChoiceField(
                label=_("Presence of %(member)s") % {"member": member.name},
                choices=choices,
                required=False,
                initial=recorded.presence if recorded else "",
            )
            replaced_role = rules.SUBSTITUTES.get(rules.Role(member.role))
            if replaced_role is not None:
                self.fields[f"replaces_{member.pk}"] = forms.ChoiceField(
                    label=_("%(member)s replaces") % {"member": member.name},
                    choices=[("", _("nobody")), *member_choices(by_role.get(replaced_role, []), blank=False)],
                    required=False,
                    initial=str(recorded.replaces_id) if recorded and recorded.replaces_id else "",
                )

    def rows(self):
        """(member, presence field, replaces field or None, recorded attendance or None) per member."""
        for member in self.members:
            replaces = f"replaces_{member.pk}"
            yield (
                member,
                self[f"presence_{member.pk}"],
                self[replaces] if replaces in self.fields else None,
                self.attendance.get(member.pk),
            )

    def changes(self) -> list[tuple[Member, str, Member | None]]:
        """The rows to record: (member, presence, member replaced), only where something changed."""
        data = self.cleaned_data
        result = []
        for member in self.members:
            presence = data.get(f"presence_{member.pk}") or ""
            replaces_pk = data.get(f"replaces_{member.pk}") or ""
            if not presence:
                continue
            recorded = self.attendance.get(member.pk)
            if recorded and recorded.presence == presence and str(recorded.replaces_id or "") == replaces_pk:
                continue
            replaces = self.by_pk.get(int(replaces_pk)) if replaces_pk else None
            result.append((member, presence, replaces))
        return result


class _StudentNumberMixin:
    """The student by number among the students the committee deliberates on (``self.students``,
    a queryset): one query, whatever their number (a select of every student would not do with
    a cluster of many thousands)."""

    def clean_student(self):
        number = self.cleaned_data["student"].strip()
        student = self.students.filter(number=number).first()
        if student is None:
            raise forms.ValidationError(
                _("No student with this number was examined in the committee's programmes in this exam period.")
            )
        return student


class HearingForm(_StudentNumberMixin, BoundedDatesMixin, forms.Form):
    """A hearing of an examiner or a student (Art. 74): who was heard, when, who was present."""

    kind = forms.ChoiceField(label=_("Hearing"), choices=HearingKind.choices)
    student = forms.CharField(label=_("Student number"), max_length=32)
    course = forms.CharField(
        label=_("Course code"),
        max_length=32,
        required=False,
        help_text=_("An examiner is heard about a course (Art. 74)."),
    )
    heard = forms.CharField(label=_("Person heard"), max_length=200)
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    present = forms.CharField(
        label=_("Present at the hearing"), widget=forms.Textarea(attrs={"rows": 2}), help_text=_("Names, one a line.")
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, students, academic_year, **kwargs):
        """``students``: the students the committee deliberates on in this exam period (a
        queryset, read only for the number given); ``academic_year``: the committee's."""
        super().__init__(*args, **kwargs)
        self.students = students
        self.academic_year = academic_year

    def clean(self):
        data = super().clean()
        student, code = data.get("student"), (data.get("course") or "").strip()
        data["course"] = None
        if student is not None and code:
            line = (
                ISPLine.objects.filter(
                    enrolment__student=student, enrolment__academic_year=self.academic_year, course__code__iexact=code
                )
                .select_related("course")
                .first()
            )
            if line is None:
                self.add_error("course", _("This course is not in the student's programme."))
            else:
                data["course"] = line.course
        return data


class RecusalForm(_StudentNumberMixin, forms.Form):
    """A member who does not deliberate or vote on one student (Art. 73)."""

    member = forms.ChoiceField(label=_("Member"))
    student = forms.CharField(label=_("Student number"), max_length=32)
    ground = forms.ChoiceField(label=_("Ground"), choices=RecusalGround.choices)

    def __init__(self, *args, members, students, **kwargs):
        """``students``: the students the committee deliberates on (a queryset, read only for
        the number given)."""
        super().__init__(*args, **kwargs)
        self.members = {member.pk: member for member in members}
        self.fields["member"].choices = member_choices(members)
        self.students = students

    def clean_member(self):
        return self.members[int(self.cleaned_data["member"])]


class VoteRequestForm(forms.Form):
    """Who asks for a vote on a decision (Art. 75). The person running the meeting records it for
    any member (most members have no account); a member asks with their own seat (no field)."""

    member = forms.ChoiceField(label=_("Asked by"))

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {member.pk: member for member in members}
        self.fields["member"].choices = member_choices(members, blank=False)

    def clean_member(self):
        return self.members[int(self.cleaned_data["member"])]


class VotesForm(forms.Form):
    """One ballot per member present with a vote (Art. 75); a row left empty records nothing.
    A recused member keeps a row, marked: the service refuses their vote (Art. 73)."""

    def __init__(self, *args, voters, recused=frozenset(), ballots=None, **kwargs):
        """``voters``: the members voting at this meeting; ``recused``: member ids recused for the
        decision's student; ``ballots``: member id → ballot already recorded."""
        super().__init__(*args, **kwargs)
        self.voters = list(voters)
        self.recused = recused
        ballots = ballots or {}
        for member in self.voters:
            self.fields[f"ballot_{member.pk}"] = forms.ChoiceField(
                label=member_label(member),
                choices=[NO_BALLOT, *Ballot.choices],
                required=False,
                initial=ballots.get(member.pk, ""),
                help_text=_("Recused for this student: a vote is refused (Art. 73).") if member.pk in recused else "",
            )

    def clean(self):
        data = super().clean()
        if not any(data.get(f"ballot_{member.pk}") for member in self.voters):
            raise forms.ValidationError(_("Record at least one member's vote."), code="no_ballot")
        return data

    def ballots(self) -> dict[Member, str]:
        return {
            member: self.cleaned_data[f"ballot_{member.pk}"]
            for member in self.voters
            if self.cleaned_data.get(f"ballot_{member.pk}")
        }
