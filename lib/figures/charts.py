"""Figures built with plotly.graph_objects from plain lists (no Streamlit): name them after what they show."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib.analysis import spc
from lib.area.events import Event
from lib.figures import palette
from lib.store import cache

# Making Data Count's colours (blue improvement, orange concern, purple neutral) plus a shape of each's own, so colour
# is never the only signal; no arrow shapes (a downward marker on a spike read as "fell").
SPECIAL_MARKERS = {
    spc.IMPROVEMENT: ("Special cause: improvement", palette.IMPROVEMENT, "circle"),
    spc.CONCERN: ("Special cause: concern", palette.CONCERN, "square"),
    spc.NEUTRAL_HIGH: ("Special cause: high (neither better nor worse)", palette.NEUTRAL, "diamond"),
    spc.NEUTRAL_LOW: ("Special cause: low (neither better nor worse)", palette.NEUTRAL, "diamond-open"),
}
MARKER_KEY = (
    "Special-cause points are marked in Making Data Count colours and shapes: blue circles improvement, orange squares "
    "concern, purple diamonds neither better nor worse (filled high, open low); the table says which rule fired."
)
RULE_WORDS = {
    spc.OUTSIDE: "beyond a process limit",
    spc.TREND: "part of a trend of 7 or more",
    spc.TWO_IN_THREE: "2 of 3 close to a limit",
    spc.SHIFT: "part of a run of 7 or more on one side of the mean",
}


# What plotly's "simple_white" template gave these charts, written out: the template itself is 8 KB of JSON per
# chart and made every figure cost about 17 ms to build and 10 ms to copy out of the cache (issue 19).
AXIS = {
    "showline": True,
    "linecolor": "rgb(36,36,36)",
    "ticks": "outside",
    "showgrid": False,
    "zeroline": False,
    "automargin": True,
    "title": {"standoff": 15},
}


def _layout(figure: go.Figure, title: str, y_title: str) -> go.Figure:
    """Common sober layout: white background, axis lines without grid, GAF font, legend below, no mode bar clutter."""
    figure.update_layout(
        title={"text": title, "x": 0, "font": {"size": 16}},
        template="none",
        paper_bgcolor="white",
        plot_bgcolor="white",
        hoverlabel={"align": "left"},
        xaxis=AXIS,
        yaxis=AXIS,
        height=360,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        font={"family": palette.FONT, "color": "#0b0c0c"},
        yaxis_title=y_title,
        legend={"orientation": "h", "y": -0.18},
        hovermode="x unified",
    )
    return figure


def _annotate(figure: go.Figure, events: list[Event], x: list[pd.Timestamp] | None = None) -> None:
    """Dashed vertical lines with labels at known events (e.g. DS1 launch). Labels are stacked one under another so
    they never print over each other, and anchored towards the middle so they stay inside a narrow chart. With x
    (the chart's dates), the axis is pinned to the data: a label never stretches it."""
    middle = None
    if x:
        first, last = min(x), max(x)
        middle = first + (last - first) / 2
        figure.update_xaxes(range=[first - pd.Timedelta(days=15), last + pd.Timedelta(days=15)])
    for position, event in enumerate(sorted(events, key=lambda e: e.when)):
        when = pd.Timestamp(event.when)
        if x and not (min(x) <= when <= max(x)):
            continue  # outside the data shown: no line, no label
        figure.add_vline(x=when, line_dash="dash", line_color=palette.DARK_GREY, line_width=1)
        left_half = middle is None or when <= middle
        figure.add_annotation(
            x=when,
            y=1 - 0.09 * position,
            yref="paper",
            text=event.label,
            showarrow=False,
            xanchor="left" if left_half else "right",
            yanchor="top",
            bgcolor="rgba(255,255,255,0.8)",
            font={"size": 11, "color": palette.DARK_GREY},
        )


def spc_figure(
    points: pd.DataFrame, title: str, unit: str, events: list[Event], target: float | None = None
) -> go.Figure:
    """XmR chart: the series, its mean and process limits per segment, signal points marked by shape and colour."""
    x = [pd.Timestamp(d) for d in points["period_end"]]
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=x,
            y=points["value"].tolist(),
            mode="lines+markers",
            name=unit.capitalize(),
            line={"color": palette.COMMON, "width": 2},
            marker={"size": 5},
        )
    )
    for name, column, dash in (
        ("Mean", "mean", "solid"),
        ("Process limits", "upper", "dot"),
        ("Process limits", "lower", "dot"),
    ):
        figure.add_trace(
            go.Scatter(
                x=x,
                y=points[column].tolist(),
                mode="lines",
                name=name,
                line={
                    "color": palette.MID_GREY if column != "mean" else palette.DARK_GREY,
                    "dash": dash,
                    "width": 1.5,
                    "shape": "hv",
                },
                showlegend=column != "lower",
                connectgaps=False,
            )
        )
    for kind, (label, colour, symbol) in SPECIAL_MARKERS.items():
        flagged = points[points["signal"] == kind]
        if flagged.empty:
            continue
        figure.add_trace(
            go.Scatter(
                x=[pd.Timestamp(d) for d in flagged["period_end"]],
                y=flagged["value"].tolist(),
                mode="markers",
                name=label,
                text=[RULE_WORDS.get(rule, "") for rule in flagged["rule"]],
                hovertemplate="%{x|%b %Y}: %{y:,}<br>" + label + ": %{text}<extra></extra>",
                marker={"color": colour, "size": 11, "symbol": symbol, "line": {"color": "white", "width": 1}},
            )
        )
    if target is not None:
        figure.add_hline(
            y=target,
            line_color=palette.DARK_PINK,
            line_dash="dashdot",
            annotation_text=f"Target {target:g}",
            annotation_position="top left",
        )
    _annotate(figure, events, x)
    return _layout(figure, title, unit)


