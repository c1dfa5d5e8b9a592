"""models.params.SolveParams: one definition of the solver settings for the command line,
scenario.yaml's `solver:` and the library.

- the precedence, worked out by hand: defaults < scenario.yaml < command line;
- every bound of every setting refused in the same words on the command line (exit 2),
  in scenario.yaml (exit 1, with row and column) and in the library (ParamsError);
- a backend's own options (`extras`): passed to the backend, an unknown or bad one
  refused wherever it is given, never ignored;
- the command-line options and the scenario.yaml keys are the fields."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from models.params import NAMES, ParamsError, SolveParams
from models.solve import available, solve
from planner.build import build_instance
from planner.cli import main
from planner.cli_common import COMMON_SETTINGS, with_solver_options
from planner.errors import InputError
from planner.pipeline import plan_scenario
from planner.scenario import load_scenario
from planner.scenario.yamlfile import SCENARIO_KEYS, SOLVER_SETTINGS

TINY = Path(__file__).resolve().parent.parent / "scenarios" / "tiny"
CORES = os.cpu_count() or 1
#: the value of the tiny scenario's best plan (tests/test_whatif.py: test_base_value)
TINY_OPTIMUM = 12.0


def _scenario(tmp_path, solver_line: str) -> Path:
    folder = tmp_path / "scn"
    shutil.copytree(TINY, folder)
    path = folder / "scenario.yaml"
    path.write_text(path.read_text(encoding="utf-8") + solver_line + "\n", encoding="utf-8")
    return folder


def _cli(*args):
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in res.output, res.output
    return res


# ------------------------------------------------------------------ precedence

def test_defaults():
    p = SolveParams()
    assert (p.backend, p.time_limit, p.gap, p.threads, p.seed, p.decompose, p.scheduler,
            p.extras) == ("highs", 60.0, 0.001, CORES, 0, "auto", None, {})


def test_merge_order_defaults_then_yaml_then_command_line():
    yaml_solver = {"name": "cbc", "time_limit": 30, "gap": 0.01, "seed": 4,
                   "extras": {"cuts": False, "presolve": True}}
    given = {"gap": 0, "threads": 1, "seed": None, "extras": {"presolve": "off"}}
    p = SolveParams.merged(yaml_solver, **given)
    # backend: yaml's `name`; time_limit: yaml; gap: command line (0 beats 0.01); threads:
    # command line; seed: yaml (None on the command line is "not given"); decompose,
    # scheduler: defaults; extras: yaml's cuts, the command line's presolve ("off")
    assert p == SolveParams(backend="cbc", time_limit=30, gap=0, threads=1, seed=4,
                            decompose="auto", scheduler=None,
                            extras={"cuts": False, "presolve": False})


def test_name_stands_for_backend_and_wins():
    assert SolveParams.merged({"backend": "highs", "name": "cbc"}).backend == "cbc"
    assert SolveParams.merged({"name": "cbc"}, backend="cpsat").backend == "cpsat"
    assert SolveParams.merged({"name": None}).backend == "highs"


def test_unknown_setting_is_an_error():
    with pytest.raises(TypeError, match="unknown solver setting 'thread'"):
        SolveParams.merged(thread=2)


def test_merge_order_through_the_command_line(tmp_path):
    folder = _scenario(tmp_path, "solver: {time_limit: 30, seed: 4, gap: 0.5}")
    out = tmp_path / "plan"
    res = _cli("solve", folder, "--out", out, "--gap", "0", "--threads", "1")
    assert res.exit_code == 0, res.output
    options = json.loads((out / "summary.json").read_text(encoding="utf-8"))["options"]
    assert (options["time_limit"], options["gap"], options["threads"], options["seed"]) == (
        30, 0.0, 1, 4)
    assert options["backend"] == "highs" and "extras" not in options


# ------------------------------------------------------------------ one wording

#: (setting, flag, a value it refuses, the words), the words written out by hand
REFUSED = [
    ("time_limit", "--time-limit", 0, "must be a number of seconds > 0 and <= 604800"),
    ("time_limit", "--time-limit", 604801, "must be a number of seconds > 0 and <= 604800"),
    ("gap", "--gap", -0.5, "must be a relative gap, a number >= 0 and <= 1"),
    ("gap", "--gap", 1.5, "must be a relative gap, a number >= 0 and <= 1"),
    ("threads", "--threads", 0, "must be a whole number of threads >= 1 and <= 1,024"),
    ("threads", "--threads", 1025, "must be a whole number of threads >= 1 and <= 1,024"),
    ("seed", "--seed", -1, "must be a whole-number seed >= 0 and <= 2,147,483,647"),
    ("seed", "--seed", 2**31, "must be a whole-number seed >= 0 and <= 2,147,483,647"),
    ("decompose", "--decompose", "sometimes", "must be auto, county or off"),
]


@pytest.mark.parametrize("key, flag, value, words", REFUSED)
def test_a_refused_value_has_the_same_words_everywhere(tmp_path, key, flag, value, words):
    res = _cli("solve", TINY, "--out", tmp_path / "p", flag, value)
    assert res.exit_code == 2
    assert f"Invalid value for '{flag}': '{value}': {words}" in res.output
    shown = repr(value)
    with pytest.raises(InputError) as exc:
        load_scenario(_scenario(tmp_path, f"solver: {{{key}: {value}}}"))
    assert re.fullmatch(rf"scenario\.yaml, row \d+, column solver\.{key}: "
                        rf"{re.escape(shown)}: {re.escape(words)}", str(exc.value))
    with pytest.raises(ParamsError) as lib:
        SolveParams(**{key: value})
    assert lib.value.problem == words
    with pytest.raises(ParamsError) as lib:
        plan_scenario(TINY, None, **{key: value})
    assert lib.value.problem == words


def test_a_value_at_each_bound_is_taken():
    p = SolveParams(time_limit=604800, gap=0, threads=1, seed=2**31 - 1)
    assert (p.time_limit, p.gap, p.threads, p.seed) == (604800, 0, 1, 2**31 - 1)
    assert SolveParams(gap=1, seed=0).gap == 1


# ------------------------------------------------------------------ backend options

def test_unknown_extra_refused_in_the_library():
    with pytest.raises(ParamsError) as exc:
        SolveParams(extras={"presolv": True})
    assert exc.value.key == "extras.presolv"
    assert exc.value.problem == ("unknown option 'presolv' for backend highs; did you mean "
                                 "'presolve'? highs takes: presolve, mip_heuristic_effort")
    with pytest.raises(ParamsError, match="unknown option 'cuts' for backend highs"):
        SolveParams.merged({"extras": {"cuts": False}})


def test_unknown_extra_refused_in_scenario_yaml(tmp_path):
    folder = _scenario(tmp_path, "solver: {name: cbc, extras: {cuts: off, depth: 3}}")
    with pytest.raises(InputError) as exc:
        load_scenario(folder)
    assert re.fullmatch(r"scenario\.yaml, row \d+, column solver\.extras\.depth: 3: unknown "
                        r"option 'depth' for backend cbc; cbc takes: presolve, cuts",
                        str(exc.value))


def test_unknown_extra_refused_on_the_command_line(tmp_path):
    res = _cli("solve", TINY, "--out", tmp_path / "p", "--solver-option", "depth=3")
    assert res.exit_code == 2
    assert ("unknown option 'depth' for backend highs; highs takes: presolve, "
            "mip_heuristic_effort") in res.output
    res = _cli("solve", TINY, "--out", tmp_path / "p", "--solver-option", "depth")
    assert res.exit_code == 2 and "'depth': use NAME=VALUE" in res.output
    assert not (tmp_path / "p").exists()


def test_options_of_one_backend_are_refused_for_another(tmp_path):
    # scenario.yaml's options are HiGHS's; the command line switches to CBC: refused,
    # not dropped
    folder = _scenario(tmp_path, "solver: {extras: {mip_heuristic_effort: 0.2}}")
    load_scenario(folder)  # fine for HiGHS
    res = _cli("solve", folder, "--out", tmp_path / "p", "--solver", "cbc")
    assert res.exit_code == 2
    assert "unknown option 'mip_heuristic_effort' for backend cbc" in res.output


def test_a_bad_extra_value_has_the_same_words_everywhere(tmp_path):
    words = "must be a share of effort, a number >= 0 and <= 1"
    res = _cli("solve", TINY, "--out", tmp_path / "p", "--solver-option",
               "mip_heuristic_effort=2")
    assert res.exit_code == 2 and f"extras.mip_heuristic_effort: 2.0: {words}" in res.output
    with pytest.raises(InputError) as exc:
        load_scenario(_scenario(tmp_path, "solver: {extras: {mip_heuristic_effort: 2}}"))
    assert str(exc.value).endswith(f"column solver.extras.mip_heuristic_effort: 2: {words}")
    with pytest.raises(ParamsError) as lib:
        SolveParams(extras={"presolve": "maybe"})
    assert lib.value.problem == "must be on or off"


EXTRAS = {"highs": {"presolve": "off", "mip_heuristic_effort": "0.3"},
          "cbc": {"presolve": "off", "cuts": "off"},
          "cpsat": {"presolve": "off", "linearization_level": "2"}}


@pytest.mark.parametrize("backend", [b for b in EXTRAS if b in available()])
def test_extras_keep_the_optimum(backend):
    # the backend's options change how it searches, not what is best
    inst = build_instance(load_scenario(TINY))
    params = SolveParams.merged({"name": backend}, gap=0, threads=1, extras=EXTRAS[backend])
    res = solve(inst, params)
    assert res.objective == pytest.approx(TINY_OPTIMUM)
    assert res.options["extras"] == params.extras
    assert all(not isinstance(v, str) for v in params.extras.values())


def test_highs_is_given_its_options(monkeypatch):
    import models.backends.highs as highs

    calls = []
    real = highs.new_highs

    def spying(verbose=False):
        h = real(verbose)
        set_option = h.setOptionValue

        def record(name, value):
            calls.append((name, value))
            return set_option(name, value)
        h.setOptionValue = record
        return h

    monkeypatch.setattr(highs, "new_highs", spying)
    inst = build_instance(load_scenario(TINY))
    solve(inst, gap=0, threads=1, tie_break=False,
          extras={"presolve": "off", "mip_heuristic_effort": 0.3})
    assert ("presolve", "off") in calls and ("mip_heuristic_effort", 0.3) in calls


# ------------------------------------------------------------------ made from the fields

def test_the_click_options_are_the_fields():
    @click.command()
    @with_solver_options("decompose", "scheduler")
    def cmd(solver):
        click.echo(json.dumps(solver))

    fields = {f.name: f for f in dataclasses.fields(SolveParams)}
    options = [p for p in cmd.params if isinstance(p, click.Option)]
    assert {p.name for p in options} == set(NAMES) == set(fields)
    assert [p.name for p in options] == [*COMMON_SETTINGS, "decompose", "scheduler"]
    for p in options:
        assert p.opts == [fields[p.name].metadata["flag"]]
        # the field's help, then the default --help shows (planner.cli_common.default_text)
        assert p.help.startswith(fields[p.name].metadata["help"])
    assert [f.metadata["flag"] for f in fields.values()] == [
        "--solver", "--time-limit", "--gap", "--threads", "--seed", "--decompose",
        "--scheduler", "--solver-option"]
    res = CliRunner().invoke(cmd, ["--gap", "0.5", "--solver-option", "cuts=off",
                                   "--solver-option", "presolve=on"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output) == {"gap": 0.5, "extras": {"cuts": "off", "presolve": "on"}}


def test_every_solving_command_takes_the_common_options():
    assert COMMON_SETTINGS == ("backend", "time_limit", "gap", "threads", "seed", "extras")
    own = {"solve": {"decompose", "scheduler"}, "solve-many": {"scheduler"},
           "sweep": {"scheduler"}}
    for name in ("solve", "solve-many", "compare", "sweep", "needs", "replan",
                 "alternatives", "explain"):
        taken = {p.name for p in main.commands[name].params} & set(NAMES)
        assert taken == set(COMMON_SETTINGS) | own.get(name, set()), name


def test_scenario_yaml_keys_are_the_fields():
    assert list(SOLVER_SETTINGS) == ["backend", "name", "time_limit", "gap", "threads", "seed",
                                     "decompose", "scheduler", "extras"]
    assert SCENARIO_KEYS["solver"] is SOLVER_SETTINGS
