"""HiGHS through highspy: the matrix is passed directly, no per-variable objects."""

from __future__ import annotations

import re
import sys
import time
from importlib import metadata

import numpy as np

from ..allowed import Bound, Switch
from ..linear import LinearModel
from ..result import SolveStatus
from . import LibraryBackend, Solution
from .stdout import stdout_to

#: HiGHS's own options a run may be given (SolveParams.extras), each set as the HiGHS
#: option of the same name: `presolve` on or off (HiGHS's default: it chooses), and
#: `mip_heuristic_effort`, the share of the search spent on primal heuristics
#: (HiGHS's default 0.05)
EXTRAS = {
    "presolve": Switch(),
    "mip_heuristic_effort": Bound("float", 0, 1, noun="a share of effort, a number"),
}


def version() -> str:
    return metadata.version("highspy")


def _quiet_stdout():
    """HiGHS prints a banner to C-level stdout when constructed; keep stdout clean."""
    return stdout_to("devnull")


def new_highs(verbose=False):
    import highspy

    global _scheduler_threads
    # a run of this object without a thread count starts HiGHS's pool at its default
    # size: remembered, so that a count asked for later resets the pool (_use_threads)
    _scheduler_threads = _scheduler_threads or "default"
    with _quiet_stdout():
        h = highspy.Highs()
    # the log, when asked for, goes to stderr: stdout stays for the planner's own output
    h.setOptionValue("output_flag", bool(verbose))
    h.setOptionValue("log_to_console", False)
    if verbose:
        h.setOptionValue("log_file", "/dev/stderr")
    return h


def _attach_progress(h, highspy, progress) -> None:
    """Live progress from HiGHS callbacks.  `progress` True: one line on stderr, rewritten
    with '\r' (best value, bound, gap, elapsed); a callable: called with
    (seconds, objective, bound) on every improving solution and log line."""
    if not progress:
        return
    cb = highspy.cb
    t0 = time.perf_counter()
    last = [0.0]

    def report(ctype, message, out, _in, _user):
        obj, bnd = float(out.objective_function_value), float(out.mip_dual_bound)
        now = time.perf_counter() - t0
        if callable(progress):
            progress(now, obj, bnd)
            return
        if ctype != cb.HighsCallbackType.kCallbackMipImprovingSolution and now - last[0] < 0.5:
            return
        last[0] = now
        finite = abs(obj) < 1e300 and abs(bnd) < 1e300
        gap = abs(bnd - obj) / max(abs(obj), 1e-9) if finite else None
        best = f"{obj:.4f}" if abs(obj) < 1e300 else "-"
        bound = f"{bnd:.4f}" if abs(bnd) < 1e300 else "-"
        shown = "-" if gap is None else f"{gap:.2%}"
        line = f"best {best}  bound {bound}  gap {shown}  {now:.1f} s"
        sys.stderr.write("\r" + line.ljust(72))
        sys.stderr.flush()

    h.setCallback(report, None)
    h.startCallback(cb.HighsCallbackType.kCallbackMipImprovingSolution)
    h.startCallback(cb.HighsCallbackType.kCallbackMipLogging)


def _end_progress(progress) -> None:
    if progress is True:
        sys.stderr.write("\n")
        sys.stderr.flush()


_scheduler_threads = None


def _use_threads(highspy, threads: int | None) -> None:
    """HiGHS keeps one global thread pool; a different thread count needs a fresh one.
    A run without a count starts the pool at HiGHS's default size, after which a run
    asking for a count would fail ('global scheduler already initialised'): it is
    remembered as "default", so that the next count asked for resets the pool."""
    global _scheduler_threads
    if threads is None:
        _scheduler_threads = _scheduler_threads or "default"
        return
    if _scheduler_threads is not None and _scheduler_threads != threads:
        highspy.Highs.resetGlobalScheduler(True)
    _scheduler_threads = threads


