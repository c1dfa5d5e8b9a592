"""The one ledger (models.ledger): each rule against figures worked out by hand."""

from __future__ import annotations

import numpy as np

from models.eligibility import dense, rows_of
from models.instance import Instance
from models.ledger import (
    balances,
    carries,
    reach,
    reserve_parts,
    returned,
    shiftable,
    spendable,
    split_whole,
    work_costs,
    work_years,
)


def instance(budget, carry, *, pooled=((5, 0),), duration=(2,), return_after=None,
             return_share=None, leverage=None, deep=(True,), village_of=None) -> Instance:
    """One gap in each village (deep-poverty villages where `deep`), works (in village 0,
    or `village_of`) of the given pooled money per year of duration, and pools with the
    given yearly budgets (units) and carry flags."""
    budget = np.asarray(budget, dtype=np.int64)
    B, Y = budget.shape
    P, V = len(duration), len(deep)
    pooled = np.asarray(pooled, dtype=np.int64)
    gap = np.zeros(P, np.int64) if village_of is None else np.asarray(village_of, np.int64)
    return Instance(
        years=np.arange(2018, 2018 + Y), objective="max_coverage",
        village_ids=tuple(f"v{v + 1}" for v in range(V)),
        village_county=np.zeros(V, np.int64), village_due=np.zeros(V, np.int64),
        village_deep=np.array(deep, bool), county_names=("甲县",), target_codes=("water",),
        gap_village=np.arange(V), gap_target=np.zeros(V, np.int64), gap_weight=np.ones(V),
        gap_exit=np.ones(V, bool), project_ids=tuple(f"p{i}" for i in range(P)),
        proj_gap=gap, proj_duration=np.asarray(duration, np.int64),
        proj_cost_units=pooled.copy(), proj_pooled_units=pooled,
        proj_earliest=np.zeros(P, np.int64), proj_latest=Y - np.asarray(duration, np.int64),
        **dense(np.ones((P, B), bool), np.zeros(P, np.int64), np.array(deep, bool)[gap]),
        proj_group=np.full(P, -1),
        requires=np.zeros((0, 2), np.int64), lock_in=np.zeros(P, bool),
        lock_out=np.zeros(P, bool), pool_stream=tuple(f"s{b}" for b in range(B)),
        pool_county=np.full(B, -1), pool_budget_units=budget,
        pool_carry=np.asarray(carry, bool),
        pool_return_after=None if return_after is None else np.asarray(return_after),
        pool_return_share=None if return_share is None else np.asarray(return_share, float),
        pool_leverage=None if leverage is None else np.asarray(leverage, float),
        pool_outside_limit=None if leverage is None else np.full((B, Y), -1, np.int64),
    )


def test_split_whole_adds_up_and_gives_remainders_to_the_largest():
    # 10 by (1/3, 1/3, 1/3): floors 3, 3, 3, one unit left to the first on the tie
    assert split_whole(np.array([10]), np.full((1, 3), 1 / 3)).tolist() == [[4, 3, 3]]
    # 7 by (0.25, 0.75): 1.75 and 5.25 -> floors 1, 5; the larger remainder (0.75) gets it
    assert split_whole(np.array([7]), np.array([[0.25, 0.75]])).tolist() == [[2, 5]]


def test_work_costs_round_the_pooled_part_of_each_year():
    # 101 units over (0.5, 0.5): 51 + 50; self share 0.3: round(35.7) = 36, round(35) = 35
    cost, pooled = work_costs(np.array([101]), np.array([[0.5, 0.5]]), np.array([0.3]))
    assert cost.tolist() == [[51, 50]]
    assert pooled.tolist() == [[36, 35]]


def test_work_years_expands_each_start_over_its_duration():
    inst = instance([[10, 10, 10]], [[1, 1, 1]], pooled=((5, 0), (3, 4)), duration=(2, 2))
    row, k, year, units = work_years(inst, np.array([0, 1]), np.array([1, 0]))
    # p0 from year 1: (1, 5) and its year 2 has no pooled money; p1 from 0: (0, 3), (1, 4)
    assert list(zip(row, k, year, units)) == [(0, 0, 1, 5), (1, 0, 0, 3), (1, 1, 1, 4)]
    row, k, year, units = work_years(inst, np.array([0]), np.array([1]), paid_only=False)
    assert list(zip(year, units)) == [(1, 5), (2, 0)]


