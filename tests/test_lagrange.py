"""The decomposed bound (models/lagrange, issue 18 item 3).

Checked three ways: by hand on a two-county case (the price of pooled money and the
bound worked out below); against the exact optimum of random tiny two-county scenarios
(tests/reference.py, brute force written from the README alone): the dual value bounds
it whatever the multipliers, with county LPs and with county integer bounds; and
against the whole program's LP relaxation, which the dual with county LPs reaches (LP
duality), with and without exit-batch floors.  The county split uses it (bound_source)
and the merged plan is verified; the county LPs run through a Dask cluster's map too.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from models.lagrange import coupling_of, dual_value, lagrangian_bound, start, tighten
from models.marginal import lp_relaxation
from planner.build import build_instance
from planner.scenario import load_scenario
from reference import Fund, Gap, Project, Scenario, Village, solve, write_folder


def instance_of(scn: Scenario, folder):
    write_folder(scn, folder)
    return build_instance(load_scenario(folder))


def two_villages() -> Scenario:
    """County 甲县: V1 lacks a road, its work costs 10; 乙县: V2 lacks a road, 20.  One
    pooled stream P with 10 in 2019 (one year), weighted rule.  Worked out: V1 on time is
    worth 1 (the gap) + 3 (the bonus) = 4; V2 cannot be paid (20 > 10).  Optimum and LP
    bound: 4.  The dual, L(p) = max(4 - 10 p, 0) + max(2 - 10 p, 0) + 10 p (乙县 alone
    may take all 10 and do half its work: 0.5 + 1.5 = 2), is 4 for p in [0.2, 0.4] and
    above it elsewhere: its least value is the bound, its minimisers the prices."""
    return Scenario(
        years=[2019],
        villages=[Village("V1", "甲县", 2019), Village("V2", "乙县", 2019)],
        gaps=[Gap("V1", "road"), Gap("V2", "road")],
        projects=[Project("P1", "V1", "road", "10"), Project("P2", "V2", "road", "20")],
        funds=[Fund("P", 2019, "10")], exit_priority="weighted")


def test_two_villages_by_hand(tmp_path):
    inst = instance_of(two_villages(), tmp_path / "s")
    run = lagrangian_bound(inst)
    assert run.converged
    assert run.bound == pytest.approx(4.0, abs=1e-3)
    price = run.prices()["money P 0-0"]
    assert 0.2 - 1e-6 <= price <= 0.4 + 1e-6
    # the combination spends the pooled money on 甲县's work
    use = run.use()
    assert use[0, list(inst.county_names).index("甲县"), 0] == pytest.approx(10 * 10_000,
                                                                          rel=1e-3)


def test_any_multipliers_give_a_valid_bound(tmp_path):
    """L(p) at hand-picked prices: above the optimum 4 everywhere, as worked out above."""
    inst = instance_of(two_villages(), tmp_path / "s")
    run = start(inst)
    for p, expected in ((0.0, 6.0), (0.1, 5.0), (0.3, 4.0), (0.5, 5.0), (1.0, 10.0)):
        m = np.array([p if label.startswith("money") else 0.0
                      for label in run.coupling.labels])
        assert dual_value(run, m) == pytest.approx(expected, abs=1e-6)


def random_scenario(seed: int) -> Scenario:
    """Two counties of 1-3 villages, 1-2 exit gaps each, one or two works per gap; a
    pooled stream and a county stream, each below the need; a deadline with a share over
    both counties (hard or soft); the weighted or the lexicographic exit rule."""
    r = random.Random(seed)
    years = [2019, 2020]
    counties = ["甲县", "乙县"]
    villages, gaps, projects = [], [], []
    for c in counties:
        for _ in range(r.randint(1, 3)):
            v = Village(f"V{len(villages) + 1}", c, r.choice(years), deep=r.random() < 0.3)
            villages.append(v)
            for t in r.sample(["road", "water", "power"], r.randint(1, 2)):
                gaps.append(Gap(v.id, t))
                for _ in range(r.choice([1, 1, 2])):
                    if len(projects) < 10:
                        projects.append(Project(f"P{len(projects) + 1:02d}", v.id, t,
                                                str(2 * r.randint(2, 12)),
                                                r.choice([1, 1, 2])))
    gaps = [g for g in gaps if any(p.village == g.village and p.target == g.target
                                   for p in projects)]
    need = sum(int(p.cost) for p in projects)
    funds = [Fund("POOL", y, str(max(2, int(need * r.uniform(0.1, 0.3))))) for y in years]
    funds += [Fund("OWN", y, str(max(2, int(need * r.uniform(0.05, 0.15)))), county=c)
              for c in counties for y in years]
    scn = Scenario(years, villages, gaps, projects, funds,
                   exit_priority=r.choice(["weighted", None]))
    target = r.choice([g.target for g in gaps])
    scn.deadlines.append({"target": target, "year": 2020, "scope": "all", "share": 0.5,
                          "soft": r.random() < 0.5})
    return scn


@pytest.mark.parametrize("seed", range(8))
def test_bound_against_the_exact_optimum_and_the_lp(seed, tmp_path):
    from models.evaluate import batch_counts, on_time

    scn = random_scenario(seed)
    ref = solve(scn)
    if ref.value is None:
        pytest.skip("no plan keeps the hard rules")
    inst = instance_of(scn, tmp_path / "s")
    assert (inst.pool_county < 0).any() and coupling_of(inst).size > len(inst.batches)
    optimum = float(ref.value)
    plan = np.full(inst.n_projects, -1)
    for pid, year in ref.starts.items():
        plan[inst.project_ids.index(pid)] = year - scn.years[0]
    floors = inst.replace(batch_floor=tuple(batch_counts(inst, on_time(inst, plan))))
    for kept in (inst.replace(batch_floor=()), floors):
        lp, _ = lp_relaxation(kept)
        run = lagrangian_bound(start(inst), floors=kept)
        # a valid bound, and the LP bound up to the method's tolerance
        assert run.bound >= optimum - 1e-6
        assert run.converged
        assert run.bound == pytest.approx(lp, abs=2e-3 * max(1.0, abs(lp)))
        # county integer programs at the multipliers: still valid, never looser
        tight = tighten(run, mip=5.0)
        assert optimum - 1e-6 <= tight.bound <= run.bound + 1e-9


@pytest.fixture(scope="module")
def pooled(tmp_path_factory):
    from planner.generate import generate

    folder = tmp_path_factory.mktemp("pooled")
    generate(folder, villages=30, counties=3, seed=4, pooled_stream=True)
    scn = load_scenario(folder)
    return scn, build_instance(scn)


def test_the_split_takes_the_lagrangian_bound(pooled, tmp_path, monkeypatch):
    import models.county_bound as cb
    from models.decompose import solve_by_county
    from models.solve import solve as solve_whole
    from planner.plan import make_plan, write_plan
    from planner.verify import verify_plan

    scn, inst = pooled
    monkeypatch.setattr(cb, "WHOLE_LP_MAX", 0)  # the Lagrangian even at this size
    best = solve_whole(inst, gap=0, threads=1)
    split = solve_by_county(inst, gap=0, threads=1)
    assert split.options["bound_source"].startswith("Lagrangian dual of the rows coupling "
                                                    "counties (pooled money, shared "
                                                    "deadlines, the exit batches' counts")
    info = split.options["lagrangian"]
    assert info["iterations"] >= 1 and info["prices"]
    floored = inst.replace(batch_floor=tuple(
        s["on_time"] for s in split.options["exit_priority"]["stages"]))
    assert split.bound >= split.objective
    lp, _ = lp_relaxation(floored)
    assert split.bound <= lp + 2e-3 * lp  # the LP bound or tighter (county integer bounds)
    assert split.bound >= best.objective - 1e-6 or best.objective > split.objective
    from models.evaluate import batch_counts, on_time

    # the stages state the counts the plan keeps
    assert list(batch_counts(inst, on_time(inst, split.start))) == list(floored.batch_floor)
    # the pooled money cut into slices: the counties merged pairwise move it
    # (models.group_split), not the split of the counts by price
    assert "floor_split" not in split.options and split.options["regrouped"]["levels"]
    out = tmp_path / "plan"
    write_plan(make_plan(scn, inst, split), out)
    assert verify_plan(scn, out) == []


def test_county_lps_run_on_dask(pooled):
    from planner.distributed import dask_mapper

    _, inst = pooled
    lp, _ = lp_relaxation(inst)
    with dask_mapper(None, tasks=2) as mapper:
        run = lagrangian_bound(inst, mapper=mapper, workers=mapper.workers)
    # the same bound as in one process up to the method's tolerance (the path may
    # differ: a county solved on another worker starts its LP afresh)
    assert run.converged and lp - 1e-6 <= run.bound <= lp * (1 + 2e-4)
    assert run.evaluations >= run.iterations >= 1


def test_the_time_kept_for_the_final_phase_follows_the_first():
    """SplitBound.reserve: after a first phase of 6 s, 100 s left, it keeps 1.5 x 6 = 9 s
    for the final phase unless the first was the Lagrangian and converged (the final
    starts warm from its multipliers): then half, 3 s; never more than 30 % of what is
    left (6 s of 20 s), never less than 1 s."""
    from pathlib import Path
    from types import SimpleNamespace

    from models.county_bound import SplitBound

    inst = build_instance(load_scenario(Path(__file__).resolve().parents[1] / "scenarios"
                                        / "tiny"))
    bound = SplitBound(inst, method="lagrangian")
    bound.first_seconds = 6.0
    bound.run = SimpleNamespace(converged=False)
    assert bound.reserve(100.0) == pytest.approx(9.0)
    assert bound.reserve(20.0) == pytest.approx(6.0)
    bound.run = SimpleNamespace(converged=True)
    assert bound.reserve(100.0) == pytest.approx(3.0)
    bound.first_seconds = 1.0
    assert bound.reserve(100.0) == pytest.approx(1.0)
    whole = SplitBound(inst, method="whole LP")
    whole.first_seconds, whole.run = 6.0, SimpleNamespace(converged=True)
    assert whole.reserve(100.0) == pytest.approx(9.0)


def test_the_first_phase_runs_only_when_the_counties_keep_their_dives_time():
    """SplitBound.first_pays: with the Lagrangian, the first phase (a quarter of the time
    left) runs only when what the counties keep after it and the final phase's reserve
    is at least every county's dives (6.6e-4 s a work over the workers).  A program of
    20,000 works on 2 workers needs 6.6 s, and keeps 2 s for the final phase (1e-4 s a
    work): with 10 s left the counties would keep 10 x 0.75 - 2 = 5.5 s (no), with 12 s
    12 x 0.75 - 2 = 7 s (yes); the whole LP and a run without a limit always run it."""
    from pathlib import Path
    from types import SimpleNamespace

    from models.county_bound import SplitBound

    inst = build_instance(load_scenario(Path(__file__).resolve().parents[1] / "scenarios"
                                        / "tiny"))
    bound = SplitBound(inst, workers=2, method="lagrangian")
    bound.inst = SimpleNamespace(n_projects=20_000)
    assert bound.reserve(10.0) == pytest.approx(2.0) == bound.reserve(12.0)
    assert not bound.first_pays(10.0)
    assert bound.first_pays(12.0)
    assert bound.first_pays(None)
    whole = SplitBound(inst, workers=2, method="whole LP")
    assert whole.first_pays(1.0)


def test_a_master_lp_without_an_optimum_ends_the_method_with_the_best_bound(tmp_path,
                                                                           monkeypatch):
    """two_villages: should the bundle's master LP end without an optimum (HiGHS has
    said Unknown on one), the method stops with the best L evaluated, a valid bound: at
    the first point, a price p0 > 0 of the pooled money (models.lagrange.first_point),
    L(p0) = max(4 - 10 p0, 0) + max(2 - 10 p0, 0) + 10 p0 as worked out in two_villages
    (above the optimum 4), not converged, no error."""
    from models.lagrange import first_point
    from models.lagrange.master import Bundle

    def unknown(self):
        raise RuntimeError("the master LP of the Lagrangian ended Unknown")

    monkeypatch.setattr(Bundle, "next_point", unknown)
    inst = instance_of(two_villages(), tmp_path / "scn")
    cp = start(inst).coupling
    p0 = float(first_point(cp)[[lab.startswith("money") for lab in cp.labels]][0])
    assert 0 < p0 < 0.2  # below the prices of the optimum: L(p0) > 4
    run = lagrangian_bound(inst)
    assert run.bound == pytest.approx(max(4 - 10 * p0, 0) + max(2 - 10 * p0, 0) + 10 * p0)
    assert 4 < run.bound < 6  # L(0) = 6: the first point gives the tighter bound
    assert not run.converged and run.iterations == 1
