"""Small inline SVG charts drawn on the server (no script): a sparkline of
monthly totals and a horizontal bar chart of totals; and the data the
Apache ECharts charts of the dashboard draw (static/js/performance-charts.js),
which replace the SVG when scripts run. Each chart on a page has its data
table beside it. Scores are 0–100, so the scale is fixed."""

from __future__ import annotations

from decimal import Decimal

SPARK_W, SPARK_H = 120, 24
BAR_W, BAR_H, LABEL_W = 420, 18, 140


def sparkline(values: list) -> dict | None:
    """``points`` of the polyline (gaps skip a month), the last value's dot."""
    n = len(values)
    if not n or all(v is None for v in values):
        return None
    step = SPARK_W / max(n - 1, 1)
    segments, current = [], []
    last = None
    for i, value in enumerate(values):
        if value is None:
            if current:
                segments.append(current)
            current = []
            continue
        x = round(i * step, 1)
        y = round(SPARK_H - 2 - float(Decimal(value)) / 100 * (SPARK_H - 4), 1)
        current.append(f"{x},{y}")
        last = (x, y)
    if current:
        segments.append(current)
    return {
        "width": SPARK_W,
        "height": SPARK_H,
        "lines": [" ".join(s) for s in segments],
        "dot": last,
    }


def bar_chart(items: list[tuple[str, object]]) -> dict | None:
    """Bars of (label, total) in the given order (best first)."""
    if not items:
        return None
    bars = []
    for i, (label, value) in enumerate(items):
        width = 0 if value is None else round(float(value) / 100 * (BAR_W - LABEL_W - 40), 1)
        bars.append(
            {
                "label": label,
                "value": value,
                "y": i * (BAR_H + 6),
                "text_y": i * (BAR_H + 6) + BAR_H - 5,
                "width": width,
                "value_x": LABEL_W + width + 4,
            }
        )
    return {
        "bars": bars,
        "width": BAR_W,
        "height": len(bars) * (BAR_H + 6),
        "label_w": LABEL_W,
        "bar_h": BAR_H,
    }


def _number(value) -> float | None:
    return None if value is None else float(value)


def echarts_data(rows, months: list[str], *, trend_rows) -> dict:
    """The JSON data island of the dashboard's ECharts: the ranking bars
    (``rows``, best first) and the 12-month trend of ``trend_rows``' totals
    (each row carries ``trend``, one total or None per month)."""
    return {
        "ranking": {
            "labels": [r.subject_name for r in rows],
            "values": [_number(r.total) for r in rows],
        },
        "trend": {
            "months": months,
            "series": [
                {"name": r.subject_name, "data": [_number(t) for t in r.trend]} for r in trend_rows
            ],
        },
    }
