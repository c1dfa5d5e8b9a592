"""The checker's on_time_possible (planner.check.possible) on a case worked out by hand:
a cumulative gap short of its quantity by the due year, a gap whose works are locked out
or wait on a relocated village's work, a fund of another county, a work needing no
pooled money, the shared pool, a target outside the exit standard, a village that has
exited before the horizon."""

from types import SimpleNamespace

import pandas as pd

from planner.check.possible import possible_on_time


def _inputs():
    villages = pd.DataFrame({
        "village_id": ["V1", "V2", "V3", "V4", "V5", "V6", "V7"],
        "county": ["A", "A", "A", "B", "B", "B", "A"],
        "relocated": [False, False, True, False, False, False, False],
        "exit_year": [2019, 2020, 2020, 2020, 2020, 2020, 2017],
    })
    gaps = pd.DataFrame({
        "village_id": ["V1", "V2", "V2", "V4", "V5", "V6", "V6", "V7"],
        "target": ["water", "road", "water", "power", "power", "power", "culture",
                   "water"],
        "quantity": [3.0, None, 2.0, None, None, None, None, None],
    })
    rows = [  # project, village, target, cost, self_share, streams, requires, duration,
        #         earliest, contributes
        ("W1", "V1", "water", 10.0, 0.0, (), (), 1, 2018, 1.0),
        ("W2", "V1", "water", 10.0, 0.0, (), (), 2, 2018, 1.0),
        ("W3", "V1", "water", 10.0, 0.0, (), (), 3, 2018, 1.0),  # finishes 2020: late
        ("R1", "V2", "road", 5.0, 0.0, (), (), 1, 2018, None),  # locked out
        ("R2", "V2", "road", 5.0, 0.0, (), ("X1",), 1, 2018, None),  # waits on V3's X1
        ("X1", "V3", "road", 5.0, 0.0, (), (), 1, 2018, None),
        ("W4", "V2", "water", 5.0, 0.0, (), (), 1, 2019, None),  # blank: all of 2
        ("P1", "V4", "power", 5.0, 0.0, ("county_fund",), (), 1, 2018, None),
        ("P2", "V5", "power", 5.0, 1.0, ("county_fund",), (), 1, 2018, None),  # no pooled
        ("P3", "V6", "power", 5.0, 0.0, (), (), 1, 2018, None),  # the shared pool
        ("W5", "V7", "water", 5.0, 0.0, (), (), 1, 2018, None),
    ]
    projects = pd.DataFrame(rows, columns=[
        "project_id", "village_id", "target", "cost", "self_share", "streams", "requires",
        "duration", "earliest_year", "contributes"])
    projects["latest_year"] = 2020
    funds = pd.DataFrame({  # county_fund of county A only; special shared, for power
        "stream": ["county_fund", "special", "special"],
        "county": ["A", "", ""],
        "targets": [("*",), ("power",), ("power",)],
    })
    return SimpleNamespace(villages=villages, gaps=gaps, projects=projects, funds=funds,
                           lock_out=frozenset({"R1"}),
                           exit_standard=("water", "road", "power"))


def test_possible_on_time_by_hand():
    got = possible_on_time(_inputs(), 2018, 2020)
    # V1: 2 of 3 by 2019 (W3 ends 2020); V2: road has no usable work; V4: only county
    # A's fund may pay P1's stream; V5: P2 needs no pooled money; V6: the shared
    # special pays power, culture is not an exit target; V7: due in the first year
    assert got == {"V1": False, "V2": False, "V4": False, "V5": True, "V6": True,
                   "V7": True}
    assert list(got) == ["V1", "V2", "V4", "V5", "V6", "V7"]  # villages.csv's order


def test_possible_on_time_quantity_met_and_shared_stream_named():
    inp = _inputs()
    inp.gaps.loc[0, "quantity"] = 2.0  # W1 and W2 give 2 by 2019
    inp.projects.at[7, "streams"] = ("special",)  # P1
    got = possible_on_time(inp, 2018, 2020)
    assert got["V1"] is True and got["V4"] is True
    assert got["V2"] is False
