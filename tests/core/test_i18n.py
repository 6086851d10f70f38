"""The Dutch translation: complete, and used when Dutch is chosen."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from core import roles
from students.models import LearningAccountEntry
from tests.support import personas
from tests.support.factories import ProgrammeFactory

PO = Path(settings.BASE_DIR) / "locale" / "nl" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogue():
    """`make test` compiles the catalogue first; a bare pytest run compiles it here when
    the .mo is missing or older than the .po (the .mo is not kept in git)."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        call_command("compilemessages", locale=["nl"], verbosity=0)
        trans_real._translations.clear()
        trans_real._default = None


def po_entries(text: str):
    """(msgid, [msgstr...], flags) of every entry of a .po file, header excluded."""
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        if all(line.startswith("#") for line in lines):
            continue  # obsolete entries (#~) are not compiled
        flags = {flag.strip() for line in lines if line.startswith("#,") for flag in line[2:].split(",")}
        fields: dict[str, str] = {}
        key = None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                fields[key] = match.group(2)
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        if fields.get("msgid") == "" and "msgid_plural" not in fields:
            continue  # the header
        yield fields["msgid"], [v for k, v in fields.items() if k.startswith("msgstr")], flags


def test_every_dutch_message_is_translated():
    entries = list(po_entries(PO.read_text(encoding="utf-8")))
    assert len(entries) > 100
    untranslated = [msgid for msgid, msgstrs, _ in entries if not msgstrs or any(s == "" for s in msgstrs)]
    fuzzy = [msgid for msgid, _, flags in entries if "fuzzy" in flags]
    assert untranslated == []
    assert fuzzy == []


def test_model_names_use_the_glossary_in_dutch():
    with translation.override("nl"):
        assert str(LearningAccountEntry._meta.verbose_name) == "leerkredietboeking"
        assert str(LearningAccountEntry._meta.get_field("credits").verbose_name) == "studiepunten"
    with translation.override("en"):
        assert str(LearningAccountEntry._meta.verbose_name) == "learning account entry"


@pytest.mark.django_db
def test_login_page_in_dutch(client):
    response = client.get(reverse("login"), headers={"accept-language": "nl"})
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="nl">' in content
    assert "Aanmelden" in content
    assert "Studentenadministratie van de hogeschool" in content


@pytest.mark.django_db
def test_language_switcher_changes_the_language(client):
    response = client.post(reverse("set_language"), {"language": "nl", "next": reverse("login")})
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "Aanmelden" in client.get(reverse("login")).content.decode()

    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert "Log in" in client.get(reverse("login")).content.decode()


@pytest.mark.django_db
def test_admin_validation_message_in_dutch(admin_client):
    programme = ProgrammeFactory()
    data = {
        "programme": programme.pk,
        "code": "X1",
        "name": "Ethiek",
        "credits": "0",
        "semester": "1",
        "stage": "1",
        "prerequisites-TOTAL_FORMS": "0",
        "prerequisites-INITIAL_FORMS": "0",
    }
    admin_client.post(reverse("set_language"), {"language": "nl", "next": "/"})
    response = admin_client.post(reverse("admin:programmes_course_add"), data)
    assert "Het aantal studiepunten moet een geheel getal van minstens 1 zijn." in response.content.decode()


@pytest.mark.django_db
def test_home_names_the_roles_in_dutch(client):
    user = personas.make_user("committee", roles.COMMITTEE, password="x")
    client.force_login(user)
    content = client.get(reverse("home"), headers={"accept-language": "nl"}).content.decode()
    assert "Uw rollen:" in content
    assert "examencommissie" in content
