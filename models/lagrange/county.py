"""One county's priced program, solved where the county solves run (a Dask worker).

    max  f_c(x) + sum_j m_j a_cj(x)     over the county's own program (coupling.py)

f_c is the county's part of the objective; a_cj its activity in coupling row j: the
villages of batch i on time, the gaps of a relaxed deadline closed by its year, and
minus its spending of pooled pool b in the years a..t of row (b, t).  `evaluate` solves
a list of counties at the multipliers m: the LP relaxation (optimal, or no bound for that
county), and with ``mip`` also the integer program within a time limit, whose dual
bound is taken when below the LP's (a primal value of a solve cut short never is).

Each county's model is built once per run and kept in this process (`CACHE`, keyed by
the run's token): later evaluations change the objective and re-solve from the last
basis.  A worker that has not got a county (a task placed on another worker) answers
``miss`` and the caller sends the county's program again.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from ..formulation import build
from ..formulation.constraints import closed
from ..instance import Instance

#: county models kept per process, by (token, county); the oldest runs are dropped
CACHE: OrderedDict = OrderedDict()
#: runs (tokens) whose models a process keeps
KEEP_RUNS = 2


@dataclass
class CountyModel:
    model: object  # LinearModel
    layout: object
    lp: object  # highspy.Highs with the LP relaxation loaded (warm between evaluations)
    cost0: np.ndarray
    offset0: float
    rows: np.ndarray  # coupling entries: multiplier, column, coefficient
    cols: np.ndarray
    vals: np.ndarray
    const: np.ndarray  # (n_mult,) activity that needs no variable
    spend: list  # per pooled pool of the whole: (pool, flow columns, 万元 per unit, years)
    units: float  # money units per 万元
    n_projects: int


def county_model(sub: Instance, spec: dict) -> CountyModel:
    """Build county `sub`'s model and its coupling terms (`spec`, coupling.py)."""
    from ..backends import highs

    model, L = build(sub)
    cost0 = np.concatenate(model.cost).astype(float)
    n = spec["n_mult"]
    rows, cols, vals, const = [], [], [], np.zeros(n)
    o_of = np.full(sub.n_villages, -1)
    o_of[L.o_village] = L.o
    for j, i in spec["batches"]:
        if i >= len(sub.batches):
            continue
        var = o_of[sub.batches[i]]
        rows.append(np.full(int((var >= 0).sum()), j))
        cols.append(var[var >= 0])
        vals.append(np.ones(int((var >= 0).sum())))
        const[j] += float((var < 0).sum())
    for j, target, year, villages in spec["deadlines"]:
        scope = np.zeros(sub.n_villages, dtype=bool)
        scope[villages] = True
        gaps = np.flatnonzero((sub.gap_target == target) & scope[sub.gap_village])
        if len(gaps):
            _, c, v = closed(sub, L, gaps, np.full(len(gaps), year))
            rows.append(np.full(len(c), j))
            cols.append(c)
            vals.append(v)
    per_unit = L.flow_units / sub.money_units  # 万元 per flow variable unit
    spend = []
    for b, local in spec["pooled_local"]:
        pairs = np.flatnonzero(L.flow_pairs[:, 1] == local) if len(L.flow_pairs) else []
        spend.append((b, L.flow_vars[pairs], per_unit[pairs]))
    for j, local, t, a in spec["money"]:
        pairs = np.flatnonzero(L.flow_pairs[:, 1] == local) if len(L.flow_pairs) else []
        for s in range(a, t + 1):
            rows.append(np.full(len(pairs), j))
            cols.append(L.flow_vars[pairs, s])
            vals.append(-per_unit[pairs])
    cat = lambda parts, dt: np.concatenate(parts).astype(dt) if parts else np.zeros(0, dt)
    # one thread, as the county solves beside it in the same process (models.decompose):
    # HiGHS keeps one global pool and a solve asking for another size resets it, which
    # left these kept LPs' neighbours ending "not set" (no plan) on a worker
    return CountyModel(model, L, highs.load_relaxation(model, threads=1), cost0,
                       float(model.offset), cat(rows, np.int64), cat(cols, np.int64),
                       cat(vals, float), const, spend, float(sub.money_units),
                       sub.n_projects)


