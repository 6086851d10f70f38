"""Set-based writes and batch reads for the timeline's services."""

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


def ids_filter(field: str, ids) -> dict:
    """A filter on ``field`` that keeps at least the ``ids``: their range when they fill most of it
    (a batch of a publication: no list of thousands of parameters to build and send; the caller
    skips the few rows of other ids), else the ids themselves."""
    ids = sorted(set(ids))
    if len(ids) > 100 and 2 * len(ids) >= ids[-1] - ids[0] + 1:
        return {f"{field}__gte": ids[0], f"{field}__lte": ids[-1]}
    return {f"{field}__in": ids}
