"""CBC through pulp's current API: the variables made by the problem
(`LpProblem.add_variable`), CBC run as `COIN_CMD` on the binary of the `cbcbox` wheel
(pulp's `cbc` extra; `cbc` on PATH otherwise) -- pulp 3.3's bundled PULP_CBC_CMD and
free-standing LpVariable are deprecated there and gone in pulp 4.  The same code runs
on pulp 3.3 (Python 3.11) and pulp 4 (Python >= 3.12, which returns the solve's
statistics instead of setting the status on the problem)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time

import numpy as np

from ..allowed import Switch
from ..linear import LinearModel
from ..result import SolveStatus
from . import LibraryBackend, Solution
from .stdout import stdout_to

#: CBC's own options a run may be given (SolveParams.extras), passed to pulp's
#: COIN_CMD: `presolve` on or off, `cuts` on or off (off: no cut generators; on:
#: pulp's gomory, knapsack and probing cuts); CBC's defaults when not given
EXTRAS = {"presolve": Switch(), "cuts": Switch()}


def cbc_path() -> str | None:
    """The CBC binary: the cbcbox wheel's, else `cbc` on PATH; None when there is none."""
    try:
        import cbcbox

        path = cbcbox.cbc_bin_path()
        if os.path.isfile(path):
            return path
    except Exception:  # noqa: BLE001 - no usable cbcbox: look on PATH
        pass
    return shutil.which("cbc")


def version() -> str:
    import importlib.metadata

    import pulp

    try:
        box = f"cbcbox {importlib.metadata.version('cbcbox')}"
    except importlib.metadata.PackageNotFoundError:
        box = cbc_path() or "not found"
    return f"pulp {pulp.__version__} (CBC: {box})"


def available() -> bool:
    import pulp

    path = cbc_path()
    return path is not None and pulp.COIN_CMD(path=path, msg=False).available() is not False


def _expression(pulp, pairs):
    """A linear expression from (variable, coefficient) pairs, in either pulp."""
    make = getattr(pulp.LpAffineExpression, "from_list", None)  # pulp 4
    return make(pairs) if make is not None else pulp.LpAffineExpression(pairs)


def _name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def to_pulp(model: LinearModel):
    """The model as a pulp LpProblem, rows and columns named by their family and index."""
    import pulp

    cost, lb, ub, integer, rlo, rhi, rows, cols, vals = model.arrays()
    prob = pulp.LpProblem("village_plan", pulp.LpMaximize if model.maximize else pulp.LpMinimize)
    names = {}
    for blk in model.blocks.values():
        for i in range(blk.count):
            names[blk.start + i] = f"{blk.name}_{i}"
    var = [prob.add_variable(_name(names[j]),
                             None if np.isinf(lb[j]) else float(lb[j]),
                             None if np.isinf(ub[j]) else float(ub[j]),
                             pulp.LpInteger if integer[j] else pulp.LpContinuous)
           for j in range(model.n_vars)]
    nz = np.flatnonzero(cost)
    prob.setObjective(_expression(pulp, [(var[j], float(cost[j])) for j in nz])
                      + float(model.offset))
    order = np.argsort(rows, kind="stable")
    rows, cols, vals = rows[order], cols[order], vals[order]
    bounds = np.searchsorted(rows, np.arange(model.n_rows + 1))
    for fam in model.families:
        for r in range(fam.start, fam.start + fam.count):
            a, b = bounds[r], bounds[r + 1]
            if a == b:
                continue
            pairs = [(var[c], float(v)) for c, v in zip(cols[a:b], vals[a:b])]
            lo, hi = float(rlo[r]), float(rhi[r])
            name = _name(f"{fam.name}_{r - fam.start}")
            if lo == hi:
                prob += (_expression(pulp, pairs) == hi, name)
            else:
                if np.isfinite(hi):
                    prob += (_expression(pulp, pairs) <= hi, name + "_hi")
                if np.isfinite(lo):
                    prob += (_expression(pulp, pairs) >= lo, name + "_lo")
    return prob, var


def _parse_bound(log: str, offset: float) -> float | None:
    """CBC's closing 'Upper bound:' (maximising) or 'Lower bound:' (minimising), in the
    problem's own sense but without the objective's constant term."""
    match = re.search(r"(?:Lower|Upper) bound:\s*(-?[\d.eE+-]+)", log)
    if not match:
        return None
    return float(match.group(1)) + offset


