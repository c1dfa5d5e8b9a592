"""The counties in two rounds under a time limit (models.county_solve.solve_in_rounds):
every county's stages by their LP dives first, then every county in full from that plan;
and the exit-priority stages of a county whose time is out (models.priority)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from models.budget import TimeBudget
from models.county_parts import split_by_county
from models.evaluate import batch_counts, on_time, priority_rank
from models.params import SolveParams
from planner.build import build_instance
from planner.generate import generate
from planner.scenario import load_scenario


def _parts(tmp_path, seed=4, villages=24, counties=3):
    folder = tmp_path / f"rounds{seed}"
    generate(folder, villages=villages, counties=counties, seed=seed)
    inst = build_instance(load_scenario(folder))
    assert inst.batches and inst.objective == "max_coverage"
    return split_by_county(inst)


def _counting(monkeypatch):
    """solve_part recording the options of every call."""
    import models.county_solve as cs

    calls, real = [], cs.solve_part

    def recorded(part_instance, opts):
        calls.append((part_instance.meta.get("county"), dict(opts)))
        return real(part_instance, opts)

    monkeypatch.setattr(cs, "solve_part", recorded)
    return calls, real


def test_every_county_is_dived_before_any_is_solved_in_full(tmp_path, monkeypatch):
    """With a time limit, the first round is every county by its dives only; the second
    starts each county from its first round's plan and stage records; with time enough
    the counties end where their full solves without a limit end (the same batch counts
    and value, each county solved alone to its lexicographic optimum), never below their
    first round's plan."""
    from models.county_solve import solve_in_rounds, solve_parts

    parts = _parts(tmp_path)
    opts = {"threads": 1, "gap": 0.0, "seed": 0}
    calls, _ = _counting(monkeypatch)
    outs = solve_in_rounds(parts, map, TimeBudget(300.0), 1, 0.0, opts)
    n = len(parts)
    assert len(calls) == 2 * n
    assert all(o.get("dives_only") for _, o in calls[:n])
    assert not any(o.get("dives_only") for _, o in calls[n:])
    assert all(o["hint"] is not None and o["known_stages"] for _, o in calls[n:])
    alone = solve_parts(parts, map, None, 1, 0.0, opts)  # no limit: one full round
    for part, out, ref in zip(parts, outs, alone):
        sub = part.instance
        assert [s["on_time"] for s in out["stages"]] == [s["on_time"] for s in ref["stages"]]
        assert out["objective"] == pytest.approx(ref["objective"])
        assert priority_rank(sub, out["start"]) == priority_rank(sub, ref["start"])


def test_without_a_time_limit_the_counties_are_solved_once(tmp_path, monkeypatch):
    from models.county_solve import solve_in_rounds

    parts = _parts(tmp_path, villages=16, counties=2)
    calls, _ = _counting(monkeypatch)
    solve_in_rounds(parts, map, None, 1, 0.0, {"threads": 1})
    assert len(calls) == len(parts) and not any(o.get("dives_only") for _, o in calls)


def test_a_county_whose_second_round_ranks_lower_keeps_its_first(tmp_path, monkeypatch):
    """A county whose second round comes back below its first (reached after the
    deadline, it keeps the rule of thumb's plan) keeps the first round's plan, its stage
    records and the status of a run cut by its time limit."""
    import models.county_solve as cs
    from models.greedy import greedy

    parts = _parts(tmp_path, seed=5)
    unlucky = parts[0].instance.meta.get("county")
    real = cs.solve_part
    firsts = {}

    def second_late(part_instance, opts):
        county = part_instance.meta.get("county")
        if opts.get("dives_only"):
            firsts[county] = out = real(part_instance, opts)
            return out
        if county == unlucky:
            return cs.late_part(part_instance)
        return real(part_instance, opts)

    monkeypatch.setattr(cs, "solve_part", second_late)
    outs = cs.solve_in_rounds(parts, map, TimeBudget(300.0), 1, 0.0, {"threads": 1})
    first, rough = firsts[unlucky], greedy(parts[0].instance)
    assert priority_rank(parts[0].instance, rough) < priority_rank(parts[0].instance,
                                                                   first["start"])
    assert np.array_equal(outs[0]["start"], first["start"])
    assert outs[0]["stages"] == first["stages"] and outs[0]["status"] == "time_limit"
    assert all(o["status"] != "time_limit" for o in outs[1:])


