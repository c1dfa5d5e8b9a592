"""The plan and scenario as explain reads them: the context of every answer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from models.evaluate import on_time
from models.instance import Instance
from models.ledger import spendable

from ..errors import InputError, Problem
from ..scenario import YAML, Scenario

#: at most this many candidates of a gap have their money looked at (cheapest first)
MAX_FORCED = 3


def few(items: list[str], n: int = 10) -> str:
    """At most n items, then how many more."""
    more = f" (+{len(items) - n} more)" if len(items) > n else ""
    return ", ".join(items[:n]) + more


# ---------------------------------------------------------------- inputs

def scenario_folder(plan_dir: Path, summary: dict) -> Path:
    """The scenario a plan was made from: the folder of the last scenario.yaml listed
    in summary.json["inputs"] (load_scenario lists a variant's base chain first and
    the variant's own scenario.yaml last)."""
    yamls = [Path(p) for p in summary.get("inputs", {}) if Path(p).name == YAML]
    if not yamls:
        tables = [Path(p) for p in summary.get("inputs", {})]
        if not tables:
            raise InputError(Problem(str(plan_dir / "summary.json"),
                                     "lists no input files; give the scenario folder "
                                     "with --scenario"))
        folder = tables[0].parent
    else:
        folder = yamls[-1].parent
    if not folder.is_dir() and not folder.is_absolute():
        # made with a relative path from elsewhere: try beside the plan folder
        for base in (plan_dir.resolve().parent, plan_dir.resolve()):
            if (base / folder).is_dir():
                folder = base / folder
                break
    if not folder.is_dir():
        raise InputError(Problem(str(plan_dir / "summary.json"),
                                 f"names the scenario folder {folder}, which does not exist "
                                 "(here); give it with --scenario"))
    return folder


def plan_start(inst: Instance, schedule: pd.DataFrame) -> np.ndarray:
    start = np.full(inst.n_projects, -1, dtype=np.int64)
    pidx = {p: i for i, p in enumerate(inst.project_ids)}
    first = int(inst.years[0])
    for pid, s in schedule.drop_duplicates("project_id")[["project_id", "start_year"]] \
            .itertuples(index=False):
        if pid not in pidx:
            raise InputError(Problem("schedule.csv", "project is not in the scenario's "
                                     "projects; the plan was made from another scenario "
                                     "(give it with --scenario)", column="project_id",
                                     value=pid))
        start[pidx[pid]] = int(s) - first
    return start


def free_money(inst: Instance, funds: pd.DataFrame) -> np.ndarray:
    """(B, Y) money the plan leaves that a new work could still spend in year t:
    the least left at the end of t and of every later year its money carries into."""
    Y, B = inst.n_years, inst.n_pools
    left = np.zeros((B, Y))
    key = {(s, inst.county_names[c] if c >= 0 else ""): b
           for b, (s, c) in enumerate(zip(inst.pool_stream, inst.pool_county))}
    first = int(inst.years[0])
    for r in funds.itertuples(index=False):
        b = key.get((r.stream, r.county))
        t = int(r.year) - first
        if b is not None and 0 <= t < Y:
            left[b, t] = float(r.carried_out) + float(r.unused)
    return spendable(inst, left)


# ---------------------------------------------------------------- per gap

class Ctx:
    """The plan being explained: its scenario and instance, start years (`start`), tables,
    summary.json, the money it leaves (`free`) and its villages on time."""

    def __init__(self, scn: Scenario, inst: Instance, start: np.ndarray, schedule, funds,
                 summary: dict | None = None):
        self.scn, self.inst, self.start = scn, inst, start
        self.schedule, self.funds, self.summary = schedule, funds, summary or {}
        self.on_time = on_time(inst, start)
        self.first = int(inst.years[0])
        self.free = free_money(inst, funds)
        self.finish = np.where(start >= 0, start + inst.proj_duration - 1, -1)
        self.pidx = {p: i for i, p in enumerate(inst.project_ids)}
        self.prj = scn.projects.set_index("project_id")
        self.pooled_total = inst.proj_pooled_units.sum(axis=1) / inst.money_units
        self._es: dict[int, int] = {}

    def year(self, t) -> int:
        return int(self.inst.years[0]) + int(t)

    def pool_name(self, b: int) -> str:
        c = self.inst.pool_county[b]
        return (f"{self.inst.pool_stream[b]} ({self.inst.county_names[c]})" if c >= 0
                else self.inst.pool_stream[b])

    def streams_text(self, pools) -> str:
        """Pools as a sentence names them: 'lottery and integrated of 石楼县, special_bonds'."""
        by_county: dict[str, list[str]] = {}
        for b in pools:
            c = self.inst.pool_county[b]
            by_county.setdefault(self.inst.county_names[c] if c >= 0 else "", []).append(
                self.inst.pool_stream[b])
        parts = []
        for county, streams in by_county.items():
            names = (", ".join(streams[:-1]) + " and " + streams[-1] if len(streams) > 1
                     else streams[0])
            parts.append(f"{names} of {county}" if county else names)
        return "; ".join(parts)

    def earliest_start(self, p: int, seen=()) -> int:
        """Earliest start year index of p, after its prerequisites can finish."""
        if p in self._es:
            return self._es[p]
        es = int(self.inst.proj_earliest[p])
        for q, r in self.inst.requires:
            if q == p and r not in seen:
                es = max(es, self.earliest_start(int(r), seen + (p,))
                         + int(self.inst.proj_duration[r]))
        self._es[p] = es
        return es
