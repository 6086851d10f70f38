"""Marksheet upload by student administration: all rows or none, with the refused rows listed."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exams.models import Result
from students.models import ISPLine
from tests.exams.conftest import publish_marker, snapshot
from tests.support import personas
from tests.support.factories import EnrolmentFactory, ISPLineFactory

URL = reverse("exams:marksheet")
TEMPLATE_URL = reverse("exams:marksheet_template")


@pytest.fixture
def users(db):
    return {
        "administration": personas.administration("office"),
        "committee": personas.committee("committee"),
        "coach": personas.coach("coach"),
        "ombudsperson": personas.ombudsperson("ombudsperson"),
        "nobody": personas.nobody("nobody"),
        "superuser": personas.superuser("root"),
    }


@pytest.fixture
def office(client, users):
    client.force_login(users["administration"])
    return client


@pytest.fixture
def class_of_three(college):
    """Three more students with NUM1 in their ISP (four in all, with r0100001)."""
    for number in ("r0100002", "r0100003", "r0100004"):
        enrolment = EnrolmentFactory(programme=college.programme, academic_year=college.year, student__number=number)
        ISPLineFactory(enrolment=enrolment, course=college.courses["NUM1"])
    return college


def csv_file(text: str, name="marks.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_file(rows, name="marks.xlsx"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(
        name, out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def upload(client, college, upload_file, *, course="NUM1", period=1):
    data = {"course": college.courses[course].pk, "exam_period": college.periods[period].pk, "file": upload_file}
    return client.post(URL, data)


def refused_rows(response) -> list[tuple[int, str, str]]:
    return [(p.row, p.student, p.message) for p in response.context["problems"] or []]


# --- Permissions (also walked by the URL table when tests/test_permissions.py has one) --------


@pytest.mark.parametrize("url", [URL, TEMPLATE_URL])
def test_anonymous_users_are_sent_to_the_login_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("administration", 200),
        ("superuser", 200),
        ("committee", 403),
        ("coach", 403),
        ("ombudsperson", 403),
        ("nobody", 403),
    ],
)
def test_only_student_administration_and_superusers_upload_marksheets(client, college, users, persona, status):
    client.force_login(users[persona])
    assert client.get(URL).status_code == status
    query = {"course": college.courses["NUM1"].pk, "exam_period": college.periods[1].pk}
    assert client.get(TEMPLATE_URL, query).status_code == status
    if status == 403:
        before = snapshot()
        response = upload(client, college, csv_file("student,opportunity,mark\nr0100001,1,12\n"))
        assert response.status_code == 403
        assert snapshot() == before


def test_the_navigation_links_the_marksheets_for_the_office_only(client, users, db):
    client.force_login(users["administration"])
    assert URL in client.get(reverse("home")).content.decode()
    client.force_login(users["committee"])
    assert URL not in client.get(reverse("home")).content.decode()


# --- The page ----------------------------------------------------------------------------


def test_the_page_offers_courses_grouped_by_programme_and_the_exam_periods(office, college):
    response = office.get(URL)
    content = response.content.decode()
    assert '<optgroup label="BA-RES Bachelor Results">' in content
    assert "NUM1 Course NUM1" in content
    assert "2023-2024, exam period 3" in content
    assert 'enctype="multipart/form-data"' in content


def test_a_valid_csv_creates_the_results(office, class_of_three, django_assert_max_num_queries):
    college = class_of_three
    text = "student,opportunity,mark,parts\nr0100001,1,12,\nr0100002,1,NA,\nr0100003,1,,3:12;3:6\nr0100004,1,,\n"
    with django_assert_max_num_queries(40):
        response = upload(office, college, csv_file(text))
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "exams/marksheet_done.html"
    summary = response.context["summary"]
    assert (summary.created, summary.updated, summary.unchanged, response.context["skipped"]) == (3, 0, 0, 1)
    marks = {
        r.isp_line.enrolment.student.number: r.mark_display
        for r in Result.objects.select_related("isp_line__enrolment__student")
    }
    assert marks == {"r0100001": "12", "r0100002": "NA", "r0100003": "parts"}
    assert Result.objects.get(isp_line__enrolment__student__number="r0100003").parts.count() == 2
    assert Result.history.filter(history_user__username="office").count() == 3


def test_a_valid_xlsx_creates_the_results(office, class_of_three):
    rows = [["student", "name", "opportunity", "mark"], ["r0100001", "A", 1, 14], ["r0100002", "B", 1.0, "na"]]
    response = upload(office, class_of_three, xlsx_file(rows))
    assert response.status_code == 200
    assert response.context["summary"].created == 2
    assert set(Result.objects.values_list("score", "grade")) == {(None, "NA"), (14, "")}


def test_a_semicolon_separated_csv_from_a_belgian_excel_is_read(office, class_of_three):
    text = '\ufeffstudent;opportunity;mark;parts\r\nr0100001;1;;"4:12;2:9"\r\nr0100002;1;7;\r\n'
    response = upload(office, class_of_three, csv_file(text))
    assert response.context["summary"].created == 2


def test_uploading_again_updates_changed_rows_and_leaves_the_others(office, class_of_three):
    upload(office, class_of_three, csv_file("student,opportunity,mark\nr0100001,1,12\nr0100002,1,8\n"))
    response = upload(office, class_of_three, csv_file("student,opportunity,mark\nr0100001,1,12\nr0100002,1,9\n"))
    summary = response.context["summary"]
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    assert sorted(Result.objects.values_list("score", flat=True)) == [9, 12]


def test_one_bad_row_writes_nothing_and_is_listed_with_its_reason(office, class_of_three):
    before = snapshot()
    text = "student,opportunity,mark\nr0100001,1,12\nr0100002,1,P\nr0100003,1,13\n"
    response = upload(office, class_of_three, csv_file(text))
    assert response.status_code == 200
    assert snapshot() == before
    assert refused_rows(response) == [
        (
            3,
            "r0100002",
            "P is only for pass/fail courses; this course is marked with an integer from 0 to 20 (Art. 65).",
        )
    ]
    content = response.content.decode()
    assert "Nothing was recorded: 1 row was refused." in content
    assert 'id="refused-rows"' in content


def test_every_bad_row_is_listed(office, class_of_three):
    college = class_of_three
    ISPLine.objects.filter(enrolment__student__number="r0100004").update(exempted=True)
    text = (
        "student,opportunity,mark\n"
        "r0100001,1,21\n"  # row 2
        "r9999999,1,12\n"  # row 3
        "r0100002,3,12\n"  # row 4
        "r0100003,2,12\n"  # row 5: no first opportunity
        "r0100004,1,12\n"  # row 6: exempted
        ",1,12\n"  # row 7
        "r0100001,x,12\n"  # row 8
    )
    before = snapshot()
    response = upload(office, college, csv_file(text))
    assert snapshot() == before
    problems = refused_rows(response)
    assert [(row, student) for row, student, _ in problems] == [
        (2, "r0100001"),
        (3, "r9999999"),
        (4, "r0100002"),
        (5, "r0100003"),
        (6, "r0100004"),
        (7, ""),
        (8, "r0100001"),
    ]
    messages = [message for _, _, message in problems]
    assert "21 is not" in messages[0]
    assert messages[1] == "Unknown student number."
    assert "at most two exam opportunities" in messages[2]
    assert "Enter the first opportunity before the second" in messages[3]
    assert "exempted" in messages[4]
    assert messages[5] == "No student number."
    assert "at most two exam opportunities" in messages[6]


def test_a_student_without_the_course_in_the_isp_is_refused(office, college):
    other = EnrolmentFactory(programme=college.programme, academic_year=college.year, student__number="r0200000")
    ISPLineFactory(enrolment=other, course=college.courses["NUM2"])
    response = upload(office, college, csv_file("student,opportunity,mark\nr0200000,1,12\n"))
    assert refused_rows(response) == [(2, "r0200000", "NUM1 is not in this student's ISP for 2023-2024 (Art. 44 §2).")]


def test_a_removed_line_is_refused(office, college):
    ISPLine.objects.filter(pk=college.lines["NUM1"].pk).update(removed_on="2023-10-20")
    response = upload(office, college, csv_file("student,opportunity,mark\nr0100001,1,12\n"))
    assert "This course was removed from the ISP on" in refused_rows(response)[0][2]


def test_a_student_twice_in_the_file_is_refused(office, college):
    response = upload(office, college, csv_file("student,opportunity,mark\nr0100001,1,12\nr0100001,1,13\n"))
    assert refused_rows(response) == [(3, "r0100001", "Opportunity 1 of this student is given twice (also row 2).")]


def test_a_number_on_a_pass_fail_course_is_refused(office, college):
    response = upload(office, college, csv_file("student,opportunity,mark\nr0100001,1,12\n"), course="PF1")
    assert "This course is pass/fail: its mark is P, F or NA, not 12" in refused_rows(response)[0][2]


def test_a_published_exam_period_is_refused(office, college):
    publish_marker(college.periods[1])
    response = upload(office, college, csv_file("student,opportunity,mark\nr0100001,1,12\n"))
    assert "The results of this exam period were published on" in refused_rows(response)[0][2]


# --- Files that cannot be used ------------------------------------------------------------


def file_error(response) -> str:
    assert response.status_code == 200
    assert response.context["problems"] is None
    return " ".join(response.context["form"].errors["file"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("student,mark\nr0100001,12\n", "missing: opportunity"),
        ("student,opportunity,score\nr0100001,1,12\n", "missing: mark; unknown: score"),
        ("student,opportunity,mark,mark\nr0100001,1,12,12\n", "given twice: mark"),
        ("", "The submitted file is empty."),  # Django's own check of a 0-byte upload
        ("\n\n", "The file is empty."),
        ("student,opportunity,mark\n", "The file has no marks"),
        ("student,opportunity,mark\nr0100001,1,\n", "The file has no marks"),
    ],
)
def test_files_that_cannot_be_used(office, college, text, message):
    before = snapshot()
    response = upload(office, college, csv_file(text))
    assert message in file_error(response)
    assert snapshot() == before


def test_wrong_columns_name_the_expected_ones(office, college):
    response = upload(office, college, csv_file("number,result\nr0100001,12\n"))
    assert "The first row must name the columns student, opportunity and mark" in file_error(response)


def test_a_file_of_another_kind_is_refused(office, college):
    response = upload(office, college, csv_file("student,opportunity,mark\n", name="marks.pdf"))
    assert "Upload a CSV file or an XLSX workbook." in file_error(response)


def test_a_damaged_workbook_is_refused(office, college):
    response = upload(office, college, SimpleUploadedFile("marks.xlsx", b"not a zip file"))
    assert "This file cannot be read as an XLSX workbook." in file_error(response)


def test_a_missing_file_course_or_period_is_a_form_error(office, college):
    response = office.post(URL, {"course": "", "exam_period": ""})
    assert set(response.context["form"].errors) == {"course", "exam_period", "file"}
    assert not Result.objects.exists()


# --- The blank template ----------------------------------------------------------------------


def test_the_blank_template_lists_the_students_whose_isp_has_the_course(office, class_of_three):
    college = class_of_three
    ISPLine.objects.filter(enrolment__student__number="r0100004").update(exempted=True)
    ISPLine.objects.filter(enrolment__student__number="r0100003").update(removed_on="2023-10-20")
    response = office.get(TEMPLATE_URL, {"course": college.courses["NUM1"].pk, "exam_period": college.periods[1].pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "marksheet-BA-RES-NUM1-2023-2024-1.csv" in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())  # UTF-8 with BOM, ";": a Belgian Excel (core.csv)
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "student;name;opportunity;mark;parts"
    assert [line.split(";")[0] for line in lines[1:]] == ["r0100001", "r0100002"]
    assert all(line.split(";")[2:] == ["1", "", ""] for line in lines[1:])


def test_the_template_of_the_third_period_offers_the_second_opportunity_to_who_may_take_it(office, class_of_three):
    college = class_of_three
    upload(office, college, csv_file("student,opportunity,mark\nr0100001,1,6\nr0100002,1,14\n"))
    ISPLine.objects.filter(enrolment__student__number="r0100002").update(certified_on="2024-02-06")
    response = office.get(TEMPLATE_URL, {"course": college.courses["NUM1"].pk, "exam_period": college.periods[3].pk})
    rows = [line.split(";") for line in response.content.decode("utf-8-sig").splitlines()[1:]]
    # r0100001 failed: second opportunity; r0100002 passed: nothing; the others never sat: first opportunity
    assert [(r[0], r[2]) for r in rows] == [("r0100001", "2"), ("r0100003", "1"), ("r0100004", "1")]


def test_a_filled_in_template_uploads_as_it_is(office, class_of_three):
    college = class_of_three
    query = {"course": college.courses["NUM1"].pk, "exam_period": college.periods[1].pk}
    lines = office.get(TEMPLATE_URL, query).content.decode("utf-8-sig").splitlines()
    filled = [lines[0]] + [line.replace(";1;;", ";1;15;") for line in lines[1:]]
    response = upload(office, college, csv_file("\n".join(filled)))
    assert response.context["summary"].created == 4


@pytest.mark.parametrize("saved_as", ["utf-8-sig", "cp1252"])
def test_the_template_survives_download_fill_in_in_excel_and_upload(office, class_of_three, saved_as):
    """Round trip (issue 13 point 16): the examiner opens the template in a Belgian Excel, fills in
    the marks (one with partial exams, one with a name Excel would have run as a formula) and saves
    it as "CSV (puntkomma gescheiden)": UTF-8 with BOM or Windows-1252, ";" and CRLF."""
    import csv as std_csv

    from students.models import Student

    college = class_of_three
    Student.objects.filter(number="r0100002").update(first_name="=José", last_name="Dupont")
    query = {"course": college.courses["NUM1"].pk, "exam_period": college.periods[1].pk}
    text = office.get(TEMPLATE_URL, query).content.decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(std_csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))  # how Excel splits it
    header = table[0]
    assert header == ["student", "name", "opportunity", "mark", "parts"]
    names = {row[0]: row[1] for row in table[1:]}
    assert names["r0100002"].startswith("'=")  # neutralised: shown as text, never run
    marks = {"r0100001": ("15", ""), "r0100002": ("", "3:12;3:6"), "r0100003": ("NA", ""), "r0100004": ("8", "")}
    for row in table[1:]:
        row[3], row[4] = marks[row[0]]
    out = io.StringIO(newline="")
    std_csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(table)
    data = out.getvalue().encode(saved_as)

    response = upload(office, college, SimpleUploadedFile("marks.csv", data, content_type="text/csv"))

    assert response.context["summary"].created == 4
    results = {
        r.isp_line.enrolment.student.number: r.mark_display
        for r in Result.objects.filter(exam_period=college.periods[1]).select_related("isp_line__enrolment__student")
    }
    assert results == {"r0100001": "15", "r0100002": "parts", "r0100003": "NA", "r0100004": "8"}
    parted = Result.objects.get(exam_period=college.periods[1], isp_line__enrolment__student__number="r0100002")
    assert [(p.credits, p.score) for p in parted.parts.order_by("position")] == [(3, 12), (3, 6)]


def test_the_template_needs_a_course_and_a_period(office, college):
    response = office.get(TEMPLATE_URL, {"course": "", "exam_period": college.periods[1].pk})
    assert response.status_code == 400
    assert "course" in response.context["form"].errors


def test_a_large_marksheet_takes_as_many_queries_as_a_small_one(office, college, django_assert_max_num_queries):
    numbers = [f"r0300{n:03d}" for n in range(60)]
    for number in numbers:
        enrolment = EnrolmentFactory(programme=college.programme, academic_year=college.year, student__number=number)
        ISPLineFactory(enrolment=enrolment, course=college.courses["NUM1"])
    text = "student,opportunity,mark,parts\n" + "".join(f"{n},1,,3:{10 + i % 10};3:12\n" for i, n in enumerate(numbers))
    with django_assert_max_num_queries(30):
        response = upload(office, college, csv_file(text))
    assert response.context["summary"].created == 60
    text = text.replace(";3:12", ";3:13")
    with django_assert_max_num_queries(30):
        response = upload(office, college, csv_file(text))
    assert response.context["summary"].updated == 60


@pytest.mark.parametrize(
    ("mark", "read"),
    [
        ("12", 12),
        (" p ", "P"),
        ("na", "NA"),
        ("21", None),  # outside 0-20: refused when the file is read (exams.rules.parse_mark)
        ("-1", None),
        ("X", None),
    ],
)
def test_the_marks_of_a_file_are_read_by_the_one_mark_parser(mark, read):
    from exams.marksheets import read_marksheet

    (row,) = read_marksheet(csv_file(f"student,opportunity,mark\nr0100001,1,{mark}\n")).rows
    if read is None:
        assert row.problem == f"A mark is an integer from 0 to 20, or P, F or NA (Art. 65-66); {mark} is not."
    else:
        assert (row.problem, row.mark) == ("", read)
