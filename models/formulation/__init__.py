"""The planning integer program, as one `LinearModel` every backend can take.

    variables.py    the variables and the `Layout` (where each decision lives)
    constraints.py  the rules other than money, one documented function per family
    money_rules.py  the money rules: class spending, leverage, returns, pool budgets
    objective.py    the objective, built in one place (costs set by block name)
    presolve.py     reductions before the build, each with the reason it is safe

`build(inst)` creates the variables, adds the rules in order, then the objective.
"""

from __future__ import annotations

from ..instance import Instance
from ..linear import LinearModel
from . import constraints as rules, money_rules, variables
from .objective import objective
from .variables import Layout

ELASTIC_MODES = (None, "rules", "money")

__all__ = ["ELASTIC_MODES", "Layout", "build"]


def build(inst: Instance, elastic: str | None = None, reduce: bool = True,
          floor: float | None = None, secondary: dict | None = None, maximin: bool = False,
          stage: int | None = None) -> tuple[LinearModel, Layout]:
    """The program for `inst`.  `elastic`: None, "rules" (every hard rule may be broken
    at a cost) or "money" (money may be missing at a cost); `reduce`: drop dominated
    starts (presolve; never in a second-rank phase); `floor`: a second-rank phase keeping
    the objective at least `floor` (max_coverage) or at most it (min_cost) and minimising
    `secondary`: {"kind": "tie_break"} (default: cheaper, then earlier),
    {"kind": "stable", "start": S} (fewest changes from the start years S) or
    {"kind": "diverse", "plans": [S1, ...]} (farthest from those plans);
    `maximin`: the objective is the worst county's on-time rate; `stage`: the objective
    is the number of villages of exit-priority batch `stage` on time (models.priority)."""
    if elastic not in ELASTIC_MODES:
        raise ValueError(f"elastic must be one of {ELASTIC_MODES}")
    m = LinearModel(maximize=(inst.objective == "max_coverage" and elastic is None))
    L = variables.create(m, inst, elastic, reduce and floor is None, maximin)
    rules.gap_once(m, inst, L)
    money_rules.funding(m, inst, L)
    rules.requires(m, inst, L)
    rules.alternatives(m, inst, L)
    rules.locks(m, inst, L)
    rules.deadlines(m, inst, L)
    if inst.objective == "max_coverage":
        rules.villages_on_time(m, inst, L, maximin)
        rules.batch_floors(m, inst, L)
    else:
        rules.exit_standard(m, inst, L)
    objective(m, inst, L, elastic, floor, secondary, maximin, stage)
    return m, L
