"""`planner sheets PLAN_DIR`: printable per-village sheets and county public notices.

The policy asks that plans be drawn up and published village by village
(逐村编制规划, 任务图、时间表, 公告公示). From a plan folder's own outputs
(`schedule.csv`, `villages.csv`, `funds.csv`, `summary.json`, never the scenario)
this writes into one folder (default `PLAN_DIR/sheets/`):

- `village-<village_id>.html`: one A4 portrait page per planned village — the
  task map and timetable (works × years, money spent each year, start and
  finish marked), the money per work and stream, the village's standing (on
  time or not, targets left open, targets closed late) and a signature footer.
  A village without works gets a page saying so and listing its open targets.
  Relocated villages (整村搬迁) get no page.
- `index.html`: the village pages by county, with links.
- `notice-<county>.html` (A4 landscape) and `notice.csv` (all counties, UTF-8
  with BOM): the county public-notice table (公示表), one row per work, with the
  publication period and the supervision telephone left blank for the county
  office to fill in.

The contents come from planner.outputs.sheet_data, the pages from the templates
`sheet.html.j2`, `notice.html.j2` and `index.html.j2` (a county's own with
`--templates DIR`), the words (English, or Chinese with `lang="zh"`, the headers of
notice.csv too) from planner.words.  Everything is self-contained (a `<style>` block, no
scripts, no outside references), all text is HTML-escaped, and the folder is
built beside its target and swapped in whole, so an interrupted run (or a
template that fails) leaves the earlier sheets.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..cells import neutralise
from ..outdir import output_folder
from ..plan.folder import PLAN_FILES
from ..words import NOTICE_COLUMNS, Lang
from .data import read_plan
from .render import environment, render, use_words
from .sheet_data import (
    counties,
    index_page,
    notice_file,
    notice_page,
    notice_rows,
    planned,
    sheet_plan,
    village_file,
    village_page,
)

__all__ = ["NOTICE_COLUMNS", "notice_csv", "notice_file", "village_file", "write_sheets"]


def notice_csv(rows: list[dict[str, str]], lang: Lang) -> str:
    """notice.csv's text: the notice columns (words.NOTICE_COLUMNS) headed in `lang`,
    every cell a spreadsheet would run made harmless (planner.cells.neutralise)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(lang.notice_columns())
    writer.writerows([[neutralise(r[k]) for k in NOTICE_COLUMNS] for r in rows])
    return buf.getvalue()


def write_sheets(plan_dir: Path, out: Path | None = None, templates: Path | None = None,
                 lang: str | None = None) -> dict:
    """Write the village pages, index and county notices; return the counts.

    `templates`: a folder whose `sheet.html.j2`, `notice.html.j2`, `index.html.j2`
    (and the parts they include) replace the bundled ones; `lang`: "en" or "zh"
    (default: the plan's, else English).
    Returns `{"villages", "pages", "counties", "projects", "relocated"}`:
    planned villages, village pages written, counties with a notice, works in
    the notices, relocated villages (no page).
    """
    plan_dir = Path(plan_dir)
    out = Path(out) if out is not None else plan_dir / "sheets"
    env = environment(templates)
    files_read = read_plan(plan_dir)
    words = Lang.of(files_read.summary, lang)
    use_words(env, words)
    plan = sheet_plan(files_read)
    scenario = plan.scenario
    villages = planned(plan.villages)
    relocated = plan.villages.drop(villages.index)
    by_county = counties(villages)

    files: dict[str, str] = {}  # every page rendered before anything is written
    for _, v in villages.iterrows():
        vid = str(v.get("village_id", ""))
        page = village_page(v, plan.of(vid), plan.years, plan.streams, words)
        files[village_file(vid)] = render(env, "sheet.html.j2", **page, scenario=scenario)
    all_rows = []
    for county, vs in by_county.items():
        rows = notice_rows(vs, plan, words)
        all_rows += rows
        files[notice_file(county)] = render(env, "notice.html.j2",
                                            **notice_page(county, rows, words),
                                            scenario=scenario)
    files["index.html"] = render(env, "index.html.j2",
                                 **index_page(by_county, relocated, plan, words),
                                 scenario=scenario)

    inputs = [plan_dir / n for n in PLAN_FILES]
    with output_folder(out, "planner sheets", inputs) as stage:  # never over the plan
        for name, text in files.items():
            (stage / name).write_text(text, encoding="utf-8", newline="\n")
        (stage / "notice.csv").write_text(notice_csv(all_rows, words), encoding="utf-8-sig",
                                          newline="")
    return {"villages": len(villages), "pages": len(villages), "counties": len(by_county),
            "projects": len(all_rows), "relocated": len(relocated)}
