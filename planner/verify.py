"""The independent checker: re-verify a written plan folder against its inputs.

`verify_plan(scn, plan_dir)` reads `schedule.csv`, `villages.csv`, `funds.csv`
and `summary.json` from `plan_dir` and recomputes every rule of the contract
from the scenario's input tables and these plan tables alone.  It shares no
code with the model (`models/`) nor with the code that builds the model or
writes the plan (`planner.build`, `planner.plan`): a bug there cannot hide
itself here.  An empty list means the plan is accepted.

Money.  Amounts are written with 4 decimals: one unit is 0.0001 of the
scenario's money unit (one yuan per 万元).  Sums of written numbers must re-add
exactly (`TOL`); where the rounding of an input's cost is involved, one unit is
allowed (`ONE_UNIT`): a project's cost per year is cost * profile share split
so the years add up to round(cost * 1e4) units, and its pooled part is
round((1 - self_share) * year cost).  Budgets are rounded down to whole units.

Rule codes (`Violation.rule`):

    file, column, number   a plan file is missing or unreadable, lacks a
                           column, or holds a malformed number
    project                schedule row names an unknown project, or a
                           village/target/county other than projects.csv's
    label                  village_name, exit_year, target_name or department
                           differs from the inputs
    relocated              a work in a relocated village
    start                  rows of a project disagree on start/finish, or the
                           start lies outside earliest_year..latest_year
    finish                 finish_year != start + duration - 1, or after the horizon
    rows                   a spending year without a row, a row outside the
                           project's years, or two rows for one project and year
    cost                   cost / pooled_cost / self_funded of a row, or a
                           project's total, differs from the inputs
    streams                a negative stream amount, or streams not adding up
                           to pooled_cost
    eligibility            money from a stream that may not pay for the project
    budget                 a pool spends more than its budget plus carry-over
    funds                  funds.csv differs from the ledger recomputed from
                           the schedule and the funds input
    requires               a prerequisite is missing or does not finish before
    alternative_group      two projects of one alternative group
    one_per_gap            two works for one (non-cumulative) gap
    lock                   a lock_in project missing, or a lock_out one scheduled
    deadline               a hard deadline is missed
    exit_standard          min_cost: a village's exit-standard gap not closed by
                           its due year
    villages               villages.csv differs from the recomputed table
    summary                summary.json lacks a key or a count/total differs
    objective              the objective differs from the plan's recomputed
                           value, or lies beyond the best bound
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .scenario import Scenario
from .tables import parse_bool, read_output_csv

TOL = 1e-6  # sums of written numbers re-add exactly
ONE_UNIT = 1.0001e-4  # one unit of money, where the input's cost is rounded
MONEY_UNITS = 10_000  # units per money unit
VALUE_QUANTUM = 1e-4  # value coefficients are rounded to this
SHOW = 20  # violations listed per check before "... and N more"

SCHEDULE_TEXT = ("county", "village_id", "village_name", "target", "target_name",
                 "project_id", "department")
SCHEDULE_INT = ("year", "exit_year", "start_year", "finish_year")
SCHEDULE_MONEY = ("cost", "pooled_cost", "self_funded")
SCHEDULE_COLUMNS = ("year", "county", "village_id", "village_name", "exit_year", "target",
                    "target_name", "project_id", "department", "start_year", "finish_year",
                    "cost", "pooled_cost", "self_funded")
VILLAGE_COLUMNS = ("village_id", "county", "exit_year", "gaps", "gaps_closed", "on_time",
                   "completion_year", "open_targets")
FUNDS_COLUMNS = ("stream", "year", "county", "budget", "carried_in", "spent", "carried_out",
                 "unused")
FUNDS_MONEY = ("budget", "carried_in", "spent", "carried_out", "unused")
SUMMARY_KEYS = ("scenario", "solver", "status", "objective", "best_bound", "gap", "seconds",
                "gaps_closed", "villages_on_time", "total_cost")
STATUSES = ("optimal", "feasible", "infeasible", "time_limit")
WITH_PLAN = ("optimal", "feasible", "time_limit")


@dataclass
class Violation:
    rule: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


class _Report:
    """Collects violations; a check listing many rows shows the first `SHOW`."""

    def __init__(self):
        self.items: list[Violation] = []

    def add(self, rule: str, message: str) -> None:
        self.items.append(Violation(rule, message))

    def each(self, rule: str, frame: pd.DataFrame, fmt) -> None:
        """One violation per row of `frame` (as a dict), then a count of the rest."""
        for row in frame.head(SHOW).to_dict("records"):
            self.add(rule, fmt(row))
        if len(frame) > SHOW:
            self.add(rule, f"... and {len(frame) - SHOW} more like the above")

    def each_group(self, rule: str, frame: pd.DataFrame, keys: list[str], fmt) -> None:
        """One violation per group of `frame` by `keys` (`fmt` gets the group's rows)."""
        codes = frame.groupby(keys, sort=False).ngroup()
        n = int(codes.max()) + 1 if len(frame) else 0
        head = codes < SHOW
        for _, grp in frame[head].groupby(codes[head], sort=True):
            self.add(rule, fmt(grp))
        if n > SHOW:
            self.add(rule, f"... and {n - SHOW} more like the above")


def _m(x) -> str:
    """Money as written: 4 decimals."""
    return f"{x:.4f}"


# ====================================================================== entry point

def verify_plan(scn: Scenario, plan_dir: Path) -> list[Violation]:
    """Every rule the plan in `plan_dir` breaks; an empty list accepts the plan."""
    plan_dir = Path(plan_dir)
    rep = _Report()
    streams = list(dict.fromkeys(scn.funds["stream"]))
    sched = _read_schedule(plan_dir, streams, rep)
    funds = _read_funds(plan_dir, rep)
    villages = _read_table(plan_dir, "villages.csv", VILLAGE_COLUMNS, rep)
    summary = _read_summary(plan_dir, rep)
    if sched is None:
        return rep.items  # nothing else can be recomputed without the schedule

    f = _Facts(scn, sched, streams)
    check_projects(f, rep)
    check_relocated(f, rep)
    check_start(f, rep)
    check_finish(f, rep)
    check_rows(f, rep)
    check_costs(f, rep)
    check_streams(f, rep)
    check_eligibility(f, rep)
    check_leverage(f, rep)
    ledger = check_budget(f, rep)
    if funds is not None:
        check_funds_table(ledger, funds, rep)
    check_requires(f, rep)
    check_alternative_groups(f, rep)
    check_one_per_gap(f, rep)
    check_locks(f, rep)
    check_deadlines(f, rep)
    check_fairness(f, rep)
    check_reserve(f, rep)
    if scn.objective == "min_cost":
        check_exit_standard(f, rep)
    if villages is not None:
        check_villages_table(f, villages, rep)
    if summary is not None:
        check_summary(f, summary, rep)
    return rep.items


# ====================================================================== reading

def _read_table(plan_dir: Path, name: str, columns, rep: _Report,
                numeric=()) -> pd.DataFrame | None:
    """A plan CSV as text cells with `_row` (spreadsheet row; header is 1); cells of
    other than the `numeric` columns are stripped of surrounding blanks."""
    path = plan_dir / name
    if not path.is_file():
        rep.add("file", f"{name} is missing from {plan_dir}")
        return None
    try:
        frame = read_output_csv(path)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError,
            ValueError, OSError) as exc:
        rep.add("file", f"{name} cannot be read as a CSV table ({str(exc).strip()})")
        return None
    frame.columns = [str(c).replace("\ufeff", "").strip() for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        rep.add("column", f"{name} lacks column(s) {', '.join(missing)} "
                f"(columns found: {', '.join(frame.columns)})")
        return None
    for col in frame.columns:
        if col in numeric:  # pd.to_numeric ignores surrounding blanks
            continue
        values = frame[col].astype(str).to_numpy(dtype=object)
        frame[col] = pd.Series([v.strip() for v in values], index=frame.index, dtype=object)
    frame["_row"] = np.arange(2, len(frame) + 2)
    return frame


def _to_numbers(frame: pd.DataFrame, name: str, columns, rep: _Report, integer=False,
                blank=None) -> bool:
    """Replace text columns by numbers in place; report malformed cells; True if all good.

    `blank`: the value of an empty cell (None: an empty cell is malformed)."""
    ok = True
    for col in columns:
        text = frame[col]
        num = pd.to_numeric(text, errors="coerce").astype(float)
        if blank is not None:
            num = num.where(text != "", blank)
        bad = num.isna() | ~np.isfinite(num)
        if integer:
            bad |= num != np.round(num)
        if bad.any():
            ok = False
            what = "a whole number" if integer else "a number"
            rep.each("number", frame.loc[bad, ["_row", col]],
                     lambda r, col=col: f"{name} row {r['_row']}, column {col}: "
                                        f"{r[col]!r} is not {what}")
            continue
        frame[col] = num.astype(np.int64) if integer else num
    return ok


def _read_schedule(plan_dir: Path, streams: list[str], rep: _Report) -> pd.DataFrame | None:
    frame = _read_table(plan_dir, "schedule.csv", SCHEDULE_COLUMNS + tuple(streams), rep,
                        numeric=set(SCHEDULE_INT + SCHEDULE_MONEY) | set(streams))
    if frame is None:
        return None
    ok = _to_numbers(frame, "schedule.csv", SCHEDULE_INT, rep, integer=True)
    ok &= _to_numbers(frame, "schedule.csv", SCHEDULE_MONEY, rep)
    ok &= _to_numbers(frame, "schedule.csv", streams, rep, blank=0.0)
    outside = [c for c in frame.columns if c.startswith("outside_")]
    ok &= _to_numbers(frame, "schedule.csv", outside, rep, blank=0.0)
    return frame if ok else None


def _read_funds(plan_dir: Path, rep: _Report) -> pd.DataFrame | None:
    frame = _read_table(plan_dir, "funds.csv", FUNDS_COLUMNS, rep,
                        numeric=("year",) + FUNDS_MONEY)
    if frame is None:
        return None
    ok = _to_numbers(frame, "funds.csv", ("year",), rep, integer=True)
    ok &= _to_numbers(frame, "funds.csv", FUNDS_MONEY, rep)
    if "returned" in frame.columns:
        ok &= _to_numbers(frame, "funds.csv", ("returned",), rep)
    return frame if ok else None


def _read_summary(plan_dir: Path, rep: _Report) -> dict | None:
    path = plan_dir / "summary.json"
    if not path.is_file():
        rep.add("file", f"summary.json is missing from {plan_dir}")
        return None
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        rep.add("file", f"summary.json is not valid JSON ({exc})")
        return None
    if not isinstance(data, dict):
        rep.add("file", "summary.json must hold one JSON object")
        return None
    return data


# ====================================================================== derived facts

class _Facts:
    """The schedule joined to its inputs, and what it implies.

    sched    one row per schedule row, with the input project (`p_*`) and its
             village (`v_*`); `pool_county` is the county whose money it may use
    starts   one row per scheduled known project: start, finish and its inputs
    gaps     every gap of gaps.csv with `close_year` (NaN: open) and `due`
    village_table  every village of villages.csv with its recomputed plan row
    """

    def __init__(self, scn: Scenario, sched: pd.DataFrame, streams: list[str]):
        self.scn = scn
        self.streams = streams
        self.first, self.last = int(scn.years[0]), int(scn.years[-1])
        self.pooled_streams = set(scn.funds.loc[scn.funds["county"] == "", "stream"])

        p = scn.projects
        proj = pd.DataFrame({
            "project_id": p["project_id"].astype(str),
            "p_village_id": p["village_id"].astype(str),
            "p_target": p["target"].astype(str),
            "p_cost": p["cost"].astype(float),
            "p_duration": p["duration"].astype(np.int64),
            "p_profile": p["cost_profile"],
            "p_earliest": p["earliest_year"].astype(np.int64),
            "p_latest": p["latest_year"].astype(np.int64),
            "p_department": p["department"].astype(str),
            "p_self_share": p["self_share"].astype(float),
            "p_streams": p["streams"],
            "p_contributes": pd.to_numeric(p["contributes"], errors="coerce").astype(float),
            "p_requires": p["requires"],
            "p_group": p["alternative_group"].astype(str),
        })
        v = scn.villages
        vil = pd.DataFrame({
            "p_village_id": v["village_id"].astype(str),
            "v_name": v["name"].astype(str),
            "v_county": v["county"].astype(str),
            "v_exit_year": v["exit_year"].astype(np.int64),
            "v_relocated": v["relocated"].fillna(False).astype(bool),
        })
        s = sched.merge(proj, on="project_id", how="left", indicator="_known")
        s["known"] = s.pop("_known").eq("both")
        s = s.merge(vil, on="p_village_id", how="left")
        s["v_relocated"] = s["v_relocated"].fillna(False).astype(bool)
        s["pool_county"] = s["v_county"].fillna(s["county"])
        s["gap_target"] = s["p_target"].fillna(s["target"])
        self.sched = s

        known = s[s["known"]]
        grp = known.groupby("project_id", sort=False)
        starts = grp.agg(start=("start_year", "first"), finish=("finish_year", "first"),
                         n_start=("start_year", "nunique"), n_finish=("finish_year", "nunique"),
                         first_row=("_row", "min")).reset_index()
        self.starts = starts.merge(proj, on="project_id", how="left")

        self.villages_in = v
        planned = v[~v["relocated"].fillna(False).astype(bool)]
        self.planned_ids = set(planned["village_id"])
        self.gaps = self._gap_table()
        self.village_table = self._village_table()

    def due_of(self, exit_year):
        """The year a village's exit standard is due: its exit year, or the first year."""
        return np.maximum(exit_year, self.first)

    def _gap_table(self) -> pd.DataFrame:
        """Gaps with `close_year`: a plain gap closes when its (first) work finishes; a
        cumulative gap (with `quantity`) when the finished works' `contributes` (blank:
        all of it) add up to the quantity."""
        scn = self.scn
        g = pd.DataFrame({
            "village_id": scn.gaps["village_id"].astype(str),
            "target": scn.gaps["target"].astype(str),
            "weight": pd.to_numeric(scn.gaps["weight"], errors="coerce").astype(float),
            "quantity": pd.to_numeric(scn.gaps["quantity"], errors="coerce").astype(float),
        })
        g["weight"] = g["weight"].fillna(g["target"].map(scn.target_weight))
        g["exit"] = g["target"].isin(scn.exit_standard)
        g["planned"] = g["village_id"].isin(self.planned_ids)
        exit_year = g["village_id"].map(dict(zip(self.villages_in["village_id"],
                                                 self.villages_in["exit_year"])))
        g["due"] = self.due_of(exit_year.astype(np.int64))

        w = self.starts[["project_id", "p_village_id", "p_target", "finish", "p_contributes"]]
        w = w.rename(columns={"p_village_id": "village_id", "p_target": "target"})
        w = w.merge(g.loc[g["planned"], ["village_id", "target", "quantity"]],
                    on=["village_id", "target"], how="inner")
        cumulative = w["quantity"].notna()
        w["amount"] = np.where(cumulative, w["p_contributes"].fillna(w["quantity"]), 1.0)
        w["need"] = np.where(cumulative, w["quantity"], 1.0)
        w = w.sort_values(["village_id", "target", "finish"], kind="stable")
        w["cum"] = w.groupby(["village_id", "target"], sort=False)["amount"].cumsum()
        closed = (w[w["cum"] >= w["need"] - 1e-9]
                  .groupby(["village_id", "target"])["finish"].min().rename("close_year"))
        g = g.merge(closed.reset_index(), on=["village_id", "target"], how="left")
        g["close_year"] = g["close_year"].astype(float)
        g["closed"] = g["close_year"].notna()
        g["on_time"] = g["closed"] & (g["close_year"] <= g["due"])
        # progress shares of cumulative gaps (for partial credit): done by the due year,
        # and by the end of the horizon, each at most 1
        w = w.merge(g[["village_id", "target", "due"]], on=["village_id", "target"])
        by_due = (w[w["finish"] <= w["due"]].groupby(["village_id", "target"])["amount"].sum())
        by_end = w.groupby(["village_id", "target"])["amount"].sum()
        key = pd.MultiIndex.from_frame(g[["village_id", "target"]])
        need = g["quantity"].fillna(1.0).to_numpy()
        g["share_due"] = np.minimum(by_due.reindex(key).fillna(0.0).to_numpy() / need, 1.0)
        g["share_end"] = np.minimum(by_end.reindex(key).fillna(0.0).to_numpy() / need, 1.0)
        return g

    def _village_table(self) -> pd.DataFrame:
        """villages.csv as the schedule implies it (text cells, as compared)."""
        v = self.villages_in
        g = self.gaps
        relocated = v["relocated"].fillna(False).astype(bool).to_numpy()
        ex = g[g["exit"]]
        by = g.groupby("village_id")
        ex_by = ex.groupby("village_id")
        ids = v["village_id"].astype(str)
        n_gaps = ids.map(by.size()).fillna(0).astype(np.int64)
        n_closed = ids.map(by["closed"].sum()).fillna(0).astype(np.int64)
        n_exit = ids.map(ex_by.size()).fillna(0).astype(np.int64)
        n_exit_closed = ids.map(ex_by["closed"].sum()).fillna(0).astype(np.int64)
        n_exit_on_time = ids.map(ex_by["on_time"].sum()).fillna(0).astype(np.int64)
        last_exit = ids.map(ex_by["close_year"].max())
        open_t = ids.map(g[~g["closed"]].groupby("village_id", sort=False)["target"]
                         .agg(";".join)).astype(object).fillna("")
        on_time = (n_exit_on_time == n_exit).to_numpy()
        completion = np.where(n_exit == 0, str(self.first - 1),
                              np.where(n_exit_closed == n_exit,
                                       last_exit.fillna(0).astype(np.int64).astype(str), ""))
        out = pd.DataFrame({
            "village_id": ids,
            "county": v["county"].astype(str),
            "exit_year": v["exit_year"].astype(np.int64),
            "deep_poverty": v["deep_poverty"].astype(bool),
            "relocated": relocated,
            "gaps": n_gaps,
            "gaps_closed": np.where(relocated, 0, n_closed),
            "on_time_bool": on_time & ~relocated,
            "on_time": np.where(relocated, "", np.where(on_time, "true", "false")),
            "completion_year": np.where(relocated, "", completion),
            "open_targets": open_t,
        })
        return out.reset_index(drop=True)


# ====================================================================== rule 1: schedule rows

def check_projects(f: _Facts, rep: _Report) -> None:
    """Every row names a project of projects.csv, with its village, target and the
    village's county; labels (village name, exit year, target name, department)
    are the inputs'."""
    s = f.sched
    rep.each("project", s[~s["known"]][["_row", "project_id", "village_id"]],
             lambda r: f"schedule.csv row {r['_row']}: project {r['project_id']} "
                       f"(village {r['village_id']}) is not in projects.csv")
    k = s[s["known"]]
    for col, truth, what in (("village_id", "p_village_id", "projects.csv says village"),
                             ("target", "p_target", "projects.csv says target"),
                             ("county", "v_county", "villages.csv puts its village in")):
        bad = k[k[col] != k[truth].fillna("")]
        rep.each("project", bad[["_row", "project_id", "year", col, truth]],
                 lambda r, col=col, truth=truth, what=what:
                 f"schedule.csv row {r['_row']}: project {r['project_id']} in {r['year']} "
                 f"has {col} {r[col]!r}; {what} {r[truth]!r}")
    names = {code: t["name_zh"] for code, t in f.scn.targets.items()}
    k = k.assign(t_name=k["p_target"].map(names).fillna(""),
                 v_exit=k["v_exit_year"].fillna(-1).astype(np.int64))
    for col, truth in (("village_name", "v_name"), ("exit_year", "v_exit"),
                       ("target_name", "t_name"), ("department", "p_department")):
        bad = k[k[col] != k[truth].fillna("")]
        rep.each("label", bad[["_row", "project_id", "year", col, truth]],
                 lambda r, col=col, truth=truth:
                 f"schedule.csv row {r['_row']}: project {r['project_id']} in {r['year']} "
                 f"has {col} {r[col]!r}; the inputs give {r[truth]!r}")


def check_relocated(f: _Facts, rep: _Report) -> None:
    """A relocated village (整村搬迁) is not planned: none of its works is scheduled."""
    s = f.sched
    bad = s[s["v_relocated"]].drop_duplicates("project_id")
    rep.each("relocated", bad[["_row", "project_id", "village_id", "year"]],
             lambda r: f"schedule.csv row {r['_row']}: project {r['project_id']} is a work "
                       f"in village {r['village_id']}, which is relocated and not planned")


def check_start(f: _Facts, rep: _Report) -> None:
    """A project starts once (all its rows agree on start and finish year), and in
    earliest_year..latest_year."""
    st = f.starts
    s = f.sched
    bad = st[(st["n_start"] > 1) | (st["n_finish"] > 1)]
    if len(bad):
        seen = (s[s["project_id"].isin(bad["project_id"])]
                .groupby("project_id")[["start_year", "finish_year"]]
                .agg(lambda x: ", ".join(map(str, sorted(set(x))))))
        rep.each("start", seen.reset_index(),
                 lambda r: f"project {r['project_id']}: its rows disagree on the start "
                           f"(start_year {r['start_year']}; finish_year {r['finish_year']})")
    bad = st[(st["start"] < st["p_earliest"]) | (st["start"] > st["p_latest"])]
    rep.each("start", bad[["project_id", "start", "p_earliest", "p_latest"]],
             lambda r: f"project {r['project_id']} starts in {r['start']}, outside its "
                       f"window {r['p_earliest']}-{r['p_latest']} (earliest_year-latest_year)")


def check_finish(f: _Facts, rep: _Report) -> None:
    """finish_year = start_year + duration - 1, and the work finishes inside the horizon."""
    st = f.starts
    want = st["start"] + st["p_duration"] - 1
    bad = st.assign(want=want)[st["finish"] != want]
    rep.each("finish", bad[["project_id", "start", "finish", "p_duration", "want"]],
             lambda r: f"project {r['project_id']} starts {r['start']} with duration "
                       f"{r['p_duration']}, so finishes {r['want']}; the plan says {r['finish']}")
    bad = st.assign(want=want)[(want > f.last) | (st["start"] < f.first)]
    rep.each("finish", bad[["project_id", "start", "want"]],
             lambda r: f"project {r['project_id']} runs {r['start']}-{r['want']}, outside the "
                       f"horizon {f.first}-{f.last}")


def _project_years(f: _Facts) -> pd.DataFrame:
    """One row per scheduled project and year of its duration: its share of the cost,
    the unrounded cost in units (`raw`) and whether the year must have a row."""
    st = f.starts[["project_id", "start", "p_cost", "p_profile", "p_self_share"]]
    ex = st.explode("p_profile", ignore_index=True)
    ex["k"] = ex.groupby("project_id", sort=False).cumcount()
    ex["year"] = ex["start"] + ex["k"]
    ex["share"] = ex["p_profile"].astype(float)
    total = np.round(ex["p_cost"].to_numpy(float) * MONEY_UNITS)
    ex["raw"] = total * ex["share"]
    ex["required"] = ex["raw"] >= 1 - 1e-9  # rounds to at least one unit
    return ex


def check_rows(f: _Facts, rep: _Report) -> None:
    """One row per project and year it spends in (years whose share rounds to no
    money may be absent); no row outside start..finish or the horizon."""
    s = f.sched
    dup = s[s.duplicated(["project_id", "year"], keep=False)].drop_duplicates(
        ["project_id", "year"])
    rep.each("rows", dup[["_row", "project_id", "year"]],
             lambda r: f"schedule.csv row {r['_row']}: project {r['project_id']} has more "
                       f"than one row for {r['year']}")
    out = s[(s["year"] < f.first) | (s["year"] > f.last)]
    rep.each("rows", out[["_row", "project_id", "year"]],
             lambda r: f"schedule.csv row {r['_row']}: project {r['project_id']} has a row for "
                       f"{r['year']}, outside the horizon {f.first}-{f.last}")
    ex = _project_years(f)
    k = s[s["known"]][["_row", "project_id", "year"]]
    both = ex.merge(k, on=["project_id", "year"], how="outer", indicator=True)
    missing = both[(both["_merge"] == "left_only") & both["required"].fillna(False).astype(bool)]
    rep.each("rows", missing[["project_id", "year", "k", "share", "raw"]],
             lambda r: f"project {r['project_id']} spends {_m(r['raw'] / MONEY_UNITS)} in "
                       f"{r['year']} (year {r['k'] + 1} of its duration, share {r['share']:g}) "
                       f"but schedule.csv has no row for it")
    extra = both.loc[both["_merge"] == "right_only", ["_row", "project_id", "year"]]
    extra = extra.merge(f.starts[["project_id", "start", "p_duration"]], on="project_id")
    rep.each("rows", extra[["_row", "project_id", "year", "start", "p_duration"]],
             lambda r: f"schedule.csv row {r['_row']}: project {r['project_id']} has a row "
                       f"for {r['year']}, outside its years {r['start']}-"
                       f"{r['start'] + r['p_duration'] - 1}")


def check_costs(f: _Facts, rep: _Report) -> None:
    """Each row's cost is the project's cost times the year's profile share (one unit
    of rounding); a project's rows add up to its cost rounded to whole units;
    pooled_cost = (1 - self_share) * cost (one unit); self_funded = cost - pooled_cost."""
    s = f.sched
    ex = _project_years(f)
    k = s[s["known"]][["_row", "project_id", "year", "cost", "pooled_cost", "p_self_share"]]
    both = k.merge(ex[["project_id", "year", "raw", "share"]], on=["project_id", "year"],
                   how="inner")
    bad = both[(both["cost"] - both["raw"] / MONEY_UNITS).abs() > ONE_UNIT]
    rep.each("cost", bad,
             lambda r: f"schedule.csv row {r['_row']}: project {r['project_id']} costs "
                       f"{_m(r['cost'])} in {r['year']}; its cost times share {r['share']:g} "
                       f"is {r['raw'] / MONEY_UNITS:.5f}")
    tot = k.groupby("project_id")["cost"].sum().rename("written").reset_index()
    tot = tot.merge(f.starts[["project_id", "p_cost"]], on="project_id")
    tot["want"] = np.round(tot["p_cost"].to_numpy(float) * MONEY_UNITS) / MONEY_UNITS
    bad = tot[(tot["written"] - tot["want"]).abs() > TOL]
    rep.each("cost", bad,
             lambda r: f"project {r['project_id']}: its rows cost {_m(r['written'])} in all; "
                       f"projects.csv gives cost {r['p_cost']:g} ({_m(r['want'])})")
    share = 1 - s["p_self_share"]
    want = share * s["cost"]
    bad = s.assign(want=want)[s["known"] & ((s["pooled_cost"] - want).abs() > ONE_UNIT)]
    rep.each("cost", bad[["_row", "project_id", "year", "cost", "pooled_cost", "p_self_share",
                          "want"]],
             lambda r: f"schedule.csv row {r['_row']}: project {r['project_id']} in {r['year']} "
                       f"has pooled_cost {_m(r['pooled_cost'])}; (1 - self_share "
                       f"{r['p_self_share']:g}) * cost {_m(r['cost'])} = {r['want']:.5f}")
    self_funded = s["cost"] - s["pooled_cost"]
    bad = s.assign(want=self_funded)[(s["self_funded"] - self_funded).abs() > TOL]
    rep.each("cost", bad[["_row", "project_id", "year", "self_funded", "want"]],
             lambda r: f"schedule.csv row {r['_row']}: project {r['project_id']} in {r['year']} "
                       f"has self_funded {_m(r['self_funded'])}; cost - pooled_cost is "
                       f"{_m(r['want'])}")


def check_streams(f: _Facts, rep: _Report) -> None:
    """Stream columns hold the pooled money only: each >= 0, together = pooled_cost."""
    s = f.sched
    for stream in f.streams:
        bad = s[s[stream] < 0]
        rep.each("streams", bad[["_row", "project_id", "year", stream]],
                 lambda r, stream=stream:
                 f"schedule.csv row {r['_row']}: project {r['project_id']} draws "
                 f"{_m(r[stream])} from {stream} in {r['year']}: money must be >= 0")
    money = f.streams + [c for c in s.columns if c.startswith("outside_")]
    total = s[money].sum(axis=1) if money else pd.Series(0.0, index=s.index)
    bad = s.assign(total=total)[(total - s["pooled_cost"]).abs() > TOL]
    rep.each("streams", bad[["_row", "project_id", "year", "pooled_cost", "total"]],
             lambda r: f"schedule.csv row {r['_row']}: project {r['project_id']} in {r['year']} "
                       f"draws {_m(r['total'])} from the streams (and outside money they "
                       f"unlock) in all; its pooled_cost is {_m(r['pooled_cost'])}")


def check_leverage(f: _Facts, rep: _Report) -> None:
    """outside_<S> (loans, private capital) only for a stream S with `leverage` k, only in
    a row that also draws on S, and per pool and year at most k times what S paid and at
    most S's outside_limit (whole units, rounded down as budgets are)."""
    s, fu = f.sched, f.scn.funds
    levers = {}
    if "leverage" in fu.columns:
        for r in fu.itertuples():
            if r.leverage is not None and not pd.isna(r.leverage):
                levers[r.stream] = float(r.leverage)
    for col in [c for c in s.columns if c.startswith("outside_")]:
        stream = col[len("outside_"):]
        if stream not in levers:
            if (s[col] > 0).any():
                rep.add("leverage", f"schedule.csv has outside money {col} but stream {stream!r} "
                                    "has no leverage in funds.csv")
            continue
        bad = s[(s[col] > 0) & (s.get(stream, 0.0) <= 0)]
        rep.each("leverage", bad[["_row", "project_id", "year"]],
                 lambda r, col=col, stream=stream: f"schedule.csv row {r['_row']}: project "
                 f"{r['project_id']} gets {col} in {r['year']} without money from {stream}")
        pooled = stream in f.pooled_streams
        by = ["year"] if pooled else ["pool_county", "year"]
        sums = s.groupby(by)[[col, stream]].sum().reset_index()
        for r in sums.itertuples(index=False):
            row = r._asdict()
            county = "" if pooled else row["pool_county"]
            if row[col] > levers[stream] * row[stream] + TOL:
                rep.add("leverage", f"stream {stream}{_county(county)}, {row['year']}: outside "
                                    f"money {_m(row[col])} > {levers[stream]:g} x {_m(row[stream])}")
            lim = fu[(fu["stream"] == stream) & (fu["county"] == county)
                     & (fu["year"] == row["year"])]["outside_limit"]
            lim = [v for v in lim if v is not None and not pd.isna(v)]
            if lim and row[col] > np.floor(lim[0] * MONEY_UNITS + 1e-6) / MONEY_UNITS + TOL:
                rep.add("leverage", f"stream {stream}{_county(county)}, {row['year']}: outside "
                                    f"money {_m(row[col])} > outside_limit {lim[0]:g}")


# ====================================================================== rule 2: eligibility

def check_eligibility(f: _Facts, rep: _Report) -> None:
    """Money from stream S pays a project only if S is among the project's `streams`
    (when it lists any), S's funds rows allow its target (or `*`), and S has money
    for the project's county (a county row) or is pooled (blank county)."""
    s = f.sched
    p = f.scn.projects
    listed = p.loc[p["streams"].map(len) > 0, "project_id"]
    allows = p[["project_id", "streams"]].explode("streams").dropna()
    pools = f.scn.funds[["stream", "county", "targets"]].drop_duplicates(["stream", "county"])
    for stream in f.streams:
        use = s[s[stream] > TOL]
        if use.empty:
            continue
        ok_project = (~use["project_id"].isin(listed)
                      | use["project_id"].isin(allows.loc[allows["streams"] == stream,
                                                          "project_id"]))
        bad = use[~ok_project & use["known"]]
        bad = bad.assign(listed=[";".join(t) for t in bad["p_streams"]])
        rep.each("eligibility", bad[["_row", "project_id", "year", stream, "listed"]],
                 lambda r, stream=stream:
                 f"schedule.csv row {r['_row']}: project {r['project_id']} draws "
                 f"{_m(r[stream])} from {stream} in {r['year']}, but its streams are "
                 f"only {r['listed']}")
        sp = pools[pools["stream"] == stream]
        pooled = stream in f.pooled_streams
        county = (pd.Series("", index=use.index) if pooled else use["pool_county"])
        has_pool = county.isin(set(sp["county"]))
        bad = use[~has_pool]
        rep.each("eligibility", bad[["_row", "project_id", "year", "pool_county", stream]],
                 lambda r, stream=stream:
                 f"schedule.csv row {r['_row']}: project {r['project_id']} draws "
                 f"{_m(r[stream])} from {stream} in {r['year']}, but {stream} has no money "
                 f"row for county {r['pool_county']}")
        targets = sp.explode("targets")
        star = set(targets.loc[targets["targets"] == "*", "county"])
        pairs = pd.MultiIndex.from_arrays([targets["county"], targets["targets"]])
        ok_target = (county.isin(star)
                     | pd.MultiIndex.from_arrays([county, use["gap_target"]]).isin(pairs))
        allowed = dict(zip(sp["county"], sp["targets"].map(";".join)))
        bad = use.assign(key=county)[has_pool & ~ok_target]
        rep.each("eligibility", bad[["_row", "project_id", "year", "gap_target", "key", stream]],
                 lambda r, stream=stream:
                 f"schedule.csv row {r['_row']}: project {r['project_id']} (target "
                 f"{r['gap_target']}) draws {_m(r[stream])} from {stream} in {r['year']}, "
                 f"which may pay only for {allowed.get(r['key'], '')}")


# ====================================================================== rule 3: budget

def _ledger(f: _Facts) -> pd.DataFrame:
    """Per pool (stream, county or blank) and year: budget (rounded down to whole
    units), carried_in, spent (from the schedule), carried_out, unused.  An
    overspent year (a `budget` violation) carries nothing over."""
    scn = f.scn
    fu = scn.funds.assign(
        budget=np.floor(scn.funds["amount"].to_numpy(float) * MONEY_UNITS + 1e-6))
    rows = (fu.groupby(["stream", "county", "year"], sort=False)
            .agg(budget=("budget", "sum"), carry=("carry_over", "all")).reset_index())
    pools = fu[["stream", "county"]].drop_duplicates()
    grid = pools.merge(pd.DataFrame({"year": scn.years}), how="cross")
    grid = grid.merge(rows, on=["stream", "county", "year"], how="left")
    grid["budget"] = grid["budget"].fillna(0.0) / MONEY_UNITS
    grid["carry"] = grid["carry"].astype(object).where(grid["carry"].notna(), True).astype(bool)

    s = f.sched
    spent = []
    for stream in f.streams:
        if stream in f.pooled_streams:
            by = s.groupby("year")[stream].sum().reset_index().assign(county="")
        else:
            by = s.groupby(["pool_county", "year"])[stream].sum().reset_index()
            by = by.rename(columns={"pool_county": "county"})
        spent.append(by.rename(columns={stream: "spent"}).assign(stream=stream))
    spent = (pd.concat(spent, ignore_index=True) if spent else
             pd.DataFrame(columns=["stream", "county", "year", "spent"]))
    grid = grid.merge(spent[["stream", "county", "year", "spent"]],
                      on=["stream", "county", "year"], how="left")
    grid["spent"] = grid["spent"].astype(float).fillna(0.0)
    grid = grid.sort_values(["stream", "county", "year"], kind="stable").reset_index(drop=True)

    carried_in = np.zeros(len(grid))
    carried_out = np.zeros(len(grid))
    returned = np.zeros(len(grid))
    budget, spent_v, carry = (grid["budget"].to_numpy(), grid["spent"].to_numpy(),
                              grid["carry"].to_numpy())
    last = f.last
    years = grid["year"].to_numpy()
    revolving = _revolving(scn)
    for (stream, county), idx in grid.groupby(["stream", "county"], sort=False).indices.items():
        if (stream, county) in revolving:  # revolving fund: floor(share * spent) comes back
            k, share = revolving[(stream, county)]
            for j, i in enumerate(idx):
                if j >= k:
                    units = round(spent_v[idx[j - k]] * MONEY_UNITS)
                    returned[i] = np.floor(share * units + 1e-9) / MONEY_UNITS
        carried = 0.0
        for i in idx:  # few pools x years: a short loop
            carried_in[i] = carried
            left = budget[i] + carried + returned[i] - spent_v[i]
            carried = max(left, 0.0) if (carry[i] and years[i] != last) else 0.0
            carried_out[i] = carried
    grid["carried_in"] = carried_in
    grid["carried_out"] = carried_out
    grid["returned"] = returned
    grid["available"] = grid["budget"] + grid["carried_in"] + grid["returned"]
    grid["unused"] = grid["available"] - grid["spent"] - grid["carried_out"]
    return grid


def _revolving(scn) -> dict:
    """(stream, county) -> (returns_after, return_share) of revolving funds (扶贫周转金)."""
    fu = scn.funds
    if "returns_after" not in fu.columns:
        return {}
    out = {}
    for r in fu.itertuples():
        k = r.returns_after
        if k is not None and not pd.isna(k):
            share = r.return_share
            out[(r.stream, r.county)] = (int(k), 1.0 if share is None or pd.isna(share)
                                         else float(share))
    return out


def check_budget(f: _Facts, rep: _Report) -> pd.DataFrame:
    """Per pool and year, spent <= budget + carried_in (+ what a revolving fund gets
    back: floor(return_share * spent returns_after years before), in whole units);
    what is left carries to the next year when the row's carry_over is true and the
    year is not the last."""
    ledger = _ledger(f)
    bad = ledger[ledger["spent"] > ledger["available"] + TOL]
    rep.each("budget", bad,
             lambda r: f"stream {r['stream']}{_county(r['county'])}, {r['year']}: spent "
                       f"{_m(r['spent'])} > available {_m(r['available'])} (budget "
                       f"{_m(r['budget'])} + carried in {_m(r['carried_in'])}), over by "
                       f"{_m(r['spent'] - r['available'])}")
    return ledger


def _county(county: str) -> str:
    return f", county {county}" if county else " (pooled)"


def check_funds_table(ledger: pd.DataFrame, funds: pd.DataFrame, rep: _Report) -> None:
    """funds.csv has one row per pool and year, equal to the recomputed ledger
    (budget within one unit, the other amounts exactly)."""
    keys = ["stream", "year", "county"]
    dup = funds[funds.duplicated(keys, keep="first")]
    rep.each("funds", dup[["_row", "stream", "year", "county"]],
             lambda r: f"funds.csv row {r['_row']}: a second row for stream {r['stream']}"
                       f"{_county(r['county'])}, {r['year']}")
    both = ledger.merge(funds.drop_duplicates(keys), on=keys, how="outer",
                        suffixes=("", "_plan"), indicator=True)
    rep.each("funds", both[both["_merge"] == "left_only"],
             lambda r: f"funds.csv has no row for stream {r['stream']}{_county(r['county'])}, "
                       f"{r['year']}")
    rep.each("funds", both[both["_merge"] == "right_only"],
             lambda r: f"funds.csv row {int(r['_row'])}: stream {r['stream']}"
                       f"{_county(r['county'])}, {r['year']} is not a money pool of funds.csv "
                       "in the scenario")
    both = both[both["_merge"] == "both"]
    for col in FUNDS_MONEY + (("returned",) if "returned" in funds.columns else ()):
        tol = ONE_UNIT if col == "budget" else TOL
        bad = both[(both[col] - both[f"{col}_plan"]).abs() > tol]
        rep.each("funds", bad,
                 lambda r, col=col: f"funds.csv row {int(r['_row'])}: stream {r['stream']}"
                                    f"{_county(r['county'])}, {r['year']}: {col} is "
                                    f"{_m(r[col + '_plan'])}; recomputed {_m(r[col])}")


# ====================================================================== rules 4-6

def check_requires(f: _Facts, rep: _Report) -> None:
    """Every project a scheduled project `requires` is scheduled and finishes in a
    year before this one starts."""
    st = f.starts[["project_id", "start", "p_requires"]]
    req = st.explode("p_requires").dropna(subset=["p_requires"])
    if req.empty:
        return
    pre = f.starts[["project_id", "finish"]].rename(
        columns={"project_id": "p_requires", "finish": "pre_finish"})
    req = req.merge(pre, on="p_requires", how="left")
    rep.each("requires", req[req["pre_finish"].isna()],
             lambda r: f"project {r['project_id']} (start {r['start']}) requires "
                       f"{r['p_requires']}, which is not scheduled")
    bad = req[req["pre_finish"].notna() & (req["pre_finish"] >= req["start"])]
    rep.each("requires", bad,
             lambda r: f"project {r['project_id']} starts in {r['start']} but its prerequisite "
                       f"{r['p_requires']} finishes in {int(r['pre_finish'])}; it must finish "
                       "in a year before")


def check_alternative_groups(f: _Facts, rep: _Report) -> None:
    """At most one scheduled project per alternative_group."""
    st = f.starts[f.starts["p_group"] != ""]
    st = st[st.duplicated("p_group", keep=False)]
    rep.each_group("alternative_group", st, ["p_group"],
                   lambda g: f"alternative group {g['p_group'].iloc[0]}: {len(g)} projects are "
                             f"scheduled ({', '.join(g['project_id'])}); at most one may be")


def check_one_per_gap(f: _Facts, rep: _Report) -> None:
    """One work per gap: at most one scheduled project per (village, target), unless
    the gap is cumulative (has a `quantity`): then several may add up to it."""
    st = f.starts[["project_id", "p_village_id", "p_target"]]
    g = f.gaps[["village_id", "target", "quantity"]].rename(
        columns={"village_id": "p_village_id", "target": "p_target"})
    st = st.merge(g, on=["p_village_id", "p_target"], how="left")
    st = st[st["quantity"].isna()]
    st = st[st.duplicated(["p_village_id", "p_target"], keep=False)]
    rep.each_group("one_per_gap", st, ["p_village_id", "p_target"],
                   lambda g: f"village {g['p_village_id'].iloc[0]}, target "
                             f"{g['p_target'].iloc[0]}: {len(g)} works are scheduled "
                             f"({', '.join(g['project_id'])}) for one gap")


def check_locks(f: _Facts, rep: _Report) -> None:
    """Every lock_in project is scheduled; no lock_out project is."""
    chosen = set(f.sched["project_id"])
    for pid in sorted(f.scn.lock_in - chosen):
        rep.add("lock", f"project {pid} is locked in but not scheduled")
    for pid in sorted(f.scn.lock_out & chosen):
        rep.add("lock", f"project {pid} is locked out but scheduled")


# ====================================================================== rules 7-8

def _deadline_results(f: _Facts) -> list[dict]:
    """Per deadline: villages in scope (planned villages only), how many have no open
    gap of the target at the end of its year, and how many must."""
    v = f.village_table[~f.village_table["relocated"]]
    g = f.gaps
    out = []
    for d in f.scn.deadlines:
        if d.scope == "all":
            scope = v
        elif d.scope == "deep_poverty":
            scope = v[v["deep_poverty"]]
        else:
            scope = v[v["county"].isin(d.scope)]
        ids = set(scope["village_id"])
        have = g[g["village_id"].isin(ids) & (g["target"] == d.target)]
        still_open = have[~(have["close_year"] <= d.year)]
        n = len(ids)
        out.append({"deadline": d, "n": n, "met": n - len(still_open),
                    "required": int(math.ceil(d.share * n - 1e-9)),
                    "open": list(still_open["village_id"])})
    return out


def check_deadlines(f: _Facts, rep: _Report) -> None:
    """Hard deadlines: at the end of the year, at least ceil(share * villages in
    scope) villages have no open gap of the target (no gap at all counts as met)."""
    for r in _deadline_results(f):
        d = r["deadline"]
        if d.soft or r["met"] >= r["required"]:
            continue
        shown = ", ".join(r["open"][:10]) + (" ..." if len(r["open"]) > 10 else "")
        rep.add("deadline", f"deadline {d.label()}: {r['met']} of {r['n']} villages in scope "
                f"have no open {d.target} gap at the end of {d.year}; {r['required']} must "
                f"(open in: {shown})")


def check_fairness(f: _Facts, rep: _Report) -> None:
    """fairness.min_rate: every county's on-time rate (planned villages on time / planned)
    is at least min_rate; fairness.max_spread: the highest minus the lowest at most it."""
    settings = f.scn.fairness
    if not settings.get("min_rate") and settings.get("max_spread") is None:
        return
    vt = f.village_table[~f.village_table["relocated"]]
    rates = vt.groupby("county")["on_time_bool"].mean()
    low = settings.get("min_rate")
    if low:
        for county, rate in rates.items():
            if rate < low - 1e-9:
                rep.add("fairness", f"county {county}: on-time rate {rate:.4f} < min_rate {low}")
    spread = settings.get("max_spread")
    if spread is not None and len(rates) and rates.max() - rates.min() > spread + 1e-9:
        rep.add("fairness", f"on-time rates spread {rates.max() - rates.min():.4f} "
                            f"({rates.idxmax()} {rates.max():.4f}, {rates.idxmin()} "
                            f"{rates.min():.4f}) > max_spread {spread}")


def check_reserve(f: _Facts, rep: _Report) -> None:
    """reserve: a share of a stream only deep-poverty villages may use.  Villages that are
    not deep-poverty draw only on the rest: per pool, year by year, their spending from
    the stream fits (1 - share) of each year's money (whole units, rounded as the budget
    is) plus what that part carried over."""
    if not f.scn.reserve:
        return
    deep = set(f.scn.villages.loc[f.scn.villages["deep_poverty"].astype(bool), "village_id"])
    s = f.sched[~f.sched["p_village_id"].isin(deep)]
    fu = f.scn.funds
    for res in f.scn.reserve:
        stream = res["stream"]
        pooled = stream in f.pooled_streams
        for county, grp in fu[fu["stream"] == stream].groupby("county", sort=False):
            mine = s if pooled else s[s["pool_county"] == county]
            carried = 0.0
            for year in f.scn.years:
                row = grp[grp["year"] == year]
                units = float(np.floor(row["amount"].sum() * MONEY_UNITS + 1e-6))
                open_part = (units - np.floor(units * res["share"] + 1e-9)) / MONEY_UNITS
                avail = open_part + carried
                spent = float(mine.loc[mine["year"] == year, stream].sum())
                if spent > avail + TOL:
                    rep.add("reserve", f"stream {stream}{_county(county)}, {year}: villages "
                                       f"outside deep poverty drew {_m(spent)} > {_m(avail)} "
                                       f"not reserved for deep-poverty villages")
                carry = bool(row["carry_over"].all()) if len(row) else True
                carried = max(avail - spent, 0.0) if carry and year != f.last else 0.0


def check_exit_standard(f: _Facts, rep: _Report) -> None:
    """min_cost: every planned village closes its exit-standard gaps by its due year
    (its exit year, or the first year for villages that exited before)."""
    g = f.gaps
    bad = g[g["planned"] & g["exit"] & ~g["on_time"]]
    rep.each("exit_standard", bad,
             lambda r: f"village {r['village_id']}: exit-standard gap {r['target']} is due by "
                       f"{r['due']} but " + ("stays open" if pd.isna(r["close_year"]) else
                                             f"closes in {int(r['close_year'])}"))


# ====================================================================== rule 9: villages.csv

def _norm_int(text: pd.Series) -> pd.Series:
    num = pd.to_numeric(text, errors="coerce")
    good = num.notna() & np.isfinite(num) & (num == np.round(num))
    out = text.astype(object).copy()
    out[good] = num[good].astype(np.int64).astype(str)
    return out


def _norm_bool(text: pd.Series) -> pd.Series:
    def norm(x: str) -> str:
        b = parse_bool(x) if x else None
        return x if b is None else ("true" if b else "false")
    return text.map(norm)


def _norm_list(text: pd.Series) -> pd.Series:
    return text.map(lambda x: ";".join(t.strip() for t in x.split(";") if t.strip()))


def check_villages_table(f: _Facts, plan: pd.DataFrame, rep: _Report) -> None:
    """villages.csv: one row per village of the inputs (relocated ones with a blank
    on_time), with gaps, gaps_closed, on_time (every exit-standard gap closed by the
    due year), completion_year (last exit-standard gap's finish; first year - 1
    without any; blank while one is open) and open_targets as recomputed."""
    want = f.village_table
    dup = plan[plan.duplicated("village_id", keep="first")]
    rep.each("villages", dup[["_row", "village_id"]],
             lambda r: f"villages.csv row {r['_row']}: a second row for village {r['village_id']}")
    plan = plan.drop_duplicates("village_id").copy()
    for col in ("exit_year", "gaps", "gaps_closed", "completion_year"):
        plan[col] = _norm_int(plan[col])
    plan["on_time"] = _norm_bool(plan["on_time"])
    plan["open_targets"] = _norm_list(plan["open_targets"])
    exp = want[list(VILLAGE_COLUMNS)].astype(str)
    both = exp.merge(plan[list(VILLAGE_COLUMNS) + ["_row"]], on="village_id", how="outer",
                     suffixes=("", "_plan"), indicator=True)
    rep.each("villages", both[both["_merge"] == "left_only"],
             lambda r: f"villages.csv has no row for village {r['village_id']}")
    rep.each("villages", both[both["_merge"] == "right_only"],
             lambda r: f"villages.csv row {int(r['_row'])}: village {r['village_id']} is not "
                       "a village of the scenario")
    both = both[both["_merge"] == "both"]
    for col in VILLAGE_COLUMNS[1:]:
        bad = both[both[col] != both[f"{col}_plan"]]
        rep.each("villages", bad,
                 lambda r, col=col: f"villages.csv row {int(r['_row'])}, village "
                                    f"{r['village_id']}: {col} is {r[col + '_plan']!r}; "
                                    f"the schedule gives {r[col]!r}")


# ====================================================================== rule 10: summary

def _plan_objective(f: _Facts, deadlines: list[dict]) -> float:
    """The plan's value by the documented rule (no tie-break).

    max_coverage: per closed gap of a planned village, weight (x late_factor when it
    closes after its due year), each rounded to 0.0001; + on_time_bonus (rounded)
    per planned village on time; - soft_deadline_penalty (rounded) per village a
    soft deadline falls short.  min_cost: the pooled cost of the schedule."""
    if f.scn.objective == "min_cost":
        return float(f.sched["pooled_cost"].sum())
    w = f.scn.weights
    q = lambda x: round(x / VALUE_QUANTUM) * VALUE_QUANTUM  # noqa: E731
    late = float(w["late_factor"])
    if f.scn.partial_credit:  # cumulative gaps pro rata: on-time share, then late share
        g = f.gaps[f.gaps["planned"]]
        cum = g["quantity"].notna().to_numpy()
        on_w = np.round(g["weight"].to_numpy(float) / VALUE_QUANTUM) * VALUE_QUANTUM
        late_w = np.round(g["weight"].to_numpy(float) * late / VALUE_QUANTUM) * VALUE_QUANTUM
        closed = g["closed"].to_numpy()
        on = np.where(cum, g["share_due"], (closed & (g["close_year"] <= g["due"])))
        end = np.where(cum, g["share_end"], closed)
        value = float((on_w * on + late_w * (end - on)).sum())
    else:
        g = f.gaps[f.gaps["planned"] & f.gaps["closed"]]
        factor = np.where(g["close_year"] <= g["due"], 1.0, late)
        terms = np.round(g["weight"].to_numpy(float) * factor / VALUE_QUANTUM) * VALUE_QUANTUM
        value = float(terms.sum())
    value += q(float(w["on_time_bonus"])) * int(f.village_table["on_time_bool"].sum())
    for r in deadlines:
        if r["deadline"].soft:
            value -= q(float(w["soft_deadline_penalty"])) * max(0, r["required"] - r["met"])
    return value


def _number(x) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x)


