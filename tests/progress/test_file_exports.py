"""The study progress file as the college issues it (print view, PDF), the grouped change
history, what a negative learning account means, and the student list's sorting, page
numbers, CSV export and refused filter (issue 13 points 11 and 12)."""

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from core.csv import read_rows
from students.models import EnrolmentStatus, ISPLine, LearningAccountEntry, Measure

pytestmark = pytest.mark.django_db


@pytest.fixture
def coach_client(client, coach_world, on_coach_day):
    client.force_login(coach_world.coach)
    return client


def _imported_lines(world, codes):
    """ISP lines written as an import writes them: one history row each, reason import_records."""
    from exchange.write.history import bulk_create_recorded

    lines = [
        ISPLine(enrolment=world.enrolment, course=world.courses[code], added_on=datetime.date(2026, 9, 15))
        for code in codes
    ]
    return bulk_create_recorded(lines, ISPLine)


def _overdraw(world, credits):
    """A correction that takes the student's balance of 110 down by ``credits``."""
    LearningAccountEntry.objects.create(
        student=world.student,
        on=datetime.date(2026, 10, 1),
        credits=-credits,
        kind="correction",
        source="test:overdraw",
        reason="test",
    )


# --- Print view -------------------------------------------------------------------------------
def test_the_print_view_reads_like_the_official_file(coach_client, coach_world):
    for day in range(1, 31):  # more ledger lines than the page's scroll box shows
        LearningAccountEntry.objects.create(
            student=coach_world.student,
            on=datetime.date(2026, 10, day),
            credits=1,
            kind="correction",
            source=f"test:{day}",
            reason="test",
        )
    response = coach_client.get(reverse("students:student_file_print", kwargs={"number": "r0000001"}))
    content = response.content.decode()
    assert response.status_code == 200
    # The college's header and the student; no navigation, no buttons, no forms.
    assert "College student administration" in content and "Study progress file" in content
    assert 'id="student-number">r0000001<' in content
    for absent in ("<nav", "navbar", "<button", "<form", "btn", "Edit the ISP", "Log out"):
        assert absent not in content
    # Every academic year's courses, the full ledger (opening, deduction, 30 corrections)
    # with its running balance: 110 + 30 = 140, the change history.
    for code in ("A101", "A105"):
        assert code in content
    ledger = content[content.index('id="ledger"') : content.index('id="history"')]
    assert ledger.count("<tr>") == 1 + 32
    assert '<td class="num">140</td>' in ledger
    assert "Change history" in content


def test_the_print_view_is_in_dutch_for_a_dutch_reader(coach_client, coach_world):
    coach_client.cookies["django_language"] = "nl"
    content = coach_client.get(reverse("students:student_file_print", kwargs={"number": "r0000001"})).content.decode()
    assert '<html lang="nl">' in content
    assert "Studievoortgangsdossier" in content


def test_the_file_of_a_student_outside_the_coachs_scope_is_not_found(coach_client, coach_world):
    for name in ("students:student_file_print", "students:student_file_pdf"):
        assert coach_client.get(reverse(name, kwargs={"number": "r0000002"})).status_code == 404


def test_the_student_page_links_the_print_view_and_the_pdf(coach_client, coach_world):
    content = coach_client.get(reverse("students:student_detail", kwargs={"number": "r0000001"})).content.decode()
    assert reverse("students:student_file_print", kwargs={"number": "r0000001"}) in content
    assert reverse("students:student_file_pdf", kwargs={"number": "r0000001"}) in content


