"""One `solve()` for every backend.

The backends (`models.backends`: registered by name, imported only when used,
`available()` probes them without failing) answer with a `Solution`; `solve()`
turns it into the same `Result` for all: status first, values only when a plan
exists.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, replace

import numpy as np

from . import evaluate
from .backends import (  # noqa: F401  (callers import them from here)
    DEFAULT_BACKEND,
    SCALING_TOLERANCE,
    Backend,
    BackendError,
    Solution,
    available,
    get as get_backend,
)
from .columns import complete_plan, decode, mapped_hint, whole_flows
from .evaluate import batch_counts, on_time, plan_value, tie_break_key  # noqa: F401  (re-exported)
from .formulation import build
from .instance import VALUE_QUANTUM, Instance
from .params import SolveParams
from .result import Result, SolveStatus, relative_gap


def _backend_run(backend: Backend, model, params: SolveParams, hint_values, verbose,
                 progress) -> Solution:
    """Run a backend with a full solution hint (every variable) when one is given."""
    if model.empty_row_broken():
        # a row without entries that 0 does not satisfy (a hard deadline no start can
        # meet): infeasible whatever the backend (CBC and CP-SAT would drop the row)
        return Solution(SolveStatus.INFEASIBLE)
    if model.n_vars == 0:  # nothing to decide (e.g. every work in a relocated village)
        return Solution(SolveStatus.OPTIMAL, np.zeros(0), model.offset, model.offset)
    return backend.solve(model, params, hint_values, verbose=verbose, progress=progress)


@dataclass
class ModelRun:
    """One build and backend run: the model, its layout, the backend's answer, the
    completed hint values (None without a usable hint), the build seconds; `lp_proof`:
    the answer is the hint proven by the LP relaxation, no backend run."""
    model: object
    layout: object
    solution: Solution
    hint_values: np.ndarray | None
    build_seconds: float
    lp_proof: bool = False


def run_model(inst, backend: Backend, params: SolveParams, hint, verbose, progress=False,
              lp_first: bool = False, **build_kw) -> ModelRun:
    """Build, complete the hint into a full plan, run the backend (`lp_first`: unless
    `lp_proof` proves the completed hint, as the exit-priority stages do)."""
    t0 = time.perf_counter()
    model, layout = build(inst, **build_kw)
    build_seconds = time.perf_counter() - t0
    hint_values = None
    limit = params.time_limit
    if hint is not None:
        hint_values = complete_plan(model, layout, mapped_hint(inst, layout, hint),
                                    time_limit=min(5.0, 0.1 * limit) if limit else 5.0,
                                    threads=params.threads)
    if lp_first and hint_values is not None and not model.empty_row_broken():
        proof = lp_proof(model, hint_values, params)
        if proof is not None:
            return ModelRun(model, layout, proof, hint_values, build_seconds, True)
    if limit is not None:
        params = replace(params, time_limit=max(0.05, limit - (time.perf_counter() - t0)))
    sol = _backend_run(backend, model, params, hint_values, verbose, progress)
    return ModelRun(model, layout, sol, hint_values, build_seconds)


def lp_proof(model, values: np.ndarray, params: SolveParams) -> Solution | None:
    """The plan `values` (every variable) as an optimal answer when the LP relaxation's
    objective (a bound on every plan, whichever backend was asked for), rounded to the
    best objective a plan can have (`_rounded_bound`), is within `params.gap` of the
    plan's; None otherwise, or when the LP takes more than LP_PROOF_SHARE of the limit."""
    from .backends import highs

    if model.n_vars == 0:
        return None
    limit = params.time_limit
    try:
        lp = highs.solve_relaxation(model, params.threads,
                                    None if limit is None else LP_PROOF_SHARE * limit)[0]
    except RuntimeError:
        return None
    objective = float(model.offset + np.concatenate(model.cost) @ values)
    bound = _rounded_bound(model, lp, objective)
    if relative_gap(objective, bound) > params.gap + 1e-9:
        return None
    return Solution(SolveStatus.OPTIMAL, values, objective, bound)


def objective_step(model) -> float | None:
    """The step g such that every plan's objective is offset + k g (k whole): the
    greatest common divisor of the cost coefficients, in steps of VALUE_QUANTUM, when
    every variable with a cost is integer; None otherwise (e.g. partial credit)."""
    cost = np.concatenate(model.cost)
    integer = np.concatenate(model.integer)
    nz = np.abs(cost) > 0
    if not nz.any():
        return None
    if not integer[nz].all():
        return None
    units = cost[nz] / VALUE_QUANTUM
    whole = np.rint(units)
    if np.max(np.abs(units - whole)) > 1e-6:
        return None
    return float(np.gcd.reduce(np.abs(whole).astype(np.int64))) * VALUE_QUANTUM


