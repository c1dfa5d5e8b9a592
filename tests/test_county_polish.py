"""The counties solved again with the pooled money cut by the plan itself
(models.county_polish): the plan keeps every rule of each county's program, the slices
hold exactly the pool's money (carried money counted to the year it came from), and the
counties together, one program, reach the whole program's own optimum."""

from __future__ import annotations

import numpy as np
import pytest

from models.columns import complete_plan, mapped_hint
from models.county_parts import merged_start, split_by_county
from models.county_polish import plan_slices, polish, polish_parts, pooled_spend
from models.county_solve import solve_parts
from models.evaluate import priority_rank as rank
from models.formulation import build
from models.greedy import hard_violations
from models.params import SolveParams
from models.pooled_split import share_out
from models.strategy import solve_planned
from planner.build import build_instance
from planner.generate import generate
from planner.scenario import load_scenario

OPTS = {"gap": 0, "threads": 1, "seed": 0}


@pytest.fixture(scope="module")
def pooled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("polish") / "scn"
    generate(folder, villages=36, counties=3, seed=6, pooled_stream=True)
    inst = build_instance(load_scenario(folder))
    work = share_out(inst)
    parts = split_by_county(work)
    start = merged_start(work, parts, solve_parts(parts, map, None, 1, 0.0, OPTS))
    _, whole = solve_planned(inst, SolveParams(gap=0, threads=1, seed=0))
    return inst, start, whole.start


def _feasible(inst, start) -> bool:
    """The start years can be completed into a solution of the model's rows (money by
    pool and year with its carry-over, deadlines, ...)."""
    model, layout = build(inst)
    return complete_plan(model, layout, mapped_hint(inst, layout, start),
                         time_limit=30, threads=1) is not None


def _carried(inst, plan):
    """The instance with the pooled pool's money of year 2 moved into year 1: the plan
    keeps the whole's rules (the pool carries every year), but its works of year 2 are
    then paid with money carried from year 1."""
    b = int(np.flatnonzero(inst.pool_county < 0)[0])
    assert inst.pool_carry[b, :-1].all()
    budget = inst.pool_budget_units.copy()
    budget[b, 0] += budget[b, 1]
    budget[b, 1] = 0
    moved = inst.replace(pool_budget_units=budget)
    assert _feasible(moved, plan)
    assert pooled_spend(moved, plan)[b, :, 1].sum() > 0  # paid with money of year 1
    return moved, b


def test_slices_hold_the_pools_money_and_the_plan_keeps_each_countys_rules(pooled):
    inst, start, _ = pooled
    for case, plan in (("plain", start), ("carried", start)):
        if case == "carried":
            inst, b = _carried(inst, plan)
        slices = plan_slices(inst, plan)
        shared = np.flatnonzero(inst.pool_county < 0)
        # each year's slices add up to the pool's money, none below zero
        np.testing.assert_array_equal(slices[shared].sum(axis=1),
                                      inst.pool_budget_units[shared])
        assert (slices >= 0).all()
        if case == "carried":  # year 2's money is nil: nothing of it can be a slice
            assert (slices[b, :, 1] == 0).all()
        for part in polish_parts(inst, plan):
            hint = plan[part.projects]
            assert not hard_violations(part.instance, hint)
            assert _feasible(part.instance, hint), part.instance.meta["county"]


def test_the_counties_together_reach_the_whole_programs_optimum(pooled):
    """One group of the three counties: its slices add up to the pool and its quotas to
    each deadline's requirement, so it is the whole program, whose lexicographic optimum
    (solved directly) the polish reaches from the county-by-county plan, which is one
    village of the first batch short (models.group_split's test)."""
    inst, start, best = pooled
    assert rank(inst, start) < rank(inst, best)
    new, info = polish(inst, start, map, 1, None, OPTS, groups=[np.arange(3)])
    assert info["taken"] == 1
    assert rank(inst, new)[:-1] == rank(inst, best)[:-1]
    assert rank(inst, new)[-1] == pytest.approx(rank(inst, best)[-1])
    assert _feasible(inst, new)


def test_county_by_county_the_plan_never_ranks_lower(pooled):
    """Each county alone, from the county-by-county plan and from the whole's optimum
    with the money moved into year 1 (carried): the result keeps the whole's rules,
    ranks no lower than the plan it starts from, and never above the whole's optimum."""
    inst, start, best = pooled
    new, info = polish(inst, start, map, 1, None, OPTS)
    assert info["counties"] == 3
    assert rank(inst, start) <= rank(inst, new) <= rank(inst, best)
    assert _feasible(inst, new)
    moved, _ = _carried(inst, best)
    again, _ = polish(moved, best, map, 1, None, OPTS)
    assert rank(moved, again) >= rank(moved, best)
    assert _feasible(moved, again)


def test_a_run_by_county_writes_a_plan_the_checker_accepts(tmp_path):
    """End to end (planner.pipeline, --decompose county, a time limit so that the
    levels take dives and the polish runs): the rounds are recorded, and the written
    plan passes the independent checker (planner.check through planner.verify)."""
    from planner.pipeline import plan_scenario
    from planner.verify import verify_plan

    folder = tmp_path / "scn"
    generate(folder, villages=36, counties=3, seed=6, pooled_stream=True)
    out = plan_scenario(folder, tmp_path / "plan", decompose="county", time_limit=60,
                        threads=1, seed=0)
    levels = out.result.options["regrouped"]["levels"]
    assert [lv["search"] for lv in levels][:2] == ["LP dives", "LP dives"]
    assert "full, money by the plan" in [lv["search"] for lv in levels]
    assert verify_plan(load_scenario(folder), tmp_path / "plan") == []
