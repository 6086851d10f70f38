"""The study progress file as readable text, as a student would receive it (Art. 28)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from core.rounding import round_half_up
from progress import risk
from students.models import Contract, EnrolmentStatus

COURSE_STATUS = {
    "pending": gettext_noop("no result yet"),
    "passed": gettext_noop("passed - credit certificate"),
    "tolerated": gettext_noop("tolerated"),
    "tolerable": gettext_noop("tolerable fail"),
    "failed": gettext_noop("failed"),
    "exempted": gettext_noop("exempted"),
    "removed": gettext_noop("removed from the ISP"),
}
ENTRY_KIND = {
    "opening": gettext_noop("opening balance"),
    "deduction": gettext_noop("deduction"),
    "refund": gettext_noop("refund"),
    "pass_refund": gettext_noop("refund on passing"),
    "bonus": gettext_noop("bonus on the first 60 credits"),
    "master_degree": gettext_noop("first master's degree"),
    "rebuild": gettext_noop("rebuild"),
    "correction": gettext_noop("correction"),
}
LEVEL = {
    "passed": gettext_noop("passed (cum fructu)"),
    "cum_laude": gettext_noop("distinction (cum laude)"),
    "magna_cum_laude": gettext_noop("great distinction (magna cum laude)"),
    "summa_cum_laude": gettext_noop("greatest distinction (summa cum laude)"),
    "summa_cum_laude_congratulations": gettext_noop(
        "greatest distinction (summa cum laude) with the congratulations of the examination committee"
    ),
}
MEASURE = {
    "threshold_refusal": gettext_noop("refusal of enrolment: decree threshold not reached (Art. 30)"),
    "repeated_failure_refusal": gettext_noop("refusal of enrolment: course not obtained repeatedly (Art. 31)"),
    "binding_conditions": gettext_noop("binding conditions: at least 50 % study efficiency (Art. 29)"),
    "binding_conditions_refusal": gettext_noop("refusal of enrolment: binding conditions not met (Art. 29)"),
    "learning_account_refusal": gettext_noop("refusal of enrolment: learning account of 0 or less (Art. 33)"),
    "fraud_exclusion": gettext_noop("exclusion from the programme after exam fraud (Art. 85 §1 6°)"),
    "fraud_enrolment_ban": gettext_noop("no enrolment in any programme after exam fraud (Art. 85 §1 7°)"),
}
# Art. 85 §4: the code on a result a fraud sanction touches.
CODE_TEXT = {"FR": gettext_noop("FR: a fraud sanction touches this result (Art. 85 §4)")}


def _label(choices, value: str) -> str:
    """The label of ``value`` in the reader's language (the value itself when unknown)."""
    return str(dict(choices.choices).get(value, value))


def _semester(value: str) -> str:
    """The semester as shown: 1, 2, or the year course's word in the reader's language."""
    return pgettext("semester", "year") if value == "year" else value


def _rule(title: str, char: str = "-") -> list[str]:
    return [title, char * len(title)]


def study_progress_text(
    data: dict, course_names: dict[str, str] | None = None, kind_labels: dict[str, str] | None = None
) -> str:
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
            _("Academic year %(year)s - %(programme)s (%(contract)s, %(status)s)")
            % {
                "year": enrolment["academic_year"],
                "programme": enrolment["programme"],
                "contract": _label(Contract, enrolment["contract"]),
                "status": _label(EnrolmentStatus, enrolment["status"]),
            }
        )
        for course in enrolment["courses"]:
            mark = "" if course["mark"] is None else str(course["mark"])
            name = names.get(course["course"], "")
            status = _(COURSE_STATUS.get(course["status"], course["status"]))
            credits_unit, semester_word = _("cr"), _("sem.")
            code = f"  {course['code']}" if course.get("code") else ""
            out.append(
                f"  {course['course']:<10} {name[:34]:<34} {course['credits']:>3} {credits_unit}  "
                f"{semester_word} {_semester(course['semester']):<4} {mark:>3}  {status}{code}"
            )
        for code in sorted({c["code"] for c in enrolment["courses"] if c.get("code")}):
            out.append("  " + _(CODE_TEXT.get(code, code)))
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
        # The written request matters where the exception does: an enrolment admitted by it
        # or refused (imported enrolments are taken as requested, DOMAIN §2 rule 11).
        if enrolment.get("exception_requested_on") and (
            enrolment.get("admission_exception") or enrolment.get("status") == "refused"
        ):
            out.append(
                _("  Written request for the Art. 33 exception: %(on)s.") % {"on": enrolment["exception_requested_on"]}
            )
        if enrolment.get("admission_exception"):
            out.append(_("  Admitted for one academic year despite a learning account of 0 or less (Art. 33)."))
        for retake in enrolment.get("tolerated_retakes") or []:
            out.append(
                _(
                    "  Retake of tolerated course %(course)s: requested on %(requested)s, approved by the cluster "
                    "on %(approved)s (Art. 90 §3)."
                )
                % {"course": retake["course"], "requested": retake["requested_on"], "approved": retake["approved_on"]}
            )
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
    if "risk_signals" in data:
        # Art. 28: when the student runs the risk of being refused further enrolment, and why.
        out.append("")
        out += _rule(_("Risk of refusal"))
        if not data["risk_signals"]:
            out.append(_("None."))
        for signal in data["risk_signals"]:
            course = f" ({signal['course']})" if signal.get("course") else ""
            level = str(risk.LEVEL_LABELS.get(signal["level"], signal["level"]))
            kind = str(risk.KIND_LABELS.get(signal["kind"], signal["kind"]))
            out.append(f"  [{level}] {kind}: {signal['programme']}{course}")
            out.append("    " + signal["grounds"])
            out.append("    " + _("computed on %(day)s") % {"day": signal["computed_on"]})
    if data.get("notifications"):
        # What the student was told and when (DOMAIN §11).
        out.append("")
        out += _rule(_("Notifications to the student"))
        for n in data["notifications"]:
            label = (kind_labels or {}).get(n["kind"], n["kind"])
            sent = (
                _("sent on %(day)s") % {"day": n["sent_on"]}
                if n["sent_on"]
                else _("not sent (%(status)s)") % {"status": n["status"]}
            )
            out.append(f"  {label}: {sent}")
    return "\n".join(out) + "\n"
