"""Properties on generated counties (hypothesis, plus the two 8-village counties the old
tests/test_backends_agree.py pinned): every selected backend (`--backends`) proves the
same optimum, or all find the program infeasible; each backend's plan passes the
independent checker; the optimum is never below a greedy plan that keeps the hard
rules, nor, without deadlines, below greedy at all.

Correctness against worked-out answers is tests/test_reference.py's (a brute-force
reference over every plan); here the generator's larger, messier counties check that
the backends, the plan tables and the checker agree with each other, so a few
examples do."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings, strategies as st

from models.greedy import greedy, greedy_value, hard_violations
from models.solve import solve
from planner.build import build_instance
from planner.generate import generate
from planner.plan import make_plan, write_plan
from planner.scenario import load_scenario
from planner.verify import verify_plan


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), villages=st.integers(3, 7), counties=st.integers(1, 2),
       ratio=st.sampled_from([0.3, 0.6, 0.9]), pooled=st.booleans())
# the slowest of the six counties tests/test_backends_agree.py solved, one per pooling
@example(seed=1, villages=8, counties=2, ratio=0.6, pooled=True)
@example(seed=2, villages=8, counties=2, ratio=0.6, pooled=False)
def test_backends_agree_verify_and_beat_greedy(tmp_path_factory, backends, seed, villages,
                                              counties, ratio, pooled):
    folder = tmp_path_factory.mktemp("scn")
    generate(folder, villages=villages, counties=min(counties, villages), seed=seed,
             years=(2018, 2019, 2020), pooled_stream=pooled, budget_ratio=ratio)
    scn = load_scenario(folder)
    inst = build_instance(scn)
    values = {}
    for backend in backends:
        res = solve(inst, backend=backend, gap=0, time_limit=60, threads=1)
        if res.status.value == "infeasible":
            values[backend] = None
            continue
        assert res.status.value == "optimal", (backend, res.status)
        values[backend] = res.objective
        out = folder / f"plan-{backend}"
        write_plan(make_plan(scn, inst, res), out)
        assert verify_plan(scn, out) == [], backend
    found = [v for v in values.values() if v is not None]
    assert len(found) in (0, len(values)), values  # all feasible or all infeasible
    if found:
        assert max(found) - min(found) < 1e-6, values
        plan = greedy(inst)
        if not hard_violations(inst, plan):  # a greedy plan that keeps every hard rule
            assert min(found) >= greedy_value(inst, plan) - 1e-9
    # without deadlines greedy always keeps the rules: the optimum is never below it
    free = inst.replace(deadlines=())
    best = solve(free, backend=backends[0], gap=0, threads=1, tie_break=False)
    assert best.status.value == "optimal", best.status
    assert best.objective >= greedy_value(free) - 1e-9