def _rounded_bound(model, bound: float, value: float) -> float:
    """The backend's bound, tightened to the best objective a plan can have: plan
    objectives are offset + k g (`objective_step`), so a bound between two of them
    proves no more than the one below it (above, when minimising).  Never on the wrong
    side of the plan's own value."""
    step = objective_step(model)
    if step is not None:
        k = (bound - model.offset) / step
        k = np.floor(k + 1e-6) if model.maximize else np.ceil(k - 1e-6)
        bound = model.offset + k * step
    return max(bound, value) if model.maximize else min(bound, value)


def _better(inst: Instance, a: float, b: float) -> bool:
    """a is strictly better than b under the instance's objective."""
    return a > b + 1e-9 if inst.objective == "max_coverage" else a < b - 1e-9


#: share of a solve's time limit kept for the tie-break phase
TIE_BREAK_SHARE = 0.15
#: seconds the tie-break may take at least (within the time limit): its restricted
#: program's limit, which it seldom needs (0.05-0.3 s on the counties of
#: benchmarks/README.md, where it found the pooled money a 0.5-s search found)
TIE_BREAK_FLOOR = 0.5
#: seconds the tie-break's search may take at least after the restricted program: a
#: small program's search reaches its optimum in less, where the restricted program
#: may not (a work that both its LP and the plan leave out is fixed out)
TIE_BREAK_SEARCH = 0.1
#: share of a solve's time limit the LP relaxation of `lp_proof` may take: when it
#: does not prove the hint, the search does that work again at its root
LP_PROOF_SHARE = 0.1


def reporter(progress):
    """`progress` when it is a reporter of phases (a `phase(text)` method, as
    planner.progress.Progress has), else False: True (HiGHS's own line) and plain
    callables follow the main solve only, as they did before phases were told."""
    return progress if callable(getattr(progress, "phase", None)) else False


def announce(progress, text: str) -> None:
    """Tell a reporter of phases (`reporter`) which phase runs now; anything else is
    left alone."""
    if reporter(progress):
        progress.phase(text)


def phase_name(inst: Instance, stage: int | None, elastic: str | None) -> str:
    """What a solve looks for, in the words of the progress line."""
    if elastic:
        return "relaxed solve: which rules cannot hold"
    if stage is not None:
        return (f"exit priority {stage + 1}/{len(inst.batches)}: batch "
                f"{inst.batch_labels[stage]} on time")
    return "most value" if inst.objective == "max_coverage" else "least pooled money"


