"""The split of pooled money under the exit priority (models/pooled_split.py).

Worked out by hand on two counties sharing one pooled stream: the value's LP would give
the money to the later batch's village, worth more; the lexicographic LP gives it to
the first batch's, and the county split then serves the first batch, as the whole
program's lexicographic optimum (brute force, tests/reference.py) does.
"""

from __future__ import annotations

import numpy as np
import pytest

from models.decompose import solve_by_county
from models.evaluate import batch_counts, on_time
from models.marginal import lp_relaxation
from models.pooled_split import lexicographic_use
from planner.build import build_instance
from planner.scenario import load_scenario
from reference import Fund, Gap, Project, Scenario, Village, solve, write_folder


def two_batches() -> Scenario:
    """甲县's V1 is due in 2018 and lacks a road (10); 乙县's V2 is due in 2019 and lacks
    a road of weight 3 (10).  One pooled stream: 10 in 2018, carried over.  A road on
    time is worth its weight + 3 (the bonus): V1 4, V2 6, and the money pays one road.
    The value alone pays V2's (6 > 4); exit first pays V1's, in 2018."""
    return Scenario(
        years=[2018, 2019],
        villages=[Village("V1", "甲县", 2018), Village("V2", "乙县", 2019)],
        gaps=[Gap("V1", "road"), Gap("V2", "road", "3")],
        projects=[Project("P1", "V1", "road", "10"), Project("P2", "V2", "road", "10")],
        funds=[Fund("P", 2018, "10")])


def test_the_batches_direct_the_split(tmp_path):
    scn = two_batches()
    write_folder(scn, tmp_path / "s")
    inst = build_instance(load_scenario(tmp_path / "s"))
    a, b = (list(inst.county_names).index(c) for c in ("甲县", "乙县"))
    pool = int(np.flatnonzero(inst.pool_county < 0)[0])
    units = 10 * inst.money_units  # 10 万元
    _, plain = lp_relaxation(inst)
    assert plain[pool, b].sum() == pytest.approx(units) and plain[pool, a].sum() == 0
    lex, bounds = lexicographic_use(inst)
    assert lex[pool, a, 0] == pytest.approx(units) and lex[pool, b].sum() == 0
    # batch 2018: one village at most; keeping it, no money is left for 2019's: 0
    assert bounds == [1, 0]
    res = solve_by_county(inst, gap=0, threads=1)
    ref = solve(scn)
    assert float(ref.value) == 4 and ref.starts == {"P1": 2018}
    assert batch_counts(inst, on_time(inst, res.start)) == [1, 0]
    assert res.objective == pytest.approx(4)
    # both stages proven for the whole by the lexicographic LP's bounds
    stages = res.options["exit_priority"]["stages"]
    assert [(s["on_time"], s["bound"], s["proven"]) for s in stages] == [(1, 1, True),
                                                                          (0, 0, True)]