# --- PDF ---------------------------------------------------------------------------------------
def test_the_pdf_is_a_pdf_of_the_students_file(coach_client, coach_world):
    response = coach_client.get(reverse("students:student_file_pdf", kwargs={"number": "r0000001"}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and "r0000001" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    # One year of five courses, two ledger lines, a short history: one or two A4 pages.
    assert 1 <= len(reader.pages) <= 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "r0000001" in text
    assert "Study progress file" in text
    assert "A101" in text and "A105" in text
    assert "page 1 / " in text  # the footer's page numbers


def test_a_long_file_makes_more_pages(coach_client, coach_world):
    for day in range(1, 29):
        for n in range(4):
            LearningAccountEntry.objects.create(
                student=coach_world.student,
                on=datetime.date(2026, 10, day),
                credits=1,
                kind="correction",
                source=f"test:{day}:{n}",
                reason="test",
            )
    response = coach_client.get(reverse("students:student_file_pdf", kwargs={"number": "r0000001"}))
    reader = PdfReader(io.BytesIO(response.content))
    # 114 ledger lines at about 45 to a page, on top of the first page's file.
    assert 3 <= len(reader.pages) <= 6
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert text.count("r0000001") >= len(reader.pages)  # the footer on every page


def test_the_pdf_in_dutch_keeps_the_accents(coach_client, coach_world):
    coach_client.cookies["django_language"] = "nl"
    coach_world.student.last_name = "Daëlman"
    coach_world.student.save()
    response = coach_client.get(reverse("students:student_file_pdf", kwargs={"number": "r0000001"}))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Studievoortgangsdossier" in text
    assert "Daëlman" in text


# --- Change history: one entry per import ----------------------------------------------------
def test_the_history_shows_an_import_as_one_entry(coach_client, coach_world):
    _imported_lines(coach_world, ["A201", "A203", "A204"])
    content = coach_client.get(reverse("students:student_detail", kwargs={"number": "r0000001"})).content.decode()
    history = content[content.index('id="history"') :]
    assert history.count("Imported on") == 1
    assert "3 records" in history
    assert "<details" in history
    assert "import_records" not in content  # the reason is a code, never shown
    for code in ("A201", "A203", "A204"):
        assert f"{code} (2026-2027)" in history


def test_the_printed_history_lists_what_the_import_wrote(coach_client, coach_world):
    _imported_lines(coach_world, ["A201", "A203"])
    content = coach_client.get(reverse("students:student_file_print", kwargs={"number": "r0000001"})).content.decode()
    history = content[content.index('id="history"') :]
    assert history.count("Imported on") == 1 and "2 records" in history
    assert "A201 (2026-2027); A203 (2026-2027)" in history


# --- A negative learning account explained ----------------------------------------------------
def test_a_negative_balance_says_what_it_means(coach_client, coach_world):
    _overdraw(coach_world, 118)  # 110 - 118 = -8
    content = coach_client.get(reverse("students:student_detail", kwargs={"number": "r0000001"})).content.decode()
    assert 'id="balance">-8<' in content
    note = content[content.index('id="balance-note"') :]
    assert 'data-warning="refused"' in content
    assert "A negative learning account (-8)" in note
    assert "credits without learning account" in note
    assert "tuition fee is increased" in note
    assert "(Art. 33)" in note


def test_a_limited_balance_names_the_fee_but_no_refusal(coach_client, coach_world):
    _overdraw(coach_world, 60)  # 50: limited
    content = coach_client.get(reverse("students:student_detail", kwargs={"number": "r0000001"})).content.decode()
    assert 'data-warning="limited"' in content
    assert "A limited learning account (50" in content
    assert "(Art. 33)" not in content[content.index('id="balance-note"') :].split("</div>")[0]


def test_a_balance_of_60_or_more_needs_no_note(coach_client, coach_world):
    content = coach_client.get(reverse("students:student_detail", kwargs={"number": "r0000001"})).content.decode()
    assert 'id="balance-note"' not in content


def test_the_printed_file_explains_a_negative_balance_too(coach_client, coach_world):
    _overdraw(coach_world, 118)
    content = coach_client.get(reverse("students:student_file_print", kwargs={"number": "r0000001"})).content.decode()
    assert "A negative learning account (-8)" in content


# --- Student list: sorting, page numbers -------------------------------------------------------
@pytest.fixture
def sixty_students(coach_world):
    """60 more students in BA-A 2026-2027 (85 = 3 pages of 25 with r0000001... r0000002 is BA-B)."""
    from tests.support.factories import EnrolmentFactory

    for n in range(60):
        EnrolmentFactory(
            programme=coach_world.programme,
            academic_year=coach_world.year,
            enrolled_on=datetime.date(2026, 9, 15),
            student__number=f"s{n:07d}",
            student__last_name=f"Name{n:02d}",
            student__first_name="Test",
        )
    return coach_world


def test_the_column_headers_sort_the_list(coach_client, sixty_students):
    url = reverse("students:student_list")
    content = coach_client.get(url).content.decode()
    assert "ordering=number" in content and "ordering=balance" in content
    response = coach_client.get(url, {"ordering": "-number"})
    numbers = [e.student.number for e in response.context["page"].object_list]
    assert numbers[:3] == ["s0000059", "s0000058", "s0000057"]
    content = response.content.decode()
    assert 'aria-sort="descending"' in content
    assert "ordering=number" in content  # a second click sorts the other way round
    response = coach_client.get(url, {"ordering": "name"})
    names = [e.student.last_name for e in response.context["page"].object_list]
    assert names == sorted(names) and "Name00" in names and "Name59" not in names
    assert 'aria-sort="ascending"' in response.content.decode()


def test_page_numbers_and_a_stable_order_over_the_pages(coach_client, sixty_students):
    url = reverse("students:student_list")
    response = coach_client.get(url, {"ordering": "balance"})  # 61 students with the same balance
    content = response.content.decode()
    assert response.context["page"].paginator.num_pages == 3
    assert "ordering=balance&amp;page=2" in content and "ordering=balance&amp;page=3" in content
    assert 'aria-current="page"' in content
    seen = []
    for page in (1, 2, 3):
        seen += [e.pk for e in coach_client.get(url, {"ordering": "balance", "page": page}).context["page"].object_list]
    assert len(seen) == len(set(seen)) == 61


def test_the_page_numbers_skip_the_middle_of_a_long_list(rf):
    from django.core.paginator import Paginator

    from core.templatetags.lists import page_numbers

    page = Paginator(range(300), 25).get_page(6)  # 12 pages
    numbers = page_numbers(page)
    assert numbers[0] == 1 and numbers[-1] == 12
    assert [n for n in numbers if isinstance(n, int) and 4 < n < 8] == [5, 6, 7]
    assert sum(1 for n in numbers if not isinstance(n, int)) == 2  # 1 … 5 6 7 … 12


# --- Student list: CSV export ------------------------------------------------------------------
def test_the_csv_holds_the_filtered_list_for_a_belgian_excel(coach_client, sixty_students):
    response = coach_client.get(reverse("students:student_list_csv"), {"q": "Name1", "ordering": "-number"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
    header_line = response.content.decode("utf-8-sig").splitlines()[0]
    assert header_line.startswith("Student number;Last name;First name;Programme")
    rows = read_rows(response.content)
    assert len(rows) == 1 + 10  # Name10 ... Name19, all on one file (not one page)
    assert [row[0] for row in rows[1:3]] == ["s0000019", "s0000018"]
    assert rows[1][5] == "2026-2027"


def test_the_csv_speaks_dutch_for_a_dutch_reader(coach_client, coach_world):
    coach_client.cookies["django_language"] = "nl"
    rows = read_rows(coach_client.get(reverse("students:student_list_csv")).content)
    assert rows[0][0] == "Studentennummer"
    assert [row[0] for row in rows[1:]] == ["r0000001"]


def test_the_list_links_its_csv_with_the_same_filters(coach_client, coach_world):
    content = coach_client.get(reverse("students:student_list"), {"q": "r0000001"}).content.decode()
    assert reverse("students:student_list_csv") + "?q=r0000001" in content


# --- Student list: the refused filter ----------------------------------------------------------
@pytest.fixture
def refused_world(coach_world):
    """r0000003: in BA-A in 2025-2026 (enrolled) and refused in 2026-2027 by a threshold
    refusal; r0000001 (enrolled in 2026-2027) has a refusal for 2027-2028 only."""
    from tests.support.factories import AcademicYearFactory, EnrolmentFactory, StudentFactory

    earlier = AcademicYearFactory(first_year=2025)
    student = StudentFactory(number="r0000003", last_name="Refused", first_name="Rita")
    EnrolmentFactory(student=student, programme=coach_world.programme, academic_year=earlier)
    refused = EnrolmentFactory(student=student, programme=coach_world.programme, academic_year=coach_world.year)
    Measure.objects.create(
        student=student,
        kind="threshold_refusal",
        programme=coach_world.programme,
        from_year_code="2026-2027",
        until_year_code="2031-2032",
        decided_on=datetime.date(2026, 9, 14),
        decided_in=earlier,
    )
    refused.status = EnrolmentStatus.REFUSED
    refused.status_reason = "Refused: refusal: decree threshold (Art. 30)"
    refused.save()
    Measure.objects.create(
        student=coach_world.student,
        kind="learning_account_refusal",
        programme=coach_world.programme,
        from_year_code="2027-2028",
        until_year_code="2027-2028",
        decided_on=coach_world.year.ends_on,
        decided_in=coach_world.year,
    )
    coach_world.refused_enrolment, coach_world.earlier_year = refused, earlier
    return coach_world


def test_the_refused_filter_finds_the_refused_enrolments_of_the_year(client, refused_world, on_coach_day):
    client.force_login(refused_world.administration)
    response = client.get(reverse("students:student_list"), {"refused": "on"})  # the current year
    rows = list(response.context["page"].object_list)
    assert [(e.student.number, e.status) for e in rows] == [("r0000003", "refused")]
    content = response.content.decode()
    assert "refusal: decree threshold (Art. 30)" in content  # the refusal, in words
    # Not the student whose refusal is for a later year, not the refused student's other year.
    assert "r0000001" not in content
    response = client.get(
        reverse("students:student_list"), {"refused": "on", "academic_year": refused_world.earlier_year.pk}
    )
    assert list(response.context["page"].object_list) == []


def test_the_refused_filter_over_all_years_lists_each_refusal_once(client, refused_world, on_coach_day):
    client.force_login(refused_world.administration)
    response = client.get(reverse("students:student_list"), {"refused": "on", "academic_year": ""})
    rows = list(response.context["page"].object_list)
    assert [(e.student.number, e.academic_year.code, e.status) for e in rows] == [("r0000003", "2026-2027", "refused")]


def test_the_refusal_is_in_the_csv_and_in_dutch(client, refused_world, on_coach_day):
    client.force_login(refused_world.administration)
    client.cookies["django_language"] = "nl"
    rows = read_rows(client.get(reverse("students:student_list_csv"), {"refused": "on"}).content)
    assert len(rows) == 2
    refusal = rows[1][rows[0].index("Weigering")]
    assert refusal == "weigering: decretale drempel (art. 30)"


# --- The Content-Security-Policy: no <style> element in a page (issue 14, point 13) -------------
def test_the_print_view_links_its_style_sheets_and_the_pdf_reads_the_same_one(coach_client, coach_world, monkeypatch):
    from django.conf import settings

    from progress import exports

    page = coach_client.get(reverse("students:student_file_print", kwargs={"number": "r0000001"})).content.decode()
    assert "<style" not in page
    assert 'href="/static/css/study-file.css"' in page

    made = {}

    def pdf_bytes(html):
        made["html"] = html
        return b"%PDF-"

    monkeypatch.setattr(exports, "pdf_bytes", pdf_bytes)
    assert coach_client.get(reverse("students:student_file_pdf", kwargs={"number": "r0000001"})).status_code == 200
    style = made["html"].split("<style>")[1].split("</style>")[0]
    sheet = (settings.BASE_DIR / "static" / "css" / "study-file.css").read_text(encoding="utf-8")
    assert ".facts th" in sheet
    assert sheet.strip() in style
    assert "<link" not in made["html"]  # the PDF is made here: it fetches nothing
