"""The users of every role the tests need, made in one place.

Each persona is a user in the group of its role (``core.roles``); the staff roles
(student administration, examination committee) are staff members, as the admin site
needs. Coaches and ombudspersons see students only through a programme assignment
(``programmes.Assignment``): pass ``programme`` and ``academic_year`` to assign them.

Every user has the password ``PASSWORD`` unless told otherwise (``password=None`` gives an
unusable password, as ``create_user`` does). The default usernames are those of the walks'
personas (tests/test_permissions.py); the worlds pass their own where they need them.
"""

from core import roles

PASSWORD = "a-long-password-1"


def group(role: str):
    """The group of ``role``, with its permissions (``roles.ensure_groups`` when it is not there yet)."""
    from django.contrib.auth.models import Group

    return Group.objects.filter(name=role).first() or roles.ensure_groups()[role]


def make_user(name: str, role: str | None = None, *, password: str | None = PASSWORD, **fields):
    """A user ``name`` in the group of ``role`` (none without one); ``fields`` are the user's
    (``email``, ``first_name``, ``last_name``, ``is_staff``, ``is_superuser``, ``is_active``)."""
    from django.contrib.auth import get_user_model

    account = get_user_model().objects.create_user(name, password=password, **fields)
    if role:
        account.groups.add(group(role))
    return account


def assign(user, programme, academic_year, role: str):
    """``user`` serves ``programme`` in ``academic_year`` as ``role`` (one of ``roles.ASSIGNMENT_ROLES``)."""
    from programmes.models import Assignment

    return Assignment.objects.create(user=user, programme=programme, academic_year=academic_year, role=role)


def _assigned(account, programme, academic_year, role: str):
    if (programme is None) != (academic_year is None):
        raise TypeError("an assignment needs both a programme and an academic year")
    if programme is not None:
        assign(account, programme, academic_year, role)
    return account


def coach(name: str = "coach", *, programme=None, academic_year=None, **fields):
    """A learning path coach, the coach of ``programme`` in ``academic_year`` when given."""
    return _assigned(make_user(name, roles.COACH, **fields), programme, academic_year, roles.ASSIGNED_COACH)


def ombudsperson(name: str = "ombudsperson", *, programme=None, academic_year=None, **fields):
    """An ombudsperson, the ombudsperson of ``programme`` in ``academic_year`` when given."""
    account = make_user(name, roles.OMBUDSPERSON, **fields)
    return _assigned(account, programme, academic_year, roles.ASSIGNED_OMBUDSPERSON)


def substitute(name: str = "substitute", *, programme=None, academic_year=None, **fields):
    """An ombudsperson standing in (Art. 56): the ombudsperson's group, assigned as the
    substitute of ``programme`` in ``academic_year`` when given."""
    account = make_user(name, roles.OMBUDSPERSON, **fields)
    return _assigned(account, programme, academic_year, roles.ASSIGNED_SUBSTITUTE)


def administration(name: str = "administration", **fields):
    """A member of student administration (staff)."""
    fields.setdefault("is_staff", True)
    return make_user(name, roles.ADMINISTRATION, **fields)


def committee(name: str = "committee", **fields):
    """A member of the examination committee (staff)."""
    fields.setdefault("is_staff", True)
    return make_user(name, roles.COMMITTEE, **fields)


def superuser(name: str = "admin", **fields):
    """A superuser (staff), in no group."""
    fields.setdefault("is_staff", True)
    fields.setdefault("is_superuser", True)
    return make_user(name, **fields)


def nobody(name: str = "nobody", **fields):
    """A user with no role at all."""
    return make_user(name, **fields)


def examiner(name: str = "examiner", *, course=None, academic_year=None, **fields):
    """An examiner (Art. 60, 84), who examines ``course`` in ``academic_year`` when given
    (``reschedules.CourseExaminer``): reports irregularities and sees the files they reported."""
    account = make_user(name, roles.EXAMINER, **fields)
    if (course is None) != (academic_year is None):
        raise TypeError("an examined course needs both a course and an academic year")
    if course is not None:
        from reschedules.models import CourseExaminer

        CourseExaminer.objects.create(course=course, academic_year=academic_year, user=account)
    return account


def fraud_authority(name: str = "fraud_authority", **fields):
    """A member of the fraud authority (Art. 85 §2): ratifies exclusions and annulments."""
    return make_user(name, roles.FRAUD_AUTHORITY, **fields)
