"""The study progress file as readable text, as a student would receive it."""

from django.utils.translation import gettext as _

STATUS = {
    "pending": "pending",
    "passed": "passed",
    "tolerated": "tolerated",
    "tolerable": "tolerable fail",
    "failed": "failed",
    "exempted": "exempted",
    "removed": "removed",
}


def study_progress_text(data: dict) -> str:
    out = []
    title = _("Study progress file of %(name)s (%(number)s)") % {"name": data["name"], "number": data["student"]}
    out += [title, "=" * len(title), ""]
    account = data["learning_account"]
    out.append(
        _("Learning account: %(balance)s credits (bonus left: %(bonus)s)")
        % {"balance": account["balance"], "bonus": account["bonus_left"]}
    )
    for entry in account["entries"]:
        out.append(f"  {entry['on']}  {entry['credits']:+5d}  {entry['reason']}")
    for enrolment in data["enrolments"]:
        out.append("")
        head = (
            f"{enrolment['academic_year']}  {enrolment['programme']}  ({enrolment['contract']}, {enrolment['status']})"
        )
        out += [head, "-" * len(head)]
        for course in enrolment["courses"]:
            mark = "" if course["mark"] is None else str(course["mark"])
            out.append(
                f"  {course['course']:<10} {course['credits']:>3} cr  sem {course['semester']:<4}  "
                f"{mark:>3}  {STATUS.get(course['status'], course['status'])}"
            )
        efficiency = enrolment["study_efficiency"]
        out.append(
            _("  Taken %(taken)s credits, actually taken %(actual)s, obtained %(obtained)s; study efficiency %(eff)s")
            % {
                "taken": enrolment["taken_credits"],
                "actual": enrolment["actually_taken_credits"],
                "obtained": enrolment["obtained_credits"],
                "eff": "-" if efficiency is None else f"{efficiency:.2f} %",
            }
        )
        if enrolment["credits_without_learning_account"]:
            out.append(
                _("  Credits without learning account: %(n)s") % {"n": enrolment["credits_without_learning_account"]}
            )
        if enrolment["tolerance"]:
            t = enrolment["tolerance"]
            out.append(_("  Tolerance credit %(credit)s, used %(used)s, left %(left)s") % t)
    for programme in data["programmes"]:
        out.append("")
        line = _("Programme %(code)s: %(state)s") % {
            "code": programme["programme"],
            "state": _("passed") if programme["passed"] else _("not passed yet"),
        }
        if programme["percentage"] is not None:
            line += f", {programme['percentage']:.2f} %"
        if programme["level_of_achievement"]:
            line += f", {programme['level_of_achievement'].replace('_', ' ')}"
        out.append(line)
        threshold = programme["threshold"]
        if threshold["applies"]:
            out.append(_("  Decree threshold reached: %(r)s") % {"r": _("yes") if threshold["reached"] else _("no")})
    if data["measures"]:
        out += ["", _("Measures:")]
        for m in data["measures"]:
            out.append(f"  {m['kind']} {m['programme']} {m.get('course') or ''} {m['from']} - {m['until']}")
    return "\n".join(out) + "\n"
