"""The value solve's LP proof (models.solve.lp_proof, `solve(lp_first=True)`): a hint
within the gap of the LP relaxation's bound is the answer with no search; a hint the
bound does not prove goes to the search as before.

Years 2019-2020, the default weights (a gap 1, a village on time +3) and exit standard.
"""

from __future__ import annotations

import numpy as np
import pytest

from models.result import SolveStatus
from models.solve import solve
from planner.build import build_instance
from planner.scenario import load_scenario


def _inst(make_scenario, gaps, projects, money):
    folder = make_scenario(villages=["A,甲村,X县,2020,false"], gaps=gaps, projects=projects,
                           funds=[f"s,2019,{money},false,*", "s,2020,0,false,*"])
    return build_instance(load_scenario(folder))


def test_a_hint_the_lp_bound_proves_is_the_answer(make_scenario):
    # A lacks water only; P1 (10) closes it with the 10 of 2019: water 1 + A on time 3 =
    # 4, and the LP relaxation can do no better (x = 1 is its optimum): 4 is proven.
    inst = _inst(make_scenario, ["A,water"], ["P1,A,water,10"], 10)
    hint = np.array([0])  # P1 starts in 2019
    res = solve(inst, gap=0, threads=1, hint=hint, lp_first=True, tie_break=False)
    assert res.status is SolveStatus.OPTIMAL
    assert res.objective == pytest.approx(4.0) and res.bound == pytest.approx(4.0)
    assert res.options["bound_by"] == "LP relaxation"
    assert res.options["plan_from"] == "warm start"
    assert list(res.start) == [0]
    # not asked for: the search runs, to the same answer
    res = solve(inst, gap=0, threads=1, hint=hint, tie_break=False)
    assert "bound_by" not in res.options and res.objective == pytest.approx(4.0)


def test_a_hint_the_lp_bound_does_not_prove_goes_to_the_search(make_scenario):
    # A lacks water and road; P1 (water, 10) and P2 (road, 10), 15 in 2019 and nothing
    # after: one work only, value 1 (A not on time).  The LP relaxation takes 0.75 of
    # each: 0.75 + 0.75 + 3 x 0.75 = 3.75 > 1, so the hint P1 is not proven by it; the
    # search proves 1.
    inst = _inst(make_scenario, ["A,water", "A,road"],
                 ["P1,A,water,10", "P2,A,road,10"], 15)
    res = solve(inst, gap=0, threads=1, hint=np.array([0, -1]), lp_first=True,
                tie_break=False)
    assert res.status is SolveStatus.OPTIMAL
    assert res.objective == pytest.approx(1.0) and res.bound == pytest.approx(1.0)
    assert "bound_by" not in res.options


def test_a_worse_hint_is_not_taken_for_the_optimum(make_scenario):
    # the first case with no work started (value 0): the LP bound 4 does not prove it;
    # the search finds P1 in 2019
    inst = _inst(make_scenario, ["A,water"], ["P1,A,water,10"], 10)
    res = solve(inst, gap=0, threads=1, hint=np.array([-1]), lp_first=True,
                tie_break=False)
    assert res.objective == pytest.approx(4.0) and list(res.start) == [0]
    assert "bound_by" not in res.options