def priced_cost(cm: CountyModel, m: np.ndarray) -> np.ndarray:
    cost = cm.cost0.copy()
    np.add.at(cost, cm.cols, m[cm.rows] * cm.vals)
    return cost


def activity(cm: CountyModel, x: np.ndarray) -> np.ndarray:
    """(n_mult,) the county's activity in every coupling row at the column values x."""
    return cm.const + np.bincount(cm.rows, weights=cm.vals * x[cm.cols],
                                  minlength=len(cm.const))


def spending(cm: CountyModel, x: np.ndarray, n_years: int) -> list:
    """[(pooled pool, (Y,) money units spent per year)] at the column values x."""
    return [(b, (x[fv] * unit[:, None]).sum(axis=0) * cm.units if len(unit)
             else np.zeros(n_years)) for b, fv, unit in cm.spend]


def _column(cm: CountyModel, x: np.ndarray, n_years: int) -> dict:
    return {"value": float(cm.cost0 @ x + cm.offset0), "activity": activity(cm, x),
            "spend": spending(cm, x, n_years)}


def _solve_lp(cm: CountyModel, m: np.ndarray, time_limit: float | None):
    import highspy

    cost = priced_cost(cm, m)
    h = cm.lp
    h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
    h.setOptionValue("time_limit", float(time_limit) if time_limit else highspy.kHighsInf)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None, None
    x = np.asarray(h.getSolution().col_value, dtype=float)
    return float(h.getInfo().objective_function_value) + float(m @ cm.const), x


def _solve_mip(cm: CountyModel, m: np.ndarray, time_limit: float):
    """(dual bound of the priced MIP or None, its incumbent's column values or None)."""
    from ..backends import highs
    from ..params import SolveParams

    model = cm.model
    saved = [c.copy() for c in model.cost]
    cost = priced_cost(cm, m)
    at = 0
    for c in model.cost:
        c[:] = cost[at:at + len(c)]
        at += len(c)
    try:
        sol = highs.BACKEND.solve(model, SolveParams(time_limit=max(0.05, time_limit),
                                                     gap=1e-6, threads=1, seed=0))
    finally:
        for c, old in zip(model.cost, saved):
            c[:] = old
    bound = sol.bound if sol.bound is not None and np.isfinite(sol.bound) else None
    return (None if bound is None else bound + float(m @ cm.const)), sol.values


def evaluate(token: str, items: list, m: np.ndarray, n_years: int, mip: float | None = None,
             time_limit: float | None = None) -> list[dict]:
    """Each county of `items` ((county, program or None, spec or None)) at the multipliers
    m: {county, phi (a valid bound of its priced program, or None), value, activity,
    spend} from the LP (and `mip` seconds of the integer program when given: then also
    `start`, the incumbent's start years, and its column as `mip_column`); or
    {county, miss: True} when this process has not got the county and was not sent it."""
    out = []
    for county, sub, spec in items:
        key = (token, county)
        cm = CACHE.get(key)
        if cm is None:
            if sub is None:
                out.append({"county": county, "miss": True})
                continue
            cm = CACHE[key] = county_model(sub, spec)
            _forget_old_runs(token)
        began = time.perf_counter()
        phi, x = _solve_lp(cm, m, time_limit)
        row = {"county": county, "phi": phi, "seconds": 0.0}
        if x is not None:
            row.update(_column(cm, x, n_years))
        if mip and phi is not None:
            bound, values = _solve_mip(cm, m, mip)
            if bound is not None and bound < phi:
                row["phi"] = bound
            if values is not None:
                row["start"] = _starts(cm, values)
                row["mip_column"] = _column(cm, values, n_years)
        row["seconds"] = time.perf_counter() - began
        out.append(row)
    return out


def _starts(cm: CountyModel, values: np.ndarray) -> np.ndarray:
    """Start year index per county project (-1: none) of integer column values."""
    L = cm.layout
    start = np.full(cm.n_projects, -1, dtype=np.int64)
    chosen = values[L.x] > 0.5
    start[L.x_proj[chosen]] = L.x_start[chosen]
    return start


def _forget_old_runs(token: str) -> None:
    runs = list(dict.fromkeys(t for t, _ in CACHE))
    for old in runs[:-KEEP_RUNS] if token in runs else runs[:-KEEP_RUNS + 1]:
        for key in [k for k in CACHE if k[0] == old]:
            del CACHE[key]

