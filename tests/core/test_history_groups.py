"""The change history folds the rows of one import into one entry (issue 13 point 11)."""

import datetime

from django.contrib.auth import get_user_model

from core.history import IMPORT_REASON, group_imports

UTC = datetime.UTC


def _row(when, *, reason="", who=None, what="x"):
    return {"when": when, "who": who, "what": what, "event": "created", "changes": [], "note": reason, "reason": reason}


def test_the_rows_of_one_import_become_one_entry_in_the_order_written():
    day = datetime.datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
    rows = [
        _row(day + datetime.timedelta(minutes=5), reason="A101 added", what="A101"),
        *[
            _row(day + datetime.timedelta(microseconds=40 - n), reason=IMPORT_REASON, what=f"line {40 - n}")
            for n in range(40)
        ],
    ]
    grouped = group_imports(rows)
    assert len(grouped) == 2
    assert grouped[0]["what"] == "A101" and grouped[0]["note"] == "A101 added"
    group = grouped[1]
    assert group["count"] == 40
    assert group["day"] == datetime.date(2026, 12, 2)
    assert [item["what"] for item in group["group"]][:2] == ["line 1", "line 2"]
    assert all(item["note"] == "" for item in group["group"])  # the code is never shown


def test_imports_of_other_days_or_by_other_users_stay_apart(db):
    user = get_user_model().objects.create(username="importer")
    first = datetime.datetime(2026, 9, 1, 10, 0, tzinfo=UTC)
    second = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    rows = [
        _row(second, reason=IMPORT_REASON),
        _row(second, reason=IMPORT_REASON, who=user),
        _row(first, reason=IMPORT_REASON),
        _row(first, reason=IMPORT_REASON),
    ]
    grouped = group_imports(rows)
    assert [(g["day"], g["who"], g["count"]) for g in grouped] == [
        (datetime.date(2026, 12, 2), None, 1),
        (datetime.date(2026, 12, 2), user, 1),
        (datetime.date(2026, 9, 1), None, 2),
    ]


def test_the_day_is_the_day_in_brussels():
    late = datetime.datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 December in Brussels
    assert group_imports([_row(late, reason=IMPORT_REASON)])[0]["day"] == datetime.date(2026, 12, 2)


def test_the_exchange_import_writes_the_reason_the_history_groups():
    from exchange.write.history import HISTORY_CHANGE_REASON

    assert HISTORY_CHANGE_REASON == IMPORT_REASON
