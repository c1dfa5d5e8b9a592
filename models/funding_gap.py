"""The funding gap: the least extra money that makes every hard rule hold, and how it
may be split over the money pools (stream, county) and years.

The least total is the optimum of the elastic-money program (models.formulation,
`elastic="money"`: a slack per pool and year adds money to that pool-year's budget;
the objective is the slack's sum).  It is one number; its split is in general not
unique: with carry-over, money added in a year also pays for later years, and two
streams that may pay for the same works are interchangeable.  So the split is given
by a stated rule (SPLIT_RULE), and for each pool-year the range [low, high] it may take
among the splits of that same least total that fund the same works (small programs
with the works fixed and the total held: one minimising, one maximising the
pool-year's extra money).  A pool-year whose range is a single value is determined.

All amounts are in the scenario's money unit; the total is held to within TOLERANCE
of the least.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .backends import get as get_backend
from .budget import TimeBudget
from .columns import decode
from .county_parts import separable, split_by_county
from .eligibility import breadth
from .formulation import build
from .instance import Instance
from .money import UNITS
from .params import SolveParams
from .result import SolveStatus

#: how close to the least total a split must stay (the solvers' feasibility tolerance;
#: well below the 4 decimals amounts are written with)
TOLERANCE = 1e-6
#: the rule that picks one split among those of least total, in words
SPLIT_RULE = ("among the splits of least total, the one that asks the money as late as "
              "possible (no money before the year the works spend it), then from the pool "
              "that may pay for the most works: it minimises the sum of extra money x "
              "(years before the last year + the pool's flexibility rank / pools)")
#: the same rule in Chinese (`planner needs --lang zh`)
SPLIT_RULE_ZH = ("在追加总额同为最少的各种分配中，取资金到位尽量晚（不早于项目用款年度）、"
                 "再优先给可支付项目最多的资金池的一种：使 追加资金 ×（距最后一年的年数 + "
                 "资金池灵活度排名 / 资金池数）之和最小")


@dataclass
class FundingGap:
    status: SolveStatus  # of the least-total solve
    total: float | None  # the least extra money (None: no plan even with extra money)
    extra: np.ndarray  # (pools, years): the split by SPLIT_RULE
    low: np.ndarray  # (pools, years): least a pool-year may take (NaN: not computed)
    high: np.ndarray  # (pools, years): most it may take (NaN: not computed)
    rule_status: str  # "optimal", or how the rule's solve ended (its split then holds
    #                   the least total, but may not be the rule's best)
    ranges_done: bool  # every pool-year's range computed within the time limit

    @property
    def computed(self) -> np.ndarray:
        """(pools, years) bool: the pool-year's range was computed."""
        return ~np.isnan(self.low) & ~np.isnan(self.high)

    @property
    def wide(self) -> np.ndarray:
        """(pools, years) bool: other splits give the pool-year other amounts (its range
        computed, its ends apart when written with 4 decimals)."""
        with np.errstate(invalid="ignore"):
            return self.computed & (self.high - self.low >= 0.5 / UNITS)

    @property
    def unique(self) -> bool:
        """No other split of the least total funds the same works (ranges complete)."""
        return self.ranges_done and not bool(self.wide.any())


