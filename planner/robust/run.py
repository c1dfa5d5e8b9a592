"""`planner robust SCENARIO --samples N --out DIR`: the first year's works decided once
for every sample of `uncertainty:`, the later years adapted to each.

1. the plan on expected money and costs (each cut at p x share, each range and overrun
   at its middle): its first year is the deterministic first year;
2. that first year's later years re-planned in every sample (planner.robust.recourse:
   replan's machinery) -- the warm start of step 3 and the in-sample value of the
   deterministic first year;
3. the first year of the sample-average program: one program with every sample's copy
   and the first year's starts tied together (models.robust.extensive), or progressive
   hedging, each sample's program a Dask task (models.robust.hedging);
4. each sample's later years from that first year, re-planned as in step 2, written
   with the sample's scenario and verified by the independent checker;
5. each sample solved knowing its money and costs (wait-and-see);
6. the same on fresh samples, drawn from another seed stream: the robust and the
   deterministic first year re-planned in each, and wait-and-see, for the value, VSS
   and EVPI with their t-intervals (planner.robust.report).

Every re-plan a value is reported for (steps 2, 4 and 6) is written with its scenario
and verified (`replan`), and the tables are checked against them before DIR is kept
(planner.check.robust).

Plans are judged by their value (models.evaluate.plan_value) under the weighted exit
priority: a lexicographic rule's batch stages do not average over samples.  One time
limit (`--time-limit`) for all of it, shared out by the solves' weights (`UNITS`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from models.budget import TimeBudget
from models.params import SolveParams
from models.robust import EXTENSIVE_LIMIT, METHODS, OBJECTIVES, solve_copies
from models.robust.hedging import hedge

from ..errors import InputError, Problem
from ..pipeline import PlanningError, write_verified
from ..plan import make_plan
from ..replan import lock_past
from ..scenario import Scenario, load_scenario
from ..scenario.frames import settings_of, write_scenario
from .recourse import (
    STARTS_FILE,
    as_array,
    copy_for,
    first_of,
    instances,
    recourse,
    write_starts,
)
from .sampling import (
    FRESH,
    SOLVE,
    Draw,
    draws,
    expected,
    funds_of,
    projects_of,
    sample_scenario,
    weighted,
)

#: the weight of each solve in the time limit: a re-plan of the later years, a program
#: of one sample, a sample in the extensive form or in progressive hedging
UNITS = {"replan": 0.5, "one": 1.0, "extensive": 2.0, "hedging": 3.0}


class Clock:
    """The run's time limit shared out by weights: each solve its share of what is left
    in proportion to its weight among the weights still to come."""

    def __init__(self, budget: TimeBudget, units: float):
        self.budget, self.units = budget, units

    def take(self, units: float) -> float | None:
        seconds = self.budget.share(min(1.0, units / max(self.units, units)))
        self.units = max(0.0, self.units - units)
        return seconds


@dataclass
class Sampled:
    """What one sample gave: the draw, and per first year its re-plan (or None)."""
    draw: Draw
    robust: object = None  # Recourse
    deterministic: object = None
    wait_and_see: object = None  # CopiesResult
    folder: str = ""


@dataclass
class Run:
    scenario: Scenario
    unc: dict
    objective: str
    alpha: float
    method: str
    first: frozenset = frozenset()  # the robust first year
    deterministic: frozenset = frozenset()  # the first year on expected money
    decision: dict = field(default_factory=dict)  # how the first year was found
    solved: list = field(default_factory=list)  # Sampled per training sample
    fresh: list = field(default_factory=list)  # Sampled per fresh sample
    plan_schedule: object = None  # sample 001's schedule (the first year's money)
    summary: dict = field(default_factory=dict)  # summary.json (planner.robust.report)


def check_robust(scn: Scenario) -> None:
    """What `planner robust` needs of a scenario: uncertainty, a value to maximise, two
    years at least."""
    if scn.uncertainty is None:
        raise InputError(Problem("scenario.yaml", "has no uncertainty: for planner robust; "
                                 "add e.g. uncertainty: {samples: 20, money: [{stream: "
                                 "special_bonds, year: 2019, cut: {p: 0.3, share: 0.2}}]}",
                                 column="uncertainty"))
    if scn.objective != "max_coverage":
        raise InputError(Problem("scenario.yaml", "planner robust maximises the plan's "
                                 "value: give objective: max_coverage", column="objective",
                                 value=scn.objective))
    if scn.fairness.get("maximin"):
        raise InputError(Problem("scenario.yaml", "planner robust does not take the maximin "
                                 "rule; give max_spread or min_rate instead",
                                 column="fairness.maximin", value=True))


def sample_settings(scn: Scenario, d: Draw) -> dict:
    """scenario.yaml of a sample's scenario: the scenario's settings without
    uncertainty, under the weighted rule the robust plan is judged by."""
    settings = {k: v for k, v in settings_of(scn).items() if k != "uncertainty"}
    if scn.exit_priority.get("rule") == "lexicographic":
        settings["exit_priority"] = "weighted"
        settings.pop("deep_poverty_first", None)
    settings["name"] = f"{scn.name} sample {d.name}"
    return settings


def write_sample(folder: Path, scn: Scenario, unc: dict, d: Draw, first) -> Scenario:
    """The sample's scenario folder, read back by the one loader: the money and costs
    drawn, the first year's works at their cost, and the first year decided as
    replan.lock_past decides it (each first-year work's window that year and locked in,
    every other work's from the second year; one that can then no longer start is
    locked out), so that the files alone say what the sample's plan was made for:
    `planner check` and `planner solve` read the same problem."""
    fixed = lock_past(sample_scenario(weighted(scn), unc, d, first),
                      {p: scn.years[0] for p in first}, scn.years[1])
    projects = projects_of(scn.projects, unc, d, frozenset(first))
    window = fixed.projects.set_index("project_id")[["earliest_year", "latest_year"]]
    kept = projects["project_id"].isin(window.index)
    for col in ("earliest_year", "latest_year"):
        projects.loc[kept, col] = projects.loc[kept, "project_id"].map(window[col])
    settings = sample_settings(scn, d)
    settings["lock"] = {"in": sorted(fixed.lock_in),
                        "out": sorted(set(fixed.lock_out)
                                      | set(projects.loc[~kept, "project_id"]))}
    tables = {"villages": scn.villages, "gaps": scn.gaps, "projects": projects,
              "funds": funds_of(scn.funds, unc, d)}
    return load_scenario(write_scenario(folder, tables, settings))


def replan(run: Run, stage: Path | None, where: str, d: Draw, first, params: SolveParams,
           seconds: float | None):
    """The later years of draw `d` from the first year `first` (planner.robust.recourse);
    with `stage`, its scenario folder (write_sample) and its verified plan are written
    into stage/where/{scenario,plan} (no plan folder when it has no plan), so that the
    value reported is a plan's that the checker holds it to."""
    if stage is None:
        return recourse(sample_scenario(weighted(run.scenario), run.unc, d, first), first,
                        params, seconds)
    scn = write_sample(stage / where / "scenario", run.scenario, run.unc, d, first)
    got = recourse(scn, first, params, seconds)
    if got.result.has_solution:
        write_verified(got.scenario, make_plan(got.scenario, got.instance, got.result),
                       stage / where / "plan")
    return got


