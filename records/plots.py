"""The dashboard's plots, drawn on the server as SVG with matplotlib (no browser code, nothing fetched).

Figures are made with matplotlib's object API, not pyplot, so that no global state is shared between
requests. Text is drawn as outlines (svg.fonttype path): matplotlib 3.5 names only its own font in the SVG, which
browsers without it would replace with a serif one. Every number drawn is also in a table beside the plot.
"""
from __future__ import annotations

import datetime as dt
import io
import warnings
from typing import Mapping, Optional, Sequence

with warnings.catch_warnings():  # matplotlib 3.5 calls pyparsing names that pyparsing 3 deprecates
    warnings.simplefilter("ignore", DeprecationWarning)
    import matplotlib
    from matplotlib.dates import DateFormatter, DayLocator
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

STYLE = {"svg.fonttype": "path", "svg.hashsalt": "klyngebot", "font.size": 10, "axes.spines.top": False,
         "axes.spines.right": False}
BAR = "#1f5f8b"
VERDICT_COLOURS = {"eligible": "#2e7d32", "unknown": "#9e9e9e", "not_eligible": "#c62828"}
DAY_FORMAT = {"nb": "%d.%m.", "en": "%d %b"}


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue()


def checks_over_time(per_day: Sequence[tuple[dt.date, int]], axis_label: str, language: str) -> str:
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(8, 2.6))
        axes = figure.add_subplot()
        axes.bar([day for day, _ in per_day], [count for _, count in per_day], color=BAR, width=0.8)
        axes.set_ylabel(axis_label)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.xaxis.set_major_locator(DayLocator(interval=max(1, len(per_day) // 10)))  # whole days, ten at most
        axes.xaxis.set_major_formatter(DateFormatter(DAY_FORMAT[language]))
        figure.autofmt_xdate()
        return _svg(figure)


def verdicts_per_call(rows: Sequence[tuple[str, Mapping[str, int]]], verdict_labels: Mapping[str, str],
                      axis_label: str) -> str:
    """One horizontal bar per call, split by verdict."""
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(8, 0.6 + 0.55 * len(rows)))
        axes = figure.add_subplot()
        names = [name for name, _ in rows]
        left = [0] * len(rows)
        for verdict, colour in VERDICT_COLOURS.items():
            counts = [counts.get(verdict, 0) for _, counts in rows]
            axes.barh(names, counts, left=left, color=colour, label=verdict_labels[verdict], height=0.6)
            left = [start + count for start, count in zip(left, counts)]
        axes.invert_yaxis()
        axes.set_xlabel(axis_label)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
        return _svg(figure)


def split(parts: Sequence[tuple[str, Sequence[tuple[str, int]]]], axis_label: Optional[str] = None) -> str:
    """Side by side, one small horizontal bar chart per title: (title, [(label, count), ...])."""
    with matplotlib.rc_context(STYLE):
        height = 0.9 + 0.35 * max(len(counts) for _, counts in parts)
        figure = Figure(figsize=(8, height))
        for number, (title, counts) in enumerate(parts, 1):
            axes = figure.add_subplot(1, len(parts), number)
            axes.barh([label for label, _ in counts], [count for _, count in counts], color=BAR, height=0.6)
            axes.invert_yaxis()
            axes.set_title(title, loc="left")
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
            if axis_label:
                axes.set_xlabel(axis_label)
        figure.tight_layout()
        return _svg(figure)
