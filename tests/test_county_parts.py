"""A county's part found through the CountyIndex (split_by_county) is the part found
through masks of the whole (county_part without an index), field by field."""

from __future__ import annotations

import dataclasses

import numpy as np

from models.county_parts import _groups, county_part, split_by_county
from models.pooled_split import share_out
from planner.build import build_instance
from planner.generate import generate
from planner.scenario import load_scenario


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, tuple) and a and hasattr(a[0], "villages"):  # deadlines
        return len(a) == len(b) and all(
            (x.label, x.target, x.year, x.share, x.soft) == (y.label, y.target, y.year,
                                                           y.share, y.soft)
            and np.array_equal(x.villages, y.villages) for x, y in zip(a, b))
    if isinstance(a, tuple) and a and isinstance(a[0], np.ndarray):  # batches
        return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))
    return a == b


def test_the_index_gives_the_parts_the_masks_give(tmp_path):
    folder = tmp_path / "prov"
    generate(folder, villages=60, counties=4, seed=8, pooled_stream=True)
    inst = share_out(build_instance(load_scenario(folder)), None)
    assert inst.deadlines and inst.batches and len(inst.requires)
    parts = split_by_county(inst)
    assert len(parts) == 4
    for part in parts:
        ref = county_part(inst, part.county)
        assert np.array_equal(part.projects, ref.projects) and part.exact == ref.exact
        for f in dataclasses.fields(part.instance):
            assert _same(getattr(part.instance, f.name), getattr(ref.instance, f.name)), f.name


def test_groups_keep_order_and_positions_on_unsorted_keys():
    keys = np.array([3, 1, 3, 2, 1, 3])
    values = np.array([10, 11, 12, 13, 14, 15])
    groups, pos = _groups(keys, values)
    assert {k: list(v) for k, v in groups.items()} == {1: [11, 14], 2: [13], 3: [10, 12, 15]}
    # each item's position among those of its key, in index order, worked out by hand
    assert list(pos) == [0, 0, 1, 0, 1, 2]
    assert _groups(np.zeros(0, dtype=np.int64))[0] == {}
