"""Writing what the exams hold about the written ISP lines: results with their partial
exams, tolerance choices and tolerance objections."""

from __future__ import annotations

from exams.models import Result, ResultPart, ToleranceChoice, ToleranceObjection
from exchange.summary import ImportSummary
from exchange.write.history import bulk_create_recorded
from exchange.write.programmes import CatalogueIds
from exchange.write.students import WrittenLine


class ExamWriter:
    def __init__(self, ids: CatalogueIds, summary: ImportSummary):
        self.ids = ids
        self.summary = summary

    def write(self, lines: list[WrittenLine]) -> None:
        summary = self.summary
        result_plans = []
        results = []
        choices = []
        objections = []
        for row, e, line in lines:
            for r in line.results:
                result_plans.append(r)
                results.append(
                    Result(
                        isp_line_id=row.pk,
                        exam_period_id=self.ids.periods[(e.academic_year, r.exam_period)],
                        opportunity=r.opportunity,
                        score=r.score,
                        grade=r.grade,
                    )
                )
            choices.extend(ToleranceChoice(isp_line_id=row.pk, on=on) for on in line.choices)
            objections.extend(ToleranceObjection(isp_line_id=row.pk, on=on) for on in line.objections)
        results = bulk_create_recorded(results, Result)
        summary.results += len(results)
        parts = [
            ResultPart(result_id=row.pk, position=position, credits=credits, score=score)
            for row, r in zip(results, result_plans, strict=True)
            for position, (credits, score) in enumerate(r.parts)
        ]
        ResultPart.objects.bulk_create(parts)
        summary.result_parts += len(parts)
        ToleranceChoice.objects.bulk_create(choices)
        summary.tolerance_choices += len(choices)
        ToleranceObjection.objects.bulk_create(objections)
        summary.tolerance_objections += len(objections)
