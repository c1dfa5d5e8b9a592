"""County by county: identical to the monolithic solve where the split is exact; a
verified plan within 1% of a valid bound when a pool is shared; Dask as the map."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from models.county_parts import separable, split_by_county
from models.decompose import solve_by_county
from models.pooled_split import share_out
from models.solve import solve
from planner.build import build_instance
from planner.generate import generate
from planner.plan import make_plan, write_plan
from planner.scenario import load_scenario
from planner.verify import verify_plan


def _weighted(folder):
    """One weighted objective (exit_priority: weighted) in scenario.yaml itself: the
    split is compared with one solve of the same objective (the lexicographic rule by
    county is test_lexicographic_split_equals_the_whole's)."""
    path = folder / "scenario.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "exit_priority: weighted\n",
                    encoding="utf-8")


def _instance(tmp_path, seed, pooled=False, villages=15, counties=3, weighted=True):
    folder = tmp_path / f"scn{seed}{pooled}"
    generate(folder, villages=villages, counties=counties, seed=seed, pooled_stream=pooled)
    if weighted:
        _weighted(folder)
    scn = load_scenario(folder)
    return scn, build_instance(scn)


def _verified(scn, inst, res, tmp_path):
    out = tmp_path / "plan"
    write_plan(make_plan(scn, inst, res), out)
    return verify_plan(scn, out)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_exact_split_equals_monolithic(tmp_path, seed):
    import yaml

    folder = tmp_path / f"scn{seed}False"
    generate(folder, villages=15, counties=3, seed=seed)
    # keep only deadlines that split exactly (share 1): every county must meet them alone
    # (in scenario.yaml itself: the checker reads the file, not the loaded scenario)
    cfg = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
    cfg["deadlines"] = [d for d in cfg.get("deadlines", []) if d.get("share", 1) == 1]
    cfg["exit_priority"] = "weighted"
    (folder / "scenario.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True),
                                          encoding="utf-8")
    scn = load_scenario(folder)
    inst = build_instance(scn)
    assert all(d.share == 1 for d in inst.deadlines)
    mono = solve(inst, gap=0, threads=1)
    split = solve_by_county(inst, gap=0, threads=1)
    assert split.objective == pytest.approx(mono.objective)
    assert split.status.value == "optimal"
    assert split.bound == pytest.approx(split.objective)
    assert split.options["bound_source"] == "sum of county bounds"
    assert _verified(scn, inst, split, tmp_path) == []


@pytest.mark.parametrize("seed", [4, 5])
def test_shared_pool_split_is_verified_and_close(tmp_path, seed):
    scn, inst = _instance(tmp_path, seed, pooled=True, villages=30)
    mono = solve(inst, gap=0, threads=1)
    split = solve_by_county(inst, gap=0, threads=1)
    assert split.has_solution
    assert split.objective <= mono.objective + 1e-9  # a restriction never beats the optimum
    assert split.bound >= mono.objective - 1e-6  # the LP bound is valid
    assert split.objective >= 0.99 * mono.objective  # small instances: the LP bound is loose
    assert _verified(scn, inst, split, tmp_path) == []


def test_share_out_keeps_every_unit(tmp_path):
    _, inst = _instance(tmp_path, 6, pooled=True)
    shared = inst.pool_county < 0
    cut = share_out(inst)
    assert not np.any(cut.pool_county < 0)
    assert cut.pool_budget_units.sum() == inst.pool_budget_units.sum()
    streams = np.array(cut.pool_stream)
    for b in np.flatnonzero(shared):
        mine = streams == inst.pool_stream[b]
        assert (cut.pool_budget_units[mine].sum(axis=0) == inst.pool_budget_units[b]).all()
    assert separable(cut) is None and separable(inst) is not None


def test_cross_county_requires_is_not_separable(tmp_path):
    _, inst = _instance(tmp_path, 7)
    county = inst.village_county[inst.gap_village[inst.proj_gap]]
    a = int(np.flatnonzero(county == county.min())[0])
    b = int(np.flatnonzero(county != county.min())[0])
    bad = inst.replace(requires=np.array([[a, b]]))
    assert "another county" in separable(bad)
    with pytest.raises(ValueError):
        split_by_county(bad)


