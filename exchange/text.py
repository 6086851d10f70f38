"""The study progress file as readable text, as a student would receive it (Art. 28)."""

from django.utils.translation import gettext as _

from core.rounding import round_half_up

COURSE_STATUS = {
    "pending": "no result yet",
    "passed": "passed - credit certificate",
    "tolerated": "tolerated",
    "tolerable": "tolerable fail",
    "failed": "failed",
    "exempted": "exempted",
    "removed": "removed from the ISP",
}
ENTRY_KIND = {
    "opening": "opening balance",
    "deduction": "deduction",
    "refund": "refund",
    "pass_refund": "refund on passing",
    "bonus": "bonus on the first 60 credits",
    "master_degree": "first master's degree",
    "rebuild": "rebuild",
    "correction": "correction",
}
LEVEL = {
    "passed": "passed (cum fructu)",
    "cum_laude": "distinction (cum laude)",
    "magna_cum_laude": "great distinction (magna cum laude)",
    "summa_cum_laude": "greatest distinction (summa cum laude)",
    "summa_cum_laude_congratulations": "greatest distinction (summa cum laude) with the congratulations of the "
    "examination committee",
}
MEASURE = {
    "threshold_refusal": "refusal of enrolment: decree threshold not reached (Art. 30)",
    "repeated_failure_refusal": "refusal of enrolment: course not obtained repeatedly (Art. 31)",
    "binding_conditions": "binding conditions: at least 50 % study efficiency (Art. 29)",
    "binding_conditions_refusal": "refusal of enrolment: binding conditions not met (Art. 29)",
    "learning_account_refusal": "refusal of enrolment: learning account of 0 or less (Art. 33)",
}


def _rule(title: str, char: str = "-") -> list[str]:
    return [title, char * len(title)]


def study_progress_text(data: dict, course_names: dict[str, str] | None = None) -> str:
    """Render the study progress file (the dict of ``progress.selectors.study_progress``)."""
    names = course_names or {}
    out = _rule(_("STUDY PROGRESS FILE"), "=")
    out += [
        _("Student: %(name)s") % {"name": data["name"]},
        _("Student number: %(number)s") % {"number": data["student"]},
        "",
    ]
    account = data["learning_account"]
    out += _rule(_("Learning account"))
    out.append(
        _("Balance: %(balance)s credits; bonus on the first 60 credits still to earn: %(bonus)s")
        % {"balance": account["balance"], "bonus": account["bonus_left"]}
    )
    running = 0
    for entry in account["entries"]:
        running += entry["credits"]
        kind = _(ENTRY_KIND.get(entry["kind"], entry["kind"]))
        out.append(f"  {entry['on']}  {entry['credits']:+5d}  = {running:4d}   {kind}: {entry['reason']}")
    for enrolment in data["enrolments"]:
        out.append("")
        out += _rule(
            _("Academic year %(year)s - %(programme)s (%(contract)s contract, %(status)s)")
            % {
                "year": enrolment["academic_year"],
                "programme": enrolment["programme"],
                "contract": enrolment["contract"].replace("_", "-"),
                "status": enrolment["status"],
            }
        )
        for course in enrolment["courses"]:
            mark = "" if course["mark"] is None else str(course["mark"])
            name = names.get(course["course"], "")
            status = _(COURSE_STATUS.get(course["status"], course["status"]))
            out.append(
                f"  {course['course']:<10} {name[:34]:<34} {course['credits']:>3} {_('cr')}  "
                f"{_('sem.')} {course['semester']:<4} {mark:>3}  {status}"
            )
        efficiency = enrolment["study_efficiency"]
        out.append(
            _("  Credits taken %(taken)s, of which examined %(actual)s; obtained %(obtained)s.")
            % {
                "taken": enrolment["taken_credits"],
                "actual": enrolment["actually_taken_credits"],
                "obtained": enrolment["obtained_credits"],
            }
        )
        out.append(
            _("  Study efficiency: %(eff)s")
            % {"eff": _("not yet known") if efficiency is None else f"{round_half_up(str(efficiency), 2)} %"}
        )
        if enrolment["credits_without_learning_account"]:
            out.append(
                _("  Credits without learning account (increased tuition fee): %(n)s")
                % {"n": enrolment["credits_without_learning_account"]}
            )
        if enrolment["tolerance"]:
            out.append(_("  Tolerance credit %(credit)s, used %(used)s, left %(left)s.") % enrolment["tolerance"])
    if data["programmes"]:
        out.append("")
        out += _rule(_("Programmes"))
    for programme in data["programmes"]:
        if programme["passed"] and programme["percentage"] is None:
            line = _("%(code)s: passed") % {"code": programme["programme"]}
        elif programme["passed"]:
            line = _("%(code)s: passed with %(percentage)s %%") % {
                "code": programme["programme"],
                "percentage": f"{programme['percentage']:.2f}",
            }
            if programme["level_of_achievement"]:
                line += " - " + _(LEVEL[programme["level_of_achievement"]])
        else:
            line = _("%(code)s: not passed yet") % {"code": programme["programme"]}
        out.append(line)
        threshold = programme["threshold"]
        if threshold["applies"]:
            out.append(
                "  "
                + (_("Decree threshold reached.") if threshold["reached"] else _("Decree threshold not reached yet."))
            )
    out.append("")
    out += _rule(_("Study progress measures"))
    if not data["measures"]:
        out.append(_("None."))
    for m in data["measures"]:
        course = f" ({m['course']})" if m.get("course") else ""
        out.append(
            f"  {_(MEASURE.get(m['kind'], m['kind']))}: {m['programme']}{course}, "
            + _("from %(start)s to %(end)s") % {"start": m["from"], "end": m["until"]}
        )
    return "\n".join(out) + "\n"
