"""Set-based writes for the timeline's services."""

from collections import defaultdict

BATCH = 5000


def update_grouped(model, objects, fields: list[str], batch: int = BATCH) -> int:
    """Save ``fields`` of ``objects`` with one UPDATE per distinct combination of
    values (in batches of primary keys). Much faster than ``bulk_update``'s CASE
    expressions when, as here, many rows share the same few values."""
    groups = defaultdict(list)
    for obj in objects:
        groups[tuple(getattr(obj, f) for f in fields)].append(obj.pk)
    for values, pks in groups.items():
        changes = dict(zip(fields, values, strict=True))
        for start in range(0, len(pks), batch):
            model.objects.filter(pk__in=pks[start : start + batch]).update(**changes)
    return len(groups)
