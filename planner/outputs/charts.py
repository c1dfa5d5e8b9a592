"""The report's charts: inline SVG drawn with matplotlib (text kept as text, so the
browser shows Chinese with its own fonts; no XML prolog, no metadata).

This is the one place raw markup enters an output: the SVG matplotlib writes is
wrapped as `markupsafe.Markup`, so the (autoescaping) templates insert it as is.
"""

from __future__ import annotations

import io
import logging
import warnings

import pandas as pd
from markupsafe import Markup

from ..words import Lang

CJK_FONTS = ["Noto Sans CJK SC", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei",
             "PingFang SC", "DejaVu Sans"]


def chart(make, *args) -> dict:
    """`{"svg": Markup, "error": None}`, or `{"svg": None, "error": text}` when the chart
    cannot be drawn (the report is written either way)."""
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with _charts_context():
                return {"svg": Markup(make(*args)), "error": None}
    except Exception as exc:  # a chart must never cost the whole report
        return {"svg": None, "error": str(exc)}


def _svg(fig, salt: str) -> str:
    """The figure as inline SVG text (no XML prolog, no DOCTYPE, no metadata)."""
    import matplotlib
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": salt}):
        fig.savefig(buf, format="svg", bbox_inches="tight",
                    metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    plt.close(fig)
    svg = buf.getvalue()
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def _charts_context():
    import matplotlib
    if matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg")
    return matplotlib.rc_context({
        "font.family": "sans-serif",
        "font.sans-serif": CJK_FONTS,
        "svg.fonttype": "none",
        "axes.unicode_minus": False,
        "font.size": 10,
    })


def works_chart(counts: pd.DataFrame, lang: Lang) -> str:
    """Stacked bars: works started per year (rows of `counts`) by target (its columns)."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(9, 4.2))
    years = [str(y) for y in counts.index]
    bottom = [0.0] * len(years)
    cmap = plt.get_cmap("tab20")
    for i, col in enumerate(counts.columns):
        vals = [float(v) for v in counts[col]]
        ax.bar(years, vals, bottom=bottom, label=str(col), color=cmap(i % 20))
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax.set_xlabel(lang.word("chart_year"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(lang.word("chart_works"))
    ax.set_title(lang.word("chart_works_title"))
    handles, labels = ax.get_legend_handles_labels()  # top of the legend = top of the stack
    ax.legend(handles[::-1], labels[::-1], loc="center left", bbox_to_anchor=(1.0, 0.5),
              fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=.3)
    return _svg(fig, "works")


def funds_chart(budget: pd.DataFrame, spent: pd.DataFrame, lang: Lang) -> str:
    """Grouped bars: for each stream (group) and year, budget (light) vs spent (dark);
    the streams' names (the index) wrapped under their group."""
    import matplotlib.pyplot as plt

    streams = list(budget.index)
    years = list(budget.columns)
    n_years = max(len(years), 1)
    width = 0.8 / (2 * n_years)
    fig, ax = plt.subplots(figsize=(max(7, 1.6 * len(streams) + 3), 4.2))
    cmap = plt.get_cmap("tab10")
    for j, y in enumerate(years):
        xs = [i - 0.4 + (2 * j + 0.5) * width for i in range(len(streams))]
        ax.bar(xs, [float(budget.loc[s, y]) for s in streams], width=width,
               color=cmap(j % 10), alpha=.35, edgecolor=cmap(j % 10),
               label=lang.word("chart_budget", year=y))
        ax.bar([x + width for x in xs], [float(spent.loc[s, y]) for s in streams], width=width,
               color=cmap(j % 10), label=lang.word("chart_spent", year=y))
    ax.set_xticks(range(len(streams)))
    ax.set_xticklabels([wrap(str(s), 7 if lang.zh else 14) for s in streams],
                       linespacing=1.5)  # CJK glyphs stand taller than the default allows
    ax.set_ylabel(lang.word("chart_money"))
    ax.set_title(lang.word("chart_funds_title"))
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=.3)
    return _svg(fig, "funds")


def batch_chart(batches: list[tuple[str, int, int]], lang: Lang) -> str:
    """Villages on time and late per exit batch: (batch, on time, due) each."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(7, 3.8))
    labels = [b for b, _, _ in batches]
    on_time = [o for _, o, _ in batches]
    late = [max(d - o, 0) for _, o, d in batches]
    ax.bar(labels, on_time, color="#2a8a3a", label=lang.word("chart_on_time"))
    ax.bar(labels, late, bottom=on_time, color="#c0392b", label=lang.word("chart_late"))
    for i, (o, n) in enumerate(zip(on_time, late)):
        ax.text(i, o + n, f"{o}/{o + n}", ha="center", va="bottom", fontsize=9)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max([o + n for o, n in zip(on_time, late)] + [1]) * 1.15)
    ax.set_xlabel(lang.word("chart_batch"))
    ax.set_ylabel(lang.word("chart_villages"))
    ax.set_title(lang.word("chart_batches_title"))
    ax.legend(frameon=False)
    ax.grid(axis="y", alpha=.3)
    return _svg(fig, "batches")


def wrap(label: str, width: int) -> str:
    """A tick label on lines of at most `width` characters, as even as it goes: at
    spaces when it has them (English), else anywhere (Chinese)."""
    if len(label) <= width:
        return label
    if " " in label:
        lines, line = [], ""
        for word in label.split():
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        return "\n".join(lines + [line])
    n = -(-len(label) // width)
    size = -(-len(label) // n)
    return "\n".join(label[i:i + size] for i in range(0, len(label), size))
