"""`planner report PLAN_DIR`: one self-contained, printable `report.html` for a plan folder.

The report reads only the plan's own outputs (`schedule.csv`, `villages.csv`,
`funds.csv`, `summary.json`), never the scenario, so it can be made for any plan
folder, also one copied to another machine.  Everything is inside the one HTML
file: the CSS is a `<style>` block, the charts are inline SVG drawn with
matplotlib (planner.outputs.charts); there are no scripts and no outside
references, so it opens without a network.  The numbers come from
planner.outputs.report_data, the page from templates/report.html.j2, its words
(English or Chinese: `lang`) from planner.words.
"""

from __future__ import annotations

from pathlib import Path

from ..outdir import add_file
from ..words import Lang
from .charts import batch_chart, chart, funds_chart, works_chart
from .data import read_plan
from .render import environment, render, use_words
from .report_data import report_data

TEMPLATE = "report.html.j2"


def report_charts(data: dict, lang: Lang) -> dict:
    """The three charts of the report, each drawn only when it has something to show."""
    timeline, funds, batches = data["timeline"], data["funds"], data["batches"]
    return {
        "works": chart(works_chart, timeline["counts"], lang) if timeline is not None
        else None,
        "funds": chart(funds_chart, funds["budget"], funds["spent"], lang)
        if funds is not None else None,
        "batches": chart(batch_chart, batches["series"], lang) if batches["series"]
        else None,
    }


def build_html(plan_dir: Path, templates: Path | None = None, lang: str | None = None) -> str:
    """report.html's text; `templates`: a folder whose report.html.j2 (and parts) replace
    the bundled ones; `lang`: "en" or "zh" (default: the plan's, else English)."""
    env = environment(templates)  # a bad templates folder fails before any drawing
    plan = read_plan(plan_dir)
    words = Lang.of(plan.summary, lang)
    data = report_data(plan, words)
    use_words(env, words)
    return render(env, TEMPLATE, **data, charts=report_charts(data, words))


def write_report(plan_dir: Path, templates: Path | None = None,
                 lang: str | None = None) -> Path:
    """Write `report.html` into `plan_dir` atomically, listed in the folder's marker
    (planner.outdir.add_file), and return its path."""
    plan_dir = Path(plan_dir)
    text = build_html(plan_dir, templates, lang)
    return add_file(plan_dir, "report.html", text.encode("utf-8"), "planner report")
