"""Who may see and change what in the application's own pages (ARCHITECTURE.md, Permissions).

One module, one scope object, one decorator:

- ``scope(user)`` reads the user's groups and programme assignments once and caches the
  answer on the user object, which lives as long as the request;
- ``scope(user).has(Capability.X)`` answers "may this user open these pages / do this";
- ``scope(user).sees(programme_id, year_id)`` / ``writes(...)`` answer it for one
  programme in one academic year (students and ISPs), ``sees_requests`` /
  ``writes_requests`` / ``handles`` for the ombudsperson's pages;
- ``scope(user).students_q(prefix)`` / ``requests_q(prefix)`` are the Q objects the apps'
  selectors filter rows with, so an object outside the user's programmes is simply not
  found (404);
- ``@requires(Capability.X)`` guards every view: login first (302 to the login page for an
  anonymous visitor), then the capability (403 without it).

The per-object querysets live in each app's selectors (``students.selectors.students_for``,
``reschedules.selectors.reschedule_requests_for``, ``appeals.selectors.may_decide`` ...).
``core`` imports no other app: the programme assignments reach it through the source that
``programmes`` registers in its ``AppConfig.ready()`` (``register_assignment_source``).

Decided (DOMAIN §3, Art. 56-58) — the student pages:

- A learning path coach sees the students enrolled in the programmes they coach (the
  academic year of the assignment) and writes the ISPs of those enrolments.
- An ombudsperson (or substitute) sees the students of their programmes, read-only.
- Student administration and the examination committee see every student, read-only
  here (the office keeps records in the admin site; ISP decisions are the cluster's).
- A superuser sees and writes everything.
- Anybody else has no student pages (403).

A student is visible when any of their enrolments is in scope; the student page then
shows the whole study progress file (earlier years included), which is what a coach
needs to advise. An ISP is writable only for an enrolment whose programme and year the
user coaches. An assignment counts only while the user is in the matching group (a coach
assignment for a learning path coach, an ombudsperson or substitute assignment for an
ombudsperson).

Decided (Art. 56-59) — the ombudsperson's pages:

- The ombudsperson and the substitute of a programme in an academic year see its
  reschedule requests and reports and write them (log, decide, record a missed moment,
  submit the report); the substitute stands in for every request (Art. 56).
- An ombudsperson who examines a course in a student's ISP that year (exams.CourseExaminer)
  hands that student's requests to the substitute: they still see them, but may not
  log, decide or record on them (Art. 58; ``Scope.handles``).
- Student administration and the examination committee read everything; a superuser
  reads and writes everything; anybody else has no ombudsperson pages (403).
- A student's individual exam schedule is a student page: whoever sees the student sees it.

Decided (Art. 68, 72) — the examination committee's pages:

- A member of an examination committee (a ``committee.Member`` linked to the user, who is in
  the examination committee or ombudsperson group) reads that committee's deliberations,
  inventory, votes and report, and no other committee's; the chair, the secretary and their
  substitutes run the meeting (open it, record attendance, hearings, decisions, votes, close
  it); every seat holder may ask for a vote; the chair and the secretary sign the report with
  their own seat.
- Student administration reads every committee's pages (Art. 72: the deliberation is secret
  to the committee and the administration); a superuser reads and writes everything.
- Coaches and anybody else have no committee pages (403): they see the outcome, the
  published result and its reason, never the votes.

Decided — results, tuition fees and the appeal register (Art. 34, 67, 101-102):

- Student administration keeps the results (Art. 67: examiners hand their marks to the
  student administrative services centre): its members and superusers upload marksheets.
- Student administration and superusers see the open tuition balances and export them for
  the finance department; whoever sees a student page sees that student's fee statements.
- Student administration keeps the appeal register: its members and superusers read and
  write everything in it (appeals, refusal-lifting requests, corrections) and record the
  decisions of the appeal authority and of the refusal-lifting committee.
- The examination committee reads the register and decides the appeals against its own
  decisions, categories (f) and (g); it also records corrections of marks (Art. 102), the
  results being its decisions.
- Anybody else (coaches, ombudspersons, users without a role) gets a 403. The register is
  not scoped to programmes: appeals are handled centrally, so whoever reads the register
  reads every student and every object in it.

Decided (DOMAIN §11) — the students' notifications: student administration (and a superuser)
reads the outbox and resends a notification; anybody else: 403.

Decided (Art. 84-85) — the fraud files (``fraud.views`` scopes each file):

- An examiner (group ``examiner``) reports an irregularity and sees the files they reported,
  never their evidence (the reporter's own upload included: Art. 84 gives the evidence to the
  chair and the ombudsperson; the issue keeps it to the committee, the ombudsperson and the
  administration).
- The seat holders of the competent committee and the ombudspersons of its programmes see
  its files with their evidence; the chair, the secretary and their substitutes record the
  investigation, the hearings and the decision (``runs_committee``).
- The fraud authority (group ``fraud authority``) sees the decisions that need its
  ratification (6°, 7°, §3) and records the advice and the ratification, not the evidence.
- Student administration reads every file and its evidence; a superuser does everything.
- Coaches and anybody else: 403.
"""

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import IntegerField, Q, QuerySet, Value