def robust(folder, out: Path | None = None, *, samples: int | None = None,
           evaluate: int | None = None, objective: str = "expected", alpha: float = 0.9,
           method: str = "auto", progress=None, **solver_given) -> Run:
    """Plan the first year for every sample (see the module's docstring); writes DIR
    (planner.robust.report) when `out` is given.  `samples`: the number of samples
    (default: uncertainty.samples); `evaluate`: the fresh samples (default: as many)."""
    from .report import summary_of, write_outputs

    step = progress.update if progress else (lambda text: None)
    scn = load_scenario(folder)
    check_robust(scn)
    if objective not in OBJECTIVES or method not in METHODS:
        raise ValueError(f"objective in {OBJECTIVES}, method in {METHODS}")
    if method == "hedging" and objective != "expected":
        raise InputError(Problem("--method", "progressive hedging averages over the "
                                 "samples: use --method extensive for the worst case or "
                                 "CVaR", value=method))
    unc = scn.uncertainty
    n = samples or unc["samples"]
    m = n if evaluate is None else evaluate
    params = SolveParams.merged(scn.solver, **solver_given)
    budget = TimeBudget(params.time_limit)
    base = weighted(scn)
    y0 = scn.years[0]
    probe = copy_for(base, unc, expected(unc))
    if method == "auto":
        method = ("extensive" if objective != "expected"
                  or n * probe.model.n_vars <= EXTENSIVE_LIMIT else "hedging")
    run = Run(scn, unc, objective, alpha, method)
    r, one = UNITS["replan"], UNITS["one"]
    clock = Clock(budget, one + n * (2 * r + UNITS[method] + (one if method == "extensive"
                                                            else 2 * r)) + m * (2 * r + one))
    step("the plan on expected money and costs")
    det = solve_copies([probe], params.updated(time_limit=clock.take(one)))
    if not det.has_solution:
        raise PlanningError(f"no plan on the expected money and costs ({det.status.value});"
                            " planner solve SCENARIO says which rules cannot hold, or give "
                            "more --time-limit", det.status)
    run.deterministic = first_of(probe.inst, det.starts[0])
    run.decision["deterministic"] = {"status": det.status.value, "value": det.measure,
                                     "bound": det.bound}
    outdir = (lambda: _output(out, scn)) if out is not None else tempfile.TemporaryDirectory
    with outdir() as where:
        stage = Path(where)
        write_starts(stage / "deterministic" / STARTS_FILE, y0, run.deterministic)
        run.solved = [Sampled(d) for d in draws(unc, SOLVE, n)]
        keep = stage if out is not None else None
        for i, s in enumerate(run.solved, start=1):
            step(f"sample {i}/{n}: the later years of the first year on expected money")
            s.deterministic = replan(run, keep, f"samples/{s.draw.name}/deterministic",
                                     s.draw, run.deterministic, params, clock.take(r))
        candidates, hints = _decide(run, base, params, clock, step)
        if len(candidates) > 1:  # hedging did not agree: the best first year in-sample
            candidates = _rank(run, base, candidates, params, clock, step)
        for k, first in enumerate(candidates):
            run.first = first
            if _adapt(run, stage, params, clock, step, hints if k == 0 else None,
                      out is not None):
                break
            run.decision.setdefault("rejected", []).append(sorted(first))
        else:
            raise PlanningError("no first year found that every sample can follow (a "
                                "sample's later years had no plan); try --method extensive "
                                "or more --time-limit")
        run.decision["candidate"] = len(run.decision.get("rejected", [])) + 1
        write_starts(stage / STARTS_FILE, y0, run.first)
        for i, s in enumerate(run.solved, start=1):
            if method == "extensive":
                step(f"sample {i}/{n}: knowing its money and costs (wait-and-see)")
                s.wait_and_see = _wait_and_see(base, unc, s, params, clock.take(one))
        run.fresh = [Sampled(d) for d in draws(unc, FRESH, m)]
        for i, s in enumerate(run.fresh, start=1):
            step(f"fresh sample {i}/{m}: both first years re-planned, wait-and-see")
            kept_in = f"evaluation/{s.draw.name}"
            s.robust = replan(run, keep, f"{kept_in}/robust", s.draw, run.first, params,
                              clock.take(r))
            s.deterministic = replan(run, keep, f"{kept_in}/deterministic", s.draw,
                                     run.deterministic, params, clock.take(r))
            s.wait_and_see = _wait_and_see(base, unc, s, params, clock.take(one))
        if out is not None:
            step("writing")
            write_outputs(run, stage, budget)
        else:
            run.summary = {**summary_of(run), "seconds": round(budget.elapsed(), 3),
                           "time_limit": budget.limit}
    return run


