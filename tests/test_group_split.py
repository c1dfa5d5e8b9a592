"""Counties merged pairwise with their slices of the pooled money (models.group_split):
a merged program holds exactly its counties' money, its plans are plans of the whole,
and merged to the top it is the whole program, whose lexicographic optimum it reaches."""

from __future__ import annotations

import numpy as np
import pytest

from models.columns import complete_plan, mapped_hint
from models.county_parts import merged_start, split_by_county
from models.county_solve import solve_parts
from models.decompose import solve_by_county
from models.evaluate import priority_rank as rank
from models.formulation import build
from models.group_split import group_part, pairs, regroup
from models.params import SolveParams
from models.pooled_split import share_out
from models.strategy import solve_planned
from planner.build import build_instance
from planner.generate import generate
from planner.plan import make_plan, write_plan
from planner.scenario import load_scenario
from planner.verify import verify_plan


@pytest.fixture(scope="module")
def pooled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("grouped") / "scn"
    generate(folder, villages=36, counties=3, seed=6, pooled_stream=True)
    scn = load_scenario(folder)
    return scn, build_instance(scn)


def _feasible(inst, start) -> bool:
    """The plan's start years can be completed into a solution of the model's rules
    (money by stream and year, deadlines, ...)."""
    model, layout = build(inst)
    return complete_plan(model, layout, mapped_hint(inst, layout, start),
                         time_limit=30, threads=1) is not None


def test_a_merged_group_holds_its_slices_money(pooled):
    _, inst = pooled
    work = share_out(inst)
    shared = np.flatnonzero(inst.pool_county < 0)
    assert len(shared) and len(inst.county_names) == 3
    slice_of = np.asarray(work.meta["slice_of"])
    g = group_part(work, np.array([0, 1])).instance
    g_of = np.asarray(g.meta["slice_of"])
    for b in shared:
        mine = np.flatnonzero((slice_of == b) & np.isin(work.pool_county, [0, 1]))
        at = np.flatnonzero(g_of == b)
        if not len(mine):
            assert not len(at)
            continue
        assert len(at) == 1 and g.pool_county[at[0]] == -1
        # its money: the two counties' slices added up, year by year
        np.testing.assert_array_equal(g.pool_budget_units[at[0]],
                                      work.pool_budget_units[mine].sum(axis=0))
        assert g.pool_stream[at[0]] == inst.pool_stream[b]
    own = [work.pool_stream[b] for b in np.flatnonzero((slice_of < 0)
                                                       & np.isin(work.pool_county, [0, 1]))]
    assert sorted(g.pool_stream[j] for j in np.flatnonzero(g_of < 0)) == sorted(own)
    assert set(g.village_county.tolist()) == {0, 1}
    assert g.n_projects == int(np.isin(inst.village_county[inst.gap_village[inst.proj_gap]],
                                       [0, 1]).sum())
    # the groups of a level: counties drawing on the same pooled pools, two by two
    assert pairs(work, [np.array([c]) for c in range(3)]) == [[0, 1], [2]]


def test_plans_of_a_merged_group_are_plans_of_the_whole(pooled, tmp_path):
    scn, inst = pooled
    work = share_out(inst)
    parts = split_by_county(work)
    outs = solve_parts(parts, map, None, 1, 0.0, {"gap": 0, "threads": 1, "seed": 0})
    start = merged_start(work, parts, outs)
    split = solve_by_county(inst, gap=0, threads=1, tie_break=False)  # its options
    g = group_part(work, np.array([0, 1]))
    held = start[g.projects]
    assert _feasible(g.instance, held)  # the two plans fit the money added up
    from models.solve import solve

    res = solve(g.instance, hint=held, gap=0, threads=1, tie_break=False)
    assert rank(g.instance, res.start) >= rank(g.instance, held)
    whole = start.copy()
    whole[g.projects] = res.start
    assert len(parts) == 3 and _feasible(inst, whole)
    # and the independent checker says so of the written plan
    from models.result import Result

    plan = Result(status=split.status, backend="highs", objective=float(
        rank(inst, whole)[-1]), bound=None, gap=None, seconds=0.0, start=whole,
        on_time=None, options=dict(split.options))
    from models.evaluate import batch_counts, on_time
    from models.priority import record_stages

    plan.on_time = on_time(inst, whole)
    record_stages(plan, [{"batch": label, "due": len(b), "on_time": int(n), "bound": None,
                          "status": "feasible", "proven": False, "solved": True}
                         for label, b, n in zip(inst.batch_labels, inst.batches,
                                                batch_counts(inst, plan.on_time))])
    out = tmp_path / "plan"
    write_plan(make_plan(scn, inst, plan), out)
    assert verify_plan(scn, out) == []


