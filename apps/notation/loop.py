"""The paper's Figure 3: the life cycle as an infinite loop of its six process groups.

A figure eight drawn with four Bézier curves through the crossing at its centre;
each group owns a sixth of its length, in life-cycle order.
"""

import math

from django.utils.functional import cached_property

CENTRE = (380, 170)
CURVES = (
    (CENTRE, (450, 60), (700, 40), (698, 170)),
    ((698, 170), (700, 300), (450, 280), CENTRE),
    (CENTRE, (310, 60), (60, 40), (62, 170)),
    ((62, 170), (60, 300), (310, 280), CENTRE),
)
# from the crossing along the path: the run loop on the right, then the build loop
ORDER = ("dev", "ops", "compliance", "strategic", "data", "llm")
SAMPLES = 200


def _bezier(curve, t):
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = curve
    u = 1 - t
    return (
        u**3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3,
        u**3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3,
    )


class FigureEight:
    @property
    def path(self) -> str:
        parts = [f"M{CENTRE[0]},{CENTRE[1]}"]
        for _start, c1, c2, end in CURVES:
            parts.append(f"C{c1[0]},{c1[1]} {c2[0]},{c2[1]} {end[0]},{end[1]}")
        return " ".join(parts)

    @cached_property
    def _points(self):
        points = [_bezier(curve, i / SAMPLES) for curve in CURVES for i in range(SAMPLES)]
        points.append(CENTRE)
        lengths = [0.0]
        for a, b in zip(points, points[1:], strict=False):
            lengths.append(lengths[-1] + math.dist(a, b))
        return points, lengths

    def point_at(self, fraction: float) -> tuple[float, float]:
        points, lengths = self._points
        target = fraction * lengths[-1]
        i = next(i for i, length in enumerate(lengths) if length >= target)
        return points[i]

    def places(self) -> dict[str, dict]:
        """For each group: its sixth of the path (dash offset) and the middle of it."""
        share = 100
        result = {}
        for i, key in enumerate(ORDER):
            x, y = self.point_at((i + 0.5) / len(ORDER))
            result[key] = {"offset": -i * share, "x": round(x), "y": round(y)}
        return result
