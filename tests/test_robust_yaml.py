"""`uncertainty:` in scenario.yaml (planner.scenario.uncertainty): read into plain data,
and every bad value one message naming the file, row, key, value and the fix, as the
other keys are checked; unknown keys refused with the nearest known one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.errors import InputError
from planner.scenario import load_scenario

TINY = Path(__file__).resolve().parent.parent / "scenarios" / "tiny"  # years 2019, 2020


def _tiny(tmp_path, text: str) -> Path:
    folder = tmp_path / "scn"
    shutil.copytree(TINY, folder)
    with open(folder / "scenario.yaml", "a", encoding="utf-8") as fh:
        fh.write(text)
    return folder


def _problems(tmp_path, text: str) -> list[str]:
    with pytest.raises(InputError) as err:
        load_scenario(_tiny(tmp_path, text))
    return [str(p) for p in err.value.problems]


def test_read_into_plain_data(tmp_path):
    scn = load_scenario(_tiny(tmp_path, """uncertainty:
  samples: 4
  seed: 11
  money:
  - {stream: special_bonds, year: 2020, cut: {p: 0.3, share: 0.2}}
  - {stream: poverty_fund, year: 2020, county: 岢岚县, range: {low: 0.8, high: 1}}
  costs:
  - {target: road, overrun: [0, 0.3]}
  - {target: water, overrun: 0.1}
"""))
    assert scn.uncertainty == {
        "samples": 4, "seed": 11,
        "money": [{"stream": "special_bonds", "year": 2020, "kind": "cut", "county": None,
                   "p": 0.3, "share": 0.2},
                  {"stream": "poverty_fund", "year": 2020, "kind": "range",
                   "county": "岢岚县", "low": 0.8, "high": 1.0}],
        "costs": [{"target": "road", "low": 0.0, "high": 0.3},
                  {"target": "water", "low": 0.1, "high": 0.1}]}
    assert load_scenario(TINY).uncertainty is None


def test_defaults(tmp_path):
    scn = load_scenario(_tiny(tmp_path, "uncertainty: {costs: [{target: road, "
                                        "overrun: [0, 0.3]}]}\n"))
    assert (scn.uncertainty["samples"], scn.uncertainty["seed"]) == (10, 0)


def test_each_bad_value_named_with_row_key_value_and_fix(tmp_path):
    # scenario.yaml of tiny has 8 rows; these start on row 9
    got = _problems(tmp_path, """uncertainty:
  samples: 0
  seed: -1
  money:
  - {stream: special_bonds, year: 2019, cut: {p: 0.3, share: 0.2}}
  - {stream: bonds, year: 2020, cut: {p: 0.3, share: 0.2}}
  - {stream: special_bonds, year: 2020, cut: {p: 1.5, share: 0}}
  - {stream: poverty_fund, year: 2020, range: {low: 1.2, high: 0.8}}
  - {stream: poverty_fund, year: 2020, county: 临县, range: {low: 0.8, high: 1}}
  - {stream: special_bonds, year: 2020, range: {low: 0.8, high: 1}, cut: {p: 1, share: 1}}
  - {stream: lottery, year: 2021, range: {low: 0.8, high: 1}}
  costs:
  - {target: road, overrun: [0.3, 0]}
  - {target: rood, overrun: [0, 0.3]}
  - {target: water, overrun: [0, 20]}
  - {target: road, overrun: 0.1}