def test_known_stages_are_not_dived_again(tmp_path, monkeypatch):
    """The second round starts from the first's records: a stage its dive proved is kept
    without another LP, and the counts are those the stages reach from scratch."""
    import models.dive as dive
    from models.priority import solve_stages

    sub = _parts(tmp_path, seed=6)[1].instance
    params = SolveParams(threads=1, gap=0.0, seed=0)
    _, plan, records, failed = solve_stages(sub, params, TimeBudget(300.0), None,
                                            dives_only=True)
    assert failed is None and any(r["proven"] for r in records)
    stages_dived, real = [], dive.lp_dive

    def counted(*a, **k):
        stages_dived.append(k.get("stage"))
        return real(*a, **k)

    monkeypatch.setattr(dive, "lp_dive", counted)
    _, again, redone, _ = solve_stages(sub, params, TimeBudget(300.0), plan, known=records)
    proven = [i for i, r in enumerate(records) if r["proven"]]
    assert not set(proven) & set(stages_dived)
    assert all(redone[i] is records[i] for i in proven)
    _, fresh, scratch, _ = solve_stages(sub, params, TimeBudget(300.0), None)
    assert [r["on_time"] for r in redone] == [r["on_time"] for r in scratch]


def test_a_county_out_of_time_keeps_the_counts_of_its_plan(tmp_path, monkeypatch):
    """A county whose time is out before its stages: no dive, each stage keeps the count
    of the plan in hand (worked out from the plan itself), stated as cut by the time
    limit and unproven but for a batch the plan has on time in full."""
    import models.dive as dive
    from models.greedy import greedy
    from models.priority import solve_stages

    sub = _parts(tmp_path, seed=7)[0].instance
    plan = greedy(sub)
    monkeypatch.setattr(dive, "lp_dive", lambda *a, **k: pytest.fail("dived"))
    spent = TimeBudget(1.0, started=time.monotonic() - 10.0)
    assert spent.over() and not TimeBudget(None).over()
    _, kept, records, failed = solve_stages(sub, SolveParams(threads=1), spent, plan,
                                            dives_only=True)
    assert failed is None and np.array_equal(kept, plan)
    counts = batch_counts(sub, on_time(sub, plan))
    assert [r["on_time"] for r in records] == list(counts)
    for r, n, batch in zip(records, counts, sub.batches):
        whole = n == len(batch)
        assert r["proven"] == whole and r["status"] == ("optimal" if whole else "time_limit")


def test_too_short_for_every_dive_every_county_has_its_first_batch_first(tmp_path,
                                                                         monkeypatch):
    """When every county's dives would take longer than the time left, the first round
    dives each county's first batch alone, the next every county's other stages from that
    plan and record, then the full solves; with time enough the counties still end at
    their full solves' counts and value."""
    import models.county_solve as cs

    parts = _parts(tmp_path)
    opts = {"threads": 1, "gap": 0.0, "seed": 0}
    monkeypatch.setattr(cs, "_dives_too_long", lambda *a: True)
    calls, _ = _counting(monkeypatch)
    outs = cs.solve_in_rounds(parts, map, TimeBudget(300.0), 1, 0.0, opts)
    n = len(parts)
    assert len(calls) == 3 * n
    assert all(o.get("dives_only") and o.get("stages_upto") == 1 and o["use_hint"] is False
               for _, o in calls[:n])
    assert all(o.get("dives_only") and "stages_upto" not in o and o["known_stages"]
               for _, o in calls[n:2 * n])
    # the first round's records: the first batch dived, the later ones the plan's counts
    for _, o in calls[n:2 * n]:
        first, *later = o["known_stages"]
        assert first["bound_by"] in ("LP relaxation", "whole batch", "solver")
        assert all(r["bound"] is None or r["bound_by"] == "whole batch" for r in later)
    assert not any(o.get("dives_only") for _, o in calls[2 * n:])
    alone = cs.solve_parts(parts, map, None, 1, 0.0, opts)
    for out, ref in zip(outs, alone):
        assert [s["on_time"] for s in out["stages"]] == [s["on_time"] for s in ref["stages"]]
        assert out["objective"] == pytest.approx(ref["objective"])