def funding_gap(inst: Instance, params: SolveParams, budget: TimeBudget | None = None,
                progress=None) -> FundingGap:
    """The least extra money for `inst` (its own objective's hard rules: with min_cost,
    every exit standard and hard deadline), its split by SPLIT_RULE and each pool-year's
    range; `budget` shares one time limit over the solves (default: params.time_limit);
    `progress`: told each step (`update(text)`) and the solver's figures."""
    budget = budget or TimeBudget(params.time_limit)
    step = progress.update if progress else (lambda text: None)
    backend = get_backend(params.backend)
    B, Y = inst.n_pools, inst.n_years
    nan = np.full((B, Y), np.nan)
    model, layout = build(inst, elastic="money")
    slack = np.asarray(layout.money_slack, dtype=np.int64)  # pool b, year t at b * Y + t
    run = lambda p, hint=None, live=False: backend.solve(
        model, p, hint, progress=(progress or False) if live else False)
    exact = params.updated(gap=0, time_limit=budget.share(0.5))
    step("funding gap: the least extra money")
    if model.empty_row_broken():
        return FundingGap(SolveStatus.INFEASIBLE, None, np.zeros((B, Y)), nan, nan, "", False)
    first = run(exact, live=True)
    if first.values is None:
        return FundingGap(first.status, None, np.zeros((B, Y)), nan, nan, "", False)
    total = float(first.values[slack].sum())
    # the total held: sum of slacks <= least + tolerance
    model.add_rows("funding-gap-total", 1, np.zeros(len(slack)), slack, 1.0,
                   hi=total + TOLERANCE)
    # the rule: later years first, then the more flexible pool
    flexible = breadth(inst)
    rank = np.empty(B)
    rank[np.argsort(-flexible, kind="stable")] = np.arange(B) / max(B, 1)
    weight = (Y - 1 - np.arange(Y))[None, :] + rank[:, None]
    model.clear_costs()
    model.maximize = False
    for k, var in enumerate(slack):
        model.set_cost_at(int(var), float(weight.ravel()[k]))
    step("funding gap: the split by the stated rule")
    ruled = run(params.updated(gap=0, time_limit=budget.share(0.5)), first.values, live=True)
    values = ruled.values if ruled.values is not None else first.values
    rule_status = ruled.status.value if ruled.values is not None else "not found in time"
    extra = np.clip(values[slack].reshape(B, Y), 0.0, total)
    starts, _ = decode(inst, layout, values)
    low, high = nan.copy(), nan.copy()
    # with the works fixed, money-only programs; county by county when the money is
    # (the counties' extra money then adds up to the total: each county's is held)
    # (the deadlines left out: the fixed works meet them, county by county or not)
    loose = inst.replace(deadlines=())
    parts = ([(loose, np.arange(B), starts)] if separable(loose) or inst.n_villages == 0
             else [(part.instance, np.flatnonzero(inst.pool_county == part.county),
                    starts[part.projects]) for part in split_by_county(loose)])
    todo = sum(len(pools) for _, pools, _ in parts) * Y
    done, seen = True, 0
    for sub, pools, sub_starts in parts:
        for k, (lo, hi) in enumerate(_ranges(sub, sub_starts, extra[pools], params,
                                             budget, todo - seen, step, seen, todo)):
            low[pools[k // Y], k % Y], high[pools[k // Y], k % Y] = lo, hi
        seen += len(pools) * Y
        done = done and not np.isnan(low[pools]).any() and not np.isnan(high[pools]).any()
    return FundingGap(first.status, total, extra, low, high, rule_status, done)


def _ranges(inst: Instance, starts: np.ndarray, extra: np.ndarray, params: SolveParams,
            budget: TimeBudget, left: int, step, seen: int, todo: int) -> list[tuple]:
    """(least, most) extra money of each pool-year of `inst` (row-major) with the works
    started at `starts` and the total extra held at its least for them (the part of the
    least total these pools take); NaN where not solved in time."""
    backend = get_backend(params.backend)
    Y = inst.n_years
    model, layout = build(inst, elastic="money", reduce=False)
    slack = np.asarray(layout.money_slack, dtype=np.int64)
    chosen = (starts[layout.x_proj] == layout.x_start).astype(float)
    x = model.blocks["x"].pos
    model.lb[x], model.ub[x] = chosen.copy(), chosen.copy()
    small = params.updated(gap=1e-9)
    least = backend.solve(model, small.updated(time_limit=budget.share(1 / max(1, left))))
    if least.values is None or least.status is not SolveStatus.OPTIMAL:
        return [(np.nan, np.nan)] * len(slack)
    held = float(least.values[slack].sum())
    model.add_rows("funding-gap-total", 1, np.zeros(len(slack)), slack, 1.0,
                   hi=held + TOLERANCE)
    out = []
    for k, var in enumerate(slack):
        b, t = divmod(k, Y)
        pair = [np.nan, np.nan]
        remaining = budget.left()
        if remaining is not None and remaining <= 0.05:
            out.append(tuple(pair))
            continue
        step(f"funding gap: range of pool-year {seen + k + 1}/{todo}")
        model.clear_costs()
        model.set_cost_at(int(var), 1.0)
        for i, maximize in enumerate((False, True)):
            if not maximize and extra[b, t] <= TOLERANCE:
                pair[i] = 0.0  # a slack is never below 0
                continue
            model.maximize = maximize
            res = backend.solve(model, small.updated(
                time_limit=budget.share(1 / max(1, 2 * (left - k)))))
            if res.values is not None and res.status is SolveStatus.OPTIMAL:
                pair[i] = min(max(float(res.values[var]), 0.0), held)
        out.append(tuple(pair))
    return out
