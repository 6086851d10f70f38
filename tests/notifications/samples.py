"""Sample data of each kind's announcement (DOMAIN §11), as the deciding service sends it: the
template tests render every kind with it in Dutch and English (``test_templates``)."""

from notifications.kinds import Kind

SAMPLES = {
    Kind.FRAUD_SANCTION: {
        "course": "E1 Ethics",
        "exam_period": 1,
        "academic_year": "2023-2024",
        "sanctions": ["zero_exam"],
        "annulment": False,
        "decided_on": "2024-02-01",
    },
    Kind.RESULTS_PUBLISHED: {"exam_period": 1, "academic_year": "2023-2024", "published_on": "2024-02-06"},
    # ISP decisions (progress)
    # Reschedules and the individual exam schedule (reschedules)
    # Study progress measures and refusals (progress, students)
    # Appeals and corrections (appeals, exams)
    # Tuition fees (fees)
}
