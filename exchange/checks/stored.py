"""The stored records a document names, loaded in a few queries for the checks to compare with."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from exams.models import Result, ResultPart, ToleranceChoice, ToleranceObjection
from exchange.chunks import in_chunks
from exchange.plan import canonical_enrolment
from programmes.models import AcademicYear, Course, ExamPeriod, Prerequisite, Programme
from students.models import Degree, Enrolment, ISPLine, Student


class Stored:
    """The database's academic years, exam periods, programmes, courses, students and enrolments
    that the document names, keyed by their natural keys."""

    def load_catalogue(self, years, programmes, students) -> None:
        """Load the stored records the document names, in a few queries."""
        year_codes = {y["code"] for y in years if "code" in y}
        programme_codes = {p["code"] for p in programmes if "code" in p}
        identical_codes = set()
        for programme in programmes:
            for course in programme.get("courses", []):
                identical_codes.update(code for _path, code in course.get("identical_to", []))
        for student in students:
            if isinstance(student.get("first_enrolment_in_higher_education"), str):
                year_codes.add(student["first_enrolment_in_higher_education"])
            for enrolment in student.get("enrolments", []):
                year_codes.update([enrolment["academic_year"]] if "academic_year" in enrolment else [])
                programme_codes.update([enrolment["programme"]] if "programme" in enrolment else [])

        self.years = {y.code: y for y in in_chunks(AcademicYear.objects.all(), "code", year_codes)}
        self.periods: dict[str, dict[int, ExamPeriod]] = defaultdict(dict)
        for period in in_chunks(ExamPeriod.objects.select_related("academic_year"), "academic_year__code", year_codes):
            self.periods[period.academic_year.code][period.number] = period
        self.programmes = {p.code: p for p in in_chunks(Programme.objects.all(), "code", programme_codes)}
        self.courses: dict[tuple[str, str], Course] = {
            (c.programme.code, c.code): c
            for c in in_chunks(Course.objects.select_related("programme"), "programme__code", programme_codes)
        }
        # Courses a file course may be declared identical to, in programmes the file does not name.
        self.courses_by_code: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for key in self.courses:
            self.courses_by_code[key[1]].add(key)
        for course in in_chunks(Course.objects.select_related("programme"), "code", identical_codes):
            key = (course.programme.code, course.code)
            self.courses.setdefault(key, course)
            self.courses_by_code[course.code].add(key)
        course_codes_by_id = {c.id: key for key, c in self.courses.items()}
        self.requires: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
        for course_id, required, kind in in_chunks(
            Prerequisite.objects.values_list("course_id", "required__code", "kind"), "course_id", course_codes_by_id
        ):
            self.requires[course_codes_by_id[course_id]].add((required, kind))
        self.links: set[frozenset[tuple[str, str]]] = set()
        through = Course.identical_to.through
        for from_id, to_id in in_chunks(
            through.objects.values_list("from_course_id", "to_course_id"), "from_course_id", course_codes_by_id
        ):
            if to_id in course_codes_by_id:
                self.links.add(frozenset((course_codes_by_id[from_id], course_codes_by_id[to_id])))

    def load_students(self, numbers: set[str]) -> None:
        """Load the stored students the document names, with everything their enrolments hold."""
        self.students: dict[str, dict[str, Any]] = {
            s["number"]: s
            for s in in_chunks(
                Student.objects.values(
                    "id",
                    "number",
                    "first_name",
                    "last_name",
                    "email",
                    "opening_balance",
                    "opening_bonus_left",
                    "opening_on",
                    "first_enrolment_in_higher_education__code",
                ),
                "number",
                numbers,
            )
        }
        self.degrees: dict[str, set[tuple[str, datetime.date]]] = defaultdict(set)
        self.enrolments: dict[tuple[str, str, str], dict[str, Any]] = {}
        if not self.students:
            return
        student_ids = {s["id"] for s in self.students.values()}
        for number, kind, on in in_chunks(
            Degree.objects.values_list("student__number", "kind", "on"), "student_id", student_ids
        ):
            self.degrees[number].add((kind, on))
        enrolments = {}
        for e in in_chunks(
            Enrolment.objects.values(
                "id",
                "student__number",
                "academic_year__code",
                "programme__code",
                "contract",
                "enrolled_on",
                "deregistered_on",
                "grant_status",
            ),
            "student_id",
            student_ids,
        ):
            enrolments[e["id"]] = e
        lines = {}
        for line in in_chunks(
            ISPLine.objects.values("id", "enrolment_id", "course__code", "added_on", "removed_on", "exempted"),
            "enrolment_id",
            enrolments,
        ):
            lines[line["id"]] = line
        parts = defaultdict(list)
        for result_id, position, credits, score in in_chunks(
            ResultPart.objects.values_list("result_id", "position", "credits", "score"),
            "result__isp_line__enrolment_id",
            enrolments,
        ):
            parts[result_id].append((position, credits, score))
        per_enrolment = {eid: {"isp": [], "results": [], "choices": [], "objections": []} for eid in enrolments}
        for line in lines.values():
            per_enrolment[line["enrolment_id"]]["isp"].append(
                (line["course__code"], line["added_on"], line["removed_on"], line["exempted"])
            )
        for result in in_chunks(
            Result.objects.values("id", "isp_line_id", "exam_period__number", "opportunity", "score", "grade"),
            "isp_line__enrolment_id",
            enrolments,
        ):
            line = lines[result["isp_line_id"]]
            result_parts = tuple((credits, score) for _position, credits, score in sorted(parts[result["id"]]))
            per_enrolment[line["enrolment_id"]]["results"].append(
                (
                    line["course__code"],
                    line["added_on"],
                    result["exam_period__number"],
                    result["opportunity"],
                    result["score"],
                    result["grade"],
                    result_parts,
                )
            )
        for model, key in ((ToleranceChoice, "choices"), (ToleranceObjection, "objections")):
            for line_id, on in in_chunks(
                model.objects.values_list("isp_line_id", "on"), "isp_line__enrolment_id", enrolments
            ):
                line = lines[line_id]
                per_enrolment[line["enrolment_id"]][key].append((line["course__code"], line["added_on"], on))
        for eid, e in enrolments.items():
            held = per_enrolment[eid]
            self.enrolments[(e["student__number"], e["academic_year__code"], e["programme__code"])] = (
                canonical_enrolment(
                    e["contract"],
                    e["enrolled_on"],
                    e["deregistered_on"],
                    e["grant_status"],
                    held["isp"],
                    held["results"],
                    held["choices"],
                    held["objections"],
                )
            )
