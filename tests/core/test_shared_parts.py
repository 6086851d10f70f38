"""The shared helpers behind the services and the list pages: the audited save, the
change-history rows and the filter card's layout."""

import datetime
from types import SimpleNamespace

import pytest
from django import forms

from core.audit import REASON_LENGTH, audited_save
from core.history import history_rows
from core.templatetags.lists import filter_layout


class Saved:
    def __init__(self):
        self.saved_with = None

    def save(self, update_fields=None):
        self.saved_with = update_fields


def test_an_audited_save_records_who_and_why():
    instance, user = Saved(), object()
    audited_save(instance, by=user, reason="x" * 150, update_fields=["status"])
    assert instance._history_user is user
    assert instance._change_reason == "x" * REASON_LENGTH
    assert instance.saved_with == ["status"]


def test_without_a_user_or_reason_the_history_keeps_its_defaults():
    instance = Saved()
    audited_save(instance, by=None)
    assert not hasattr(instance, "_history_user")  # simple_history then takes the request's user
    assert not hasattr(instance, "_change_reason")
    assert instance.saved_with is None


def _record(pk, history_id, day, *, status, kind="~", reason=None, user=None):
    return SimpleNamespace(
        id=pk,
        history_id=history_id,
        history_date=datetime.datetime(2025, 1, day, 12, 0),
        history_user=user,
        history_type=kind,
        history_change_reason=reason,
        status=status,
    )


def test_history_rows_compare_each_version_with_the_previous_one_of_the_same_record():
    records = [
        _record(1, 3, 3, status="decided", reason="Decided"),
        _record(1, 1, 1, status="open", kind="+", reason="Registered"),
        _record(2, 2, 2, status="open", kind="+"),
    ]
    rows = history_rows(records, fields=("status",), label=str.upper)
    assert [(row["what"], row["changes"]) for row in rows] == [
        ("Registered", []),
        ("Decided", [("STATUS", "open", "decided")]),
        ("", []),
    ]
    assert all(row["event"] == "" and row["note"] == "" for row in rows)


def test_history_rows_of_several_kinds_describe_the_record_and_keep_the_reason_as_a_note():
    rows = history_rows(
        [_record(1, 1, 1, status="open", kind="+", reason="added")],
        describe=lambda record: f"line {record.id}",
        events=True,
    )
    assert (rows[0]["what"], rows[0]["note"], str(rows[0]["event"])) == ("line 1", "added", "created")


class Filters(forms.Form):
    q = forms.CharField()
    status = forms.CharField()
    kind = forms.CharField()
    late = forms.BooleanField()


@pytest.mark.parametrize(
    "widths, columns, rest",
    [
        ("q:3 status:3 kind:3 late:3", [3, 3, 3, 3], 12),  # a full row: the buttons on their own
        ("q:3 status:2 kind:4 late:3", [3, 2, 4, 3], 12),
        ("q:5 status:4 kind:4", [5, 4, 4], 8),  # kind wraps to a second row
        ("q:3 status:2", [3, 2], 7),
    ],
)
def test_the_filter_card_leaves_the_rest_of_the_last_row_to_the_buttons(widths, columns, rest):
    layout = filter_layout(Filters(), widths)
    assert [width for _field, width in layout.fields] == columns
    assert layout.rest == rest
    assert layout.fields[0][0].name == "q"