def _outcome(pulp, prob, stats) -> tuple[bool, str]:
    """(a solution came back, why CBC stopped: optimal, infeasible, unbounded, time or
    other) from pulp 3 (a status code; the solution status on the problem) or pulp 4
    (LpSolveStats)."""
    if isinstance(stats, int):  # pulp 3
        has = prob.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
        if prob.status == pulp.LpStatusInfeasible or prob.sol_status == pulp.LpSolutionInfeasible:
            return has, "infeasible"
        if prob.status == pulp.LpStatusUnbounded:
            return has, "unbounded"
        return has, "optimal" if prob.sol_status == pulp.LpSolutionOptimal else "other"
    kind = {"Optimal": "optimal", "Infeasible": "infeasible", "Unbounded": "unbounded",
            "TimeLimit": "time"}.get(stats.status.name, "other")
    return bool(stats.has_solution), kind


def _run(model: LinearModel, params, hint=None, verbose=False):
    import pulp

    time_limit, gap, threads, seed = params.time_limit, params.gap, params.threads, params.seed

    prob, var = to_pulp(model)
    if hint is not None:
        idx, val = hint
        for j, v in zip(idx, val):
            var[j].setInitialValue(float(v))
    with tempfile.TemporaryDirectory() as tmp:
        log_path = os.path.join(tmp, "cbc.log")
        options = []
        if seed is not None:
            options.append(f"randomSeed {int(seed) % 2**31 or 1}")
            options.append(f"randomCbcSeed {int(seed) % 2**31 or 1}")
        solver = pulp.COIN_CMD(
            path=cbc_path(), msg=bool(verbose), timeLimit=time_limit, gapRel=gap,
            threads=threads, warmStart=hint is not None, logPath=log_path, options=options,
            keepFiles=False, presolve=params.extras.get("presolve"),
            cuts=params.extras.get("cuts"),
        )
        t0 = time.perf_counter()
        try:
            stats = prob.solve(solver)
        except pulp.PulpSolverError:  # CBC ended with an error code (seen under load
            stats = None  # when stopped by a very short time limit): no solution
        seconds = time.perf_counter() - t0
        log = open(log_path, encoding="utf-8", errors="replace").read() \
            if os.path.exists(log_path) else ""
    has, why = _outcome(pulp, prob, stats) if stats is not None else (False, "other")
    # stopped by the clock: CBC stopped in a millisecond has been seen to say
    # "infeasible" for a feasible program, so no infeasibility is taken from such a stop
    stopped = ("Stopped on time" in log or "time limit" in log.lower() or why == "time"
               or (time_limit is not None and seconds >= 0.98 * float(time_limit)))
    if not has and stopped:
        return SolveStatus.TIME_LIMIT, None, None, None, seconds
    if why == "infeasible":
        return SolveStatus.INFEASIBLE, None, None, None, seconds
    if why == "unbounded":
        return SolveStatus.UNBOUNDED, None, None, None, seconds
    if not has:
        return SolveStatus.ERROR, None, None, None, seconds
    values = np.array([v.varValue if v.varValue is not None else 0.0 for v in var])
    objective = float(pulp.value(prob.objective))
    if why == "optimal" and "Stopped" not in log:
        status = SolveStatus.OPTIMAL
        bound = _parse_bound(log, model.offset)
        if bound is None and "Optimal solution found" in log and "gap tolerance" not in log:
            bound = objective
    else:
        status = SolveStatus.TIME_LIMIT if "Stopped on time" in log else SolveStatus.FEASIBLE
        bound = _parse_bound(log, model.offset)
    return status, values, objective, bound, seconds


@contextlib.contextmanager
def _stdout_to_stderr(active: bool):
    """CBC (through pulp, msg=True) writes its log to C-level stdout; send it to stderr
    so that stdout stays for the planner's own output."""
    if not active:
        yield
        return
    with stdout_to(2):
        yield


class CbcBackend(LibraryBackend):
    """CBC through pulp: pulp objects built from the model's matrix; its log, when
    asked for, goes to stderr."""
    name, library, extras = "cbc", "pulp", EXTRAS
    version = staticmethod(version)
    available = staticmethod(available)  # pulp imports, and its bundled CBC runs

    def run(self, model: LinearModel, params, hint, verbose, progress) -> Solution:
        with _stdout_to_stderr(bool(verbose)):
            return Solution(*_run(model, params, hint, verbose))


BACKEND = CbcBackend()
