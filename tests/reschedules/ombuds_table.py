"""The ombudsperson's URLs in the permission walk (tests/test_permissions.py), per persona:
anonymous, coach, other_coach, ombudsperson and substitute (of BA-A), committee,
administration, admin.

The ombudsperson's pages are for the ombudsperson and the substitute of the programme
(they act), student administration and the examination committee (they read) and a
superuser; a coach has none (403). The exam schedule is a student page: whoever sees the
student sees it (the other programme's coach: 404).
"""

from tests.reschedules.ombuds_world import add_ombuds_world, log

# The walk's personas, in its order (tests/test_permissions.py checks that they agree).
PERSONAS = (
    "anonymous",
    "coach",
    "other_coach",
    "ombudsperson",
    "substitute",
    "committee",
    "administration",
    "admin",
)


def _statuses(*codes):
    return dict(zip(PERSONAS, codes, strict=True))


def _request(world):
    """An open force-majeure request of the world's student for A101 (made once per world)."""
    add_ombuds_world(world)
    if not hasattr(world, "reschedule_request"):
        world.reschedule_request = log(world)
    return world.reschedule_request


def _report(world):
    add_ombuds_world(world)
    return {"programme": world.programme.code, "year": world.year.code}


# The substitute stands in for every request of the programme (Art. 56): it acts as the
# ombudsperson does; the committee and the office read (403 on every action).
#                anon coach other ombud subst commi admin super
READ = _statuses(302, 403, 403, 200, 200, 200, 200, 200)
ACT = _statuses(302, 403, 403, 302, 302, 403, 403, 302)

OMBUDS_TABLE = {
    "exams:request_list": ("get", lambda w: {}, None, READ),
    "exams:request_create": (
        "get",
        lambda w: {"number": _request(w).isp_line.enrolment.student.number},
        None,
        _statuses(302, 403, 403, 200, 200, 403, 403, 200),
    ),
    "exams:request_detail": ("get", lambda w: {"pk": _request(w).pk}, None, READ),
    "exams:request_decide": (
        "post",
        lambda w: {"pk": _request(w).pk},
        lambda w: {"accepted": "yes", "reason": "certificate", "new_on": "2027-01-20", "new_starts_at": "13:30"},
        ACT,
    ),
    # On an open request the missed moment is refused: the page again, with the reason (422).
    "exams:request_missed": (
        "post",
        lambda w: {"pk": _request(w).pk},
        lambda w: {"note": "absent"},
        _statuses(302, 403, 403, 422, 422, 403, 403, 422),
    ),
    "exams:schedule": (
        "get",
        lambda w: {"number": _request(w).isp_line.enrolment.student.number},
        None,
        _statuses(302, 200, 404, 200, 200, 200, 200, 200),
    ),
    "exams:schedule_print": (
        "get",
        lambda w: {"number": _request(w).isp_line.enrolment.student.number},
        None,
        _statuses(302, 200, 404, 200, 200, 200, 200, 200),
    ),
    "exams:schedule_ics": (
        "get",
        lambda w: {"number": _request(w).isp_line.enrolment.student.number},
        None,
        _statuses(302, 200, 404, 200, 200, 200, 200, 200),
    ),
    "exams:report_list": ("get", lambda w: {}, None, READ),
    "exams:report_detail": ("get", _report, None, READ),
    "exams:report_csv": ("get", _report, None, READ),
    # Not prepared yet (2026-2027 is under way): back to the report with the reason.
    "exams:report_submit": ("post", _report, None, ACT),
}