def solve(inst: Instance, params: SolveParams | None = None, *,
          hint: np.ndarray | None = None, verbose: bool = False,
          elastic: str | None = None, tie_break: bool = True, progress=False,
          stage: int | None = None, lp_first: bool = False,
          tie_break_floor: float = TIE_BREAK_FLOOR, **given) -> Result:
    """Solve the planning program with `params` (default: SolveParams()) and the
    settings `given` as keywords in their place (backend, time_limit, gap, threads,
    seed, extras; None: not given); `hint` is a start year per project (-1: not chosen).

    The hint is completed into a full solution (every variable) and handed to the
    backend; whatever the backend returns, the result is the better of its plan and the
    hint's (never below the warm start), stated in `options["plan_from"]`.
    `lp_first` (for a hint likely within the gap, as the value's dive after the
    exit-priority stages, models.strategy): a hint within the gap of the LP
    relaxation's bound is the answer with no search (`lp_proof`;
    `options["bound_by"]` "LP relaxation").
    Phase 1 finds the best value (max_coverage) or least cost (min_cost).  Phase 2,
    the tie-break, keeps that objective and prefers the cheaper, then earlier plan,
    within a fifth of the time phase 1 took or `tie_break_floor` seconds if more, inside
    `time_limit`, which bounds both phases together; its outcome is recorded in
    `options["tie_break"]`.
    `progress`: True shows a live one-line progress on stderr (HiGHS); a callable
    receives (seconds, objective, bound) at each report (HiGHS callbacks); one with a
    `phase(text)` method (planner.progress.Progress) is also told each phase
    (`announce`) and reports the tie-break phase too.
    `stage`: solve exit-priority stage `stage` instead (its objective the villages of that
    batch on time, `models.priority`); no tie-break then.
    """
    params = (params or SolveParams()).updated(**given)
    tie_break = tie_break and stage is None

    def value_of(inst, start):  # the objective this solve maximises
        return stage_value(inst, start, stage)

    backend = params.backend
    mod = get_backend(backend)
    t0 = time.perf_counter()
    announce(progress, phase_name(inst, stage, elastic))
    run_params = params
    if tie_break and not elastic and params.time_limit is not None:
        run_params = replace(params, time_limit=params.time_limit * (1 - TIE_BREAK_SHARE))
    run = run_model(inst, mod, run_params, hint, verbose, progress, elastic=elastic,
                    stage=stage, lp_first=lp_first and not elastic and stage is None)
    model, layout, hint_values, sol = run.model, run.layout, run.hint_values, run.solution
    status, values, objective, bound = sol.status, sol.values, sol.objective, sol.bound
    options = {**params.recorded(), "backend": backend, "elastic": elastic,
               "build_seconds": round(run.build_seconds, 4)}
    if run.lp_proof:
        options["bound_by"] = "LP relaxation"
    scaling = sol.scaling_error
    if scaling is not None:  # CP-SAT: how much the integer scaling rounded away
        options["scaling_error"] = scaling
        if scaling > SCALING_TOLERANCE:
            warnings.warn(f"{backend}: scaling coefficients to integers rounded away up to "
                          f"{scaling:.2e} (relative); the plan is still checked exactly",
                          stacklevel=2)
    version = mod.version()
    if elastic:
        if values is None:
            return Result.no_solution(status, backend, time.perf_counter() - t0,
                                      backend_version=version, options=options)
        start, ontime = decode(inst, layout, values)
        options["slack"] = {(k, label): float(values[v]) for k, label, v in layout.slacks
                            if values[v] > 1e-6}
        return Result(status=status, backend=backend, backend_version=version,
                      objective=objective, bound=bound, gap=relative_gap(objective, bound),
                      seconds=time.perf_counter() - t0, values=values, start=start,
                      on_time=ontime, options=options)
    options["plan_from"] = "warm start" if run.lp_proof else "solver"
    if hint is not None:
        options["hint_value"] = (value_of(inst, decode(inst, layout, hint_values)[0])
                                 if hint_values is not None else None)
    if hint_values is not None:
        hinted = value_of(inst, decode(inst, layout, hint_values)[0])
        if values is None or _better(inst, hinted, value_of(inst, decode(inst, layout,
                                                                        values)[0])):
            # the backend found nothing better than the plan it was handed: keep that one
            options["plan_from"] = "warm start"
            options["solver_status"] = status.value
            options["solver_value"] = (None if values is None else
                                       value_of(inst, decode(inst, layout, values)[0]))
            values = hint_values
            if status not in (SolveStatus.OPTIMAL, SolveStatus.TIME_LIMIT):
                status = SolveStatus.FEASIBLE
    if values is None:
        return Result.no_solution(status, backend, time.perf_counter() - t0,
                                  backend_version=version, options=options)
    start, ontime = decode(inst, layout, values)
    value = value_of(inst, start)
    if bound is not None and not np.isfinite(bound):
        bound = None  # no bound proven (e.g. stopped before the root finished)
    if bound is not None:
        bound = _rounded_bound(model, bound, value)
    # a status says only what was proven, and all that was proven: `optimal` is a bound
    # within the requested gap, whatever the backend said
    proven = bound is not None and relative_gap(value, bound) <= params.gap + 1e-9
    if status is SolveStatus.OPTIMAL and not proven:
        status = SolveStatus.FEASIBLE
    elif status in (SolveStatus.TIME_LIMIT, SolveStatus.FEASIBLE) and proven:
        status = SolveStatus.OPTIMAL
    phase1 = time.perf_counter() - t0
    options["tie_break"] = "off"
    lent = whole_flows(inst, layout, values)
    if tie_break:
        start, lent2, options["tie_break"] = _tie_break(inst, mod, params, start, value,
                                                        phase1, t0, progress,
                                                        tie_break_floor)
        lent = lent if lent2 is None else lent2
        ontime = on_time(inst, start)
    return Result(status=status, backend=backend, backend_version=version,
                  objective=value, bound=bound, gap=relative_gap(value, bound),
                  seconds=time.perf_counter() - t0, values=values, start=start,
                  on_time=ontime, options=options, flows=lent)


def stage_value(inst: Instance, start: np.ndarray, stage: int | None) -> float:
    """The plan's value (stage None) or, for an exit-priority stage, its batch's villages
    on time."""
    if stage is None:
        return evaluate.plan_value(inst, start)
    return float(batch_counts(inst, on_time(inst, start))[stage])


