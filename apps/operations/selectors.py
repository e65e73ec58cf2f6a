"""Reads of the operation phase."""

from .models import Assessment


def assessment_trend(*, project, limit: int = 24) -> list[Assessment]:
    """The latest ``limit`` assessments, oldest first, for the score chart."""
    latest = Assessment.objects.filter(project=project).order_by("-period_end", "-id")[:limit]
    return list(reversed(latest))


def trend_points(assessments, width: int = 280, height: int = 80) -> list[tuple[float, float]]:
    """SVG coordinates for scores 0..100 spread over the chart's width, oldest left."""
    step = width / max(len(assessments) - 1, 1)
    return [
        (round(i * step, 1), round(height - a.score * height / 100, 1))
        for i, a in enumerate(assessments)
    ]
