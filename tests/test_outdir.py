"""Output folders (planner.outdir, planner.plan.folder): nothing the planner did not
write is ever replaced, no output goes into or above an input folder, a replaced
folder is never missing or half written, two runs on one folder do not collide,
and report/sheets/compare/explain refuse a plan folder that is not whole."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import planner.outdir as outdir
from planner.cli import main
from planner.many import unique_names
from planner.outdir import MARKER, OutputFolderError, folder_lock
from planner.pipeline import plan_scenario

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "scenarios" / "tiny"
PLAN_FILES = ["funds.csv", "schedule.csv", "summary.json", "villages.csv"]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` (hidden ones too), by relative path, with its bytes;
    symlinks by their target."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            out[rel] = ("-> " + os.readlink(path)).encode()
        elif path.is_file():
            out[rel] = path.read_bytes()
        else:
            out[rel + "/"] = b""
    return out


def run(*args, cwd=None):
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in res.output, res.output
    return res


@pytest.fixture(scope="module")
def earlier(tmp_path_factory):
    """A plan of tiny, written once; tests copy it."""
    out = tmp_path_factory.mktemp("earlier") / "plan"
    res = run("solve", TINY, "--out", out, "--seed", 1, "--threads", 1)
    assert res.exit_code == 0, res.output
    return out


def copy_plan(earlier: Path, to: Path) -> Path:
    shutil.copytree(earlier, to, symlinks=True)
    return to


# ------------------------------------------------------------ foreign files

def user_folder(tmp_path: Path) -> Path:
    out = tmp_path / "docs"
    (out / "b").mkdir(parents=True)
    (out / "a.docx").write_bytes(b"PK\x03\x04 thesis")
    (out / "b" / "notes.txt").write_text("mine", encoding="utf-8")
    return out


COMMANDS = {
    "solve": lambda out, plan: ["solve", TINY, "--out", out],
    "needs": lambda out, plan: ["needs", TINY, "--out", out],
    "sweep": lambda out, plan: ["sweep", TINY, "--budget-scale", "1:1:0.1", "--out", out],
    "alternatives": lambda out, plan: ["alternatives", TINY, "--count", 2, "--out", out],
    "compare": lambda out, plan: ["compare", plan, plan, "--out", out],
    "sheets": lambda out, plan: ["sheets", plan, "--out", out],
    "replan": lambda out, plan: ["replan", TINY, "--actuals", plan / "done.csv", "--from",
                                 2020, "--out", out],
    "solve-many": lambda out, plan: ["solve-many", TINY, "--out", out.parent],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_folder_with_other_files_is_refused_and_kept(command, tmp_path, earlier):
    plan = copy_plan(earlier, tmp_path / "plan")
    out = user_folder(tmp_path)
    if command == "replan":
        (tmp_path / "done" ).mkdir()
        plan = tmp_path / "done"
        (plan / "done.csv").write_text("project_id,start_year\nP01,2019\n", encoding="utf-8")
    if command == "solve-many":  # the plan folder docs/tiny holds the user's files
        out = user_folder(tmp_path / "many" / "x").rename(tmp_path / "many" / "tiny")
    before = snapshot(out)
    started = time.monotonic()
    res = run(*COMMANDS[command](out, plan))
    assert res.exit_code == 1, res.output
    assert f"{out} holds files that are not a plan: a.docx, b/" in res.output
    assert "choose another --out or empty it" in res.output
    assert res.output.count("\n") <= 2  # one message
    assert snapshot(out) == before
    assert time.monotonic() - started < 20  # refused before solving, not after


def test_an_earlier_plan_is_replaced_and_stale_planner_files_go(tmp_path, earlier):
    out = copy_plan(earlier, tmp_path / "plan")
    assert run("report", out).exit_code == 0
    assert run("sheets", out).exit_code == 0  # into plan/sheets
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert "report.html" in marker["files"] and marker["state"] == "whole"
    res = run("solve", TINY, "--out", out, "--seed", 2, "--format", "xlsx")
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([MARKER, "plan.xlsx", *PLAN_FILES])  # the old report, sheets gone
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert sorted(marker["files"]) == sorted(["plan.xlsx", *PLAN_FILES])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]
    assert run("check", TINY, out).exit_code == 0


def test_a_plan_written_before_markers_is_replaced(tmp_path, earlier):
    out = copy_plan(earlier, tmp_path / "plan")
    (out / MARKER).unlink()
    (out / "report.html").write_text("<html></html>", encoding="utf-8")
    assert run("solve", TINY, "--out", out).exit_code == 0
    assert (out / MARKER).is_file() and not (out / "report.html").exists()
    # but not a folder that merely holds a file named like a plan file
    other = tmp_path / "other"
    other.mkdir()
    (other / "summary.json").write_text("{}", encoding="utf-8")
    res = run("solve", TINY, "--out", other)
    assert res.exit_code == 1 and "summary.json" in res.output


def test_an_empty_or_missing_folder_is_written(tmp_path):
    (tmp_path / "empty").mkdir()
    for out in (tmp_path / "empty", tmp_path / "new" / "deeper"):
        assert run("solve", TINY, "--out", out).exit_code == 0
        assert sorted(p.name for p in out.iterdir()) == sorted([MARKER, *PLAN_FILES])


# ------------------------------------------------------------ inputs and odd places

def test_out_at_or_above_the_scenario_is_refused(tmp_path):
    scn = tmp_path / "work" / "scenarios" / "tiny"
    shutil.copytree(TINY, scn)
    before = snapshot(tmp_path / "work")
    for out in (scn, scn.parent, tmp_path / "work"):
        res = run("solve", scn, "--out", out)
        assert res.exit_code == 1, res.output
        assert "so the inputs are not overwritten" in res.output
        assert snapshot(tmp_path / "work") == before


def test_out_above_a_variants_base_is_refused(tmp_path):
    base = tmp_path / "base" / "tiny"
    shutil.copytree(TINY, base)
    variant = tmp_path / "variant"
    variant.mkdir()
    (variant / "scenario.yaml").write_text(f"base: {base}\nname: v\n", encoding="utf-8")
    before = snapshot(tmp_path / "base")
    res = run("solve", variant, "--out", tmp_path / "base")
    assert res.exit_code == 1, res.output  # refused before the solve: not a plan folder
    assert snapshot(tmp_path / "base") == before
    # and when written, whatever the folder holds: the base chain is an input
    from planner.pipeline import guard_inputs
    from planner.scenario import load_scenario

    with pytest.raises(OutputFolderError, match="is a folder above the input"):
        guard_inputs(load_scenario(variant), tmp_path / "base")
    with pytest.raises(OutputFolderError, match="is the scenario folder of the input"):
        guard_inputs(load_scenario(variant), base)


def test_root_current_folder_and_unwritable_places_get_one_message(tmp_path, monkeypatch):
    res = run("solve", TINY, "--out", "/")
    assert res.exit_code == 1 and "is the root folder" in res.output
    monkeypatch.chdir(tmp_path)
    res = run("solve", TINY, "--out", ".")
    assert res.exit_code == 1 and "is the current folder" in res.output
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    res = run("solve", TINY, "--out", tmp_path / "file.txt" / "plan")
    assert res.exit_code == 1 and "choose another --out" in res.output, res.output
    res = run("solve", TINY, "--out", tmp_path / "file.txt")
    assert res.exit_code in (1, 2) and "file.txt" in res.output
    assert (tmp_path / "file.txt").read_text(encoding="utf-8") == "x"
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "ro"
        locked.mkdir(mode=0o555)
        res = run("solve", TINY, "--out", locked / "plan")
        assert res.exit_code == 1 and "cannot" in res.output


def test_sheets_never_replace_their_plan(tmp_path, earlier):
    plan = copy_plan(earlier, tmp_path / "plan")
    before = snapshot(plan)
    for out in (plan, tmp_path):
        res = run("sheets", plan, "--out", out)
        assert res.exit_code == 1 and "not overwritten" in res.output, res.output
    assert snapshot(plan) == before


# ------------------------------------------------------------ symlink, stale, kill

def test_a_symlinked_out_stays_a_symlink(tmp_path, earlier):
    real = copy_plan(earlier, tmp_path / "real")
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    assert run("solve", TINY, "--out", link, "--seed", 3).exit_code == 0
    assert link.is_symlink() and Path(os.readlink(link)) == real
    assert (real / "schedule.csv").is_file() and (real / MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]


def test_stale_temporary_folders_of_killed_runs_are_removed(tmp_path, earlier):
    out = copy_plan(earlier, tmp_path / "plan")
    stale = tmp_path / f".plan{outdir.TMP_TAG}k1ll3d"
    stale.mkdir()
    (stale / "schedule.csv").write_text("half", encoding="utf-8")
    (tmp_path / f".plan{outdir.LOCK_TAG}").write_text("", encoding="utf-8")  # lock of a dead run
    other = tmp_path / ".other.planner-tmp-x"  # another folder's: not ours to touch here
    other.mkdir()
    assert run("solve", TINY, "--out", out).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.planner-tmp-x", "plan"]


def _interrupt_at(monkeypatch, where: str):
    """Ctrl-C while the new outputs are written beside, or just after the folder swap."""
    real_swap, real_mark = outdir._swap, outdir.write_marker

    def swap(stage, target):
        real_swap(stage, target)
        raise KeyboardInterrupt

    def mark(*args, **kw):
        real_mark(*args, **kw)
        raise KeyboardInterrupt

    if where == "before":
        monkeypatch.setattr(outdir, "write_marker", mark)
    else:
        monkeypatch.setattr(outdir, "_swap", swap)


@pytest.mark.parametrize("where", ["before", "after"])
def test_ctrl_c_leaves_one_whole_plan_and_says_which(where, tmp_path, earlier, monkeypatch):
    out = copy_plan(earlier, tmp_path / "plan")
    before = snapshot(out)
    _interrupt_at(monkeypatch, where)
    res = run("solve", TINY, "--out", out, "--seed", 5, "--format", "xlsx")
    assert res.exit_code == 130
    if where == "before":
        assert snapshot(out) == before
        assert "earlier outputs are left as they were" in res.output
    else:
        assert (out / "plan.xlsx").is_file()  # the new plan, whole
        assert f"{out} was being replaced: it holds the earlier or the new" in res.output
    monkeypatch.undo()
    assert run("check", TINY, out).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


def test_killed_runs_leave_the_earlier_or_the_new_plan_whole(tmp_path, earlier):
    """SIGKILL at random moments of real runs: --out is always a whole plan."""
    out = copy_plan(earlier, tmp_path / "plan")
    rng = random.Random(7)
    cmd = [sys.executable, "-m", "planner", "solve", str(TINY), "--out", str(out),
           "--threads", "1", "--format", "xlsx"]
    for attempt in range(6):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                cwd=ROOT)
        time.sleep(rng.uniform(0.8, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        res = run("check", TINY, out)
        assert res.exit_code == 0, (attempt, res.output)
        marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
        assert marker["state"] == "whole"
        assert set(marker["files"]) == {p.name for p in out.iterdir()} - {MARKER}
        left = {p.name for p in tmp_path.iterdir()} - {"plan"}
        assert all(outdir.TMP_TAG in n or n.endswith(outdir.LOCK_TAG) for n in left), left
    assert run("solve", TINY, "--out", out).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


KILL_AT = {  # a script run in a child: SIGKILL itself at one moment of the swap
    "staged": "real = outdir._swap\ndef swap(stage, target):\n    kill()\n",
    "exchanged": "real = outdir._swap\ndef swap(stage, target):\n    real(stage, target)\n"
                 "    kill()\n",
}


@pytest.mark.parametrize("moment", sorted(KILL_AT))
def test_sigkill_at_the_swap_leaves_a_whole_plan_and_the_next_run_cleans(moment, tmp_path,
                                                                         earlier):
    out = copy_plan(earlier, tmp_path / "plan")
    before = snapshot(out)
    script = ("import os, signal, sys\nimport planner.outdir as outdir\n"
              "from planner.pipeline import plan_scenario\n"
              "kill = lambda: os.kill(os.getpid(), signal.SIGKILL)\n"
              + KILL_AT[moment] + "outdir._swap = swap\n"
              f"plan_scenario({str(TINY)!r}, {str(out)!r}, seed=9, threads=1, fmt='xlsx')\n")
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    stale = sorted(p.name for p in tmp_path.iterdir() if p.name != "plan")
    assert stale and all(outdir.TMP_TAG in n or n.endswith(outdir.LOCK_TAG) for n in stale)
    if moment == "staged":
        assert snapshot(out) == before
    else:
        assert (out / "plan.xlsx").is_file()
    assert run("check", TINY, out).exit_code == 0
    assert run("report", out).exit_code == 0  # whole, as written
    assert run("solve", TINY, "--out", out).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


def test_without_an_atomic_exchange_files_are_swapped_one_by_one(tmp_path, earlier,
                                                                 monkeypatch):
    out = copy_plan(earlier, tmp_path / "plan")
    (out / "report.html").write_text("old report", encoding="utf-8")
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    marker["files"]["report.html"] = "x"
    (out / MARKER).write_text(json.dumps(marker), encoding="utf-8")
    monkeypatch.setattr(outdir, "_exchange", lambda a, b: False)
    inode = out.stat().st_ino
    assert run("solve", TINY, "--out", out, "--format", "xlsx").exit_code == 0
    assert out.stat().st_ino == inode  # the same folder, its files replaced
    assert sorted(p.name for p in out.iterdir()) == sorted([MARKER, "plan.xlsx", *PLAN_FILES])
    assert run("check", TINY, out).exit_code == 0

    # killed half way: the plan-folder check says so until a run completes
    real = os.replace
    calls = []

    def replace(a, b):  # the second file moved into the plan folder: Ctrl-C
        if Path(b).parent == out and Path(b).name != MARKER:
            calls.append(b)
            if len(calls) == 2:
                raise KeyboardInterrupt
        real(a, b)

    monkeypatch.setattr(outdir.os, "replace", replace)
    res = run("solve", TINY, "--out", out, "--seed", 4)
    assert res.exit_code == 130 and "file by file" in res.output, res.output
    monkeypatch.setattr(outdir.os, "replace", real)
    res = run("report", out)
    assert res.exit_code == 1 and "half replaced" in res.output, res.output
    assert run("solve", TINY, "--out", out).exit_code == 0
    assert run("report", out).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


# ------------------------------------------------------------ two runs at once

def test_a_held_lock_refuses_with_one_sentence_and_keeps_the_plan(tmp_path, earlier,
                                                                  monkeypatch):
    out = copy_plan(earlier, tmp_path / "plan")
    before = snapshot(out)
    monkeypatch.setattr(outdir, "LOCK_WAIT", 0.3)
    with folder_lock(out.resolve(), out):
        with pytest.raises(OutputFolderError, match="another planner run is writing"):
            plan_scenario(TINY, out, threads=1)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


def test_concurrent_runs_on_one_folder_end_cleanly(tmp_path, earlier):
    out = copy_plan(earlier, tmp_path / "plan")
    cmd = [sys.executable, "-m", "planner", "solve", str(TINY), "--out", str(out),
           "--threads", "1"]
    for _ in range(3):
        procs = [subprocess.Popen(cmd + ["--seed", str(s)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, cwd=ROOT)
                 for s in range(3)]
        for p in procs:
            _, err = p.communicate(timeout=300)
            assert "Traceback" not in err and "FileNotFoundError" not in err, err
            assert p.returncode == 0 or (p.returncode == 1 and
                                         "another planner run is writing" in err), err
        assert run("check", TINY, out).exit_code == 0
        assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


# ------------------------------------------------------------ failing runs keep the plan

def test_failing_runs_leave_the_earlier_plan_byte_for_byte(tmp_path, earlier, monkeypatch):
    out = copy_plan(earlier, tmp_path / "plan")
    before = snapshot(out)
    bad = tmp_path / "bad"
    shutil.copytree(TINY, bad)
    (bad / "gaps.csv").write_text("village_id,target\nV9,road\n", encoding="utf-8")
    broke = tmp_path / "broke"
    shutil.copytree(TINY, broke)
    (broke / "funds.csv").write_text("stream,year,amount\n", encoding="utf-8")
    for args in (["solve", bad, "--out", out], ["solve", broke, "--out", out],
                 ["needs", bad, "--out", out], ["alternatives", bad, "--out", out],
                 ["sweep", bad, "--budget-scale", "1:1:1", "--out", out]):
        res = run(*args)
        assert res.exit_code == 1, (args, res.output)
        assert snapshot(out) == before, args
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad", "broke", "plan"]


# ------------------------------------------------------------ solve-many names

def test_unique_names():
    assert unique_names(["/a/tiny", "/b/tiny", "/c/tiny-2"]) == ["a-tiny", "b-tiny", "tiny-2"]
    assert unique_names(["/x/a/t", "/y/a/t", "/z/t"]) == ["x-a-t", "y-a-t", "z-t"]
    assert unique_names(["/a/t", "/a/t", "/a/t-2"]) == ["t", "t-3", "t-2"]
    assert unique_names(["/a/t", "/b/u"]) == ["t", "u"]


def test_solve_many_writes_every_scenario_to_its_own_folder(tmp_path):
    folders = []
    for parent, name, budget in (("a", "tiny", 1.0), ("b", "tiny", 1.5), ("c", "tiny-2", 2.0)):
        scn = tmp_path / parent / name
        shutil.copytree(TINY, scn)
        text = (scn / "funds.csv").read_text(encoding="utf-8-sig").splitlines()
        rows = [text[0]] + [",".join([r.split(",")[0], r.split(",")[1],
                                      str(float(r.split(",")[2]) * budget), *r.split(",")[3:]])
                            for r in text[1:]]
        (scn / "funds.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        folders.append(scn)
    many = tmp_path / "many"
    res = run("solve-many", *folders, "--out", many, "--threads", 1)
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in many.iterdir()) == ["a-tiny", "b-tiny", "tiny-2"]
    for folder, name in zip(folders, ["a-tiny", "b-tiny", "tiny-2"]):
        assert run("check", folder, many / name).exit_code == 0
        summary = json.loads((many / name / "summary.json").read_text(encoding="utf-8"))
        assert all(str(folder) in p for p in summary["inputs"]), (name, summary["inputs"])


# ------------------------------------------------------------ plan folders read back

@pytest.mark.parametrize("command", ["report", "sheets", "compare", "explain"])
def test_a_scenario_folder_is_not_a_plan_folder(command):
    args = {"report": ["report", TINY], "sheets": ["sheets", TINY],
            "compare": ["compare", TINY / "..", TINY / ".."],
            "explain": ["explain", TINY, "--village", "V1"]}[command]
    res = run(*args)
    assert res.exit_code == 1, res.output
    if command != "compare":
        assert res.output.strip() == (f"error: {TINY} is a scenario folder, not a plan folder; "
                                      "run planner solve first")


@pytest.mark.parametrize("command", ["report", "sheets", "compare", "explain"])
def test_a_gutted_plan_is_refused(command, tmp_path, earlier):
    plan = copy_plan(earlier, tmp_path / "plan")
    rows = (plan / "villages.csv").read_bytes().splitlines(keepends=True)
    (plan / "villages.csv").write_bytes(b"".join(rows[:2]))
    before = snapshot(plan)
    args = {"report": ["report", plan], "sheets": ["sheets", plan],
            "compare": ["compare", plan, earlier],
            "explain": ["explain", plan, "--village", "V1", "--scenario", TINY]}[command]
    res = run(*args)
    assert res.exit_code == 1, res.output
    assert "villages.csv is not the file the planner wrote" in res.output
    assert snapshot(plan) == before
    (plan / MARKER).unlink()  # a plan without a marker: its shape is checked
    res = run(*args)
    assert res.exit_code == 1 and "lists 1 villages, summary.json 4" in res.output, res.output


def test_missing_or_damaged_plan_files_are_named(tmp_path, earlier):
    plan = copy_plan(earlier, tmp_path / "plan")
    (plan / "funds.csv").unlink()
    res = run("report", plan)
    assert res.exit_code == 1 and "funds.csv is missing" in res.output
    plan = copy_plan(earlier, tmp_path / "plan2")
    (plan / MARKER).unlink()
    (plan / "summary.json").write_text("{not json", encoding="utf-8")
    res = run("explain", plan, "--village", "V1")
    assert res.exit_code == 1 and "summary.json is damaged" in res.output, res.output


def test_explain_refuses_a_plan_of_other_inputs(tmp_path, earlier):
    scn = tmp_path / "tiny"
    shutil.copytree(TINY, scn)
    text = (scn / "funds.csv").read_text(encoding="utf-8-sig")
    (scn / "funds.csv").write_text(text.replace("90", "91", 1), encoding="utf-8")
    res = run("explain", earlier, "--village", "V1", "--scenario", scn)
    assert res.exit_code == 1, res.output
    assert "was not made from these inputs" in res.output and "funds.csv" in res.output
    res = run("explain", earlier, "--village", "V1", "--scenario", TINY)
    assert res.exit_code == 0, res.output
