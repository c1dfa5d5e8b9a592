"""Exits no money can make (models.possible.exit_obstacles), worked out for every gap
at once, against the gap-by-gap rule of its docstring written out plainly here, on
instances with every kind of obstacle."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models import eligibility
from models.possible import Obstacle, exit_obstacles
from planner.build import build_instance
from planner.generate import generate
from planner.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def one_gap_at_a_time(inst) -> dict[int, list[Obstacle]]:
    """The rule gap by gap: the first obstacle that holds, in the docstring's order."""
    out: dict[int, list[Obstacle]] = {}
    payable = (inst.proj_pooled_units.sum(axis=1) == 0) | eligibility.payable(inst)
    contrib = (inst.proj_contrib if inst.proj_contrib is not None
               else np.ones(inst.n_projects))
    for g in range(inst.n_gaps):
        if not inst.gap_exit[g]:
            continue
        due = inst.village_due[inst.gap_village[g]]
        works = [p for p in range(inst.n_projects) if inst.proj_gap[p] == g]
        opened = [p for p in works if not inst.lock_out[p]]
        paid = [p for p in opened if payable[p]]
        finish = {p: inst.proj_earliest[p] + inst.proj_duration[p] - 1 for p in paid}
        timely = [p for p in paid if finish[p] <= due
                  and inst.proj_latest[p] >= inst.proj_earliest[p]]
        if not works:
            ob = Obstacle(g, "no_work")
        elif not opened:
            ob = Obstacle(g, "locked_out")
        elif not paid:
            ob = Obstacle(g, "no_fund")
        elif not timely:
            q = min(paid, key=lambda p: (finish[p], inst.proj_earliest[p], p))
            ob = Obstacle(g, "too_late", int(inst.proj_duration[q]), int(inst.proj_earliest[q]))
        elif inst.cumulative[g] and sum(contrib[p] for p in timely) < inst.gap_quantity[g] - 1e-9:
            ob = Obstacle(g, "too_little", done=float(sum(contrib[p] for p in timely)))
        else:
            continue
        out.setdefault(int(inst.gap_village[g]), []).append(ob)
    return out


def same(got: dict, want: dict) -> None:
    assert list(got) == list(want)  # the villages, in the order of their first gap
    for v in want:
        assert [(o.gap, o.kind, o.duration, o.earliest) for o in got[v]] == \
            [(o.gap, o.kind, o.duration, o.earliest) for o in want[v]]
        assert [o.done for o in got[v]] == pytest.approx([o.done for o in want[v]])


def test_the_demo_county_as_gap_by_gap():
    inst = build_instance(load_scenario(ROOT / "scenarios" / "demo-county"))
    want = one_gap_at_a_time(inst)
    assert sum(map(len, want.values())) > 0
    same(exit_obstacles(inst), want)


@pytest.mark.parametrize("seed", [1, 2])
def test_every_kind_of_obstacle_as_gap_by_gap(tmp_path, seed):
    generate(tmp_path / "s", villages=60, counties=2, seed=seed)
    inst = build_instance(load_scenario(tmp_path / "s"))
    rng = np.random.default_rng(seed)
    P, G = inst.n_projects, inst.n_gaps
    # locks, windows closed, late starts, cumulative gaps
    lock_out = rng.random(P) < 0.15
    latest = np.where(rng.random(P) < 0.05, inst.proj_earliest - 1, inst.proj_latest)
    earliest = np.where(rng.random(P) < 0.2, np.minimum(inst.proj_earliest + 1, latest.max()),
                        inst.proj_earliest)
    quantity = np.where(rng.random(G) < 0.3, rng.integers(1, 4, G), 0).astype(float)
    contrib = rng.choice([0.5, 1.0, 2.0], P)
    changed = inst.replace(lock_out=lock_out & ~inst.lock_in, proj_latest=latest,
                           proj_earliest=np.minimum(earliest, latest.clip(min=0)),
                           gap_quantity=quantity, proj_contrib=contrib)
    want = one_gap_at_a_time(changed)
    kinds = {o.kind for obs in want.values() for o in obs}
    assert {"locked_out", "too_late", "too_little"} <= kinds
    same(exit_obstacles(changed), want)
