"""Near-optimal alternatives and project importance on the tiny scenario (value 12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.alternatives import alternatives, parse_tolerance
from planner.scenario import load_scenario
from planner.verify import verify_plan

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"


def test_parse_tolerance():
    assert parse_tolerance("1%") == pytest.approx(0.01)
    assert parse_tolerance("0.05") == pytest.approx(0.05)
    with pytest.raises(ValueError):
        parse_tolerance("150%")


def test_alternatives_differ_stay_within_and_verify(tmp_path):
    res = alternatives(TINY, 3, 0.4, tmp_path, gap=0)
    values = [r.objective for _, r in res.plans]
    assert values[0] == pytest.approx(12.0)
    assert len(res.plans) == 3
    assert all(v >= 0.6 * 12.0 - 1e-9 for v in values)
    starts = [tuple(r.start) for _, r in res.plans]
    assert len(set(starts)) == 3  # all different
    scn = load_scenario(TINY)
    for name, _ in res.plans:
        assert verify_plan(scn, tmp_path / name) == []
    assert list(res.table["plan"]) == ["plan-1", "plan-2", "plan-3"]
    assert (tmp_path / "alternatives.csv").is_file()


def test_importance(tmp_path):
    # Without P04 (V2's environment, 18) V2 loses 1 + 3 and the 18 freed buys nothing
    # else in 岢岚县 (P09 needs 25, 21 would be left): importance 4.  P08 is forced by
    # the road deadline: without it there is no plan at all.
    res = alternatives(TINY, 1, 0.0, tmp_path, gap=0)
    imp = res.importance.set_index("project_id")
    assert imp.loc["P04", "importance"] == pytest.approx(4.0)
    assert imp.loc["P08", "status_without"] == "infeasible"
