"""A `planner robust` sample's scenario folder (DIR/samples/NNN/scenario) against the
scenario and the sample's draw (planner.check.robust): the money and costs drawn, the
first year decided as `planner replan` decides an executed year.

Compared: funds.csv's rows (stream, year, county, in order) and amounts (the
scenario's x the draw's factor, to one unit of rounding); projects.csv's works and
costs (the scenario's x (1 + the target's overrun), a first-year work at its cost);
the windows (a first-year work's that year and locked in; every other work's from the
second year, or locked out when it then cannot start and finish in the horizon); the
locks (the scenario's and the first year's); scenario.yaml without uncertainty, under
the weighted rule for a lexicographic one.  Not compared: the other columns of the two
tables, villages.csv and gaps.csv and the other settings (copied from the scenario
unchanged); each sample's plan is verified against this folder as a plan.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from ..errors import Problems
from ..tables import read_table as read_input
from .report import ONE_UNIT


def check_sample_scenario(folder: Path, name: str, inp, unc, draw, first, rep) -> None:
    """The sample's scenario folder is the scenario with the draw (module docstring)."""
    problems = Problems()
    funds = read_input(folder, "funds", problems)
    projects = read_input(folder, "projects", problems)
    try:
        cfg = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        problems.add("scenario.yaml", f"cannot be read ({exc})")
    for p in problems.items:
        rep.add("sample_scenario", f"{name}/scenario: {p}")
    if problems.items:
        return
    money, costs = draw
    base = inp.funds.reset_index(drop=True)
    key = lambda f: list(zip(f["stream"].astype(str), f["year"].astype(int),  # noqa: E731
                             f["county"].fillna("").astype(str)))
    if key(funds) != key(base):
        rep.add("sample_scenario", f"{name}/scenario/funds.csv does not hold the scenario's "
                                   "money rows (stream, year, county) in their order")
    else:
        factor = pd.Series(1.0, index=base.index)
        for m, f in zip(unc["money"], money):
            rows = (base["stream"] == m["stream"]) & (base["year"] == m["year"])
            if m["county"] is not None:
                rows &= base["county"] == m["county"]
            factor[rows] = f
        for i, row in base.iterrows():
            want, got = float(row["amount"]) * factor[i], float(funds["amount"].iloc[i])
            if abs(got - want) > ONE_UNIT:
                rep.add("sample_scenario", f"{name}/scenario/funds.csv row {i + 2} "
                                           f"({row['stream']} {row['year']}): amount "
                                           f"{got:.4f}; the scenario's {row['amount']:.4f} x "
                                           f"the draw's {factor[i]:g} is {want:.4f}")
    over = dict(zip([c["target"] for c in unc["costs"]], costs))
    mine = inp.projects.set_index("project_id")
    theirs = projects.set_index("project_id")
    if set(theirs.index) != set(mine.index):
        rep.add("sample_scenario", f"{name}/scenario/projects.csv does not hold the "
                                   "scenario's works")
        return
    y0, y1 = inp.years[0], inp.years[min(1, len(inp.years) - 1)]
    lock = cfg.get("lock") or {}
    lock_in, lock_out = set(lock.get("in") or []), set(lock.get("out") or [])
    for pid, w in mine.iterrows():
        t = theirs.loc[pid]
        want = float(w["cost"]) * (1.0 if pid in first else 1.0 + over.get(w["target"], 0.0))
        if abs(float(t["cost"]) - want) > ONE_UNIT:
            rep.add("sample_scenario", f"{name}/scenario/projects.csv {pid}: cost "
                                       f"{float(t['cost']):.4f}; the draw gives {want:.4f}")
        lo, hi = int(t["earliest_year"]), int(t["latest_year"])
        if pid in first and (lo, hi, pid in lock_in) != (y0, y0, True):
            rep.add("sample_scenario", f"{name}/scenario: first-year work {pid} is not "
                                       f"locked in with its window {y0}..{y0}")
        elif pid not in first and pid not in lock_out and (
                lo != max(int(w["earliest_year"]), y1) or hi != int(w["latest_year"])):
            rep.add("sample_scenario", f"{name}/scenario: {pid}'s window {lo}..{hi}; from "
                                       f"the second year it is "
                                       f"{max(int(w['earliest_year']), y1)}.."
                                       f"{int(w['latest_year'])}")
    last = inp.years[-1]
    for pid in sorted(lock_out - (set(inp.lock_out) - first)):
        w = mine.loc[pid] if pid in mine.index else None
        if w is None or pid in first or max(int(w["earliest_year"]), y1) <= min(
                int(w["latest_year"]), last - int(w["duration"]) + 1):
            rep.add("sample_scenario", f"{name}/scenario locks out {pid}, which the "
                                       "scenario does not lock out and which can still "
                                       f"start from {y1}")
    if not set(inp.lock_out) - first <= lock_out:
        rep.add("sample_scenario", f"{name}/scenario does not lock out the scenario's "
                                   "locked-out works")
    if lock_in != set(inp.lock_in) | first:
        rep.add("sample_scenario", f"{name}/scenario locks in {sorted(lock_in)[:5]}, not "
                                   "the scenario's locks and the first year's works")
    rule = inp.exit_priority[0]
    if "uncertainty" in cfg or cfg.get("exit_priority", "lexicographic") != (
            "weighted" if rule == "lexicographic" else rule):
        rep.add("sample_scenario", f"{name}/scenario.yaml keeps uncertainty: or its "
                                   f"exit_priority {cfg.get('exit_priority')!r} is not the "
                                   f"weighted rule (the scenario's: {rule})")
