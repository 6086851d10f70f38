"""Reads of the catalogue that other layers ask for through ``core``'s registries."""

from .models import Assignment


def assignments_of(user) -> list[tuple[int, int, str]]:
    """``user``'s programme assignments as (programme id, academic year id, role): the source
    ``core.permissions`` reads the scope from (registered in ``ProgrammesConfig.ready``)."""
    return list(Assignment.objects.filter(user=user).values_list("programme_id", "academic_year_id", "role"))