def solve_secondary(inst: Instance, floor: float, secondary: dict,
                    params: SolveParams | None = None, *, hint: np.ndarray | None = None,
                    **given) -> Result:
    """Keep the objective at `floor` or better and minimise a second-rank objective
    (see models.formulation.build): fewest changes, most diverse, ...  `params` and
    `given` as for `solve`."""
    params = (params or SolveParams()).updated(**given)
    backend = params.backend
    mod = get_backend(backend)
    run_opts = params.recorded()
    t0 = time.perf_counter()
    run = run_model(inst, mod, params, hint, False, floor=floor, secondary=secondary)
    layout, hint_values, sol = run.layout, run.hint_values, run.solution
    status, values, objective, bound = sol.status, sol.values, sol.objective, sol.bound
    plan_from = "solver"
    if values is None and hint_values is not None:
        # the backend found no plan in its time: the hint keeps the floor and is one
        values, plan_from, status = hint_values, "warm start", SolveStatus.FEASIBLE
    if values is None:
        return Result.no_solution(status, backend, time.perf_counter() - t0,
                                  backend_version=mod.version(), options=run_opts)
    start, ontime = decode(inst, layout, values)
    return Result(status=status, backend=backend, backend_version=mod.version(),
                  objective=plan_value(inst, start), bound=None, gap=None,
                  seconds=time.perf_counter() - t0, values=values, start=start, on_time=ontime,
                  flows=whole_flows(inst, layout, values),
                  options={**run_opts, "secondary": secondary["kind"], "plan_from": plan_from,
                           "secondary_value": objective, "secondary_bound": bound})


def _tie_break(inst, mod, params: SolveParams, start, value, phase1, t0, progress=False,
               floor: float = TIE_BREAK_FLOOR):
    """Same objective, cheaper then earlier: (start, revolving money lent or None when
    phase 1 is kept, what happened).  A reporter with `phase` (see `solve`) is told the
    phase and gets the backend's figures (the pooled money, plus the earliness term).

    First the program restricted around the plan (models.dive.restricted: the starts on
    which the tie-break's LP relaxation and the plan agree fixed, RINS), within a fifth
    of phase 1 or `floor` seconds if more; then the backend's search from its plan in
    what is left of a fifth of phase 1, at least TIE_BREAK_SEARCH seconds (within the
    same limit).  On a county of 300 villages and 12 of 35-316
    (benchmarks/README.md) the restricted program found the pooled money the search
    found in its 0.5 s each, in a quarter of the time; the search finds more of the
    earliness."""
    from .backends import highs
    from .dive import restricted
    from .formulation import build

    wanted = limit = max(floor, 0.2 * phase1)
    if params.time_limit is not None:  # both phases share one time limit
        limit = min(limit, params.time_limit - (time.perf_counter() - t0))
    if limit <= 0.05:
        return start, None, ("skipped: no time left" if limit < wanted
                             else "skipped: a fifth of phase 1 is under 0.05 s")
    announce(progress, f"tie-break: same value, less money, earlier (up to {limit:.1f} s)")
    began = time.perf_counter()

    def better(new, strictly: bool) -> bool:  # the same objective, cheaper then earlier
        same = (plan_value(inst, new) >= value - 1e-9 if inst.objective == "max_coverage"
                else plan_value(inst, new) <= value + 1e-9)
        key, was = tie_break_key(inst, new), tie_break_key(inst, best)
        return same and (key < was if strictly else key <= was)

    best, lent, how = start, None, "kept phase 1"
    model, layout = build(inst, floor=value)
    try:
        cols = highs.solve_relaxation(model, params.threads, limit)[2]
    except RuntimeError:
        cols = None
    if cols is not None:
        values = restricted(inst, model, layout, cols, start,
                            max(0.05, limit - (time.perf_counter() - began)), params.threads,
                            reporter(progress))
        new = None if values is None else decode(inst, layout, values)[0]
        if new is not None and better(new, strictly=True):
            best, lent, how = new, whole_flows(inst, layout, values), "improved around the plan"
    rest = min(limit - (time.perf_counter() - began),
               max(TIE_BREAK_SEARCH, 0.2 * phase1 - (time.perf_counter() - began)))
    if rest <= 0.05:
        return best, lent, how
    run = run_model(inst, mod, replace(params, time_limit=rest, gap=1e-6), best, False,
                    reporter(progress), floor=value)
    if run.solution.values is not None:
        new = decode(inst, run.layout, run.solution.values)[0]
        if better(new, strictly=False):  # as good and proven optimal is said too
            best, lent = new, whole_flows(inst, run.layout, run.solution.values)
            how = ("optimal" if run.solution.status is SolveStatus.OPTIMAL
                   else "improved within its time")
    return best, lent, how
