"""The sample-average program in one piece (the extensive form): one copy of the
planning program per sample (`models.robust.copies`), stacked side by side, with
non-anticipativity rows tying the first year's start variables of every copy to the
first copy's (the works started in the first year are decided once for all samples),
and one of three objectives over the copies' values v_k (each copy's own objective,
the plan's value in that sample):

    expected   max  sum_k v_k / N
    worst      max  t             t <= v_k for every k
    cvar       max  e - sum_k s_k / ((1 - alpha) N)    s_k >= e - v_k, s_k >= 0
               (Rockafellar-Uryasev: at the optimum, the mean value of the worst
               (1 - alpha) share of the samples)

The later years of each copy adapt to its sample.  `solve_copies` hands the program to
a backend with a full hint (the copies' plans for a first year they share: every copy
completed by `models.columns.complete_plan`) and keeps the hint when the backend returns
nothing better, as `models.solve.solve` does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..backends import get as get_backend
from ..columns import complete_plan
from ..linear import INF, LinearModel, VarBlock
from ..params import SolveParams
from ..result import SolveStatus, relative_gap
from .copies import Copy

OBJECTIVES = ("expected", "worst", "cvar")


def risk(values, objective: str = "expected", alpha: float = 0.9) -> float:
    """The objective's measure of the copies' values: their mean, their least, or the
    conditional value at risk at `alpha` (the mean of the worst (1 - alpha) share,
    Rockafellar-Uryasev: the best e - sum (e - v)+ / ((1 - alpha) N), found at one of
    the values)."""
    v = np.asarray(values, dtype=float)
    if objective == "expected":
        return float(v.mean())
    if objective == "worst":
        return float(v.min())
    if objective != "cvar":
        raise ValueError(f"objective must be one of {OBJECTIVES}")
    scale = 1.0 / ((1.0 - alpha) * len(v))
    return float(max(e - scale * np.maximum(e - v, 0.0).sum() for e in v))


@dataclass
class Stacked:
    model: LinearModel
    offsets: list  # first variable of each copy
    extra: dict = field(default_factory=dict)  # "t" / "e": var; "s": vars


def stack(copies: list[Copy], objective: str = "expected", alpha: float = 0.9) -> Stacked:
    """The extensive form of the copies (see the module's docstring)."""
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}")
    if objective == "cvar" and not 0 <= alpha < 1:
        raise ValueError("alpha must lie in [0, 1)")
    m = LinearModel(maximize=True)
    n = len(copies)
    offsets, value_rows = [], []
    for k, c in enumerate(copies):
        if not c.model.maximize:
            raise ValueError("only a program that maximises its value can be stacked")
        cost, lb, ub, integer, lo, hi, r, col, v = c.model.arrays()
        start = m.n_vars
        offsets.append(start)
        m.lb.append(lb)
        m.ub.append(ub)
        m.integer.append(integer)
        m.cost.append(cost / n if objective == "expected" else np.zeros_like(cost))
        m.blocks[f"copy{k}"] = VarBlock(f"copy{k}", start, len(cost), len(m.cost) - 1)
        m.n_vars += len(cost)
        m.add_rows(f"copy{k}", c.model.n_rows, r, col + start, v, lo, hi)
        nz = np.flatnonzero(cost)
        value_rows.append((nz + start, cost[nz], c.model.offset))
    if objective == "expected":
        m.offset = sum(off for _, _, off in value_rows) / n
    first = copies[0]
    for k, c in enumerate(copies[1:], start=1):  # non-anticipativity
        if not np.array_equal(c.layout.x[c.first], first.layout.x[first.first]):
            raise ValueError("the copies do not share their first year's starts")
        mine = offsets[k] + c.layout.x[c.first]
        theirs = offsets[0] + first.layout.x[first.first]
        j = len(mine)
        m.add_rows(f"same-first-year-{k}", j, np.r_[np.arange(j), np.arange(j)],
                   np.r_[mine, theirs], np.r_[np.ones(j), -np.ones(j)], lo=0.0, hi=0.0)
    extra = {}
    if objective in ("worst", "cvar"):
        head = m.add_vars("t" if objective == "worst" else "e", 1, -INF, INF, cost=1.0)[0]
        extra["t" if objective == "worst" else "e"] = int(head)
        s = None
        if objective == "cvar":
            s = m.add_vars("s", n, 0.0, INF, cost=-1.0 / ((1.0 - alpha) * n))
            extra["s"] = s
        for k, (cols, vals, off) in enumerate(value_rows):
            # head - s_k - v_k <= offset_k   (v_k = vals . x[cols] + offset_k)
            extra_cols = [head] + ([int(s[k])] if s is not None else [])
            extra_vals = [1.0] + ([-1.0] if s is not None else [])
            row_cols = np.r_[np.array(extra_cols, dtype=np.int64), cols]
            m.add_rows(f"value-{k}", 1, np.zeros(len(row_cols), dtype=np.int64), row_cols,
                       np.r_[np.array(extra_vals), -vals], hi=off)
    return Stacked(m, offsets, extra)


