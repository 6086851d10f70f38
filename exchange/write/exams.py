"""Writing what the exams hold about the written ISP lines: results with their partial
exams, tolerance choices and tolerance objections, as plain rows (``exchange.write.rows``)."""

from __future__ import annotations

from exams.models import Result, ResultPart, ToleranceChoice, ToleranceObjection
from exchange.summary import ImportSummary
from exchange.write.programmes import CatalogueIds
from exchange.write.rows import insert_recorded, insert_rows
from exchange.write.students import WrittenLine


class ExamWriter:
    def __init__(self, ids: CatalogueIds, summary: ImportSummary):
        self.ids = ids
        self.summary = summary
        self.periods: set[int] = set()  # the exam periods with a result written

    def write(self, lines: list[WrittenLine]) -> None:
        summary = self.summary
        periods = self.ids.periods
        result_plans = []
        results = []
        choices = []
        objections = []
        for line_id, e, line in lines:
            for r in line.results:
                result_plans.append(r)
                results.append((line_id, periods[(e.academic_year, r.exam_period)], r.opportunity, r.score, r.grade))
            choices.extend((line_id, on) for on in line.choices)
            objections.extend((line_id, on) for on in line.objections)
        self.periods.update(result[1] for result in results)
        result_ids = insert_recorded(
            Result, ("isp_line_id", "exam_period_id", "opportunity", "score", "grade"), results
        )
        summary.results += len(result_ids)
        summary.result_parts += insert_rows(
            ResultPart,
            ("result_id", "position", "credits", "score"),
            [
                (result_id, position, credits, score)
                for result_id, r in zip(result_ids, result_plans, strict=True)
                for position, (credits, score) in enumerate(r.parts)
            ],
        )
        summary.tolerance_choices += insert_rows(ToleranceChoice, ("isp_line_id", "on"), choices)
        summary.tolerance_objections += insert_rows(ToleranceObjection, ("isp_line_id", "on"), objections)
