"""The Dutch catalogue (issue 13, point 4): no entry is empty or fuzzy, every plural form
is there, a translation keeps the placeholders of its message, and every string the code
and the templates mark for translation is in the catalogue (otherwise it shows in English)."""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

PO = Path(settings.BASE_DIR) / "locale" / "nl" / "LC_MESSAGES" / "django.po"
# Not linked into makemessages' copy of the tree (its own locale folder replaces "locale").
SKIPPED = {"locale", ".venv", ".git", "var", "test-artifacts", "node_modules"}
IGNORED = [".venv", "var", "test-artifacts"]
# Named (%(name)s) and positional (%s, %d) placeholders of python-format messages.
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([sdfir%])")


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(PO))


def _key(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}\u0004{entry.msgid}" if entry.msgctxt else entry.msgid


def _placeholders(text: str) -> list[str]:
    return sorted(f"%({name})s" if name else f"%{kind}" for name, kind in PLACEHOLDER.findall(text) if kind != "%")


def problems(po: polib.POFile) -> list[str]:
    """What is wrong with the entries of ``po`` (obsolete entries are not compiled)."""
    found = []
    nplurals = int(re.search(r"nplurals=(\d+)", po.metadata.get("Plural-Forms", "nplurals=2")).group(1))
    for entry in po:
        if entry.obsolete:
            continue
        key = _key(entry)
        if "fuzzy" in entry.flags:
            found.append(f"fuzzy: {key!r}")
        if entry.msgid_plural:
            forms = entry.msgstr_plural
            if len(forms) != nplurals or any(not forms.get(i, "").strip() for i in range(nplurals)):
                found.append(f"plural forms missing: {key!r}")
            elif "python-format" in entry.flags:
                allowed = set(_placeholders(entry.msgid) + _placeholders(entry.msgid_plural))
                for form in forms.values():
                    if not set(_placeholders(form)) <= allowed:
                        found.append(f"placeholders differ: {key!r}")
        elif not entry.msgstr.strip():
            found.append(f"empty: {key!r}")
        elif "python-format" in entry.flags and _placeholders(entry.msgstr) != _placeholders(entry.msgid):
            found.append(f"placeholders differ: {key!r} -> {entry.msgstr!r}")
    return found


def test_no_entry_is_empty_fuzzy_or_without_its_placeholders(catalogue):
    assert len(catalogue) > 100
    assert problems(catalogue) == []


def test_the_check_finds_each_kind_of_problem():
    po = polib.POFile()
    po.metadata = {"Plural-Forms": "nplurals=2; plural=(n != 1);"}
    po.append(polib.POEntry(msgid="Students", msgstr="Studenten"))
    po.append(polib.POEntry(msgid="Empty", msgstr=""))
    po.append(polib.POEntry(msgid="Unsure", msgstr="Onzeker", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="%(n)s left", msgstr="nog %(m)s", flags=["python-format"]))
    po.append(
        polib.POEntry(msgid="%(n)s credit", msgid_plural="%(n)s credits", msgstr_plural={0: "%(n)s studiepunt", 1: ""})
    )
    po.append(polib.POEntry(msgid="Gone", msgstr="", obsolete=True))
    assert problems(po) == [
        "empty: 'Empty'",
        "fuzzy: 'Unsure'",
        "placeholders differ: '%(n)s left' -> 'nog %(m)s'",
        "plural forms missing: '%(n)s credit'",
    ]


@pytest.mark.slow
def test_every_marked_string_is_in_the_catalogue(tmp_path, settings, monkeypatch, catalogue):
    """makemessages (as the README runs it) on a copy made of links to the project's
    folders, with an empty locale folder of its own (makemessages writes to the locale
    folder of the tree it reads): every message it finds in the code and the templates
    must have an entry in the Dutch catalogue."""
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext is not installed")
    base = Path(settings.BASE_DIR)
    tree = tmp_path / "tree"
    tree.mkdir()
    for item in base.iterdir():
        if item.name not in SKIPPED:
            (tree / item.name).symlink_to(item, target_is_directory=item.is_dir())
    settings.LOCALE_PATHS = [str(tree / "locale")]
    monkeypatch.chdir(tree)
    call_command("makemessages", locale=["nl"], symlinks=True, ignore_patterns=IGNORED, verbosity=0)
    extracted = polib.pofile(str(tree / "locale" / "nl" / "LC_MESSAGES" / "django.po"))
    known = {_key(entry) for entry in catalogue if not entry.obsolete}
    missing = sorted(_key(entry) for entry in extracted if _key(entry) not in known)
    missing = [key.replace("\u0004", " | ") for key in missing]  # context | message
    assert missing == [], f"{len(missing)} marked strings missing from {PO.name}:\n" + "\n".join(missing)
