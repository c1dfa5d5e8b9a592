"""LP-guided warm start: solve the LP relaxation, fix every start the LP takes whole or
leaves at zero, and solve the small integer program that remains.

On these programs the LP relaxation is nearly integral (a county of 300 villages has
about ten fractional starts out of thousands), so the restricted program is tiny and
its plan is usually within a few tenths of a percent of the bound; it keeps every
hard rule, deadlines included, since it is solved on the model itself.  Should the
restriction be infeasible, the zeros are freed and it is tried once more.

Around a plan (`around`, as models.priority uses it between the exit-priority stages,
where the floors of the earlier batches make the LP's whole starts clash): only the
starts on which the LP and that plan agree are fixed (relaxation induced
neighbourhood search, RINS), so the restricted program holds that plan, which is its
warm start: the dive never ends without a plan or below that plan.
"""

from __future__ import annotations

import numpy as np

from .instance import Instance
from .params import SolveParams


def lp_dive(inst: Instance, threads: int | None = None, time_limit: float = 2.0,
            stage: int | None = None, bound: bool = False,
            around: np.ndarray | None = None, gap: float = 1e-3):
    """Start year per project (-1: not chosen), or None when no plan was found.
    `stage`: dive on exit-priority stage `stage`'s objective (its batch's villages on
    time, the earlier batches kept at `inst.batch_floor`, models.priority) instead of the
    value; `bound`: return (the plan or None, the LP relaxation's objective or None),
    the objective a bound on every plan's (the relaxation of the same program, after the
    same safe presolve, models.formulation.presolve); `around`: a plan (start year per
    project) keeping every hard rule to search around (RINS, above); at a stage, when
    that plan's count already meets the LP bound, it is returned as it is; `gap`: a value
    dive's plan within that relative gap of the LP bound is not searched around (the
    value solve takes such a plan as it is, models.solve.lp_proof, at the run's gap)."""
    from .backends import highs
    from .columns import decode
    from .formulation import build
    from .solve import stage_value

    model, layout = build(inst, stage=stage)
    try:
        lp, _, cols = highs.solve_relaxation(model, threads)
    except RuntimeError:
        return (None, None) if bound else None
    # what meets the LP bound needs no search: a stage's count at the bound's floor (an
    # integer count), the value within `gap` of it
    target = np.floor(lp + 1e-6) if stage is not None else lp - gap * max(1.0, abs(lp))
    if (around is not None and stage is not None and bound
            and stage_value(inst, around, stage) >= target):
        return around, lp  # the plan meets the LP bound: nothing to search for
    if around is not None:
        # the classic dive first (the starts the LP takes whole or leaves at zero fixed,
        # a program of a few dozen columns): where the earlier batches' floors let it
        # meet the LP bound, it is the answer; else the better of it and the plan is
        # the plan to search around
        values = restricted(inst, model, layout, cols, None, time_limit, threads,
                            free_zeros=False)
        quick = None if values is None else decode(inst, layout, values)[0]
        if quick is not None:
            got = stage_value(inst, quick, stage)
            if got >= target - 1e-9:
                return (quick, lp) if bound else quick
            if got > stage_value(inst, around, stage):
                around = quick
    values = restricted(inst, model, layout, cols, around, time_limit, threads)
    plan = None if values is None else decode(inst, layout, values)[0]
    return (plan, lp) if bound else plan


def restricted(inst: Instance, model, layout, cols: np.ndarray,
               around: np.ndarray | None, time_limit: float, threads: int | None,
               progress=False, free_zeros: bool = True):
    """Every variable of the model's best plan in the restricted program (None when it
    has none in time): the starts fixed that the LP solution `cols` takes whole or
    leaves at zero, or, `around` a plan, the starts on which the LP and that plan agree
    (RINS, the plan its warm start); should the first restriction have no plan, the zeros
    are freed and it is tried again, unless not `free_zeros`.  `progress`: as for
    models.solve.solve."""
    from .backends import highs
    from .columns import complete_plan, mapped_hint

    x = cols[layout.x]
    base_lb, base_ub = model.lb[0].copy(), model.ub[0].copy()
    params = SolveParams(time_limit=time_limit, gap=1e-4, threads=threads, seed=None)
    start = None
    if around is not None:
        mine = mapped_hint(inst, layout, around)
        start = complete_plan(model, layout, mine, time_limit=time_limit, threads=threads)
    if start is not None:
        agree = np.abs(x - mine) < 1e-6
        tries = [(np.where(agree & (mine > 0.5), 1.0, base_lb),
                  np.where(agree & (mine < 0.5), 0.0, base_ub))]
    else:
        uppers = [np.where(x < 1e-6, 0.0, base_ub)] + ([base_ub] if free_zeros else [])
        tries = [(np.where(x > 1 - 1e-6, 1.0, base_lb), ub) for ub in uppers]
    values = None
    try:
        for lb, ub in tries:
            model.lb[0], model.ub[0] = lb, ub
            values = highs.BACKEND.solve(model, params, start, progress=progress).values
            if values is not None:
                break
    finally:
        model.lb[0], model.ub[0] = base_lb, base_ub
    return values