from . import roles

Pair = tuple[int, int]  # (programme id, academic year id)

# The roles that read every student, every request and the appeal register.
READ_ALL_ROLES = frozenset((roles.ADMINISTRATION, roles.COMMITTEE))

CACHE_ATTRIBUTE = "_college_scope"


class Capability(enum.StrEnum):
    """What a view or a menu entry asks for; ``Scope.has`` decides each (see the module docstring)."""

    SIGNED_IN = "signed_in"  # any active signed-in user: the home page
    STUDENT_PAGES = "student_pages"  # the student list and pages: sees every student or a programme's
    OMBUDS_PAGES = "ombuds_pages"  # the ombudsperson's pages: reads every request or serves a programme
    OMBUDS_WRITE = "ombuds_write"  # logs requests: ombudsperson or substitute somewhere, or a superuser
    RESULTS_OFFICE = "results_office"  # uploads marksheets: student administration
    FEE_PAGES = "fee_pages"  # the open tuition balances: student administration
    APPEAL_REGISTER = "appeal_register"  # reads the appeal register: administration, committee
    APPEAL_WRITE = "appeal_write"  # keeps the register and records every decision: administration
    COMMITTEE_APPEALS = "committee_appeals"  # decides the appeals against the committee's decisions (f), (g)
    MARK_CORRECTIONS = "mark_corrections"  # records corrections of marks (Art. 102): administration, committee
    ISP_WRITE = "isp_write"  # writes ISPs: a coach of some programme, or a superuser (the coach's home panel)
    COMMITTEE_PAGES = "committee_pages"  # the examination committees' pages: a seat, administration
    FRAUD_PAGES = "fraud_pages"  # the fraud files: a seat, an ombudsperson, examiner, fraud authority, administration
    NOTIFICATION_OUTBOX = "notification_outbox"  # the students' notifications (DOMAIN §11): administration


# --- Where the programme assignments come from -----------------------------------------------
AssignmentSource = Callable[[object], Iterable[tuple[int, int, str]]]

_assignment_source: AssignmentSource | None = None


def register_assignment_source(source: AssignmentSource) -> None:
    """Register ``source(user)``: the user's (programme id, academic year id, role) assignments,
    role one of ``core.roles.ASSIGNMENT_ROLES``. ``programmes`` calls this in ``ready()``. A
    ``values_list`` queryset is read in one query with the user's groups."""
    global _assignment_source
    _assignment_source = source


def assignment_source() -> AssignmentSource:
    """The registered source; ImproperlyConfigured when none is (a scope without the
    assignments would silently hide every programme's pages)."""
    if _assignment_source is None:
        raise ImproperlyConfigured(
            "core.permissions has no assignment source: the programmes app registers one in its "
            "AppConfig.ready() (is it in INSTALLED_APPS?)"
        )
    return _assignment_source


# --- Where the committee seats come from ---------------------------------------------------------
SeatSource = Callable[[object], Iterable[tuple[int, str]]]

_seat_source: SeatSource | None = None


def register_seat_source(source: SeatSource) -> None:
    """Register ``source(user)``: the user's (committee id, seat role) seats on examination
    committees. ``committee`` calls this in ``ready()``."""
    global _seat_source
    _seat_source = source


def seat_source() -> SeatSource:
    if _seat_source is None:
        raise ImproperlyConfigured(
            "core.permissions has no seat source: the committee app registers one in its "
            "AppConfig.ready() (is it in INSTALLED_APPS?)"
        )
    return _seat_source


