"""The exit batches' counts split between counties by price (models/floor_split.py),
worked out by hand on small arrays; the split run on a generated scenario is in
tests/test_lagrange.py (test_the_split_takes_the_lagrangian_bound)."""

from __future__ import annotations

import numpy as np

from models.floor_split import choose, targets


def test_targets_round_up_to_the_largest_remainders():
    nbar = np.array([[2.6, 1.0], [0.3, 0.9], [1.1, 2.2]])
    # floors 2,1 / 0,0 / 1,2 add up to 3 and 3; each batch needs 4: one more to the
    # largest remainder (batch 0: 0.6 of county 0; batch 1: 0.9 of county 1)
    assert targets(nbar, np.array([4, 4])).tolist() == [[3, 1], [0, 1], [1, 2]]
    # already enough: the floors stay
    assert targets(nbar, np.array([3, 2])).tolist() == [[2, 1], [0, 0], [1, 2]]


def test_choose_keeps_the_counts_and_takes_the_most_value():
    old_v, old_n = np.array([10.0, 20.0, 30.0]), np.array([[2], [2], [2]])
    new_v, new_n = np.array([15.0, 21.0, 40.0]), np.array([[1], [3], [1]])
    # gains 5, 1, 10 and count changes -1, +1, -1; the batch keeps 6: county 1 (+1) pays
    # for one of the others, the better is county 2: 10 + 21 + 40 = 71 (all three: 5 < 6)
    take = choose(old_v, old_n, new_v, new_n, np.ones(3, bool), np.array([6]))
    assert take.tolist() == [False, True, True]
    # county 2 without a new plan: county 0 instead, 15 + 21 + 30 = 66
    take = choose(old_v, old_n, new_v, new_n, np.array([True, True, False]), np.array([6]))
    assert take.tolist() == [True, True, False]
    # a floor no choice can raise the count to keeps every old plan (they meet it)
    take = choose(old_v, old_n, new_v, new_n, np.array([True, False, True]), np.array([6]))
    assert take.tolist() == [False, False, False]


def test_choose_with_prices_trades_value_for_villages_of_a_batch():
    # two counties, one batch, floor 4 (old counts 2 + 2).  County 0's new plan: 3 more
    # value, one village fewer; county 1's: 2 less value, two villages more.
    old_v, old_n = np.array([10.0, 10.0]), np.array([[2], [2]])
    new_v, new_n = np.array([13.0, 8.0]), np.array([[1], [4]])
    found = np.ones(2, bool)
    # without prices: county 0 alone breaks the floor (3 < 4); both: +1 value, 5 >= 4;
    # county 1 alone: -2; none: 0.  The most value: both (21)
    assert choose(old_v, old_n, new_v, new_n, found, np.array([4])).tolist() == [True, True]
    # price 2 a village: both +3 - 2 + 2 * (-1 + 2) = +3, county 1 alone -2 + 4 = +2,
    # none 0: both again; price 4: both +1 + 4 = +5, county 1 alone -2 + 8 = +6: county 1
    assert choose(old_v, old_n, new_v, new_n, found, np.array([4]),
                  np.array([2.0])).tolist() == [True, True]
    assert choose(old_v, old_n, new_v, new_n, found, np.array([4]),
                  np.array([4.0])).tolist() == [False, True]


def test_resplit_keeps_the_provinces_counts_and_never_loses_value(tmp_path):
    """The split by price end to end on counties that share no money: each county solved
    again keeping targets that move a village of the first batch from one county to
    another, then the choice per county; the province keeps every batch's count, the
    value never falls, and every county's plan keeps its program's rules."""
    from models.columns import complete_plan, mapped_hint
    from models.county_parts import split_by_county
    from models.county_solve import solve_parts
    from models.evaluate import batch_counts, on_time, plan_value
    from models.floor_split import resplit
    from models.formulation import build
    from planner.build import build_instance
    from planner.generate import generate
    from planner.scenario import load_scenario

    generate(tmp_path / "scn", villages=30, counties=3, seed=5)
    inst = build_instance(load_scenario(tmp_path / "scn"))
    assert inst.batches and not np.any(inst.pool_county < 0)
    parts = split_by_county(inst)
    opts = {"gap": 0, "threads": 1, "seed": 0}
    plans = [o["start"] for o in solve_parts(parts, map, None, 1, 0.0, opts)]
    counts = np.array([batch_counts(p.instance, on_time(p.instance, s))
                       for p, s in zip(parts, plans)])
    value = sum(plan_value(p.instance, s) for p, s in zip(parts, plans))
    floors = counts.sum(axis=0)
    nbar = counts.astype(float)
    giver = int(np.argmax(counts[:, 0]))
    nbar[giver, 0] -= 1
    nbar[(giver + 1) % 3, 0] += 1
    chosen, info = resplit(parts, plans, nbar, floors, **opts)
    after = np.array([batch_counts(p.instance, on_time(p.instance, s))
                      for p, s in zip(parts, chosen)])
    assert (after.sum(axis=0) >= floors).all()
    assert sum(plan_value(p.instance, s) for p, s in zip(parts, chosen)) >= value - 1e-9
    assert info["value_after"] >= info["value_before"] - 1e-9 and info["moved"] >= 1
    for p, s in zip(parts, chosen):
        model, layout = build(p.instance)
        assert complete_plan(model, layout, mapped_hint(p.instance, layout, s),
                             time_limit=30, threads=1) is not None
