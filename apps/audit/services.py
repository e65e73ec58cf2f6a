"""Writing to the audit trail; callers are services already inside a transaction."""

from typing import Any

from .models import Event


def event_record(
    *,
    project,
    kind: str,
    summary: str,
    actor=None,
    node_id: str = "",
    task=None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> Event:
    return Event.objects.create(
        project=project,
        kind=kind,
        summary=summary[:255],
        actor=actor,
        node_id=node_id,
        task_id=task.pk if task is not None else None,
        reason=reason,
        data=data or {},
    )