def _status(h, highspy) -> SolveStatus:
    s = h.getModelStatus()
    M = highspy.HighsModelStatus
    has = h.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
    mapping = {
        M.kOptimal: SolveStatus.OPTIMAL,
        M.kInfeasible: SolveStatus.INFEASIBLE,
        M.kUnbounded: SolveStatus.UNBOUNDED,
        M.kUnboundedOrInfeasible: SolveStatus.INFEASIBLE,
        M.kTimeLimit: SolveStatus.TIME_LIMIT,
        M.kInterrupt: SolveStatus.TIME_LIMIT,
        M.kSolutionLimit: SolveStatus.FEASIBLE,
        M.kIterationLimit: SolveStatus.FEASIBLE if has else SolveStatus.UNKNOWN,
        M.kModelEmpty: SolveStatus.OPTIMAL,
    }
    return mapping.get(s, SolveStatus.UNKNOWN if has else SolveStatus.ERROR)


def _pass_model(h, model: LinearModel, highspy, relax: bool = False) -> None:
    """Hand the model to `h` as arrays (HiGHS copies them whole: a third of the time of
    filling a HighsLp field by field, which converts element by element)."""
    cost, lb, ub, integer, rlo, rhi, *_ = model.arrays()
    start, index, value = model.csc()
    inf = highspy.kHighsInf
    sense = highspy.ObjSense.kMaximize if model.maximize else highspy.ObjSense.kMinimize
    as_f, as_i = (lambda a: np.ascontiguousarray(a, dtype=np.float64),
                  lambda a: np.ascontiguousarray(a, dtype=np.int32))
    h.passModel(int(model.n_vars), int(model.n_rows), len(index),
                int(highspy.MatrixFormat.kColwise), int(sense), float(model.offset),
                as_f(cost), as_f(lb), as_f(np.where(np.isinf(ub), inf, ub)),
                as_f(np.where(np.isinf(rlo), -inf, rlo)), as_f(np.where(np.isinf(rhi), inf, rhi)),
                as_i(start), as_i(index), as_f(value),
                as_i(np.zeros(len(integer)) if relax else integer))


def names(model: LinearModel) -> tuple[list[str], list[str]]:
    """(column names, row names): each variable and row by its block or family and its
    index in it (`start_12`, `budget_3`), as the exported model files name them."""
    clean = lambda text: re.sub(r"[^A-Za-z0-9_]", "_", text)
    cols = [""] * model.n_vars
    for blk in model.blocks.values():
        for i in range(blk.count):
            cols[blk.start + i] = clean(f"{blk.name}_{i}")
    rows = [""] * model.n_rows
    for fam in model.families:
        for i in range(fam.count):
            rows[fam.start + i] = clean(f"{fam.name}_{i}")
    return cols, rows


def write_model(model: LinearModel, path: str) -> None:
    """The program as a file HiGHS writes by its extension (.mps: free MPS; .lp: CPLEX
    LP), with named rows and columns, the objective's sense and constant."""
    import highspy

    h = new_highs()
    _pass_model(h, model, highspy)
    cols, rows = names(model)
    for j, name in enumerate(cols):
        h.passColName(j, name)
    for i, name in enumerate(rows):
        h.passRowName(i, name)
    status = h.writeModel(str(path))
    if status == highspy.HighsStatus.kError:
        raise OSError(f"HiGHS could not write {path}")


def solve_relaxation(model: LinearModel, threads: int | None = None,
                     time_limit: float | None = None):
    """The model's LP relaxation solved to optimality: (objective, row duals, columns);
    RuntimeError otherwise (infeasible, or not done within `time_limit`)."""
    import highspy

    h = new_highs(False)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    _use_threads(highspy, int(threads) if threads else None)
    if threads:
        h.setOptionValue("threads", int(threads))
    _pass_model(h, model, highspy, relax=True)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"the LP relaxation ended {h.modelStatusToString(h.getModelStatus())}")
    sol = h.getSolution()
    return (float(h.getInfo().objective_function_value),
            np.asarray(sol.row_dual, dtype=float), np.asarray(sol.col_value, dtype=float))


def load_relaxation(model: LinearModel, threads: int | None = None):
    """A Highs object holding the model's LP relaxation, not yet run: a caller that
    re-solves it after changing costs (models.lagrange) starts from the last basis."""
    import highspy

    h = new_highs(False)
    _use_threads(highspy, int(threads) if threads else None)
    if threads:
        h.setOptionValue("threads", int(threads))
    _pass_model(h, model, highspy, relax=True)
    return h


