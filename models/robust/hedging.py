"""The sample-average program by scenario decomposition: progressive hedging
(Rockafellar and Wets 1991), each sample's program solved on its own, as a task of
the `mapper` given (Dask tasks: planner.distributed).

Iteration 0 solves every sample alone (wait-and-see).  Then, with x_k the first-year
start variables of sample k (binary), xbar their mean, w_k the prices:

    w_k   += rho (x_k - xbar)
    solve  max v_k(x) - (w_k + rho/2 (1 - 2 xbar)) . x_k     for every k

which is the augmented Lagrangian max v_k - w_k x_k - rho/2 |x_k - xbar|^2 with the
square written out for binary x (x^2 = x; the constant dropped): each subproblem stays
a linear integer program.  rho grows by GROWTH each iteration, which makes the
samples agree on a mixed-integer program (where the method is a heuristic).  It stops
when every sample starts the same works in the first year, after `iterations`, or when
the time is spent; the first year taken is then the majority's (a work starts in the
first year when at least half the samples start it), or, for the caller to try when
that one cannot be followed in every sample, the samples' own first years nearest it.

Only the expected value separates over the samples; the worst case and CVaR are
solved in one piece (models.robust.extensive).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from ..backends import get as get_backend
from ..budget import TimeBudget
from ..columns import complete_plan
from ..instance import Instance
from ..params import SolveParams
from .copies import copy_of

#: rho's growth per iteration
GROWTH = 1.2
#: rho at the start, as a share of the median value of a first-year start: small steps
#: of the prices, which on binary starts may otherwise jump past the prices at which the
#: samples agree (two samples swapping their choices back and forth)
RHO_SHARE = 0.25
#: the most iterations
ITERATIONS = 30


def subproblem(now: Instance, later: Instance, penalty: np.ndarray | None,
               hint: np.ndarray | None, keywords: dict) -> tuple:
    """One sample's program with the hedging prices on its first-year starts (a task):
    (start years or None, the plan's value in the sample, the backend's status)."""
    c = copy_of(now, later)
    params = SolveParams(**keywords)
    if penalty is not None:
        block = c.model.blocks["x"]
        c.model.cost[block.pos][c.layout.x[c.first] - block.start] -= penalty
    hint_values = None
    if hint is not None:
        limit = 5.0 if params.time_limit is None else min(5.0, 0.1 * params.time_limit)
        hint_values = complete_plan(c.model, c.layout, c.x_of(hint), time_limit=limit,
                                    threads=params.threads)
    sol = get_backend(params.backend).solve(c.model, params, hint_values)
    values = sol.values if sol.values is not None else hint_values
    if values is None:
        return None, None, sol.status.value
    start = c.starts_of(values)
    return start, c.value(start), sol.status.value


@dataclass
class HedgeResult:
    first: np.ndarray | None  # bool per first-year start position: the majority's
    candidates: list = field(default_factory=list)  # other first years, nearest first
    iterations: int = 0
    converged: bool = False
    wait_and_see: list | None = None  # each sample's value alone (iteration 0)
    wait_and_see_status: list | None = None  # and the backend's status of those solves
    starts: list | None = None  # the samples' last plans
    disagree: list = field(default_factory=list)  # per iteration: starts not agreed on
    stopped: list = field(default_factory=list)  # per iteration: solves ended by the clock
    seconds: float = 0.0
    failed: str = ""  # why no first year was found


def hedge(pairs: list[tuple[Instance, Instance]], params: SolveParams, budget: TimeBudget,
          mapper=map, workers: int = 1, rho: float | None = None,
          iterations: int = ITERATIONS, step=None, hints: list | None = None) -> HedgeResult:
    """Progressive hedging over the samples `pairs` ((now, later) instances, as for
    models.robust.copy_of); `mapper(fn, *iterables)` runs the subproblems, `workers`
    side by side; `step(text)` is told each iteration; `hints`: a plan (start years)
    per sample to start from (None for none), each later iteration starting from the
    one before."""
    t0 = time.perf_counter()
    probe = copy_of(*pairs[0])
    first_pos = probe.first
    proj = probe.layout.x_proj[first_pos]
    n = len(pairs)
    if rho is None:  # the scale of what a first-year start is worth
        block = probe.model.blocks["x"]
        c = np.abs(probe.model.cost[block.pos][probe.layout.x[first_pos] - block.start])
        rho = RHO_SHARE * (float(np.median(c[c > 0])) if (c > 0).any() else 1.0)
    waves = math.ceil(n / max(1, workers))
    keywords = params.keywords()
    w = np.zeros((n, len(first_pos)))
    xbar = None
    hints = list(hints) if hints is not None else [None] * n
    out = HedgeResult(None)
    for it in range(iterations):
        share = budget.share(1.0 / max(1, min(iterations - it, 4)))
        kw = {**keywords, "time_limit": None if share is None else max(0.05, share / waves)}
        penalty = [None if xbar is None else w[k] + rho / 2 * (1 - 2 * xbar) for k in range(n)]
        if step:
            step(f"progressive hedging: iteration {it + 1}"
                 + (f", {out.disagree[-1]} first-year start(s) not agreed" if out.disagree
                    else ": each sample alone"))
        rows = list(mapper(subproblem, [a for a, _ in pairs], [b for _, b in pairs], penalty,
                           hints, [kw] * n))
        if any(r[0] is None for r in rows):
            out.failed = f"a sample's program had no plan ({rows[0][2]})"
            break
        starts = [r[0] for r in rows]
        if it == 0:
            out.wait_and_see = [r[1] for r in rows]
            out.wait_and_see_status = [r[2] for r in rows]
        out.stopped.append(sum(r[2] == "time_limit" for r in rows))
        X = np.array([(s[proj] == 0).astype(float) for s in starts])
        xbar = X.mean(axis=0)
        out.starts, out.iterations, hints = starts, it + 1, starts
        out.disagree.append(int(((X > 0.5) != (xbar >= 0.5)).any(axis=0).sum()))
        if (X == X[0]).all():
            out.converged = True
            break
        w += rho * (X - xbar)
        rho *= GROWTH
        left = budget.left()
        if left is not None and left <= 0.05 * (budget.limit or 0) + 0.1:
            break
    if xbar is not None and not out.failed:
        out.first = xbar >= 0.5
        X = np.array([(s[proj] == 0) for s in out.starts])
        order = np.argsort(np.abs(X - xbar).sum(axis=1), kind="stable")
        seen = {out.first.tobytes()}
        for k in order:
            if X[k].tobytes() not in seen:
                seen.add(X[k].tobytes())
                out.candidates.append(X[k].copy())
    out.seconds = time.perf_counter() - t0
    return out


def first_year_projects(pairs, first: np.ndarray) -> np.ndarray:
    """Bool per project: it starts in the first year under `first` (per first-year
    start position of the samples' program)."""
    probe = copy_of(*pairs[0])
    chosen = np.zeros(pairs[0][0].n_projects, dtype=bool)
    chosen[probe.layout.x_proj[probe.first][first]] = True
    return chosen
