"""The written cells a column at a time (planner.cells, planner.plan.money): the formula
guard and the money text on columns mixing text, numbers and blanks, by hand."""

import math

import numpy as np
import pandas as pd

from planner.cells import neutralise_frame, restore_frame
from planner.plan.money import money_text


def test_neutralise_frame_mixed_column():
    frame = pd.DataFrame({"a": ["=SUM(A1)", 3, None, "-12.5000", "'+x", "ok", "=SUM(A1)",
                                "@x", float("nan")],
                          "n": range(9)})
    out = neutralise_frame(frame)
    got = out["a"].tolist()
    assert got[:2] == ["'=SUM(A1)", 3] and got[2] is None
    assert got[3:8] == ["-12.5000", "''+x", "ok", "'=SUM(A1)", "'@x"]
    assert isinstance(got[8], float) and math.isnan(got[8])
    assert out["a"].dtype == object and out["n"].tolist() == list(range(9))
    assert frame["a"].iloc[0] == "=SUM(A1)"  # the input frame is left as it was
    back = restore_frame(pd.DataFrame({"a": ["'=SUM(A1)", "''+x", "'plain", "x"]}))
    assert back["a"].tolist() == ["=SUM(A1)", "'+x", "'plain", "x"]


def test_money_text_float_column():
    frame = pd.DataFrame({"cost": [1.5, np.nan, -0.0, 12.34565, 1e9], "name": list("abcde")})
    out = money_text(frame)
    assert out["cost"].tolist() == ["1.5000", "", "-0.0000", "12.3456", "1000000000.0000"]
    assert out["cost"].dtype == object and out["name"].tolist() == list("abcde")


def test_money_text_of_a_column_of_repeated_amounts_is_each_cell_formatted():
    """Each distinct amount is formatted once (planner.plan.money._floats_text): the text
    is still, cell by cell, the amount with 4 decimals, blank for NaN, -0.0 as -0.0000."""
    rng = np.random.default_rng(7)
    amounts = np.array([0.0, -0.0, 1.25, 3.33335, 12.5, -7.00005, 1e-9, -1e-9, 2.5e8])
    cells = rng.choice(amounts, size=5000)
    cells[rng.integers(0, 5000, 300)] = np.nan
    out = money_text(pd.DataFrame({"m": cells}))["m"].tolist()
    expect = ["" if math.isnan(x) else f"{x:.4f}" for x in cells.tolist()]
    assert out == expect
    assert "-0.0000" in out and "0.0000" in out  # both zeros kept apart
