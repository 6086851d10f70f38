"""The benchmarks of bench/ (``make bench``) run their core on the test database and
leave the effects the app's own code would; no timing is asserted."""

from bench import exchange, lock, publication
from exams.models import ProgrammeResult
from programmes.models import ExamPeriod
from students.models import Enrolment, EntryKind, ISPLine, LearningAccountEntry, Student, ToleranceKind

# --- The lock benchmark: lines_lock and the raw UPDATE change the same lines.
# (formerly tests/core/test_bench_lock.py)


def test_lock_benchmark_app_and_raw_update_the_same_lines(db):
    figures = lock.measure(50)

    assert figures.lines == 500
    assert figures.app_rows == figures.raw_rows > 0
    assert figures.app_queries >= 1
    # Lines removed before the lock, added after it or of the second semester stay open.
    assert ISPLine.objects.filter(locked_on__isnull=True).exists()


# --- The publication benchmark: setup and publication, with the effects a publication must
# have. (formerly tests/exams/test_bench_publication.py)


def test_publication_benchmark_certifies_refunds_and_tolerates(db):
    figures = publication.measure(30)

    assert figures.results == figures.examined == 300
    assert figures.queries >= 1
    # The raw-SQL baseline made the same writes on copies of the tables: compared row by row.
    assert figures.differences == {
        "lines": 0,
        "learningaccountentry": 0,
        "programmeresult": 0,
        "historicalprogrammeresult": 0,
    }
    assert figures.raw_queries >= 1 and figures.raw_seconds > 0
    day = ExamPeriod.objects.get(number=2).results_published_on
    # Certificates: every pass, and only passes.
    certified = ISPLine.objects.filter(certified_on=day)
    assert figures.certified == certified.count() > 0
    assert not certified.exclude(outcome="passed").exists()
    assert not ISPLine.objects.filter(outcome="passed", certified_on__isnull=True).exists()
    # Refunds with the bonus, only in the initial bachelor (the lines that took credits).
    refunds, refunded = figures.ledger[EntryKind.PASS_REFUND]
    bonuses, bonus = figures.ledger[EntryKind.BONUS]
    assert refunds == certified.filter(enrolment__programme__code="PUB-BA").count()
    assert refunded == 6 * refunds and 0 < bonus <= refunded
    assert 0 < bonuses <= refunds
    assert set(figures.ledger) == {EntryKind.PASS_REFUND, EntryKind.BONUS}
    assert not ISPLine.objects.filter(certified_on=day, deducted_credits__gt=0).exists()
    assert LearningAccountEntry.objects.filter(on=day).count() == refunds + bonuses
    # Automatic tolerance: to pass the bachelor after bachelor (a) and, at the
    # year's last exam period, to reach the threshold in the initial bachelor (b, c).
    tolerated = ISPLine.objects.filter(tolerance_kind=ToleranceKind.AUTOMATIC, tolerated_on=day)
    assert figures.tolerated.get("PUB-BAB", 0) >= 1
    assert figures.tolerated.get("PUB-BA", 0) >= 1
    assert tolerated.count() == sum(figures.tolerated.values())
    assert tolerated.filter(mark="7").exists()  # the single 7/20 exception
    assert not tolerated.filter(outcome="passed").exists()
    # Programme results: only the bachelor after bachelor can be passed in one year,
    # among them the student whose tolerance makes the difference.
    results = ProgrammeResult.objects.filter(passed_on=day)
    assert figures.programme_results == results.count() >= 2
    assert set(results.values_list("programme__code", flat=True)) == {"PUB-BAB"}
    assert results.filter(student__number=f"{publication.STUDENT_PREFIX}5").exists()


# --- The exchange benchmark: the demo college's records imported, then the timeline replayed.