def lp_row_duals(model: LinearModel) -> np.ndarray:
    """Row dual values of the model's LP relaxation (for marginal values of money)."""
    return solve_relaxation(model)[1]


def _run(model: LinearModel, params, hint=None, verbose=False, progress=False):
    import highspy

    time_limit, gap, threads, seed = params.time_limit, params.gap, params.threads, params.seed
    h = new_highs(verbose)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    if gap is not None:
        h.setOptionValue("mip_rel_gap", float(gap))
        h.setOptionValue("mip_abs_gap", 1e-9 if gap == 0 else 1e-6)
    _use_threads(highspy, int(threads) if threads else None)
    if threads:
        h.setOptionValue("threads", int(threads))
    if seed is not None:
        h.setOptionValue("random_seed", int(seed))
    if "presolve" in params.extras:
        h.setOptionValue("presolve", "on" if params.extras["presolve"] else "off")
    if "mip_heuristic_effort" in params.extras:
        h.setOptionValue("mip_heuristic_effort", float(params.extras["mip_heuristic_effort"]))
    _pass_model(h, model, highspy)
    if hint is not None:
        idx, val = hint
        h.setSolution(len(idx), np.asarray(idx, dtype=np.int32), np.asarray(val, dtype=float))
    _attach_progress(h, highspy, progress)
    t0 = time.perf_counter()
    try:
        h.run()
    finally:
        _end_progress(progress)
    answer = _answer(h, highspy, model)
    if not answer[4]:
        # HiGHS's presolve has been seen to call a feasible program of this planner
        # infeasible, and to report an objective its own solution does not have
        # (tests/test_reference.py: test_highs_presolve_does_not_lose_the_plan): such an
        # answer is not taken; the program is solved again without presolve.
        h.setOptionValue("presolve", "off")
        if time_limit is not None:
            h.setOptionValue("time_limit", max(0.05, float(time_limit)
                                               - (time.perf_counter() - t0)))
        _pass_model(h, model, highspy)
        if hint is not None:
            h.setSolution(len(idx), np.asarray(idx, dtype=np.int32),
                          np.asarray(val, dtype=float))
        h.run()
        answer = _answer(h, highspy, model)
    status, values, objective, bound, _ = answer
    return status, values, objective, bound, time.perf_counter() - t0


def _answer(h, highspy, model: LinearModel):
    """(status, values, objective, bound, trusted): the run's outcome, and whether it is
    consistent: an infeasibility claim, or a solution whose objective differs from what
    its values give, or that breaks a row, is not trusted."""
    status = _status(h, highspy)
    info = h.getInfo()
    values = objective = bound = None
    if info.primal_solution_status == 2:
        values = np.asarray(h.getSolution().col_value, dtype=float)
        objective = float(info.objective_function_value)
        is_mip = bool(model.integer) and np.concatenate(model.integer).any()
        bound = float(info.mip_dual_bound) if is_mip else objective
        if status is SolveStatus.UNKNOWN:
            status = SolveStatus.FEASIBLE
    elif status is SolveStatus.OPTIMAL:  # optimal without a primal solution: not trusted
        status = SolveStatus.ERROR
    trusted = status is not SolveStatus.INFEASIBLE
    if values is not None:
        cost, *_ = model.arrays()
        own = float(cost @ values + model.offset)
        trusted &= abs(own - objective) <= 1e-6 * max(1.0, abs(own))
        trusted &= model.max_violation(values) <= 1e-5
    return status, values, objective, bound, trusted



class HighsBackend(LibraryBackend):
    """HiGHS (highspy): the matrix passed directly; an answer that does not add up is
    solved again without presolve (`_answer`)."""
    name, library, extras = "highs", "highspy", EXTRAS
    version = staticmethod(version)

    def run(self, model: LinearModel, params, hint, verbose, progress) -> Solution:
        return Solution(*_run(model, params, hint, verbose, progress))


BACKEND = HighsBackend()