""")
    assert got == [
        "scenario.yaml, row 10, column uncertainty.samples: 0: samples must be a whole "
        "number from 1 to 1000",
        "scenario.yaml, row 11, column uncertainty.seed: -1: seed must be a whole number "
        "from 0 to 4294967295",
        "scenario.yaml, row 13, column uncertainty.money[1].year: 2019: 2019 is the first "
        "year: its money is known when the plan is made (the decision taken now); give a "
        "later year (2020)",
        "scenario.yaml, row 14, column uncertainty.money[2].stream: 'bonds': unknown "
        "stream; streams of funds.csv: poverty_fund, special_bonds",
        "scenario.yaml, row 15, column uncertainty.money[3].cut.p: 1.5: p must be a "
        "probability between 0 and 1, e.g. p: 0.3",
        "scenario.yaml, row 15, column uncertainty.money[3].cut.share: 0: share must be the "
        "share of the money cut, above 0 and at most 1, e.g. share: 0.2",
        "scenario.yaml, row 16, column uncertainty.money[4].range: {'low': 1.2, 'high': "
        "0.8}: low must not be above high; swap them",
        "scenario.yaml, row 17, column uncertainty.money[5].county: '临县': stream "
        "poverty_fund has no 2020 money of this county; its counties that year: 岢岚县, "
        "石楼县",
        "scenario.yaml, row 18, column uncertainty.money[6]: " + repr(
            {"stream": "special_bonds", "year": 2020, "range": {"low": 0.8, "high": 1},
             "cut": {"p": 1, "share": 1}})
        + ": give exactly one of cut: {p, share} (the money is cut by share with "
        "probability p) or range: {low, high} (the amount times a factor drawn evenly "
        "from low to high)",
        "scenario.yaml, row 19, column uncertainty.money[7].stream: 'lottery': unknown "
        "stream; streams of funds.csv: poverty_fund, special_bonds",
        "scenario.yaml, row 21, column uncertainty.costs[1].overrun: [0.3, 0]: low must "
        "not be above high; swap them",
        "scenario.yaml, row 22, column uncertainty.costs[2].target: 'rood': no work of "
        "projects.csv has this target; targets with works: broadband, collective_economy, "
        "environment, housing, power, road, water",
        "scenario.yaml, row 23, column uncertainty.costs[3].overrun: [0, 20]: overrun must "
        "be [low, high], relative to the cost, each between -0.9 and 10, e.g. [0, 0.3] "
        "for 0-30 % dearer (or one number)",
        "scenario.yaml, row 24, column uncertainty.costs[4].target: 'road': target road "
        "already has an overrun (uncertainty.costs[1]); give one per target",
    ]


def test_one_distribution_per_stream_year_and_county(tmp_path):
    got = _problems(tmp_path, """uncertainty:
  money:
  - {stream: poverty_fund, year: 2020, county: 岢岚县, range: {low: 0.8, high: 1}}
  - {stream: poverty_fund, year: 2020, cut: {p: 0.5, share: 0.5}}
""")
    assert got == [
        "scenario.yaml, row 12, column uncertainty.money[2]: {'stream': 'poverty_fund', "
        "'year': 2020, 'cut': {'p': 0.5, 'share': 0.5}}: this stream and year already has "
        "a distribution (uncertainty.money[1]); give one per stream, year and county"]


def test_nothing_uncertain_and_not_a_mapping(tmp_path):
    assert _problems(tmp_path, "uncertainty: {samples: 3}\n") == [
        "scenario.yaml, row 9, column uncertainty: {'samples': 3}: gives nothing "
        "uncertain: add money: or costs:; e.g. uncertainty: {samples: 20, seed: 1, money: "
        "[{stream: special_bonds, year: 2019, cut: {p: 0.3, share: 0.2}}], costs: "
        "[{target: road, overrun: [0, 0.3]}]}"]
    assert _problems(tmp_path / "b", "uncertainty: [1, 2]\n")[0].startswith(
        "scenario.yaml, row 9, column uncertainty: [1, 2]: must be a mapping of samples, "
        "seed, money and costs")


@pytest.mark.parametrize("text, message", [
    ("uncertainty:\n  sample: 3\n",
     "scenario.yaml, row 10, column uncertainty.sample: unknown key 'sample'; did you "
     "mean 'samples'?"),
    ("uncertainty:\n  money:\n  - {stream: special_bonds, year: 2020, cut: {p: 0.3, "
     "shares: 0.2}}\n",
     "scenario.yaml, row 11, column uncertainty.money[1].cut.shares: unknown key "
     "'shares'; did you mean 'share'?"),
])
def test_unknown_keys_refused_by_the_cli(tmp_path, text, message):
    res = CliRunner().invoke(main, ["validate", str(_tiny(tmp_path, text))])
    assert res.exit_code == 1, res.output
    assert res.output.strip() == f"error: {message}"
