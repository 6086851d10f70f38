"""Checks of the programmes and their courses: prerequisites and identical courses."""

from __future__ import annotations

from django.utils.translation import gettext as _

from exchange.checks.differences import differences_between, exists_differently, show_requires
from exchange.checks.known import Checks, CourseView
from exchange.parsing import join


class ProgrammeChecks(Checks):
    def check_programmes(self, programmes: list[dict]) -> None:
        # Register every course first: prerequisites and identical courses may point forward.
        accepted = []
        seen: dict[str, str] = {}
        for programme in programmes:
            path, code = programme["_path"], programme.get("code")
            if code is None:
                continue
            if code in seen:
                self.add(
                    join(path, "code"),
                    _("programme '%(code)s' appears twice in the file (also at %(other)s)")
                    % {"code": code, "other": seen[code]},
                )
                continue
            seen[code] = path
            self.known.programme(code)
            course_paths: dict[str, str] = {}
            courses = []
            for course in programme.get("courses", []):
                ccode = course.get("code")
                if ccode is None:
                    continue
                if ccode in course_paths:
                    self.add(
                        join(course["_path"], "code"),
                        _("course '%(course)s' appears twice in programme '%(programme)s' (also at %(other)s)")
                        % {"course": ccode, "programme": code, "other": course_paths[ccode]},
                    )
                    continue
                course_paths[ccode] = course["_path"]
                self.known.courses[(code, ccode)] = CourseView(course.get("pass_fail"), course.get("resit"))
                self.known.course_programmes[ccode].add(code)
                courses.append(course)
            accepted.append((programme, courses))
        for programme, courses in accepted:
            self._check_programme(programme, courses)

    def _check_programme(self, programme: dict, courses: list[dict]) -> None:
        path, code = programme["_path"], programme["code"]
        fields = ("name", "kind", "cluster", "credits", "tolerance_cap")
        stored = self.db.programmes.get(code)
        if stored is not None:
            differences = differences_between(
                {f: getattr(stored, f) for f in fields}, {f: programme[f] for f in fields if f in programme}
            )
            if differences:
                self.add(path, exists_differently(_("programme '%(code)s'") % {"code": code}, differences))
        else:
            self.plan.programmes.append({f: programme.get(f) for f in ("code", *fields)})
        self.known.programmes.add(code)
        self.plan.programme_codes.add(code)
        for course in courses:
            self._check_course(code, course)

    def _check_course(self, programme: str, course: dict) -> None:
        path, code = course["_path"], course["code"]
        key = (programme, code)
        requires: set[tuple[str, str]] = set()
        for requirement in course.get("requires", []):
            rpath, required, kind = requirement["_path"], requirement.get("course"), requirement.get("kind")
            if required is None:
                continue
            if required == code:
                self.add(join(rpath, "course"), _("a course cannot require itself"))
            elif (programme, required) not in self.known.courses:
                self.add(
                    join(rpath, "course"),
                    _("course '%(course)s' is not a course of programme '%(programme)s'")
                    % {"course": required, "programme": programme},
                )
            elif required in {r for r, _k in requires}:
                self.add(join(rpath, "course"), _("course '%(course)s' is required twice") % {"course": required})
            elif kind is not None:
                requires.add((required, kind))

        links: set[frozenset[tuple[str, str]]] = set()
        for ipath, name in course.get("identical_to", []):
            candidates = {(p, name) for p in self.known.course_programmes.get(name, ())}
            candidates |= self.db.courses_by_code.get(name, set())
            candidates.discard(key)
            if not candidates:
                if name == code and (programme, name) in self.known.courses:
                    self.add(ipath, _("a course cannot be identical to itself"))
                else:
                    self.add(ipath, _("unknown course '%(course)s'") % {"course": name})
            elif len(candidates) > 1:
                self.add(
                    ipath,
                    _("course code '%(course)s' is ambiguous: it is a course of programmes %(programmes)s")
                    % {"course": name, "programmes": ", ".join(sorted(p for p, _c in candidates))},
                )
            else:
                links.add(frozenset((key, candidates.pop())))

        stored = self.db.courses.get(key)
        fields = ("name", "credits", "semester", "stage", "tolerable", "resit", "pass_fail", "elective")
        if stored is not None:
            differences = differences_between(
                {f: getattr(stored, f) for f in fields}, {f: course[f] for f in fields if f in course}
            )
            stored_requires = self.db.requires.get(key, set())
            if "requires" in course and requires != stored_requires:
                differences.append(
                    _("requires: %(db)s in the database, %(file)s in the file")
                    % {"db": show_requires(stored_requires), "file": show_requires(requires)}
                )
            for link in sorted(links, key=sorted):
                (other,) = link - {key}
                if other in self.db.courses and link not in self.db.links:
                    differences.append(
                        _("identical_to: %(course)s of programme '%(programme)s' only in the file")
                        % {"course": other[1], "programme": other[0]}
                    )
            if differences:
                self.add(
                    path,
                    exists_differently(
                        _("course '%(course)s' of programme '%(programme)s'")
                        % {"course": code, "programme": programme},
                        differences,
                    ),
                )
        else:
            self.plan.courses.append({"programme": programme, **{f: course.get(f) for f in ("code", *fields)}})
            self.plan.prerequisites.extend((key, (programme, required), kind) for required, kind in sorted(requires))
        for link in links:
            if link not in self.db.links:
                a, b = sorted(link)
                self.plan.links.add((a, b))
                self.plan.programme_codes.update((a[0], b[0]))
