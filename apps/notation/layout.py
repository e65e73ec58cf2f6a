"""Where the export draws each shape, edge and label (BPMN diagram interchange).

Columns follow the longest path from the start event; loops become back edges
routed along tracks at the bottom of a lane. Each lane is a band of rows, and
nodes that share a column in a lane get a row each, so shapes never overlap and
every node sits inside its lane. Edges are orthogonal; a route that would cross a
shape is replaced by the next candidate, and several edges on one side of a
shape get ports of their own.
"""

import math
import textwrap
from dataclasses import dataclass, field

from .model import EVENTS, GATEWAYS, IT_INFRASTRUCTURE, ProcessModel, walk

SIZES = {"task": (100, 80), "gateway": (50, 50), "event": (36, 36)}
COL_GAP = 56
ROW_PITCH = 150
POOL_HEADER = LANE_HEADER = 30
MARGIN = 30
LANE_TOP = 70  # room for gateway labels above the first row
LANE_BOTTOM = 50  # room for event labels under the last row
TRACK = 20
POOL_GAP = 80
IT_POOL_HEIGHT = 60
ORIGIN = (40, 40)
CHAR = 6.2  # average width of a 11px label character in bpmn-js
LINE = 14
HALF_ROW = SIZES["task"][1] / 2  # rows are centred on their tasks

Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self):
        return self.x + self.w

    @property
    def bottom(self):
        return self.y + self.h

    @property
    def cx(self):
        return self.x + self.w / 2

    @property
    def cy(self):
        return self.y + self.h / 2

    def inflate(self, d: float) -> "Box":
        return Box(self.x - d, self.y - d, self.w + 2 * d, self.h + 2 * d)

    def overlaps(self, other: "Box") -> bool:
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )

    def contains(self, other: "Box") -> bool:
        return (
            self.x <= other.x
            and self.y <= other.y
            and other.right <= self.right
            and other.bottom <= self.bottom
        )

    def crossed_by(self, a: Point, b: Point) -> bool:
        """Does the orthogonal segment a-b pass through this box's interior?"""
        (x1, y1), (x2, y2) = a, b
        if y1 == y2:
            return self.y < y1 < self.bottom and min(x1, x2) < self.right and max(x1, x2) > self.x
        return self.x < x1 < self.right and min(y1, y2) < self.bottom and max(y1, y2) > self.y


@dataclass
class Diagram:
    shapes: dict[str, Box] = field(default_factory=dict)  # nodes, lanes, pools
    labels: dict[str, Box] = field(default_factory=dict)  # external labels
    edges: dict[str, list[Point]] = field(default_factory=dict)  # sequence and message flows
    groups: dict[str, Box] = field(default_factory=dict)  # node id -> its group's frame


def kind(element: str) -> str:
    if element in GATEWAYS:
        return "gateway"
    if element in EVENTS:
        return "event"
    return "task"


def text_box(text: str, width: float = 90) -> tuple[float, float]:
    lines = textwrap.wrap(text, max(1, int(width / CHAR))) or [""]
    return max(len(line) for line in lines) * CHAR + 6, len(lines) * LINE


def _back_edges(model: ProcessModel) -> set[tuple[str, str]]:
    """Edges that close a loop, in the walk the model's node order comes from."""
    nodes = model.nodes
    _order, back = walk(
        next(iter(nodes.values())),
        lambda n: [nodes[f.target] for f in model.outgoing(n.id)],
        lambda n: len(model.incoming(n.id)) if n.join else 1,
    )
    return {(s.id, t.id) for s, t in back}


def _columns(model: ProcessModel, back) -> dict[str, int]:
    """Longest path from the start over forward edges."""
    column: dict[str, int] = {}

    def col(node_id):
        if node_id not in column:
            preds = [f.source for f in model.incoming(node_id) if (f.source, f.target) not in back]
            column[node_id] = max((col(p) + 1 for p in preds), default=0)
        return column[node_id]

    for node_id in model.nodes:
        col(node_id)
    return column


