"""The staff roles (ARCHITECTURE.md, Permissions): Django groups and their model permissions.

The group names are stored in the database, so they stay in English whatever the
interface language; show ``ROLE_LABELS[name]`` to users instead.
"""

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext_lazy as _

COACH = "learning path coach"
OMBUDSPERSON = "ombudsperson"
ADMINISTRATION = "student administration"
COMMITTEE = "examination committee"
# Exam fraud (Art. 84-85): the examiner reports an irregularity and sees the files they reported;
# the fraud authority ratifies a 6°/7° sanction or an annulment (Art. 85 §2-3).
EXAMINER = "examiner"
FRAUD_AUTHORITY = "fraud authority"

ROLES = (COACH, OMBUDSPERSON, ADMINISTRATION, COMMITTEE, EXAMINER, FRAUD_AUTHORITY)

ROLE_LABELS = {
    COACH: _("learning path coach"),
    OMBUDSPERSON: _("ombudsperson"),
    ADMINISTRATION: _("student administration"),
    COMMITTEE: _("examination committee"),
    EXAMINER: _("examiner"),
    FRAUD_AUTHORITY: _("fraud authority"),
}

# The roles of a programme assignment (programmes.Assignment.role, stored values): a coach or
# ombudsperson serves a programme in one academic year (core.permissions reads them).
ASSIGNED_COACH = "coach"
ASSIGNED_OMBUDSPERSON = "ombudsperson"
ASSIGNED_SUBSTITUTE = "substitute"

ASSIGNMENT_ROLES = (ASSIGNED_COACH, ASSIGNED_OMBUDSPERSON, ASSIGNED_SUBSTITUTE)

# The seats on an examination committee (committee.rules.Role, stored values) whose holders run
# its deliberations: open the meeting, record attendance, hearings and decisions, close it
# (Art. 68); every seat holder reads the committee's pages.
SEATS_RUNNING_THE_MEETING = frozenset({"chair", "secretary", "chair_substitute", "secretary_substitute"})
# Who reads the seats: users of these groups only (the seat is the scope, the group the role).
SEATED_GROUPS = frozenset({COMMITTEE, OMBUDSPERSON})

# The apps that hold the college's records; "view on everything" means their models.
RECORD_APPS = ("programmes", "students", "exams", "reschedules", "appeals")

# What the student administration office keeps up to date.
OFFICE_MODELS = (
    # catalogue
    "programmes.academicyear",
    "programmes.examperiod",
    "programmes.programme",
    "programmes.course",
    "programmes.prerequisite",
    "programmes.assignment",  # which coach and ombudsperson serve a programme in a year
    # students and enrolments
    "students.student",
    "students.degree",
    "students.enrolment",
    "students.ispline",
    # results and student decisions
    "exams.result",
    "exams.resultpart",
    "exams.tolerancechoice",
    "exams.toleranceobjection",
    # the exam schedule from the planning department, examiners, special statuses (Art. 43, 58, 60)
    "reschedules.exammoment",
    "reschedules.courseexaminer",
    "reschedules.specialstatus",
)

# Role -> (model label, actions) pairs; "*" stands for every model of RECORD_APPS.
# Coaches and ombudspersons work in the application's own pages, which check their
# programme assignments, so they need no model permission of their own.
ROLE_PERMISSIONS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    COACH: (),
    OMBUDSPERSON: (),
    # Examiners and the fraud authority work in the fraud pages only (fraud.views), which scope
    # them to their own reports and to the decisions awaiting ratification.
    EXAMINER: (),
    FRAUD_AUTHORITY: (),
    ADMINISTRATION: (
        *((model, ("view", "add", "change")) for model in OFFICE_MODELS),
        # What the rules decide from those records: read-only for the office.
        ("students.learningaccountentry", ("view",)),
        ("students.measure", ("view",)),
        ("exams.programmeresult", ("view",)),
        ("exams.heldpublication", ("view",)),
        # The appeal register: kept through its pages; the admin corrects what was typed.
        ("appeals.appeal", ("view", "change")),
        ("appeals.refusalliftingrequest", ("view", "change")),
        ("appeals.correction", ("view",)),
        # Tuition fees: the office keeps the schedules; statements come from the recalculation.
        ("fees.feeschedule", ("view", "add", "change")),
        ("fees.feestatement", ("view",)),
        # The students' notifications (DOMAIN §11): read, and resent through the admin's action.
        ("notifications.notification", ("view",)),
        # The examination committees: the office keeps their composition and schedules their
        # deliberations (Art. 68); what a committee decides is read-only here (Art. 72: secret to
        # the committee and the administration).
        ("committee.committee", ("view", "add", "change")),
        ("committee.committeecluster", ("view", "add", "change", "delete")),
        ("committee.member", ("view", "add", "change", "delete")),
        ("committee.deliberation", ("view", "add", "change")),
        *(
            (f"committee.{model}", ("view",))
            for model in ("attendance", "hearing", "decision", "vote", "recusal", "casefile", "postponement", "report")
        ),
    ),
    COMMITTEE: (
        ("*", ("view",)),
        ("exams.result", ("change",)),
        ("exams.resultpart", ("change",)),
    ),
}

# Roles whose members use the admin site (Django's is_staff).
STAFF_ROLES = (ADMINISTRATION, COMMITTEE)


def permission_names(role: str) -> set[str]:
    """The role's permissions as ``"app_label.codename"`` (the form ``user.has_perm`` takes)."""
    names = set()
    for model_label, actions in ROLE_PERMISSIONS[role]:
        if model_label == "*":
            models = [m for label in RECORD_APPS for m in apps.get_app_config(label).get_models()]
        else:
            models = [apps.get_model(model_label)]
        for model in models:
            opts = model._meta
            names.update(f"{opts.app_label}.{action}_{opts.model_name}" for action in actions)
    return names


@transaction.atomic
def ensure_groups() -> dict:
    """Create the role groups and give each exactly its permissions; safe to run any number of times.

    Returns the groups by role name. Needs the permissions, which ``migrate`` creates.
    """
    # Imported here so that the role names can be imported before Django is set up.
    from django.contrib.auth.models import Group, Permission

    wanted = {role: permission_names(role) for role in ROLES}
    labels = {name.split(".", 1)[0] for names in wanted.values() for name in names}
    available = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.filter(content_type__app_label__in=labels).select_related("content_type")
    }
    missing = sorted(name for names in wanted.values() for name in names if name not in available)
    if missing:
        raise LookupError(f"Permissions missing (run migrate first): {', '.join(missing)}")
    groups = {}
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set([available[name] for name in sorted(wanted[role])])
        groups[role] = group
    return groups