def check_summary(f: _Facts, summary: dict, rep: _Report) -> None:
    """summary.json has the contract's keys; gaps_closed, villages_on_time (per exit
    year, planned villages), total_cost and the objective match the plan, and the
    objective lies within the best bound."""
    missing = [k for k in SUMMARY_KEYS if k not in summary]
    if missing:
        rep.add("summary", f"summary.json lacks key(s) {', '.join(missing)}")
    status = summary.get("status")
    if "status" in summary and status not in STATUSES:
        rep.add("summary", f"summary.json status {status!r} is not one of {', '.join(STATUSES)}")

    closed = int(f.gaps.loc[f.gaps["planned"], "closed"].sum())
    if "gaps_closed" in summary and summary["gaps_closed"] != closed:
        rep.add("summary", f"summary.json gaps_closed is {summary['gaps_closed']!r}; the "
                f"schedule closes {closed} gaps")

    v = f.village_table[~f.village_table["relocated"]]
    want = {str(int(y)): int(n) for y, n in v.groupby("exit_year")["on_time_bool"].sum().items()}
    got = summary.get("villages_on_time")
    if "villages_on_time" in summary:
        if not isinstance(got, dict):
            rep.add("summary", "summary.json villages_on_time must map exit years to counts")
        else:
            for year in sorted(set(want) | {str(k) for k in got}):
                have = got.get(year, 0)  # JSON keys are text
                if have != want.get(year, 0):
                    rep.add("summary", f"summary.json villages_on_time[{year}] is {have!r}; "
                            f"{want.get(year, 0)} villages of exit year {year} are on time")

    total = float(f.sched["cost"].sum())
    if "total_cost" in summary:
        got_total = _number(summary["total_cost"])
        if got_total is None or abs(got_total - total) > TOL + 1e-12 * abs(total):
            rep.add("summary", f"summary.json total_cost is {summary['total_cost']!r}; the "
                    f"schedule's costs add up to {_m(total)}")

    if status not in WITH_PLAN:
        return
    objective = _number(summary.get("objective"))
    if objective is None:
        rep.add("objective", f"summary.json objective is {summary.get('objective')!r} for a "
                f"plan of status {status}")
        return
    value = _plan_objective(f, _deadline_results(f))
    if abs(objective - value) > 1e-6 + 1e-9 * abs(value):
        rep.add("objective", f"summary.json objective is {objective!r}; the plan's "
                f"{f.scn.objective} value recomputed is {value:.6f}")
    bound = summary.get("best_bound")
    if bound is not None:
        b = _number(bound)
        if b is None:
            rep.add("objective", f"summary.json best_bound {bound!r} is not a number")
        elif f.scn.objective == "max_coverage" and objective > b + 1e-6:
            rep.add("objective", f"objective {objective!r} exceeds the best bound {b!r} "
                    "(maximising: no plan can beat the bound)")
        elif f.scn.objective == "min_cost" and objective < b - 1e-6:
            rep.add("objective", f"objective {objective!r} is below the best bound {b!r} "
                    "(minimising: no plan can beat the bound)")
