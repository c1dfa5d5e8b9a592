"""The eligibility classes (models.eligibility) against the dense table they stand for."""

from __future__ import annotations

import numpy as np

from models.eligibility import classify, compact


def test_classify_by_row_county_and_deep_poverty():
    rows = np.array([[1, 0, 1], [1, 0, 1], [0, 1, 0]], dtype=bool)  # rows 0 and 1 alike
    row_of = np.array([0, 1, 2, 0, 1])
    county = np.array([0, 0, 0, 1, 0])
    deep = np.array([False, False, False, False, True])
    proj_class, class_pools = classify(rows, row_of, county, deep)
    # works 0 and 1: same pools, county, status -> one class; 3 another county, 4 deep
    assert proj_class[0] == proj_class[1]
    assert len(set(proj_class.tolist())) == 4
    assert (class_pools[proj_class] == rows[row_of]).all()


def test_compact_renumbers_the_classes_in_use():
    proj_class, pools = compact(np.array([3, 1, 3]), np.eye(4, dtype=bool))
    assert proj_class.tolist() == [1, 0, 1]
    assert pools.tolist() == [[False, True, False, False], [False, False, False, True]]


def test_pairs_breadth_and_reach_match_the_dense_table(tmp_path):
    from models.eligibility import breadth, pairs, payable, reached, rows_of, work_county
    from planner.build import build_instance
    from planner.generate import generate
    from planner.scenario import load_scenario

    generate(tmp_path, villages=60, counties=3, seed=4, pooled_stream=True)
    inst = build_instance(load_scenario(tmp_path))
    table = rows_of(inst, np.arange(inst.n_projects))
    works = np.array([5, 0, 5, inst.n_projects - 1])
    ok = np.arange(inst.n_pools) % 2 == 0
    i, b = pairs(inst, works, ok)
    want_i, want_b = np.nonzero(table[works] & ok[None, :])
    assert i.tolist() == want_i.tolist() and b.tolist() == want_b.tolist()
    assert breadth(inst).tolist() == table.sum(axis=0).tolist()
    assert payable(inst).tolist() == table.any(axis=1).tolist()
    county = work_county(inst)
    want = np.zeros((len(inst.county_names), inst.n_pools), dtype=bool)
    for p, c in enumerate(county):
        want[c] |= table[p]
    assert (reached(inst, np.arange(inst.n_pools)) == want).all()