class _Layout:
    def __init__(self, model: ProcessModel):
        self.model = model
        self.d = Diagram()
        self.back = _back_edges(model)
        self.column = _columns(model, self.back)
        self.lanes = list(model.lanes)
        self.order = {node_id: i for i, node_id in enumerate(model.nodes)}

    # shapes

    def place(self):
        model, column = self.model, self.column
        ncols = max(column.values()) + 1
        widths = [0] * ncols
        for node in model.nodes.values():
            widths[column[node.id]] = max(widths[column[node.id]], SIZES[kind(node.element)][0])
        x0 = ORIGIN[0] + POOL_HEADER + LANE_HEADER + MARGIN
        self.col_x = []
        for w in widths:
            self.col_x.append(x0)
            x0 += w + COL_GAP
        self.col_w = widths
        self.row = {}
        for lane in self.lanes:
            cells: dict[int, list[str]] = {}
            for node in model.nodes.values():
                if node.lane == lane:
                    cells.setdefault(column[node.id], []).append(node.id)
            for ids in cells.values():
                for r, node_id in enumerate(sorted(ids, key=self.order.get)):
                    self.row[node_id] = r
        self.rows = {
            lane: 1
            + max((self.row[n.id] for n in model.nodes.values() if n.lane == lane), default=0)
            for lane in self.lanes
        }
        self.tracks = self._assign_tracks()
        pool_w = (x0 - COL_GAP + MARGIN) - ORIGIN[0]
        y = ORIGIN[1]
        self.lane_box, self.track_y = {}, {}
        for lane in self.lanes:
            last_bottom = y + LANE_TOP + (self.rows[lane] - 1) * ROW_PITCH + SIZES["task"][1]
            tracks = [e for e, lane_ in self.tracks.items() if lane_[0] == lane]
            for edge in tracks:
                self.track_y[edge] = last_bottom + LANE_BOTTOM - 6 + self.tracks[edge][1] * TRACK
            height = last_bottom - y + LANE_BOTTOM + (len(tracks) * TRACK + 10 if tracks else 0)
            self.lane_box[lane] = Box(ORIGIN[0] + POOL_HEADER, y, pool_w - POOL_HEADER, height)
            y += height
        enterprise = Box(ORIGIN[0], ORIGIN[1], pool_w, y - ORIGIN[1])
        self.d.shapes["enterprise"] = enterprise
        self.d.shapes[IT_INFRASTRUCTURE] = Box(
            ORIGIN[0], enterprise.bottom + POOL_GAP, pool_w, IT_POOL_HEIGHT
        )
        for lane, box in self.lane_box.items():
            self.d.shapes[f"lane_{lane}"] = box
        for node in model.nodes.values():
            w, h = SIZES[kind(node.element)]
            c = column[node.id]
            cy = self.lane_box[node.lane].y + LANE_TOP + self.row[node.id] * ROW_PITCH + HALF_ROW
            self.d.shapes[node.id] = Box(self.col_x[c] + (self.col_w[c] - w) / 2, cy - h / 2, w, h)
            if node.group:
                frame = self.d.groups[node.id] = self.d.shapes[node.id].inflate(7)
                self.d.labels[f"frame_{node.id}"] = Box(frame.x, frame.y - LINE - 2, frame.w, LINE)

    def _assign_tracks(self) -> dict[tuple[str, str], tuple[str, int]]:
        """Back edges run along tracks in the lower lane of their two ends, short ones inside."""
        lane_index = {lane: i for i, lane in enumerate(self.lanes)}
        nodes = self.model.nodes
        by_lane: dict[str, list] = {}
        for s, t in sorted(self.back, key=lambda e: (self.order[e[0]], self.order[e[1]])):
            lane = max(nodes[s].lane, nodes[t].lane, key=lane_index.get)
            by_lane.setdefault(lane, []).append((s, t))
        tracks = {}
        for lane, edges in by_lane.items():
            edges.sort(key=lambda e: abs(self.column[e[0]] - self.column[e[1]]))
            for i, edge in enumerate(edges):
                tracks[edge] = (lane, i)
        return tracks

    # edges

    def clear(self, points, *ends) -> bool:
        obstacles = [b.inflate(2) for k, b in self._node_boxes() if k not in ends]
        return not any(
            box.crossed_by(a, b)
            for a, b in zip(points, points[1:], strict=False)
            for box in obstacles
        )

    def _node_boxes(self):
        return ((k, self.d.shapes[k]) for k in self.model.nodes)

    def route(self, s_id, t_id):
        """Points and the sides of source and target they leave and enter by."""
        s, t = self.d.shapes[s_id], self.d.shapes[t_id]
        if (s_id, t_id) in self.back:
            y = self.track_y[(s_id, t_id)]
            return [(s.cx, s.bottom), (s.cx, y), (t.cx, y), (t.cx, t.bottom)], "bottom", "bottom"
        gap_before_t = self.col_x[self.column[t_id]] - COL_GAP / 2
        gap_after_s = self.col_x[self.column[s_id]] + self.col_w[self.column[s_id]] + COL_GAP / 2
        candidates = []
        if abs(s.cy - t.cy) < 1:
            candidates.append(([(s.right, s.cy), (t.x, t.cy)], "right", "left"))
            yd = s.cy + HALF_ROW + 22  # under the row, above the next one's labels
            candidates.append(
                ([(s.cx, s.bottom), (s.cx, yd), (t.cx, yd), (t.cx, t.bottom)], "bottom", "bottom")
            )
        else:
            down = t.cy > s.cy
            s_side, t_side = ("bottom", "top") if down else ("top", "bottom")
            s_y, t_y = (s.bottom, t.y) if down else (s.y, t.bottom)
            if kind(self.model.nodes[s_id].element) != "task":
                candidates.append(([(s.cx, s_y), (s.cx, t.cy), (t.x, t.cy)], s_side, "left"))
            if kind(self.model.nodes[t_id].element) != "task":
                # into a gateway's or event's top or bottom: its left side stays for its row
                candidates.append(([(s.right, s.cy), (t.cx, s.cy), (t.cx, t_y)], "right", t_side))
            for xm in (gap_before_t, gap_after_s):
                candidates.append(
                    ([(s.right, s.cy), (xm, s.cy), (xm, t.cy), (t.x, t.cy)], "right", "left")
                )
        for points, s_side, t_side in candidates:
            if self.clear(points, s_id, t_id):
                return points, s_side, t_side
        return candidates[0]

    def connect(self):
        routes = {}
        for f in self.model.flows:
            routes[f.id] = [f, *self.route(f.source, f.target)]
        self._spread_ports(routes)
        for f, points, s_side, _t_side in routes.values():
            self.d.edges[f.id] = points
            if f.label:
                self.d.labels[f.id] = self._branch_label(f.label, points, s_side)

    def _spread_ports(self, routes):
        """Several edges on the top or bottom of one shape get their own ports."""
        ports: dict[tuple[str, str], list] = {}
        for key, (f, _points, s_side, t_side) in routes.items():
            if s_side in ("top", "bottom"):
                ports.setdefault((f.source, s_side), []).append((key, 0))
            if t_side in ("top", "bottom"):
                ports.setdefault((f.target, t_side), []).append((key, -1))
        for (node_id, side), ends in ports.items():
            if len(ends) < 2:
                continue
            box = self.d.shapes[node_id]
            element_kind = kind(self.model.nodes[node_id].element)

            def crossing_order(end):
                # The shallow turn goes on the side it turns to, so the edges never cross.
                key, i = end
                points = routes[key][1]
                port, corner, beyond = (
                    (points[0], points[1], points[2])
                    if i == 0
                    else (points[-1], points[-2], points[-3])
                )
                toward = math.copysign(1, beyond[0] - corner[0]) if beyond[0] != corner[0] else 0
                return -toward * abs(corner[1] - port[1])

            ends.sort(key=crossing_order)
            spacing = min(10, box.w * 0.6 / (len(ends) - 1))
            for n, (key, i) in enumerate(ends):
                dx = (n - (len(ends) - 1) / 2) * spacing
                points = routes[key][1]
                j = (0, 1) if i == 0 else (-1, -2)
                x = box.cx + dx
                points[j[0]] = (x, _boundary_y(box, element_kind, dx, side))
                points[j[1]] = (x, points[j[1]][1])

    def _branch_label(self, label, points, s_side) -> Box:
        if s_side == "right":
            # above the first segment, wrapped to its length so it stays in the gap
            w, h = text_box(label, max(36, points[1][0] - points[0][0] - 10))
            return Box(points[0][0] + 4, points[0][1] - h - 2, w, h)
        w, h = text_box(label, 120)
        corner, beyond = points[1], points[2]
        if beyond[0] < corner[0]:
            return Box(corner[0] - w - 4, corner[1] - h - 1, w, h)
        return Box(corner[0] + 4, corner[1] - h - 1, w, h)

    def message(self):
        pool = self.d.shapes[IT_INFRASTRUCTURE]
        per_task: dict[str, list] = {}
        for m in self.model.message_flows:
            task = m.target if m.source == IT_INFRASTRUCTURE else m.source
            per_task.setdefault(task, []).append(m)
        labels = list(self.d.labels.values())
        for task_id, flows in per_task.items():
            box = self.d.shapes[task_id]
            k = len(flows)
            c = self.column[task_id]
            gaps = (self.col_x[c] - COL_GAP / 2, self.col_x[c] + self.col_w[c] + COL_GAP / 2)
            for i, m in enumerate(flows):
                x = box.cx + (i - (k - 1) / 2) * 30
                points = [(x, box.bottom), (x, pool.y)]
                if not self.clear(points, task_id):
                    # round the shape below through a gap beside the column, clear of labels;
                    # the flow nearer the gap turns first, so the flows of one task never cross
                    detours = []
                    for gap in gaps:
                        y1 = box.bottom + 20 + 10 * (i if gap < x else k - 1 - i)
                        xg = gap + 10 * i - 5 * (k - 1)
                        detours.append([(x, box.bottom), (x, y1), (xg, y1), (xg, pool.y)])
                    points = min(
                        detours,
                        key=lambda d: sum(
                            label.crossed_by(a, b)
                            for a, b in zip(d, d[1:], strict=False)
                            for label in labels
                        ),
                    )
                if m.source == IT_INFRASTRUCTURE:
                    points.reverse()
                self.d.edges[m.id] = points
                w, h = text_box(m.name, 80)
                foot_x = points[0][0] if m.source == IT_INFRASTRUCTURE else points[-1][0]
                left = i < (k - 1) / 2
                self.d.labels[m.id] = Box(
                    foot_x - w - 4 if left else foot_x + 4, pool.y - h - 6, w, h
                )

    def node_labels(self):
        """Gateway labels above, event labels below, unless an edge runs there."""
        segments = [
            (a, b)
            for points in self.d.edges.values()
            for a, b in zip(points, points[1:], strict=False)
        ]
        for node in self.model.nodes.values():
            if not node.name or kind(node.element) == "task":
                continue
            box = self.d.groups.get(node.id, self.d.shapes[node.id])  # outside its frame
            w, h = text_box(node.name, 90)
            above = Box(box.cx - w / 2, box.y - h - 6, w, h)
            below = Box(box.cx - w / 2, box.bottom + 6, w, h)
            options = [above, below] if kind(node.element) == "gateway" else [below, above]
            free = [o for o in options if not any(o.crossed_by(a, b) for a, b in segments)]
            self.d.labels[node.id] = (free or options)[0]


def _boundary_y(box: Box, element_kind: str, dx: float, side: str) -> float:
    half = box.h / 2
    if element_kind == "gateway":
        offset = half * (1 - abs(dx) / (box.w / 2))
    elif element_kind == "event":
        offset = math.sqrt(max(half**2 - dx**2, 0))
    else:
        offset = half
    return box.cy + offset if side == "bottom" else box.cy - offset


def layout(model: ProcessModel) -> Diagram:
    lay = _Layout(model)
    lay.place()
    lay.connect()
    lay.node_labels()
    lay.message()
    return lay.d
