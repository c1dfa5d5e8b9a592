"""A bound that decomposes: Lagrangian relaxation of the rows that couple counties.

The program split by county (models.decompose) is coupled by a few rows only
(coupling.py): the pooled pools' money per chain of years, the deadlines with a share
whose scope spans counties, and the exit-priority batch floors.  Written as
``g_j(x) >= 0`` (``g = sum_c a_cj(x_c) + r_j``: villages on time less the floor, gaps
closed less the need, money of the years a..t less what is spent), the whole program is

    max f(x) = sum_c f_c(x_c)   s.t.  x_c in X_c (county c's own program), g(x) >= 0,

and for multipliers m >= 0 (a soft deadline's at most its penalty)

    L(m) = sum_c phi_c(m) + r . m,    phi_c(m) = max_{x_c in X_c} f_c(x_c) + m . a_c(x_c).

**The bound is valid whatever m.**  Let x be any plan of the whole program (keeping
the batch floors given).  (1) Each x_c lies in X_c: X_c's rules are the whole
program's rules on county c's villages, works and own pools; the exact deadlines (share
1, or a scope inside the county) are the whole's restricted to c; and the row "county c
spends at most the pool's money of years a..t", kept in X_c for each pooled pool, holds
because all counties together spend at most that.  (2) The objective adds up over
counties (each gap, village and soft penalty belongs to one county); a relaxed soft
deadline's penalty p * max(0, need - closed) is at least m_d * (need - closed) for
0 <= m_d <= p, so f(x) <= f(x) + m_d g_d(x) for it too; for the hard rows g_j(x) >= 0
and m_j >= 0.  So f(x) <= sum_c [f_c(x_c) + m . a_c(x_c)] + r . m <= sum_c phi_c(m) +
r . m = L(m).  (3) Any valid upper bound U_c >= phi_c(m) may replace phi_c: the optimum of
the county's LP relaxation (X_c relaxed), or the dual bound of its integer program
solved within a time limit -- never the value of a plan found by a solve cut short,
which is a lower estimate.  Hence ``sum_c U_c(m) + r . m`` bounds the value of every
plan, and the least of these over the points evaluated is the bound reported.

**With LP subproblems the dual is the LP bound.**  For the LP relaxation of the whole
program, relaxing some of its rows with their optimal duals leaves a program whose
optimum is the LP optimum (LP duality); min over m of L with LP subproblems is thus the
whole program's LP bound, and the method (master.py) approaches it from above (the
kept rows of (1) are redundant in the whole LP, which they leave unchanged).  With
integer subproblems (their dual bounds) the dual can be tighter than the LP bound: it
keeps each county's integrality.

`lagrangian_bound` runs the method on the counties through `mapper` (Dask tasks, a
chunk of counties per task, the county models kept on the workers between iterations:
county.py), within `seconds`, and returns the bound, the multipliers (the prices of
pooled money per year, of a village of each batch, of a gap of each relaxed deadline),
and the convex combination of county columns (the pooled money each county would
spend) that directs the split of pooled money.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

import numpy as np

from ..instance import Instance
from .county import evaluate
from .coupling import BATCH, DEADLINE, MONEY, Coupling, coupling_of
from .master import Bundle

__all__ = ["BATCH", "DEADLINE", "MONEY", "Coupling", "LagrangeRun", "coupling_of",
           "dual_value", "lagrangian_bound", "tighten"]

#: relative distance between the bound and the model's prediction that counts as done
TOL = 1e-4


@dataclass
class LagrangeRun:
    """The state of the method over its phases (the county models stay on the workers,
    the columns stay valid when the floors change)."""
    inst: Instance
    coupling: Coupling
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    bundle: Bundle | None = None
    sent: set = field(default_factory=set)  # counties whose program was sent
    bound: float | None = None  # the least L evaluated in this phase
    multipliers: np.ndarray | None = None  # where it was reached
    iterations: int = 0
    evaluations: int = 0
    converged: bool = False
    spend: list = field(default_factory=list)  # per column: [(pool, (Y,) units)]
    lower: float = -np.inf  # the cutting-plane model's least value: min L is above it
    mip_bound: float | None = None
    starts: dict = field(default_factory=dict)  # county -> integer plan (mip evaluations)
    seconds: float = 0.0

    def use(self) -> np.ndarray | None:
        """(B, C, Y) money units of pool b the master's combination spends in county c,
        year t (the whole's pools; zero outside the pooled ones)."""
        if self.bundle is None or not len(self.spend):
            return None
        inst = self.inst
        out = np.zeros((inst.n_pools, len(inst.county_names), inst.n_years))
        w = self.bundle.combination()
        for k, (part, spend) in enumerate(zip(self.bundle.county, self.spend)):
            if w[k] > 0:
                c = self.coupling.counties[part]
                for b, units in spend:
                    out[b, c] += w[k] * units
        return out

    def prices(self) -> dict:
        """The multipliers reached, by row: money per 万元 of pool-years, per village of
        each batch, per gap of each relaxed deadline."""
        m = self.multipliers
        return {} if m is None else {label: float(v) for label, v in
                                     zip(self.coupling.labels, m)}


#: the first multipliers of a fresh run: this share of the natural price of pooled money
#: (coupling._scales: the program's value per unit of pooled money its works need) on every
#: money row, none on the other rows.  Any m >= 0 gives a valid bound; at m = 0 every county
#: may spend a whole pooled pool, so a run with time for one evaluation (the nation at
#: --time-limit 300, whose first phase does not run) printed that weak bound.  One
#: evaluation, the batch floors of the greedy plan kept: the nation 893,407 at m = 0,
#: 723,690 at 0.3, 742,602 at 0.5 (converged: 675,577); the province of 8,000 villages
#: 66,864 at 0, 61,081 at 0.2, 60,738 at 0.3, 61,261 at 0.4, 69,477 at 1 (converged
#: about 59,500)
FIRST_MONEY_PRICE = 0.3


def first_point(cp: Coupling) -> np.ndarray:
    """The multipliers a fresh run is evaluated at first (FIRST_MONEY_PRICE)."""
    return np.clip(np.where(cp.kind == MONEY, FIRST_MONEY_PRICE * cp.scale, 0.0), 0.0, cp.cap)


def start(inst: Instance) -> LagrangeRun:
    return LagrangeRun(inst, coupling_of(inst))


def lagrangian_bound(run: LagrangeRun | Instance, mapper=map, workers: int = 1,
                     seconds: float | None = None, floors: Instance | None = None,
                     tol: float = TOL) -> LagrangeRun:
    """Run the method (module docstring) for at most `seconds` (None: until converged)
    and return the run: `bound` (None when not one evaluation of every county ended in
    time), `multipliers`, `use()`.  `floors`: the instance whose batch floors the bound
    keeps (default: the run's)."""
    began = time.perf_counter()
    run = run if isinstance(run, LagrangeRun) else start(run)
    cp = run.coupling.with_floors(floors if floors is not None else run.inst)
    run.coupling = cp
    if run.bundle is None:
        run.bundle = Bundle(len(cp.counties), cp.rhs, cp.cap, cp.scale)
        point = first_point(cp)
    else:
        point = np.clip(run.multipliers if run.multipliers is not None
                        else run.bundle.centre, 0.0, cp.cap)
        run.bundle.reset(cp.rhs, cp.cap, point)
    run.bound, run.converged, run.iterations = None, False, 0
    predicted = -np.inf
    left = lambda: None if seconds is None else seconds - (time.perf_counter() - began)
    last = 0.0  # seconds the last evaluation took
    while True:
        if seconds is not None and run.bound is not None and left() < last:
            break  # the next evaluation would not end in time
        t_eval = time.perf_counter()
        rows = _evaluate(run, mapper, workers, point, None, left())
        last = time.perf_counter() - t_eval
        if rows is None:
            break  # out of time within an evaluation: no bound from it
        value = float(sum(r["phi"] for r in rows) + cp.rhs @ point)
        for r in rows:
            run.bundle.add(r["part"], r["value"], r["activity"])
            run.spend.append(r["spend"])
        run.bundle.step(point, value, predicted)
        if run.bound is None or value < run.bound:
            run.bound, run.multipliers = value, point.copy()
        run.iterations += 1
        try:
            point, predicted = run.bundle.next_point()
        except RuntimeError:
            # the master LP ended without an optimum (HiGHS has said Unknown on it):
            # every L evaluated is a bound (weak duality), so the best one stands
            break
        run.lower = run.bundle.lower()
        if run.bound - run.lower <= tol * max(1.0, abs(run.bound)):
            run.converged = True
            break
        if seconds is not None and left() <= 0:
            break
    run.seconds += time.perf_counter() - began
    return run


def dual_value(run: LagrangeRun, m: np.ndarray, mapper=map, workers: int = 1,
               mip: float | None = None) -> float | None:
    """L(m): the bound at the multipliers m (county LPs; with `mip`, their integer
    programs' dual bounds where lower), None when a county's LP did not end."""
    m = np.asarray(m, dtype=float)
    rows = _evaluate(run, mapper, workers, m, mip, None)
    return None if rows is None else float(sum(r["phi"] for r in rows)
                                           + run.coupling.rhs @ m)


def tighten(run: LagrangeRun, mapper=map, workers: int = 1, seconds: float | None = None,
            mip: float = 2.0) -> LagrangeRun:
    """Each county's integer program at the run's best multipliers, `mip` seconds each:
    where its dual bound is below its LP's, the bound falls (module docstring, (3));
    its plan is kept in `starts` and its column in the model."""
    began = time.perf_counter()
    cp = run.coupling
    if run.multipliers is None:
        return run
    rows = _evaluate(run, mapper, workers, run.multipliers, mip, seconds)
    if rows is not None:
        value = float(sum(r["phi"] for r in rows) + cp.rhs @ run.multipliers)
        run.mip_bound = value
        run.bound = min(run.bound, value)
        for r in rows:
            if "start" in r:
                run.starts[int(cp.counties[r["part"]])] = r["start"]
            if "mip_column" in r:
                col = r["mip_column"]
                run.bundle.add(r["part"], col["value"], col["activity"])
                run.spend.append(col["spend"])
    run.seconds += time.perf_counter() - began
    return run


def _evaluate(run: LagrangeRun, mapper, workers: int, m: np.ndarray, mip: float | None,
              seconds: float | None) -> list[dict] | None:
    """Every county at m through `mapper`, a chunk of counties per task (a county's
    program sent with its first task, and again to a worker that has not got it);
    None when a county's LP did not end optimally (e.g. out of time)."""
    cp = run.coupling
    n = len(cp.counties)
    chunks = np.array_split(np.arange(n), max(1, min(n, 2 * workers)))
    todo = {int(i) for i in range(n)}
    rows: dict[int, dict] = {}
    Y = run.inst.n_years
    for attempt in range(2):
        tasks = []
        for chunk in chunks:
            mine = [int(i) for i in chunk if int(i) in todo]
            if not mine:
                continue
            send = attempt > 0 or any(i not in run.sent for i in mine)
            tasks.append([(i, cp.subs[i] if send else None, cp.specs[i] if send else None)
                          for i in mine])
            if send:
                run.sent.update(mine)
        limit = None if seconds is None else max(0.05, seconds)
        outs = mapper(evaluate, [run.token] * len(tasks), tasks, [m] * len(tasks),
                      [Y] * len(tasks), [mip] * len(tasks), [limit] * len(tasks))
        for out in outs:
            for r in out:
                if not r.get("miss"):
                    r["part"] = r["county"]
                    rows[r["county"]] = r
                    todo.discard(r["county"])
        if not todo:
            break
    run.evaluations += 1
    if todo or any(r["phi"] is None for r in rows.values()):
        return None
    return [rows[i] for i in range(n)]