def test_merged_to_the_top_it_reaches_the_whole_programs_optimum(pooled):
    """Three counties: level 1 merges two, level 2 all three, the whole program (every
    slice of the pooled money added up is the pool): its lexicographic optimum, worked
    out by solving the whole program itself."""
    _, inst = pooled
    assert inst.batches  # the lexicographic exit priority
    params = SolveParams(gap=0, threads=1, seed=0)
    _, whole = solve_planned(inst, params)
    work = share_out(inst)
    parts = split_by_county(work)
    opts = {"gap": 0, "threads": 1, "seed": 0}
    outs = solve_parts(parts, map, None, 1, 0.0, opts)
    start = merged_start(work, parts, outs)
    # cut into slices, the pooled money serves one village of the first batch less
    assert rank(inst, start) < rank(inst, whole.start)
    assert rank(inst, start)[0] == rank(inst, whole.start)[0] - 1
    top, info = regroup(work, parts, start, map, 1, None, opts, whole=inst)
    assert [(lv["counties_per_group"], lv["search"]) for lv in info["levels"]] == [
        (2, "LP dives"), (3, "LP dives"), (3, "full, money by the plan"),
        (1, "full, money by the plan"), (3, "full, money by the plan"),
        (1, "full, money by the plan")]
    assert rank(inst, top) >= rank(inst, start)
    assert rank(inst, top)[:-1] == rank(inst, whole.start)[:-1]  # every batch's count
    assert rank(inst, top)[-1] == pytest.approx(rank(inst, whole.start)[-1])
    assert _feasible(inst, top)


def test_groups_above_the_size_limit_stay_apart(pooled, monkeypatch):
    import models.group_split as gs

    _, inst = pooled
    work = share_out(inst)
    works = np.bincount(inst.village_county[inst.gap_village[inst.proj_gap]])
    # room for counties 0 and 1 together, not for them with county 2
    monkeypatch.setattr(gs, "GROUP_MAX_WORKS", int(works[0] + works[1]))
    assert pairs(work, [np.array([0]), np.array([1]), np.array([2])]) == [[0, 1], [2]]
    assert pairs(work, [np.array([0, 1]), np.array([2])]) == [[0], [1]]
    monkeypatch.setattr(gs, "GROUP_MAX_WORKS", int(works[0] + works[1]) - 1)
    assert pairs(work, [np.array([0]), np.array([1]), np.array([2])]) == [[0], [1], [2]]


def test_the_rank_of_a_plan_follows_the_objective(pooled):
    from models.evaluate import batch_counts, on_time, plan_value
    from models.greedy import greedy

    _, inst = pooled
    some, none = greedy(inst), np.full(inst.n_projects, -1)
    assert plan_value(inst, some) > 0
    # most value: the batches' counts first, then the value
    assert rank(inst, some) == (*batch_counts(inst, on_time(inst, some)),
                                plan_value(inst, some))
    assert rank(inst, some) > rank(inst, none)
    # least pooled money (where every village is on time by rule): the money, negated
    cheap = inst.replace(objective="min_cost")
    assert rank(cheap, some)[-1] == -plan_value(cheap, some) < 0