def test_counties_on_a_two_worker_dask_cluster(tmp_path):
    from dask.distributed import LocalCluster

    from planner.distributed import dask_mapper

    _, inst = _instance(tmp_path, 8, pooled=True, villages=20)
    # no clock-limited tie-break phase: the same seed and threads then give the same plan
    local = solve_by_county(inst, gap=0, threads=1, tie_break=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        with dask_mapper(cluster.scheduler_address) as mapper:
            remote = solve_by_county(inst, mapper=mapper, gap=0, threads=1, tie_break=False)
            # a task's arguments of megabytes (a nation's county programs are): no Dask
            # warning about the graph's size on the user's stderr
            big = np.arange(1_500_000, dtype=np.float64)  # 12 MB
            with warnings.catch_warnings(record=True) as said:
                warnings.simplefilter("always")
                total = mapper(np.sum, [big, big[:10]])
    assert total == [big.sum(), 45.0]
    assert not [w for w in said if "large graph" in str(w.message)]
    assert remote.objective == pytest.approx(local.objective)
    assert (remote.start == local.start).all()


@pytest.mark.parametrize("seed", [1, 2])
def test_lexicographic_split_equals_the_whole(tmp_path, seed):
    """Exit priority by county: counties that share no money and no rule reach the
    whole's batch counts and value (the counts add up over independent counties)."""
    import yaml

    from models.params import SolveParams
    from models.strategy import solve_planned

    folder = tmp_path / f"lex{seed}"
    generate(folder, villages=15, counties=3, seed=seed)
    cfg = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
    cfg["deadlines"] = [d for d in cfg.get("deadlines", []) if d.get("share", 1) == 1]
    (folder / "scenario.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True),
                                          encoding="utf-8")
    scn = load_scenario(folder)
    inst = build_instance(scn)
    assert inst.batches
    params = SolveParams(gap=0.0, threads=1, seed=0)
    whole_inst, whole = solve_planned(inst, params)
    split_inst, split = solve_planned(inst, params, split=True)
    counts = lambda res: [s["on_time"] for s in res.options["exit_priority"]["stages"]]
    assert counts(split) == counts(whole)
    assert split.objective == pytest.approx(whole.objective)
    assert split.options["exit_priority"]["proven"] and whole.options["exit_priority"]["proven"]
    assert _verified(scn, split_inst, split, tmp_path) == []


def test_a_county_whose_stages_find_no_plan_keeps_its_greedy_plan(tmp_path, monkeypatch):
    """A stage of the exit priority that ends without a plan in the county's time (HiGHS
    stopped before its first solution) leaves the county its greedy plan, stated as not
    solved, when that keeps every hard rule -- not the whole run without a plan; an
    infeasible stage still fails."""
    import models.priority as priority
    from models.county_solve import solve_part
    from models.evaluate import batch_counts, on_time, plan_value
    from models.greedy import greedy, hard_violations
    from models.result import SolveStatus

    scn, inst = _instance(tmp_path, 1, villages=15, counties=3, weighted=False)
    part = split_by_county(inst)[0].instance
    plan = greedy(part)
    assert not hard_violations(part, plan) and part.batches
    for status, kept in ((SolveStatus.TIME_LIMIT, True), (SolveStatus.INFEASIBLE, False)):
        monkeypatch.setattr(priority, "solve_stages",
                            lambda p, params, budget, hint, *a, s=status, **k: (p, hint, [], s))
        out = solve_part(part, {"threads": 1})
        if not kept:
            assert out["start"] is None and out["status"] == "infeasible"
            continue
        assert np.array_equal(out["start"], plan) and out["status"] == "time_limit"
        assert out["objective"] == plan_value(part, plan) and out["bound"] is None
        assert [s["on_time"] for s in out["stages"]] == list(
            batch_counts(part, on_time(part, plan)))
        assert not any(s["solved"] or s["proven"] for s in out["stages"])


def test_a_county_without_a_bound_gets_its_lp_bound(tmp_path):
    """A county reached too late keeps its greedy plan and has no bound of its own
    (models.county_solve.late_part); lp_bounds gives it its LP relaxation's keeping its
    batch counts: at least the value of every plan keeping them, its own optimum among
    them (solved here whole, exactly) included."""
    from models.county_bound import lp_bounds
    from models.county_solve import late_part

    _, inst = _instance(tmp_path, 6, villages=20, counties=2, weighted=False)
    parts = split_by_county(inst)
    outs = [late_part(p.instance) for p in parts]
    assert all(o is not None and o["bound"] is None for o in outs)
    lp_bounds(parts, outs)
    for part, out in zip(parts, outs):
        floors = tuple(s["on_time"] for s in out["stages"])
        best = solve(part.instance.replace(batch_floor=floors), gap=0, threads=1)
        assert out["bound_by"] == "LP relaxation"
        assert out["bound"] >= best.objective - 1e-6 >= out["objective"] - 1e-6


def test_a_county_started_late_takes_its_share_of_the_time_left(tmp_path, monkeypatch):
    """A county's time is its works' share of what is left when it starts, among the
    works of the counties not started yet (times the workers): the last county gets all
    that is left, one of 100 works with 400 to come on 2 workers half of it; never less
    than the share it was given."""
    import time

    import models.solve as msolve
    from models.county_solve import share_of, solve_part

    _, inst = _instance(tmp_path, 2, villages=15, counties=3)
    part = split_by_county(inst)[0].instance
    assert share_of(part.replace(), 4 * part.n_projects, 2) == pytest.approx(0.5)
    seen = []
    real = msolve.solve
    monkeypatch.setattr(msolve, "solve", lambda p, **o: seen.append(o["time_limit"])
                        or real(p, **o))
    for after, workers, given, want in ((part.n_projects, 1, 1.0, 20.0),
                                        (4 * part.n_projects, 2, 1.0, 10.0),
                                        (400 * part.n_projects, 1, 3.0, 3.0)):
        seen.clear()
        solve_part(part, {"threads": 1, "use_hint": False, "deadline": time.time() + 20.0,
                          "time_share": given, "works_after": after, "workers": workers})
        assert seen[0] == pytest.approx(want, abs=0.5)


def test_a_county_left_without_a_plan_is_solved_again(tmp_path, monkeypatch):
    """A county whose first solve ends with no plan (under load HiGHS can stop before its
    first solution) is solved once more before the run gives up: the run has the plan
    it would have had, and says which county was rescued; an infeasible county is not
    tried again."""
    import models.county_solve as dec

    scn, inst = _instance(tmp_path, 4, pooled=True, villages=30, counties=3)
    whole = solve_by_county(inst, gap=0, threads=1, tie_break=False)
    assert whole.has_solution and "rescued_counties" not in whole.options
    real, calls = dec.solve_part, []

    def first_lost(part_instance, opts):
        county = part_instance.meta.get("county")
        calls.append(county)
        if calls.count(county) == 1 and county == inst.county_names[1]:
            return {"start": None, "status": "time_limit", "objective": None,
                    "bound": None, "seconds": 0.0, "county": county,
                    "plan_from": None, "stages": None}
        return real(part_instance, opts)

    monkeypatch.setattr(dec, "solve_part", first_lost)
    again = solve_by_county(inst, gap=0, threads=1, tie_break=False)
    assert again.has_solution
    assert again.options["rescued_counties"] == [inst.county_names[1]]
    assert calls.count(inst.county_names[1]) == 2
    assert all(calls.count(c) == 1 for c in inst.county_names if c != inst.county_names[1])
    np.testing.assert_array_equal(again.start, whole.start)
    assert _verified(scn, inst, again, tmp_path) == []

    def infeasible(part_instance, opts):
        county = part_instance.meta.get("county")
        calls.append(county)
        if county == inst.county_names[1]:
            return {"start": None, "status": "infeasible", "objective": None,
                    "bound": None, "seconds": 0.0, "county": county,
                    "plan_from": None, "stages": None}
        return real(part_instance, opts)

    calls.clear()
    monkeypatch.setattr(dec, "solve_part", infeasible)
    none = solve_by_county(inst, gap=0, threads=1, tie_break=False)
    assert not none.has_solution and none.options["failed_counties"] == [inst.county_names[1]]
    assert calls.count(inst.county_names[1]) == 1