# --- The scope ---------------------------------------------------------------------------------
def pairs_q(pairs: Iterable[Pair], prefix: str = "") -> Q:
    """A Q on rows with ``{prefix}programme_id`` and ``{prefix}academic_year_id`` in ``pairs``."""
    q = Q(pk__in=[])
    for programme_id, year_id in sorted(pairs):
        q |= Q(**{f"{prefix}programme_id": programme_id, f"{prefix}academic_year_id": year_id})
    return q


@dataclass(frozen=True)
class Scope:
    """What one user may see and do: their groups and the (programme id, academic year id)
    pairs of their assignments, kept only where the matching group is held."""

    active: bool = False
    superuser: bool = False
    groups: frozenset[str] = frozenset()
    coach: frozenset[Pair] = field(default_factory=frozenset)
    ombudsperson: frozenset[Pair] = field(default_factory=frozenset)
    substitute: frozenset[Pair] = field(default_factory=frozenset)
    seats: frozenset[tuple[int, str]] = field(default_factory=frozenset)  # (committee id, role)

    # --- roles
    @property
    def sees_all(self) -> bool:
        """Reads every student, every request and the register (administration, committee)."""
        return self.superuser or bool(self.groups & READ_ALL_ROLES)

    @property
    def writes_all(self) -> bool:
        return self.superuser

    def _in(self, *names: str) -> bool:
        return self.superuser or any(name in self.groups for name in names)

    # --- capabilities
    def has(self, capability: Capability) -> bool:
        if not self.active:
            return False
        match Capability(capability):
            case Capability.SIGNED_IN:
                return True
            case Capability.STUDENT_PAGES:
                return self.sees_all or bool(self.visible)
            case Capability.OMBUDS_PAGES:
                return self.sees_all or bool(self.ombuds_pairs)
            case Capability.OMBUDS_WRITE:
                return self.writes_all or bool(self.ombuds_pairs)
            case (
                Capability.RESULTS_OFFICE
                | Capability.FEE_PAGES
                | Capability.APPEAL_WRITE
                | Capability.NOTIFICATION_OUTBOX
            ):
                return self._in(roles.ADMINISTRATION)
            case Capability.APPEAL_REGISTER:
                return self._in(roles.ADMINISTRATION, roles.COMMITTEE)
            case Capability.COMMITTEE_APPEALS | Capability.MARK_CORRECTIONS:
                return self._in(roles.ADMINISTRATION, roles.COMMITTEE)
            case Capability.ISP_WRITE:
                return self.writes_all or bool(self.writable)
            case Capability.COMMITTEE_PAGES:
                return self._in(roles.ADMINISTRATION) or bool(self.seats)
            case Capability.FRAUD_PAGES:
                return (
                    self._in(roles.ADMINISTRATION, roles.EXAMINER, roles.FRAUD_AUTHORITY)
                    or bool(self.seats)
                    or bool(self.ombuds_pairs)
                )
        raise ValueError(capability)  # pragma: no cover - every member is matched above

    def require(self, capability: Capability) -> None:
        """403 (PermissionDenied) without ``capability``."""
        if not self.has(capability):
            raise PermissionDenied

    # --- students and ISPs
    @property
    def visible(self) -> frozenset[Pair]:
        """The pairs whose students the user sees (besides ``sees_all``)."""
        return self.coach | self.ombudsperson | self.substitute

    @property
    def writable(self) -> frozenset[Pair]:
        """The pairs whose ISPs the user writes (besides ``writes_all``)."""
        return self.coach

    def sees(self, programme_id: int, academic_year_id: int) -> bool:
        return self.sees_all or (programme_id, academic_year_id) in self.visible

    def writes(self, programme_id: int, academic_year_id: int) -> bool:
        return self.writes_all or (programme_id, academic_year_id) in self.writable

    def students_q(self, prefix: str = "") -> Q:
        """A Q on enrolments in view (``prefix`` for a relation such as ``enrolments__``)."""
        return Q() if self.sees_all else pairs_q(self.visible, prefix)

    # --- the ombudsperson's pages
    @property
    def ombuds_pairs(self) -> frozenset[Pair]:
        """The pairs the user serves as ombudsperson or substitute."""
        return self.ombudsperson | self.substitute

    def sees_requests(self, programme_id: int, academic_year_id: int) -> bool:
        return self.sees_all or (programme_id, academic_year_id) in self.ombuds_pairs

    def writes_requests(self, programme_id: int, academic_year_id: int) -> bool:
        return self.writes_all or (programme_id, academic_year_id) in self.ombuds_pairs

    def handles(self, programme_id: int, academic_year_id: int, *, examines_student: bool) -> bool:
        """Whether the user logs, decides and records a request of a student of that programme
        and year; ``examines_student``: the user examines a course in the student's ISP (Art. 58)."""
        key = (programme_id, academic_year_id)
        if self.writes_all or key in self.substitute:
            return True
        return key in self.ombudsperson and not examines_student

    def requests_q(self, prefix: str = "") -> Q:
        """A Q on rows of the ombudsperson's pages (``prefix`` to reach programme and year)."""
        return Q() if self.sees_all else pairs_q(self.ombuds_pairs, prefix)

    # --- the examination committees' pages
    @property
    def sees_all_committees(self) -> bool:
        return self._in(roles.ADMINISTRATION)

    @property
    def committees(self) -> frozenset[int]:
        """The committees (ids) the user holds a seat on."""
        return frozenset(committee for committee, _role in self.seats)

    def sees_committee(self, committee_id: int) -> bool:
        return self.sees_all_committees or committee_id in self.committees

    def runs_committee(self, committee_id: int) -> bool:
        """Runs the committee's meeting: chair, secretary or their substitutes (or a superuser)."""
        return self.superuser or any(
            committee == committee_id and role in roles.SEATS_RUNNING_THE_MEETING for committee, role in self.seats
        )

    # --- the fraud files (Art. 84-85)
    @property
    def reports_fraud(self) -> bool:
        """Reports an irregularity as an examiner (or a superuser)."""
        return self._in(roles.EXAMINER)

    @property
    def ratifies(self) -> bool:
        """Records the advice and the ratification as the fraud authority (or a superuser)."""
        return self._in(roles.FRAUD_AUTHORITY)

    def committees_q(self, prefix: str = "") -> Q:
        """A Q on rows of the committees' pages (``prefix`` to reach the committee)."""
        return Q() if self.sees_all_committees else Q(**{f"{prefix}pk__in": sorted(self.committees)})


