"""Every installed backend reaches the same optimum on generated instances, and every
plan passes the independent checker."""

from __future__ import annotations

import pytest

from models.solve import available, solve
from planner.build import build_instance
from planner.generate import generate
from planner.plan import make_plan, write_plan
from planner.scenario import load_scenario
from planner.verify import verify_plan


@pytest.mark.parametrize("seed", range(6))
def test_same_optimum_and_verified(tmp_path, seed):
    folder = tmp_path / "scn"
    generate(folder, villages=8, counties=2, seed=seed, years=(2018, 2019, 2020),
             pooled_stream=bool(seed % 2))
    scn = load_scenario(folder)
    inst = build_instance(scn)
    values = {}
    for backend in available():
        res = solve(inst, backend=backend, gap=0, time_limit=60, threads=1)
        assert res.status.value == "optimal", (backend, res.status)
        values[backend] = res.objective
        out = tmp_path / f"plan-{backend}"
        write_plan(make_plan(scn, inst, res), out)
        assert verify_plan(scn, out) == [], backend
    assert max(values.values()) - min(values.values()) < 1e-6, values
