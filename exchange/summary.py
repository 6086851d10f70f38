"""What an import created, counted by kind of record, as the command prints it."""

import dataclasses

from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

_COUNT_LABELS = {
    "academic_years": ngettext_lazy("%(count)d academic year", "%(count)d academic years", "count"),
    "exam_periods": ngettext_lazy("%(count)d exam period", "%(count)d exam periods", "count"),
    "programmes": ngettext_lazy("%(count)d programme", "%(count)d programmes", "count"),
    "courses": ngettext_lazy("%(count)d course", "%(count)d courses", "count"),
    "prerequisites": ngettext_lazy("%(count)d prerequisite", "%(count)d prerequisites", "count"),
    "identical_courses": ngettext_lazy(
        "%(count)d pair of identical courses", "%(count)d pairs of identical courses", "count"
    ),
    "students": ngettext_lazy("%(count)d student", "%(count)d students", "count"),
    "degrees": ngettext_lazy("%(count)d degree", "%(count)d degrees", "count"),
    "enrolments": ngettext_lazy("%(count)d enrolment", "%(count)d enrolments", "count"),
    "isp_lines": ngettext_lazy("%(count)d ISP line", "%(count)d ISP lines", "count"),
    "results": ngettext_lazy("%(count)d result", "%(count)d results", "count"),
    "result_parts": ngettext_lazy("%(count)d partial exam", "%(count)d partial exams", "count"),
    "tolerance_choices": ngettext_lazy("%(count)d tolerance choice", "%(count)d tolerance choices", "count"),
    "tolerance_objections": ngettext_lazy("%(count)d tolerance objection", "%(count)d tolerance objections", "count"),
}


@dataclasses.dataclass
class ImportSummary:
    """How many records of each kind the import created (existing ones are not counted)."""

    academic_years: int = 0
    exam_periods: int = 0
    programmes: int = 0
    courses: int = 0
    prerequisites: int = 0
    identical_courses: int = 0
    students: int = 0
    degrees: int = 0
    enrolments: int = 0
    isp_lines: int = 0
    results: int = 0
    result_parts: int = 0
    tolerance_choices: int = 0
    tolerance_objections: int = 0

    @property
    def total(self) -> int:
        return sum(dataclasses.astuple(self))

    def __str__(self) -> str:
        if not self.total:
            return _("Nothing to import: every record in the file already exists with the same content.")
        counts = [
            str(_COUNT_LABELS[field.name] % {"count": getattr(self, field.name)})
            for field in dataclasses.fields(self)
            if getattr(self, field.name)
        ]
        return _("Imported %(counts)s.") % {"counts": ", ".join(counts)}
