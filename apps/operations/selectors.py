"""Reads of the operation phase."""

from .models import Assessment


def assessment_trend(*, project, limit: int = 24) -> list[Assessment]:
    """The latest ``limit`` assessments, oldest first, for the score chart."""
    latest = Assessment.objects.filter(project=project).order_by("-period_end", "-id")[:limit]
    return list(reversed(latest))


def trend_polyline(assessments, width: int = 280, height: int = 80) -> str:
    """SVG polyline points for scores 0..100 spread over the chart's width."""
    if not assessments:
        return ""
    step = width / max(len(assessments) - 1, 1)
    return " ".join(
        f"{round(i * step, 1)},{round(height - a.score * height / 100, 1)}"
        for i, a in enumerate(assessments)
    )