def test_exchange_benchmark_imports_and_replays_the_records(db):
    from core.models import Transition

    figures = exchange.measure(10)

    assert figures.students == Student.objects.count() == 10
    assert figures.enrolments == Enrolment.objects.count() >= 10
    assert not Student.objects.filter(enrolments__isnull=True).exists()
    assert figures.import_queries >= 1 and figures.replay_queries >= 1
    # The replay went through the calendar of the three years and the imported facts.
    assert figures.transitions == Transition.objects.count() > 0
    assert figures.facts > 0 and figures.days > 0
    assert not Enrolment.objects.filter(enrolment_processed=False).exists()


def test_exchange_benchmark_measures_each_size_after_a_checkpoint_and_rolls_it_back(db, monkeypatch):
    """Each size starts from the migrated database, its writes not counting what came before."""
    from tests.support.factories import StudentFactory

    calls, made = [], []
    monkeypatch.setattr(exchange, "settle", lambda: calls.append("checkpoint"))

    def measure(n):
        calls.append(("measure", n))
        made.append(StudentFactory().pk)
        return "figures"

    monkeypatch.setattr(exchange, "measure", measure)

    assert exchange.measured(7) == "figures"
    assert calls == ["checkpoint", ("measure", 7)]
    assert made and not Student.objects.filter(pk__in=made).exists()


# --- The pages benchmark: every persona's main pages answer on the bench college, each with its
# figures (issue 19); the timings are the benchmark's to print, not asserted here.


def test_pages_benchmark_requests_every_page_of_every_persona(db):
    from bench import pages

    figures = pages.measure(12, repeats=2)

    assert figures.rows["students"] == 12
    assert figures.rows["enrolments"] == 36
    assert figures.rows["ISP lines"] == 360
    # The two past years' lines and the current year's January (5 first-semester courses).
    assert figures.rows["results"] == 12 * (2 * 10 + 5)
    names = [(page.persona, page.name) for page in figures.pages]
    assert len(names) == len(set(names))
    assert {persona for persona, _name in names} == {"coach", "ombudsperson", "administration", "committee", "admin"}
    failed = [(page.persona, page.name, page.status) for page in figures.pages if page.status != 200]
    assert failed == []
    for page in figures.pages:
        assert page.runs == len(page.times_ms) == 2, page.name
        assert page.queries >= 1, page.name
        assert page.budget in (pages.LIST_BUDGET, pages.PAGE_BUDGET)
    # The last pages were resolved to a page number.
    assert not [page.url for page in figures.pages if "=last" in page.url]


def test_pages_benchmark_warms_every_page_before_it_measures_any(monkeypatch):
    """As on a server that has served them (its heap settled by its first requests): every page's
    warm-up first, the last page resolved from the first page's links; a warm-up slower than
    ``PAGE_SECONDS`` is its page's one run."""
    from types import SimpleNamespace

    from bench import pages

    asked = []

    class Client:
        def force_login(self, user):
            pass

        def get(self, url, secure):
            asked.append(url)
            html = '<a href="?p=2">2</a> <a href="?p=7">7</a>' if url == "/admin/x/" else ""
            return SimpleNamespace(status_code=200, content=html.encode())

    listed = [pages.Page("admin", "list", "/admin/x/?p=last", 15), pages.Page("admin", "page", "/y/", 15)]
    people = SimpleNamespace(users={"admin": object()})
    monkeypatch.setattr("django.test.Client", lambda **kwargs: Client())

    pages.measure_pages(people, listed, repeats=2)

    assert asked == ["/admin/x/", "/admin/x/?p=7", "/y/", "/admin/x/?p=7", "/admin/x/?p=7", "/y/", "/y/"]
    assert [page.runs for page in listed] == [2, 2]

    asked.clear()
    monkeypatch.setattr(pages, "PAGE_SECONDS", -1.0)  # every warm-up is slower than that
    slow = [pages.Page("admin", "page", "/y/", 15)]
    pages.measure_pages(people, slow, repeats=2)
    assert asked == ["/y/"] and slow[0].runs == 1 and len(slow[0].times_ms) == 1