def _output(out: Path, scn: Scenario):
    from ..outdir import output_folder

    return output_folder(Path(out), "planner robust", scn.input_files)


def _decide(run: Run, base: Scenario, params: SolveParams, clock: Clock, step):
    """The robust first year's candidates (the first is taken when every sample can
    follow it) and hints (project_id -> start per training sample) for the first."""
    unc, n = run.unc, len(run.solved)
    if run.method == "extensive":
        step(f"the sample-average program: {n} samples in one program ({run.objective})")
        copies = [copy_for(base, unc, s.draw) for s in run.solved]
        hint = None
        if all(s.deterministic.result.has_solution for s in run.solved):
            hint = [as_array(c.inst, s.deterministic.starts()) for c, s in
                    zip(copies, run.solved)]
        saa = solve_copies(copies, params.updated(time_limit=clock.take(
            UNITS["extensive"] * n)), run.objective, run.alpha, hint)
        if not saa.has_solution:
            raise PlanningError(f"the sample-average program found no plan "
                                f"({saa.status.value}); give more --time-limit", saa.status)
        run.decision.update(method="extensive", status=saa.status.value,
                            measure=saa.measure, bound=saa.bound, gap=saa.gap,
                            plan_from=saa.plan_from, seconds=round(saa.seconds, 3))
        ids = copies[0].inst.project_ids
        hints = [{p: int(y) for p, y in zip(ids, st) if y >= 0} for st in saa.starts]
        return [first_of(copies[0].inst, saa.starts[0])], hints
    from ..distributed import dask_mapper

    pairs = [instances(base, unc, s.draw) for s in run.solved]
    seconds = clock.take(UNITS["hedging"] * n)
    # each sample starts from the first year on expected money re-planned in it
    start = [as_array(later, s.deterministic.starts()) if s.deterministic.value is not None
             else None for (_, later), s in zip(pairs, run.solved)]
    with dask_mapper(params.scheduler, tasks=n) as mapper:
        ph = hedge(pairs, params.updated(threads=1), TimeBudget(seconds), mapper=mapper,
                   workers=getattr(mapper, "workers", 1), step=step, hints=start)
    if ph.first is None:
        raise PlanningError(f"progressive hedging found no first year: {ph.failed}")
    inst = pairs[0][1]
    proj = _first_projects(pairs)
    run.decision.update(method="hedging", iterations=ph.iterations, converged=ph.converged,
                        disagreeing=ph.disagree, stopped_by_clock=ph.stopped,
                        seconds=round(ph.seconds, 3), wait_and_see=ph.wait_and_see,
                        wait_and_see_status=ph.wait_and_see_status)
    sets = [frozenset(inst.project_ids[p] for p in proj[f]) for f in [ph.first,
                                                                       *ph.candidates[:2]]]
    hints = None
    if ph.converged:
        hints = [{p: int(y) for p, y in zip(inst.project_ids, st) if y >= 0}
                 for st in ph.starts]
    return sets, hints


