"""The objective, built in this one place; costs are set by variable block name.

max_coverage: value of gaps closed (weight, times late_factor when late),
+ bonus per village on time, - penalty per village a soft deadline misses.
min_cost: pooled money.  Both are multiples of a quantum (VALUE_QUANTUM, one
money unit), which lets the solver round its bound.
elastic: the sum of slacks (rules: villages/projects short; money: money missing).
maximin: the worst county's on-time rate.
stage (exit priority): the number of villages of one batch on time.
Second-rank phase (`floor` given): the first objective becomes a row, then
tie_break (cheaper, then earlier: the earliness term is worth less than one
money unit in all), stable (fewest changes from start years S) or diverse
(farthest from earlier plans).
"""

from __future__ import annotations

import numpy as np

from ..instance import VALUE_QUANTUM, Instance
from ..linear import LinearModel
from .variables import Layout


def _q(value: float) -> float:
    return round(value / VALUE_QUANTUM) * VALUE_QUANTUM


def objective(m: LinearModel, inst: Instance, L: Layout, elastic: str | None = None,
              floor: float | None = None, secondary: dict | None = None,
              maximin: bool = False, stage: int | None = None):
    money = 1.0 / inst.money_units
    if elastic:
        wanted = ("money",) if elastic == "money" else ("lock", "deadline", "exit")
        for kind, _, var in L.slacks:
            m.set_cost_at(var, 1.0 if kind in wanted else 0.0)
        return
    if stage is not None:  # exit priority: the villages of one batch on time
        m.clear_costs()
        m.maximize = True
        batch = np.zeros(inst.n_villages, dtype=bool)
        batch[inst.batches[stage]] = True
        m.set_cost("o", batch[L.o_village].astype(float))
        with_o = np.zeros(inst.n_villages, dtype=bool)
        with_o[L.o_village] = True
        m.offset = float((batch & ~with_o).sum())
        return
    if maximin:
        m.clear_costs()
        m.maximize = True
        m.set_cost_at(int(L.rate[0]), 1.0)
        return
    pooled = inst.proj_pooled_units.sum(axis=1)[L.x_proj] * money
    if inst.objective == "max_coverage":
        m.set_cost("x", np.where(L.cum[inst.proj_gap[L.x_proj]], 0.0,
                                 inst.gap_value(L.x_finish, inst.proj_gap[L.x_proj])))
        _cumulative_value(m, inst, L)
        m.set_cost("o", inst.bonus)
        m.offset += inst.bonus * (inst.n_villages - len(L.o_village))
        for kind, _, var in L.slacks:
            if kind == "soft":
                m.set_cost_at(var, -_q(inst.soft_penalty))
    else:
        m.set_cost("x", pooled)
    if floor is None:
        return
    _second_rank(m, inst, L, floor, secondary or {"kind": "tie_break"}, pooled, money)


def _cumulative_value(m: LinearModel, inst: Instance, L: Layout):
    """A cumulative gap is worth its on-time weight at z (or u) of its due year and the
    late weight for what closes after: w_on var[due] + w_late (var[last] - var[due])."""
    if not len(L.cgaps):
        return
    var = L.u if inst.partial_credit else L.z
    g = L.cgaps
    due = inst.village_due[inst.gap_village[g]]
    last = inst.n_years - 1
    w_on = inst.gap_value(np.full(len(g), -1), g)
    w_late = inst.gap_value(np.full(len(g), inst.n_years), g)
    costs = {}
    for i in range(len(g)):
        costs[var[i, last]] = costs.get(var[i, last], 0.0) + w_late[i]
        costs[var[i, due[i]]] = costs.get(var[i, due[i]], 0.0) + w_on[i] - w_late[i]
    for j, c in costs.items():
        m.set_cost_at(int(j), c)


def _second_rank(m: LinearModel, inst: Instance, L: Layout, floor: float,
                 secondary: dict, pooled: np.ndarray, money: float):
    """The phase-1 objective becomes a row (objective-floor / objective-ceiling), then
    the second-rank objective replaces it."""
    cost = np.concatenate(m.cost)
    nz = np.flatnonzero(cost)
    if m.maximize:
        m.add_rows("objective-floor", 1, np.zeros(len(nz), int), nz, cost[nz],
                   lo=floor - m.offset - 0.5 * VALUE_QUANTUM)
    else:
        m.add_rows("objective-ceiling", 1, np.zeros(len(nz), int), nz, cost[nz],
                   hi=floor - m.offset + 0.5 * money)
    m.clear_costs()
    m.maximize = False
    kind = secondary["kind"]
    if kind == "tie_break":
        G = max(inst.n_gaps, 1)
        early = 0.5 * money * (L.x_finish + 1) / (inst.n_years * G)
        m.set_cost("x", pooled + early)
    elif kind == "stable":
        # changes = previous starts not kept + projects started that were not before
        prev = np.asarray(secondary["start"])[L.x_proj]
        m.set_cost("x", np.where(prev == L.x_start, -1.0, np.where(prev >= 0, 0.0, 1.0)))
        m.offset = float((np.asarray(secondary["start"]) >= 0).sum())
    elif kind == "diverse":
        # minus the Hamming distance (over start choices) to each earlier plan
        cost = np.zeros(len(L.x))
        for plan in secondary["plans"]:
            cost += np.where(np.asarray(plan)[L.x_proj] == L.x_start, 1.0, -1.0)
        m.set_cost("x", cost)
    else:
        raise ValueError(f"unknown secondary objective {kind!r}")
