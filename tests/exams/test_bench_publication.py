"""The publication benchmark's setup and publication on the test database: the
effects a publication must have (no timing asserted)."""

from bench import publication
from exams.models import ProgrammeResult
from programmes.models import ExamPeriod
from students.models import EntryKind, ISPLine, LearningAccountEntry, ToleranceKind


def test_publication_benchmark_certifies_refunds_and_tolerates(db):
    figures = publication.measure(30)

    assert figures.results == figures.examined == 300
    assert figures.queries >= 1
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