NOBODY = Scope()


def _load(user, source: AssignmentSource) -> Scope:
    if user.is_superuser:
        return Scope(active=True, superuser=True)
    pairs: dict[str, set[Pair]] = {role: set() for role in roles.ASSIGNMENT_ROLES}
    assignments = source(user)
    if isinstance(assignments, QuerySet):
        # The groups and the assignments in one query: the assignments' (programme, year, role)
        # rows, and a (None, None, name) row per group.
        no_id = Value(None, output_field=IntegerField())
        own_groups = user.groups.annotate(no_programme=no_id, no_year=no_id)
        own_rows = own_groups.order_by().values_list("no_programme", "no_year", "name")
        rows = list(own_rows.union(assignments.order_by(), all=True))
        groups = frozenset(name for programme_id, _year, name in rows if programme_id is None)
        assignments = [row for row in rows if row[0] is not None]
    else:
        groups = frozenset(user.groups.values_list("name", flat=True))
    # Whoever holds neither group has no assignment that counts.
    if groups & {roles.COACH, roles.OMBUDSPERSON}:
        for programme_id, year_id, role in assignments:
            pairs[role].add((programme_id, year_id))
    is_coach, is_ombudsperson = roles.COACH in groups, roles.OMBUDSPERSON in groups
    seats = frozenset(seat_source()(user)) if groups & roles.SEATED_GROUPS else frozenset()
    return Scope(
        active=True,
        groups=groups,
        coach=frozenset(pairs[roles.ASSIGNED_COACH] if is_coach else ()),
        ombudsperson=frozenset(pairs[roles.ASSIGNED_OMBUDSPERSON] if is_ombudsperson else ()),
        substitute=frozenset(pairs[roles.ASSIGNED_SUBSTITUTE] if is_ombudsperson else ()),
        seats=seats,
    )


def scope(user) -> Scope:
    """What ``user`` may see and do; read once and cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    cached = getattr(user, CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    result = _load(user, assignment_source())
    setattr(user, CACHE_ATTRIBUTE, result)
    return result


def requires(capability: Capability):
    """The view decorator: login required (302 to the login page), then ``capability`` (else 403)."""
    capability = Capability(capability)

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            scope(request.user).require(capability)
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability
        return wrapped

    return decorator
