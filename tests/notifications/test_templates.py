"""Each kind's message in Dutch and English (DOMAIN §11), rendered with the data its announcement
carries; a template that uses a variable the data lacks fails here, never in a student's e-mail."""

import datetime

import pytest

from notifications.kinds import REQUIRED, Kind
from notifications.rendering import MissingVariable, engine, render
from tests.notifications.samples import SAMPLES

D = datetime.date

DATA = SAMPLES

# Sent on 5 February 2024 (a fraud sanction's appeal: 7 days after, 12/02); published on
# 6 February 2024: appeal until 13/02 (Art. 101), tolerance choice until 21/02 (15 days, Art. 91
# §2), objection until 11/02 (5 days, Art. 91 §3).
EXPECTED = {
    (Kind.FRAUD_SANCTION, "nl"): (
        "Beslissing van de examencommissie over onregelmatigheden bij E1 Ethics",
        ["01/02/2024", "examenperiode 1, 2023-2024", "3° ", "05/02/2024", "uiterlijk op 12/02/2024 (art. 101)"],
    ),
    (Kind.FRAUD_SANCTION, "en"): (
        "Decision of the examination committee on irregularities in E1 Ethics",
        ["01/02/2024", "exam period 1, 2023-2024", "3° zero for the exam", "on 12/02/2024 at the latest (Art. 101)"],
    ),
    (Kind.RESULTS_PUBLISHED, "nl"): (
        "Je examenresultaten van examenperiode 1 (2023-2024) zijn bekendgemaakt",
        ["Op 06/02/2024", "uiterlijk op 13/02/2024 (art. 101)", "21/02/2024 (art. 91 §2)", "11/02/2024 (art. 91 §3)"],
    ),
    (Kind.RESULTS_PUBLISHED, "en"): (
        "Your exam results of exam period 1 (2023-2024) have been published",
        ["On 06/02/2024", "13/02/2024 at the latest (Art. 101)", "21/02/2024 at the latest (Art. 91 §2)", "11/02/2024"],
    ),
}


@pytest.mark.parametrize(("kind", "language"), sorted(EXPECTED))
def test_each_kind_renders_in_both_languages(kind, language):
    subject, body = render(kind, language, DATA[kind], sent_on=D(2024, 2, 5))
    expected_subject, fragments = EXPECTED[(kind, language)]
    assert subject == expected_subject
    for fragment in fragments:
        assert fragment in body
    assert "{{" not in body and "{%" not in body


def test_every_kind_has_a_dutch_and_an_english_template_and_test_data():
    assert set(DATA) == set(Kind) == set(REQUIRED)
    for kind in Kind:
        assert set(DATA[kind]) == REQUIRED[kind]
        for language in ("nl", "en"):
            engine().get_template(f"notifications/{kind}.{language}.txt")


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("kind", list(Kind))
def test_a_template_using_a_missing_variable_fails(kind, language):
    data = dict(DATA[kind])
    data.pop("academic_year")
    with pytest.raises(MissingVariable, match="academic_year"):
        render(kind, language, data, sent_on=D(2024, 2, 5))


def test_the_annulment_is_told_in_dutch():
    _subject, body = render(
        Kind.FRAUD_SANCTION,
        "nl",
        DATA[Kind.FRAUD_SANCTION] | {"sanctions": [], "annulment": True},
        sent_on=D(2024, 2, 5),
    )
    assert "nietigverklaring van resultaten en creditbewijzen (art. 85 §3)" in body
