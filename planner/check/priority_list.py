"""The priority list (`planner priority`) against the plans it was made from.

Each level's plan and each optimum plan is verified on its own, by `verify_plan`, before
it is written (it is a plan folder beside its own scenario folder).  Here the two
tables of the list are recomputed from those folders alone (their schedule.csv and
summary.json), the level scenarios' scenario.yaml and locked.csv, and the settled
scenario's funds.csv and projects.csv:

  level     a level's scenario is not the settled scenario (base ../../scenario) with
            every stream's money scaled by the level's scale, or an optimum's has locks;
            a level's locked.csv is not the works of the level below
  nested    a level's plan lacks a work of the level below's plan
  levels    a figure of priority_levels.csv differs from the plans: money, status, value,
            villages on time, works, added, moved, pooled cost, the optimum's value,
            bound, status, villages on time, the ratio, the batch behind
  priority  priority.csv is not every work of the last plan once, in the order of the
            level it enters (prerequisites of the same level before it), with that
            level's scale, money, value, the work's village, target, start year, cost and
            pooled cost in that plan, and the cumulative pooled cost re-added
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..errors import Problems
from ..headers import whatif_header_zh
from ..tables import parse_bool, read_output_csv, read_table as read_input
from .files import read_schedule, read_summary, read_villages
from .inputs import DEFAULT_YEARS
from .report import MONEY_UNITS, TOL, Report

PRIORITY = ("rank", "project_id", "county", "village_id", "village_name", "exit_year",
            "target", "target_name", "start_year", "cost", "pooled_cost",
            "cumulative_pooled_cost", "scale", "money", "value")
LEVELS = ("scale", "money", "status", "value", "villages_on_time", "works", "added", "moved",
          "pooled_cost", "optimum_value", "optimum_bound", "optimum_status",
          "optimum_villages_on_time", "ratio", "batch_behind", "why", "plan", "optimum_plan")
UNIT = "万元"
RATIO_DECIMALS = 4


def _read(folder: Path, name: str, columns, rep: Report) -> pd.DataFrame | None:
    path = folder / f"{name}.csv"
    if not path.is_file():
        rep.add("file", f"{name}.csv is missing from {folder}")
        return None
    frame = read_output_csv(path)
    english = {whatif_header_zh(name, c, UNIT): c for c in columns}
    headers = [str(c).replace("\ufeff", "").strip() for c in frame.columns]
    frame.columns = [english.get(h, h) for h in headers]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        rep.add("column", f"{name}.csv lacks column(s) {', '.join(missing)}")
        return None
    frame = frame.fillna("").astype(str).apply(lambda s: s.str.strip())
    frame.attrs["zh"] = any(h != c for h, c in zip(headers, frame.columns))
    return frame


def _num(text: str) -> float | None:
    try:
        return float(text) if str(text).strip() != "" else None
    except ValueError:
        return None


def _money(text: str) -> int | None:
    value = _num(text)
    return None if value is None else int(round(value * MONEY_UNITS))


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= TOL * max(1.0, abs(float(b)))


class _Plan:
    """What the tables take from one plan folder."""

    def __init__(self, folder: Path, streams: list[str], rep: Report):
        self.folder = folder
        self.summary = read_summary(folder, rep) or {}
        self.schedule = read_schedule(folder, streams, rep)
        self.ok = self.schedule is not None and bool(self.summary)
        if not self.ok:
            return
        first = self.schedule.drop_duplicates("project_id").set_index("project_id")
        self.works = first
        self.starts = dict(zip(first.index, first["start_year"]))
        pooled = self.schedule.groupby("project_id")["pooled_cost"].sum()
        self.pooled = {p: int(round(v * MONEY_UNITS)) for p, v in pooled.items()}
        self.villages = read_villages(folder, rep)
        self.ok = self.villages is not None

    def batches(self, years: list, deep_first: bool) -> list[tuple[str, int]]:
        """(batch, villages on time) in the order served (summary.json's stages, which
        the plan's own check holds to the inputs), counted from villages.csv."""
        stages = (self.summary.get("exit_priority") or {}).get("stages") or []
        v = self.villages
        yes = lambda col: v[col].map(lambda t: parse_bool(str(t)) is True)
        planned = ~yes("relocated") if "relocated" in v.columns else pd.Series(True, v.index)
        year = pd.to_numeric(v["exit_year"], errors="coerce")
        label = np.where(year < years[0], "exited",
                         np.minimum(year, years[-1]).astype(int).astype(str))
        if deep_first:
            label = np.where(yes("deep_poverty"), np.char.add(label, " deep poverty"), label)
        on = yes("on_time") & planned
        return [(str(s.get("batch")), int(on[label == str(s.get("batch"))].sum()))
                for s in stages]

    def on_time(self) -> int:
        return int(sum((self.summary.get("villages_on_time") or {}).values()))


def _check_level_scenario(folder: Path, scale: float, streams: set, rep: Report
                          ) -> tuple[set, set]:
    """The level's scenario.yaml scales every stream by `scale` from ../../scenario and
    changes nothing else; returns the works its locked.csv locks (in, out)."""
    try:
        cfg = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        rep.add("level", f"{folder}/scenario.yaml cannot be read ({exc})")
        return set(), set()
    if cfg.get("base") != "../../scenario":
        rep.add("level", f"{folder}/scenario.yaml: base is {cfg.get('base')!r}, not the "
                         "settled scenario ../../scenario")
    changes = (cfg.get("overrides") or {}).get("funds") or []
    scaled = {str(c.get("stream")): c.get("scale") for c in changes if isinstance(c, dict)}
    if set(scaled) != streams or any(set(c) != {"stream", "scale"} for c in changes) or \
            any(not _same(v, scale) for v in scaled.values()):
        rep.add("level", f"{folder}/scenario.yaml does not scale every stream's money by "
                         f"{scale:g} (overrides.funds: {changes!r})")
    if set(cfg) - {"base", "name", "overrides"} or set(cfg.get("overrides") or {}) - {"funds"}:
        rep.add("level", f"{folder}/scenario.yaml changes more than the money: {sorted(cfg)}")
    if not (folder / "locked.csv").is_file():
        return set(), set()
    frame = read_output_csv(folder / "locked.csv")
    word = frame["lock"].astype(str).str.strip().str.lower()
    ids = frame["project_id"].astype(str)
    return set(ids[word == "in"]), set(ids[word == "out"])


def _check_locks(folder: Path, locks: tuple[set, set], below: _Plan | None,
                 above_works: set | None, projects: set, rep: Report) -> None:
    """A level's locks are the nesting's: the works of the level below locked in (up),
    or every work not in the level above's plan locked out (down), or none."""
    lock_in, lock_out = locks
    if lock_in and lock_out:
        rep.add("level", f"{folder}/locked.csv locks works both in and out")
    elif lock_in and (below is None or lock_in != set(below.starts)):
        rep.add("level", f"{folder}/locked.csv locks in {len(lock_in)} work(s), not the "
                         "works of the level below")
    elif lock_out and (above_works is None or lock_out != projects - above_works):
        rep.add("level", f"{folder}/locked.csv locks out {len(lock_out)} work(s), not every "
                         "work outside the level above's plan")


def _expect(rep: Report, row: int, column: str, written: str, want, money=False) -> None:
    got = _money(written) if money else (_num(written) if not isinstance(want, str)
                                         else written)
    ok = (got == want) if money or isinstance(want, str) or want is None else _same(got, want)
    if not ok:
        rep.add("levels", f"priority_levels.csv row {row}, column {column}: {written!r}; "
                          f"the plans give {want!r}" + (" (units)" if money else ""))


def _behind(mine: _Plan, theirs: _Plan, rule: tuple) -> str:
    for (name, a), (_, b) in zip(mine.batches(*rule), theirs.batches(*rule)):
        if a != b:
            return f"{name}: {a} {'<' if a < b else '>'} {b}"
    return ""


def check_priority(folder: Path) -> list:
    """Every rule priority.csv and priority_levels.csv in `folder` break (see above)."""
    folder = Path(folder)
    rep = Report()
    levels = _read(folder, "priority_levels", LEVELS, rep)
    table = _read(folder, "priority", PRIORITY, rep)
    problems = Problems()
    funds = read_input(folder / "scenario", "funds", problems)
    projects = read_input(folder / "scenario", "projects", problems)
    for p in problems.items:
        rep.add("file", f"the settled scenario in scenario/: {p}")
    if levels is None or table is None or funds is None or projects is None:
        return rep.items
    streams = list(dict.fromkeys(funds["stream"]))
    zh = levels.attrs.get("zh", False)
    try:  # the horizon and deep_poverty_first: the batches of villages.csv's villages
        cfg = yaml.safe_load((folder / "scenario" / "scenario.yaml").read_text(
            encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        rep.add("file", f"scenario/scenario.yaml cannot be read ({exc})")
        return rep.items
    rule = (sorted(cfg.get("years") or DEFAULT_YEARS), bool(cfg.get("deep_poverty_first")))
    below: _Plan | None = None
    plans: list[tuple[float, _Plan]] = []
    scales = [_num(s) for s in levels["scale"]]
    locks: dict = {}
    if any(s is None for s in scales) or scales != sorted(set(scales)):
        rep.add("levels", f"priority_levels.csv scales are not ascending numbers: {scales}")
        return rep.items
    for i, (r, scale) in enumerate(zip(levels.to_dict("records"), scales), start=2):
        name = f"x{scale:g}"
        locks[scale] = _check_level_scenario(folder / "levels" / name, scale, set(streams),
                                             rep)
        if not r["plan"]:
            for c in ("value", "works", "optimum_value", "ratio"):
                if r[c]:
                    rep.add("levels", f"priority_levels.csv row {i}: {c} without a plan")
            continue
        if r["plan"] != f"levels/{name}/plan":
            rep.add("levels", f"priority_levels.csv row {i}: plan {r['plan']!r}, not "
                              f"levels/{name}/plan")
            continue
        plan = _Plan(folder / r["plan"], streams, rep)
        if not plan.ok:
            continue
        s = plan.summary
        _expect(rep, i, "money", r["money"], _money(str(s.get("money_available"))), money=True)
        _expect(rep, i, "value", r["value"], s.get("objective"))
        _expect(rep, i, "villages_on_time", r["villages_on_time"], plan.on_time())
        _expect(rep, i, "works", r["works"], len(plan.starts))
        _expect(rep, i, "pooled_cost", r["pooled_cost"], sum(plan.pooled.values()), money=True)
        if not zh:
            _expect(rep, i, "status", r["status"], str(s.get("status")))
        lost = sorted(set(below.starts) - set(plan.starts)) if below else []
        if lost:
            rep.add("nested", f"{r['plan']} drops {len(lost)} work(s) of the level below, "
                              f"e.g. {', '.join(lost[:5])}")
        _expect(rep, i, "added", r["added"],
                len(plan.starts) - (len(below.starts) if below else 0))
        _expect(rep, i, "moved", r["moved"], sum(
            1 for p, y in below.starts.items() if p in plan.starts and plan.starts[p] != y)
            if below else 0)
        _check_optimum(folder, r, i, scale, plan, streams, zh, locks[scale], rule, rep)
        plans.append((scale, plan))
        below = plan
    ids = set(projects["project_id"])
    for k, (scale, _plan) in enumerate(plans):
        _check_locks(folder / "levels" / f"x{scale:g}", locks[scale],
                     plans[k - 1][1] if k else None,
                     set(plans[k + 1][1].starts) if k + 1 < len(plans) else None, ids, rep)
    for name in sorted(p.name for p in (folder / "optimum").glob("x*")) \
            if (folder / "optimum").is_dir() else []:
        if name not in {f"x{s:g}" for s in scales}:
            rep.add("levels", f"optimum/{name} is not a level of priority_levels.csv")
    _check_table(table, plans, levels, projects, rep)
    return rep.items


def _check_optimum(folder, r, i, scale, plan, streams, zh, locks, rule, rep) -> None:
    name = f"x{scale:g}"
    if not r["optimum_plan"]:
        for c in ("optimum_value", "ratio", "batch_behind"):
            if r[c]:
                rep.add("levels", f"priority_levels.csv row {i}: {c} without an optimum plan")
        return
    # the un-nested plan: its own folder, or the level itself when it has no nesting lock
    own = r["optimum_plan"] == f"levels/{name}/plan" and not any(locks)
    if r["optimum_plan"] != f"optimum/{name}/plan" and not own:
        rep.add("levels", f"priority_levels.csv row {i}: optimum_plan {r['optimum_plan']!r} "
                          f"is neither optimum/{name}/plan nor a level without locks")
        return
    if not own and any(_check_level_scenario(folder / "optimum" / name, scale, set(streams),
                                             rep)):
        rep.add("level", f"optimum/{name}: the optimum's scenario locks works")
    opt = _Plan(folder / r["optimum_plan"], streams, rep)
    if not opt.ok:
        return
    s = opt.summary
    _expect(rep, i, "optimum_value", r["optimum_value"], s.get("objective"))
    bound = s.get("best_bound")
    _expect(rep, i, "optimum_bound", r["optimum_bound"],
            bound if bound is not None and np.isfinite(bound) else None)
    _expect(rep, i, "optimum_villages_on_time", r["optimum_villages_on_time"], opt.on_time())
    if not zh:
        _expect(rep, i, "optimum_status", r["optimum_status"], str(s.get("status")))
    best = s.get("objective")
    ratio = (round(plan.summary.get("objective") / best, RATIO_DECIMALS)
             if best and best > 0 else None)
    _expect(rep, i, "ratio", r["ratio"], ratio)
    if not zh:
        _expect(rep, i, "batch_behind", r["batch_behind"], _behind(plan, opt, rule))


def _check_table(table: pd.DataFrame, plans, levels, projects, rep: Report) -> None:
    if not plans:
        if len(table):
            rep.add("priority", "priority.csv lists works, but no level has a plan")
        return
    last = plans[-1][1]
    ids = list(table["project_id"])
    if sorted(ids) != sorted(last.starts) or len(set(ids)) != len(ids):
        rep.add("priority", f"priority.csv does not list every work of the last plan once "
                            f"({len(ids)} rows, {len(last.starts)} works)")
        return
    if [_num(x) for x in table["rank"]] != list(range(1, len(table) + 1)):
        rep.add("priority", "priority.csv ranks are not 1, 2, 3, ... in row order")
    entry = {}
    for scale, plan in plans:
        for p in plan.starts:
            entry.setdefault(p, (scale, plan))
    row_of = {p: i for i, p in enumerate(ids)}
    order = [plans.index(entry[p]) for p in ids]
    if order != sorted(order):
        rep.add("priority", "priority.csv is not in the order of the level each work enters")
    value = {f"levels/x{s:g}/plan": v for s, v in zip(levels["scale"].map(_num),
                                                       levels["value"])}
    total = 0
    cols = ("county", "village_id", "village_name", "target", "target_name")
    for i, r in enumerate(table.to_dict("records")):
        scale, plan = entry[r["project_id"]]
        w = plan.works.loc[r["project_id"]]
        where = f"priority.csv row {i + 2} ({r['project_id']})"
        total += plan.pooled[r["project_id"]]
        want = {"scale": scale, "money": _money(str(plan.summary.get("money_available"))),
                "value": plan.summary.get("objective"), "exit_year": int(w["exit_year"]),
                "start_year": int(w["start_year"]), "cost": int(round(w["work_cost"]
                                                                       * MONEY_UNITS)),
                "pooled_cost": plan.pooled[r["project_id"]], "cumulative_pooled_cost": total}
        for c, v in want.items():
            got = _money(r[c]) if c in ("money", "cost", "pooled_cost",
                                        "cumulative_pooled_cost") else _num(r[c])
            if got is None or not _same(got, v):
                rep.add("priority", f"{where}, column {c}: {r[c]!r}; the plan of "
                                    f"x{scale:g} gives {v!r}")
        for c in cols:
            if r[c] != str(w[c]):
                rep.add("priority", f"{where}, column {c}: {r[c]!r}, not {w[c]!r}")
        if not _same(_num(r["value"]), _num(value.get(f"levels/x{scale:g}/plan", ""))):
            rep.add("priority", f"{where}: value is not priority_levels.csv's of x{scale:g}")
    requires = dict(zip(projects["project_id"], projects["requires"]))
    for p in ids:
        for q in _ids(requires.get(p)):
            if q in row_of and entry[q] == entry[p] and row_of[q] > row_of[p]:
                rep.add("priority", f"priority.csv ranks {p} before {q}, which it requires")


def _ids(value) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [v.strip() for v in str(value).split(";") if v.strip()]