def test_carry_over_and_reach():
    # pool 0 carries every year, pool 1 only 2018 into 2019, pool 2 never
    inst = instance(np.full((3, 3), 10), [[1, 1, 1], [1, 0, 1], [0, 0, 0]])
    assert carries(inst).tolist() == [[True, True, False], [True, False, False],
                                      [False, False, False]]
    assert reach(inst).tolist() == [[0, 0, 0], [0, 0, 2], [0, 1, 2]]


def test_balances_carry_what_is_left_and_lapse_the_rest():
    inst = instance([[10, 10, 10], [10, 10, 10]], [[1, 1, 1], [0, 0, 0]])
    spent = np.array([[4, 12, 0], [3, 10, 0]])
    book = balances(inst, spent)
    # carrying pool: 10 - 4 = 6 on; 10 + 6 - 12 = 4 on; 10 + 4 = 14 unused at the end
    assert book["carried_in"][0].tolist() == [0, 6, 4]
    assert book["carried_out"][0].tolist() == [6, 4, 0]
    assert book["unused"][0].tolist() == [0, 0, 14]
    # lapsing pool: what is left each year is unused
    assert book["carried_out"][1].tolist() == [0, 0, 0]
    assert book["unused"][1].tolist() == [7, 0, 10]


def test_revolving_money_comes_back_floored():
    inst = instance([[10, 0, 0, 0]], [[0, 0, 0, 0]], return_after=[2], return_share=[0.5])
    spent = np.array([[9, 0, 0, 0]])
    # floor(0.5 * 9) = 4 back in 2020 (two years after 2018), nothing else
    assert returned(inst, spent).tolist() == [[0, 0, 4, 0]]
    book = balances(inst, spent)
    assert book["unused"].tolist() == [[1, 0, 4, 0]]


def test_spendable_is_the_least_left_along_the_carry_chain():
    inst = instance(np.full((1, 3), 10), [[1, 1, 1]])
    # 8 left after 2018, but only 2 after 2019: a new work in 2018 may spend 2
    assert spendable(inst, np.array([[8.0, 2.0, 5.0]])).tolist() == [[2.0, 2.0, 5.0]]
    lapsing = instance(np.full((1, 3), 10), [[0, 0, 0]])
    assert spendable(lapsing, np.array([[8.0, 2.0, 5.0]])).tolist() == [[8.0, 2.0, 5.0]]


def test_shiftable_needs_carry_every_year_and_no_revolving_or_leverage():
    inst = instance(np.full((4, 3), 10), [[1, 1, 0], [1, 0, 1], [1, 1, 1], [1, 1, 1]],
                    return_after=[0, 0, 1, 0], return_share=[0, 0, 1, 0])
    # the last year's flag does not matter; pool 1 lapses in 2019; pool 2 revolves
    assert shiftable(inst).tolist() == [True, False, False, True]
    lever = instance(np.full((2, 3), 10), np.ones((2, 3)), leverage=[0, 2])
    assert shiftable(lever).tolist() == [True, False]


def test_reserve_parts_keep_the_floor_of_the_share_for_deep_poverty():
    # work p0 in a deep-poverty village, p1 in another
    inst = instance([[105, 10, 0]], [[1, 1, 1]], pooled=((5, 0), (5, 0)), duration=(2, 2),
                    deep=(True, False), village_of=(0, 1))
    cut = reserve_parts(inst, [{"stream": "s0", "share": 0.1}])
    # floor(10.5) = 10 and floor(1) = 1 reserved; the open part keeps the rest
    assert cut.pool_budget_units.tolist() == [[95, 9, 0], [10, 1, 0]]
    assert rows_of(cut, [0, 1]).tolist() == [[True, True], [True, False]]