@dataclass
class CopiesResult:
    """The copies solved together: each copy's start years and value, the objective's
    measure of them, the backend's bound on it, the status (optimal only when proven
    within the requested gap) and where the plan came from (solver or warm start)."""
    status: SolveStatus
    starts: list | None = None
    values: list | None = None
    measure: float | None = None
    bound: float | None = None
    gap: float | None = None
    seconds: float = 0.0
    plan_from: str = "solver"

    @property
    def has_solution(self) -> bool:
        return self.starts is not None

    def first_year(self) -> np.ndarray:
        """Bool per project: it starts in the first year (the same in every copy)."""
        return self.starts[0] == 0


def _hint_values(stacked: Stacked, copies: list[Copy], starts: list, objective: str,
                 alpha: float, params: SolveParams) -> np.ndarray | None:
    """Every variable of the stacked program for the copies' plans `starts` (which
    share their first year), or None when one cannot be paid."""
    parts = []
    for c, start in zip(copies, starts):
        limit = 5.0 if params.time_limit is None else min(5.0, 0.1 * params.time_limit)
        done = complete_plan(c.model, c.layout, c.x_of(start), time_limit=limit,
                             threads=params.threads)
        if done is None:
            return None
        parts.append(done)
    values = np.zeros(stacked.model.n_vars)
    for off, part in zip(stacked.offsets, parts):
        values[off:off + len(part)] = part
    v = np.array([c.value(s) for c, s in zip(copies, starts)])
    if "t" in stacked.extra:
        values[stacked.extra["t"]] = v.min()
    if "e" in stacked.extra:  # the best e is one of the values (see `risk`)
        best = max(v, key=lambda e: e - np.maximum(e - v, 0).sum() / ((1 - alpha) * len(v)))
        values[stacked.extra["e"]] = best
        values[stacked.extra["s"]] = np.maximum(best - v, 0.0)
    return values


def solve_copies(copies: list[Copy], params: SolveParams, objective: str = "expected",
                 alpha: float = 0.9, hint: list | None = None, progress=False
                 ) -> CopiesResult:
    """Solve the extensive form; `hint`: one start-year array per copy, sharing their
    first year (e.g. a first year re-planned in every sample), kept when the backend
    finds nothing better."""
    t0 = time.perf_counter()
    stacked = stack(copies, objective, alpha)
    hint_values = None
    if hint is not None:
        hint_values = _hint_values(stacked, copies, hint, objective, alpha, params)
    if params.time_limit is not None:
        params = params.updated(time_limit=max(0.05, params.time_limit
                                               - (time.perf_counter() - t0)))
    sol = get_backend(params.backend).solve(stacked.model, params, hint_values,
                                            progress=progress)
    measure_of = lambda starts: risk([c.value(s) for c, s in zip(copies, starts)],  # noqa: E731
                                     objective, alpha)
    starts, plan_from, status = None, "solver", sol.status
    if sol.values is not None:
        starts = [c.starts_of(sol.values[off:off + c.model.n_vars])
                  for c, off in zip(copies, stacked.offsets)]
    if hint_values is not None and (starts is None or measure_of(hint) > measure_of(starts)
                                    + 1e-9):
        starts, plan_from = hint, "warm start"
        if status not in (SolveStatus.OPTIMAL, SolveStatus.TIME_LIMIT):
            status = SolveStatus.FEASIBLE
    seconds = time.perf_counter() - t0
    if starts is None:
        return CopiesResult(status, seconds=seconds)
    values = [c.value(s) for c, s in zip(copies, starts)]
    measure = risk(values, objective, alpha)
    bound = sol.bound if sol.bound is not None and np.isfinite(sol.bound) else None
    if bound is not None:
        bound = max(bound, measure)
    gap = relative_gap(measure, bound)
    proven = gap is not None and gap <= params.gap + 1e-9
    if status is SolveStatus.OPTIMAL and not proven:
        status = SolveStatus.FEASIBLE
    elif status in (SolveStatus.TIME_LIMIT, SolveStatus.FEASIBLE) and proven:
        status = SolveStatus.OPTIMAL
    return CopiesResult(status, starts, values, measure, bound, gap, seconds, plan_from)
