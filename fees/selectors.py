"""Reads of the fee app: a student's statements and the latest statement of every fee."""

from django.db import connection
from django.db.models import Exists, OuterRef, Q

from .models import FeeStatement


def latest_statements():
    """The latest statement of each (student, academic year, fee group): the fee due."""
    newer = FeeStatement.objects.filter(
        student=OuterRef("student"), academic_year_code=OuterRef("academic_year_code"), key=OuterRef("key")
    ).filter(Q(on__gt=OuterRef("on")) | Q(on=OuterRef("on"), pk__gt=OuterRef("pk")))
    return FeeStatement.objects.filter(~Exists(newer))


def statement_year_codes() -> list[str]:
    """The academic years with a fee statement, newest first: a walk over the index of the
    years (one probe a year, a recursive query), not a read of every statement (issue 19)."""
    table = connection.ops.quote_name(FeeStatement._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH RECURSIVE codes(code) AS (
                    SELECT MAX(academic_year_code) FROM {table}
                    UNION ALL
                    SELECT (SELECT MAX(academic_year_code) FROM {table} WHERE academic_year_code < codes.code)
                    FROM codes WHERE codes.code IS NOT NULL
                ) SELECT code FROM codes WHERE code IS NOT NULL"""
        )
        return [code for (code,) in cursor.fetchall()]


def statements_of(student) -> list[dict]:
    """Per academic year and fee group: the latest statement and its history, newest first."""
    groups: dict[tuple[str, str], list[FeeStatement]] = {}
    for statement in FeeStatement.objects.filter(student=student).order_by("on", "id"):
        groups.setdefault((statement.academic_year_code, statement.key), []).append(statement)
    found = [
        {"academic_year": code, "key": key, "latest": rows[-1], "history": list(reversed(rows))}
        for (code, key), rows in groups.items()
    ]
    return sorted(found, key=lambda g: (g["academic_year"], g["key"]), reverse=True)
