"""The admin of the exam schedule: the planning department's CSV import, the office's
permissions, and a moment saved by hand being announced that day."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import roles
from reschedules.models import ExamMoment
from tests.reschedules.ombuds_world import D, add_ombuds_world
from tests.support import personas

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:reschedules_exammoment_import")


@pytest.fixture
def world(coach_world):
    return add_ombuds_world(coach_world)


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


def upload(text: str):
    return SimpleUploadedFile("moments.csv", text.encode(), content_type="text/csv")


def test_the_office_imports_the_planning_csv(client, world):
    roles.ensure_groups()
    client.force_login(world.administration)
    assert world.administration.has_perm("reschedules.add_exammoment")
    assert client.get(reverse("admin:reschedules_exammoment_changelist")).status_code == 200
    csv_text = (
        "academic_year,exam_period,programme,course,date,start,room\n2026-2027,1,BA-A,A201,2027-01-19,09:00,B.2\n"
    )
    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, 0), tick=False):
        client.force_login(world.administration)
        response = client.post(IMPORT, {"file": upload(csv_text)}, follow=True)
    assert "Exam moments imported: 1 new, 0 moved or changed, 0 unchanged." in response.content.decode()
    moment = ExamMoment.objects.get(course=world.courses["A201"])
    assert (moment.on, moment.announced_on) == (D(2027, 1, 19), D(2026, 11, 2))


def test_a_refused_import_lists_the_rows_and_imports_nothing(admin_client, world):
    before = ExamMoment.objects.count()
    csv_text = (
        "academic_year;exam_period;programme;course;date;start;room\n"
        "2026-2027;1;BA-A;A201;2027-01-19;09:00;B.2\n"
        "2026-2027;1;BA-A;NOPE;2027-01-19;09:00;B.2\n"
    )
    response = admin_client.post(IMPORT, {"file": upload(csv_text)})
    content = response.content.decode()
    assert "Nothing was imported: 1 row was refused." in content
    assert "There is no course NOPE in programme BA-A." in content
    assert ExamMoment.objects.count() == before


def test_a_file_without_the_columns_is_refused(admin_client, world):
    response = admin_client.post(IMPORT, {"file": upload("course,date\nA101,2027-01-19\n")})
    assert "The file has no column academic_year, exam_period, programme, start" in response.content.decode()


def test_the_committee_and_ombudsperson_cannot_import(client, world):
    roles.ensure_groups()
    client.force_login(world.ombudsperson)
    assert client.get(IMPORT).status_code == 302  # not staff: the admin's login page
    committee = personas.committee("committee", password="x")
    client.force_login(committee)
    assert client.get(IMPORT).status_code == 403


def test_a_moment_saved_in_the_admin_is_announced_that_day(admin_client, world):
    moment = world.moments["A101"]
    url = reverse("admin:reschedules_exammoment_change", args=[moment.pk])
    data = {
        "course": moment.course_id,
        "exam_period": moment.exam_period_id,
        "on": "2027-01-12",
        "starts_at": "09:00",
        "duration": "180",
        "room": "B.101",
    }
    with time_machine.travel(datetime.datetime(2026, 11, 5, 10, 0), tick=False):
        admin_client.force_login(world.admin)  # the session of today would have expired
        response = admin_client.post(url, data)
    assert response.status_code == 302
    moment.refresh_from_db()
    assert (moment.on, moment.announced_on) == (D(2027, 1, 12), D(2026, 11, 5))
    data["on"] = "2027-02-20"  # outside the exam period
    admin_client.force_login(world.admin)
    response = admin_client.post(url, data)
    assert "An exam moment lies inside its exam period" in response.content.decode()


def test_the_import_command(world, tmp_path):
    import io

    from django.core.management import CommandError, call_command

    good = tmp_path / "moments.csv"
    good.write_text(
        "academic_year,exam_period,programme,course,date,start,room\n2026-2027,1,BA-A,A201,19/01/2027,9:00,\n"
    )
    out = io.StringIO()
    call_command("import_exam_moments", str(good), stdout=out)
    assert "1 new, 0 moved or changed, 0 unchanged" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "academic_year,exam_period,programme,course,date,start,room\n2026-2027,1,BA-A,A201,19/03/2027,9:00,\n"
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 rows refused"):
        call_command("import_exam_moments", str(bad), stderr=err)
    assert "row 2 BA-A A201: 19/03/2027 lies outside exam period 1" in err.getvalue()