def test_the_dives_are_too_long_when_their_time_exceeds_what_is_left():
    """6.6e-4 s a work over the workers, against twice the time left less what is
    kept."""
    from types import SimpleNamespace

    from models.county_solve import _dives_too_long

    parts = [SimpleNamespace(instance=SimpleNamespace(n_projects=n)) for n in (6000, 4000)]
    budget = SimpleNamespace(left=lambda: 2.0)
    # 10,000 works x 6.6e-4 s / 2 workers = 3.3 s, against 2 x (2.0 - keep)
    assert not _dives_too_long(parts, budget, 2, 0.3)  # 3.3 <= 3.4
    assert _dives_too_long(parts, budget, 2, 0.4)  # 3.3 > 3.2
    assert not _dives_too_long(parts, budget, 2, 0.0)  # 3.3 <= 4.0
    assert _dives_too_long(parts, budget, 1, 0.0)  # 6.6 > 4.0


def test_the_first_stages_only_dive_those_and_skip_the_value_dive(tmp_path, monkeypatch):
    """solve_stages(upto=1): the first batch's dive alone; the later batches keep the
    counts of that plan (worked out from it), unproven but for a batch on time in full;
    no value dive."""
    import models.dive as dive
    from models.greedy import greedy
    from models.priority import solve_stages

    sub = _parts(tmp_path, seed=8)[0].instance
    dived, real = [], dive.lp_dive

    def counted(*a, **k):
        dived.append(k.get("stage"))
        return real(*a, **k)

    monkeypatch.setattr(dive, "lp_dive", counted)
    _, plan, records, failed = solve_stages(sub, SolveParams(threads=1), TimeBudget(300.0),
                                            greedy(sub), dives_only=True, upto=1)
    assert failed is None and dived == [0]
    counts = batch_counts(sub, on_time(sub, plan))
    assert [r["on_time"] for r in records] == list(counts)
    for r, n, batch in zip(records[1:], counts[1:], sub.batches[1:]):
        assert r["proven"] == (n == len(batch))
    # the next round dives the later stages from that plan, then the value, which the
    # first round left out
    dived.clear()
    _, _, again, _ = solve_stages(sub, SolveParams(threads=1), TimeBudget(300.0), plan,
                                  dives_only=True, known=records)
    assert 0 not in dived and dived[-1] is None
    assert again[0] is records[0] or again[0]["on_time"] >= records[0]["on_time"]


def test_a_county_reached_late_in_a_later_round_keeps_its_plan(tmp_path, monkeypatch):
    """Past the deadline with the plan and records of an earlier round: that plan and
    those records come back as they are, no rule-of-thumb plan worked out."""
    import models.county_solve as cs
    import models.greedy as greedy_mod
    from models.evaluate import plan_value

    sub = _parts(tmp_path, seed=9)[0].instance
    plan = greedy_mod.greedy(sub)
    records = [{"batch": b, "on_time": 0} for b in sub.batch_labels]
    monkeypatch.setattr(greedy_mod, "greedy", lambda *a: pytest.fail("greedy worked out"))
    out = cs.solve_part(sub, {"deadline": time.time() - 1.0, "hint": plan,
                              "known_stages": records, "threads": 1})
    assert np.array_equal(out["start"], plan) and out["stages"] is records
    assert out["status"] == "time_limit" and out["objective"] == plan_value(sub, plan)
