"""Bar charts drawn as inline SVG by the templates: the geometry is computed here, so that the
templates only loop (and no script or external file is needed)."""

from __future__ import annotations

from dataclasses import dataclass

from api.assignments.results import AssignmentResults

LABEL_WIDTH = 118  # px for the labels ("multiple choice")
BAR_AREA = 150  # px of the widest bar
VALUE_WIDTH = 60  # px for "12 of 20" after the bar
WIDTH = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
ROW = 28


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    total: int
    y: int
    width: int

    @property
    def text(self) -> str:
        return f"{self.value} of {self.total}" if self.total else str(self.value)


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    bars: list[Bar]
    height: int


def _bars(rows: list[tuple[str, int, int]], scale_to: int) -> list[Bar]:
    return [
        Bar(
            label=label,
            value=value,
            total=total,
            y=index * ROW,
            width=round(BAR_AREA * value / scale_to) if scale_to else 0,
        )
        for index, (label, value, total) in enumerate(rows)
    ]


def score_distribution(results: AssignmentResults) -> Chart:
    """How many handed-in scores fall in each band of 20 points."""
    bands = [(0, 20), (20, 40), (40, 60), (60, 80), (80, 101)]
    scores = [s.score for s in results.students if s.status == "completed" and s.score is not None]
    counts = [sum(low <= score < high for score in scores) for low, high in bands]
    rows = [
        (f"{low}–{min(high, 100)}", count, len(scores))
        for (low, high), count in zip(bands, counts, strict=True)
    ]
    return Chart(
        title="Score distribution",
        description=f"Handed-in scores by band of 20 points ({len(scores)} handed in).",
        bars=_bars(rows, max(counts, default=0)),
        height=len(rows) * ROW,
    )


def misses_by_type(results: AssignmentResults) -> Chart:
    """Exercises missed (wrong or blank) out of those handed in, by exercise type."""
    rows = [
        (row.type.replace("_", " "), row.missed, row.attempted) for row in results.missed_by_type
    ]
    return Chart(
        title="Misses by exercise type",
        description="Exercises answered wrongly or left blank, out of those handed in.",
        bars=_bars(rows, max((total for _, _, total in rows), default=0)),
        height=max(len(rows), 1) * ROW,
    )