def _rank(run: Run, base: Scenario, candidates: list, params, clock, step) -> list:
    """The candidate first years by their mean value over the samples solved on (each
    sample's later years re-planned), best first; one some sample cannot follow last."""
    n, scored = len(run.solved), []
    for k, first in enumerate(candidates, start=1):
        values = []
        for i, s in enumerate(run.solved, start=1):
            step(f"first year {k}/{len(candidates)} of hedging, sample {i}/{n}")
            got = recourse(sample_scenario(base, run.unc, s.draw, first), first, params,
                           clock.take(UNITS["replan"])).value
            values.append(got)
        ok = all(v is not None for v in values)
        scored.append((not ok, -(sum(values) / n) if ok else 0.0, k - 1, first))
        run.decision.setdefault("candidates", []).append(
            {"works": len(first), "in_sample_mean": sum(values) / n if ok else None,
             "no_plan": sum(v is None for v in values)})
    return [first for *_, first in sorted(scored, key=lambda t: t[:3])]


def _first_projects(pairs):
    from models.robust import copy_of

    c = copy_of(*pairs[0])
    return c.layout.x_proj[c.first]


def _adapt(run: Run, stage: Path, params, clock, step, hints, write: bool) -> bool:
    """Each training sample's later years from the robust first year, written (scenario
    and verified plan) when `write`; False when a sample has no plan."""
    n = len(run.solved)
    for i, s in enumerate(run.solved, start=1):
        step(f"sample {i}/{n}: the later years of the robust first year")
        folder = stage / "samples" / s.draw.name
        scn = (write_sample(folder / "scenario", run.scenario, run.unc, s.draw, run.first)
               if write else sample_scenario(weighted(run.scenario), run.unc, s.draw,
                                             run.first))
        s.robust = recourse(scn, run.first, params, clock.take(UNITS["replan"]),
                            hint=hints[i - 1] if hints else None)
        if not s.robust.result.has_solution:
            return False
        if write:
            plan = make_plan(s.robust.scenario, s.robust.instance, s.robust.result)
            write_verified(s.robust.scenario, plan, folder / "plan")
            s.folder = f"samples/{s.draw.name}"
            if i == 1:
                run.plan_schedule = plan.schedule
    return True


def _wait_and_see(base: Scenario, unc: dict, s: Sampled, params: SolveParams,
                  seconds: float | None):
    """The sample solved knowing its money and costs (the first year free), from the
    better of its two re-plans."""
    copy = copy_for(base, unc, s.draw)
    plans = [x for x in (s.robust, s.deterministic) if x is not None and x.value is not None]
    hint = None
    if plans:
        hint = [as_array(copy.inst, max(plans, key=lambda x: x.value).starts())]
    return solve_copies([copy], params.updated(time_limit=seconds), hint=hint)


__all__ = ["METHODS", "Run", "check_robust", "robust"]
