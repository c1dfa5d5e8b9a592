"""OR-Tools CP-SAT: the same `LinearModel`, scaled to integers.

Scaling rule (one place): every row, and the objective, is multiplied by the
smallest power of ten 10^k (k <= MAX_DIGITS) that makes all its coefficients
and bounds whole numbers to within 1e-9 of their size.  Money is held in whole
units (one yuan), values are multiples of VALUE_QUANTUM, so k is at most 4 on
every instance the planner builds.  A row that no such power makes integral is
rounded at 10^MAX_DIGITS, and the largest relative rounding is reported in
`Solution.scaling_error`; `models.solve.solve()` warns when it exceeds
`models.backends.SCALING_TOLERANCE`.
Continuous variables become integers: the funding flows have integral optima
because the money data are integral (a transportation problem).
"""

from __future__ import annotations

import time
from importlib import metadata

import numpy as np

from ..allowed import Bound, Switch
from ..linear import LinearModel
from ..result import SolveStatus
from . import LibraryBackend, Solution

MAX_DIGITS = 6
#: CP-SAT's own options a run may be given (SolveParams.extras), set as its
#: parameters: `presolve` on or off (`cp_model_presolve`, default on) and
#: `linearization_level` 0..2 (how much of the model is linearised for the LP
#: relaxation, default 1)
EXTRAS = {
    "presolve": Switch(),
    "linearization_level": Bound("int", 0, 2, noun="a whole-number level"),
}


def version() -> str:
    return f"ortools {metadata.version('ortools')}"


def _scale(values: np.ndarray) -> tuple[int, float]:
    """Smallest 10^k making `values` integral, and the relative rounding left."""
    finite = values[np.isfinite(values)]
    size = max(np.abs(finite).max(initial=0.0), 1.0)
    for k in range(MAX_DIGITS + 1):
        f = 10 ** k
        scaled = finite * f
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * max(size * f, 1.0)):
            return f, 0.0
    f = 10 ** MAX_DIGITS
    scaled = finite * f
    err = float(np.max(np.abs(scaled - np.round(scaled))) / (size * f)) if len(finite) else 0.0
    return f, err


def _run(model: LinearModel, params, hint=None, verbose=False):
    from ortools.sat.python import cp_model

    time_limit, gap, threads, seed = params.time_limit, params.gap, params.threads, params.seed

    cost, lb, ub, integer, rlo, rhi, rows, cols, vals = model.arrays()
    # bound for unbounded variables (money flows): every finite row bound and everything
    # the bounded variables can contribute, together, in 1e-4 steps
    finite = np.concatenate([rhi[np.isfinite(rhi)], rlo[np.isfinite(rlo)]])
    bounded = np.isfinite(ub)[cols]
    reach = np.abs(vals[bounded] * ub[cols[bounded]]).sum()
    big = int(min((np.abs(finite).sum() + reach) * 1e4 + 1, 2**50))
    m = cp_model.CpModel()
    var_scale = np.ones(model.n_vars)  # continuous variables are held in 1e-4 steps
    var_scale[~integer] = 1e4
    xs = []
    for j in range(model.n_vars):
        lo = int(np.ceil(lb[j] * var_scale[j] - 1e-9))
        hi = int(np.floor(ub[j] * var_scale[j] + 1e-9)) if np.isfinite(ub[j]) else big
        xs.append(m.new_int_var(lo, max(lo, hi), f"v{j}"))
    order = np.argsort(rows, kind="stable")
    rows, cols, vals = rows[order], cols[order], vals[order]
    bounds = np.searchsorted(rows, np.arange(model.n_rows + 1))
    worst = 0.0
    for r in range(model.n_rows):
        a, b = bounds[r], bounds[r + 1]
        if a == b:
            continue
        coef = vals[a:b] / var_scale[cols[a:b]]
        f, err = _scale(np.concatenate([coef, [rlo[r], rhi[r]]]))
        worst = max(worst, err)
        expr = sum(int(round(c * f)) * xs[j] for c, j in zip(coef, cols[a:b]))
        if np.isfinite(rlo[r]) and rlo[r] == rhi[r]:
            m.add(expr == int(round(rlo[r] * f)))
            continue
        if np.isfinite(rlo[r]):
            m.add(expr >= int(np.ceil(rlo[r] * f - 1e-9)))
        if np.isfinite(rhi[r]):
            m.add(expr <= int(np.floor(rhi[r] * f + 1e-9)))
    nz = np.flatnonzero(cost)
    obj_coef = cost[nz] / var_scale[nz]
    fo, err = _scale(obj_coef)
    worst = max(worst, err)
    obj = sum(int(round(c * fo)) * xs[j] for c, j in zip(obj_coef, nz))
    if model.maximize:
        m.maximize(obj)
    else:
        m.minimize(obj)
    if hint is not None:
        for j, v in zip(*hint):
            m.add_hint(xs[j], int(round(v * var_scale[j])))
    solver = cp_model.CpSolver()
    if time_limit is not None:
        solver.parameters.max_time_in_seconds = float(time_limit)
    if gap is not None:
        solver.parameters.relative_gap_limit = float(gap)
    solver.parameters.num_workers = int(threads or 1) if threads else 8
    if seed is not None:
        solver.parameters.random_seed = int(seed)
    if "presolve" in params.extras:
        solver.parameters.cp_model_presolve = bool(params.extras["presolve"])
    if "linearization_level" in params.extras:
        solver.parameters.linearization_level = int(params.extras["linearization_level"])
    solver.parameters.log_search_progress = bool(verbose)
    solver.parameters.log_to_stdout = False
    if verbose:
        import sys
        solver.log_callback = lambda line: print(line, file=sys.stderr)
    t0 = time.perf_counter()
    code = solver.solve(m)
    seconds = time.perf_counter() - t0
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = np.array([solver.value(x) for x in xs], dtype=float) / var_scale
        objective = solver.objective_value / fo + model.offset
        bound = solver.best_objective_bound / fo + model.offset
        if code == cp_model.OPTIMAL:
            status = SolveStatus.OPTIMAL
        else:
            hit = seconds >= 0.98 * (time_limit or float("inf"))
            status = SolveStatus.TIME_LIMIT if hit else SolveStatus.FEASIBLE
        return Solution(status, values, objective, bound, seconds, worst)
    mapping = {cp_model.INFEASIBLE: SolveStatus.INFEASIBLE,
               cp_model.MODEL_INVALID: SolveStatus.ERROR,
               cp_model.UNKNOWN: SolveStatus.TIME_LIMIT}
    return Solution(mapping.get(code, SolveStatus.UNKNOWN), None, None, None, seconds, worst)


class CpSatBackend(LibraryBackend):
    """OR-Tools CP-SAT: the model scaled to integers (see above)."""
    name, library, extras = "cpsat", "ortools.sat.python.cp_model", EXTRAS
    version = staticmethod(version)

    def run(self, model: LinearModel, params, hint, verbose, progress) -> Solution:
        return _run(model, params, hint, verbose)


BACKEND = CpSatBackend()
