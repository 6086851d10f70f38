"""Checks of the students: their own fields, degrees and first enrolment in higher education."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from exchange.checks.differences import differences_between, exists_differently
from exchange.checks.enrolments import EnrolmentChecks
from exchange.checks.known import Checks, Known
from exchange.parsing import ABSENT, join
from exchange.plan import StudentPlan


class StudentChecks(Checks):
    def __init__(self, known: Known):
        super().__init__(known)
        self.enrolments = EnrolmentChecks(known)

    def check_students(self, students: list[dict]) -> None:
        self.db.load_students({s["number"] for s in students if "number" in s})
        seen: dict[str, str] = {}
        for student in students:
            path, number = student["_path"], student.get("number")
            if number is not None:
                if number in seen:
                    self.add(
                        join(path, "number"),
                        _("student number '%(number)s' appears twice in the file (also at %(other)s)")
                        % {"number": number, "other": seen[number]},
                    )
                    continue
                seen[number] = path
            self._check_student(student, path, number)

    def _check_student(self, student: dict, path: str, number: str | None) -> None:
        stored = self.db.students.get(number) if number is not None else None
        enrolments = []
        enrolment_paths: dict[tuple[str, str], str] = {}
        for enrolment in student.get("enrolments", []):
            planned = self.enrolments.check(number, enrolment, enrolment_paths)
            if planned is not None:
                enrolments.append(planned)

        account = student.get("learning_account")
        fields = {
            "first_name": student.get("first_name"),
            "last_name": student.get("last_name"),
            "email": student.get("email"),
            "opening_balance": account.get("opening_balance") if account else None,
            "opening_bonus_left": account.get("bonus_left") if account else None,
            "opening_on": account.get("on") if account else None,
        }
        # Compare only what parsed: an invalid value is already reported, "different content" would repeat it.
        comparable = {k: student[k] for k in ("first_name", "last_name", "email") if k in student}
        if "learning_account" in student:
            opening = {"opening_balance": "opening_balance", "opening_bonus_left": "bonus_left", "opening_on": "on"}
            comparable.update({k: fields[k] for k, key in opening.items() if account is None or key in account})

        first = student.get("first_enrolment_in_higher_education", ABSENT)
        fpath = join(path, "first_enrolment_in_higher_education")
        if first is not ABSENT and first is not None:
            year = self.known.year(first)
            if year is None:
                self.add(fpath, _("unknown academic year '%(code)s'") % {"code": first})
            else:
                known = [e.academic_year for e in enrolments if self.known.year(e.academic_year)]
                earliest = min(known, default=None)
                if earliest is not None and first > earliest:
                    self.add(
                        fpath,
                        _("%(code)s is later than the student's enrolment in %(earliest)s")
                        % {"code": first, "earliest": earliest},
                    )
        if first is not ABSENT:
            comparable["first_enrolment_in_higher_education"] = first
        elif stored is None:
            # EXCHANGE.md: defaults to the student's earliest enrolment in the file.
            first = min((e.academic_year for e in enrolments), default=None)

        degrees = []
        degree_paths: dict[tuple[str, datetime.date], str] = {}
        for degree in student.get("degrees", []):
            if "kind" not in degree or "on" not in degree:
                continue
            key = (degree["kind"], degree["on"])
            if key in degree_paths:
                self.add(
                    degree["_path"],
                    _("the %(kind)s degree of %(date)s appears twice (also at %(other)s)")
                    % {"kind": key[0], "date": key[1].isoformat(), "other": degree_paths[key]},
                )
                continue
            degree_paths[key] = degree["_path"]
            if stored is None or key not in self.db.degrees.get(number, set()):
                degrees.append(key)

        if stored is not None:
            db_fields = {
                "first_name": stored["first_name"],
                "last_name": stored["last_name"],
                "email": stored["email"],
                "opening_balance": stored["opening_balance"],
                "opening_bonus_left": stored["opening_bonus_left"],
                "opening_on": stored["opening_on"],
                "first_enrolment_in_higher_education": stored["first_enrolment_in_higher_education__code"],
            }
            differences = differences_between(db_fields, comparable)
            if differences:
                self.add(path, exists_differently(_("student '%(number)s'") % {"number": number}, differences))
        if number is None:
            return
        if stored is None or degrees or enrolments:
            self.plan.students.append(
                StudentPlan(
                    number=number,
                    db_id=stored["id"] if stored else None,
                    fields=fields,
                    first_enrolment=None if first is ABSENT else first,
                    degrees=degrees,
                    enrolments=enrolments,
                )
            )