@cache.kept
def series_figure(
    frame: pd.DataFrame,
    title: str,
    unit: str,
    events: list[Event],
    columns: list[str],
    kind: str = "line",
    target: float | None = None,
    target_label: str = "",
) -> go.Figure:
    """One or more monthly series (columns of frame, indexed by period_end) as lines or bars, with an optional
    dash-dot target line."""
    x = [pd.Timestamp(d) for d in frame["period_end"]]
    figure = go.Figure()
    for colour, column in zip(palette.CATEGORICAL, columns, strict=False):
        trace = go.Bar if kind == "bar" else go.Scatter
        style = (
            {"marker": {"color": colour}} if kind == "bar" else {"line": {"color": colour, "width": 2}, "mode": "lines"}
        )
        figure.add_trace(trace(x=x, y=frame[column].tolist(), name=column, **style))
    if target is not None:
        figure.add_hline(y=target, line_dash="dashdot", annotation_text=target_label)
    _annotate(figure, events, x)
    return _layout(figure, title, unit)


@cache.kept
def bar_figure(
    labels: list[str],
    values: list[float],
    title: str,
    unit: str,
    reference: float | None = None,
    reference_label: str = "",
) -> go.Figure:
    """Horizontal bars, largest at the top, with an optional dashed reference line."""
    figure = go.Figure(go.Bar(x=values, y=labels, orientation="h", marker={"color": palette.DARK_BLUE}))
    if reference is not None:
        figure.add_vline(x=reference, line_dash="dash", line_color=palette.ORANGE, annotation_text=reference_label)
    figure.update_yaxes(autorange="reversed")
    return _layout(figure, title, "").update_layout(xaxis_title=unit, height=max(300, 24 * len(labels) + 80))


@cache.kept
def seasonal_bars_figure(
    frame: pd.DataFrame, title: str, unit: str, events: list[Event], peaks: dict[int, str]
) -> go.Figure:
    """Monthly bars with peak months (e.g. Freshers', Bonfire Night) in a second colour and named in the hover."""
    x = [pd.Timestamp(d) for d in frame["period_end"]]
    months = [d.month for d in frame["period_end"]]
    labels = [peaks.get(m, "") for m in months]
    figure = go.Figure(
        go.Bar(
            x=x,
            y=frame["value"].tolist(),
            customdata=labels,
            name=unit.capitalize(),
            marker={
                "color": [palette.ORANGE if m in peaks else palette.DARK_BLUE for m in months],
                "pattern": {"shape": ["/" if m in peaks else "" for m in months]},
            },
            hovertemplate="%{x|%b %Y}: %{y:,.0f} " + unit + " %{customdata}<extra></extra>",
        )
    )
    _annotate(figure, events, x)
    return _layout(figure, title, unit)


@cache.kept
def ranked_wards_figure(
    names: list[str],
    values: list[float],
    colours: list[str],
    texts: list[str],
    title: str,
    unit: str,
    reference: float | None,
    reference_label: str,
) -> go.Figure:
    """All wards as horizontal bars, highest first, coloured as on the map and labelled with the value shown."""
    figure = go.Figure(
        go.Bar(
            x=[0 if pd.isna(v) else v for v in values],
            y=names,
            orientation="h",
            text=texts,
            textposition="outside",
            cliponaxis=False,
            marker={"color": colours, "line": {"color": palette.DARK_GREY, "width": 0.5}},
            hovertemplate="%{y}: %{text}<extra></extra>",
            showlegend=False,  # the bars need no legend entry (it would read "trace 0"): the axis names them
        )
    )
    if reference is not None:
        line = {"color": palette.DARK_PINK, "dash": "dash", "width": 2}
        # The line is a shape under the bars and their labels, so a label it crosses stays readable on a phone;
        # it spans the plot's height at any size. An empty trace names it in the legend in words.
        figure.add_shape(
            type="line", x0=reference, x1=reference, y0=0, y1=1, xref="x", yref="paper", line=line, layer="below"
        )
        figure.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                name=f"{reference_label}: {reference:,.1f} {unit}".strip(),
                line=line,
                hoverinfo="skip",
            )
        )
    shown = [v for v in values if not pd.isna(v)]
    top = max(shown, default=0)
    figure.update_xaxes(range=[min(0, min(shown, default=0)) * 1.15, top * 1.18 if top > 0 else 1], automargin=True)
    figure.update_yaxes(autorange="reversed", tickfont={"size": 11}, automargin=True)
    figure = _layout(figure, title, "")
    return figure.update_layout(
        xaxis_title=unit,
        height=24 * len(names) + 130,
        hovermode="closest",
        showlegend=reference is not None,
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        margin={"l": 10, "r": 30, "t": 70, "b": 10},
    )
