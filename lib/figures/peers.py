"""The Peers page's figures (plotly.graph_objects): each area's rate as ranked bars, and the rolling 12-month rates
as lines, the partnership highlighted (dark blue, solid, marked and named) and its peers muted (grey, thin, named at
their line's end), so colour is never the only signal."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib.figures import palette
from lib.figures.charts import _layout
from lib.store import cache


@cache.kept
def rates_figure(
    names: list[str], rates: list[float], own: list[bool], average: float | None, title: str, unit: str
) -> go.Figure:
    """The ranked areas' rates, lowest first, the partnership's bar dark blue and hatched, with the peer average as a
    dashed line."""
    figure = go.Figure(
        go.Bar(
            x=rates,
            y=[f"{name} (this partnership)" if mine else name for name, mine in zip(names, own, strict=True)],
            orientation="h",
            text=[f"{rate:,.2f}" for rate in rates],
            textposition="outside",
            cliponaxis=False,
            marker={
                "color": [palette.DARK_BLUE if mine else palette.MID_GREY for mine in own],
                "pattern": {"shape": ["/" if mine else "" for mine in own]},
                "line": {"color": palette.DARK_GREY, "width": 0.5},
            },
            hovertemplate="%{y}: %{x:,.2f} " + unit + "<extra></extra>",
            showlegend=False,
        )
    )
    if average is not None:
        figure.add_vline(
            x=average, line_dash="dash", line_color=palette.DARK_PINK, annotation_text=f"Peer average {average:,.2f}"
        )
    figure.update_yaxes(autorange="reversed")
    return _layout(figure, title, "").update_layout(xaxis_title=unit, height=max(260, 34 * len(names) + 110))


@cache.kept
def trend_figure(trend: pd.DataFrame, title: str, unit: str) -> go.Figure:
    """One line per area (month, area_name, own, rate_12m): the partnership's drawn last, over its peers'."""
    figure = go.Figure()
    ordered = sorted(trend.groupby("area_name", sort=False), key=lambda item: bool(item[1]["own"].iloc[0]))
    for name, rows in ordered:
        mine = bool(rows["own"].iloc[0])
        x = [pd.Timestamp(m) for m in rows["month"]]
        y = [None if pd.isna(v) else float(v) for v in rows["rate_12m"]]
        if all(v is None for v in y):
            continue
        last = max(i for i, v in enumerate(y) if v is not None)
        figure.add_trace(
            go.Scatter(
                x=x,
                y=y,
                name=f"{name} (this partnership)" if mine else name,
                mode="lines+markers+text" if mine else "lines+text",
                text=[name if i == last else "" for i in range(len(y))],
                textposition="middle right",
                line={"color": palette.DARK_BLUE if mine else palette.MID_GREY, "width": 3 if mine else 1.5},
                marker={"size": 5},
                hovertemplate=f"{name}: " + "%{y:,.1f} " + unit + " (12 months to %{x|%b %Y})<extra></extra>",
            )
        )
    return _layout(figure, title, unit).update_layout(margin={"l": 10, "r": 120, "t": 50, "b": 10})
