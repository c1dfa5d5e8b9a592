"""planner/progress.py: one live line on a terminal, nothing in a pipe."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from planner.progress import Progress, cut, display_width, progress


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_nothing_is_drawn_in_a_pipe_only_echo_lines():
    pipe = io.StringIO()
    with progress("sweep", stream=pipe) as p:
        p.update("point 1 of 3")
        p.phase("tie-break")
        p(1.0, 946.5, 951.0)
        p.echo("[1/3] scale 0.5: value 812")
    assert pipe.getvalue() == "[1/3] scale 0.5: value 812\n"


def test_the_live_line_is_rewritten_in_place_and_wiped_at_the_end():
    tty = Tty()
    with progress("explain", stream=tty) as p:
        assert p.live
        p.update("forcing P1 in")
        p.phase("tie-break")
        p(0.5, 20.0, 25.0)  # gap |25 - 20| / 20 = 25 %
        line = p.text()
        p.echo("kept")
    out = tty.getvalue()
    assert "\n" not in out.replace("kept\n", "")  # the live line never scrolls
    assert line.startswith("explain: forcing P1 in | tie-break | best 20  bound 25  gap 25.00% | ")
    assert line.endswith(" s")
    assert "\rkept\n" in out
    assert out.endswith("\r")  # wiped: the command's output starts on a clean line
    last = out.rstrip("\r").rsplit("\r", 1)[-1]
    assert last.strip() == ""


def test_a_new_step_clears_the_phase_and_the_figures():
    p = Progress("solve", live=False)
    p.phase("value")
    p(0.1, 1e300, 30.0)  # no plan yet: the bound only
    assert p.text().startswith("solve: value | bound 30 | ")
    p.update("writing")
    assert p.text().startswith("solve: writing | ")


def test_the_line_is_cut_to_the_terminal_keeping_the_elapsed_time():
    assert display_width("张家庄 road") == 11  # three wide characters, a space, four
    assert cut("张家庄 road", 7) == "张家..."  # 2 + 2 + 3 columns
    p = Progress("solve", live=False)
    p.update("张家庄" * 40)
    line = p.text(40)
    assert display_width(line) <= 40
    assert line.endswith(" s") and "..." in line


class Recorder:
    """A reporter of phases, as models.solve takes one: the phases told, and how many
    figures arrived in each."""

    def __init__(self):
        self.phases: list[str] = []
        self.figures: dict[str, int] = {}

    def phase(self, text):
        self.phases.append(text)

    def __call__(self, seconds, objective, bound):
        key = self.phases[-1] if self.phases else ""
        self.figures[key] = self.figures.get(key, 0) + 1


TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"


def test_a_solve_tells_each_phase_the_exit_stages_and_the_tie_break_too(tmp_path):
    from models.params import SolveParams
    from models.strategy import solve_planned
    from planner.build import build_instance
    from planner.scenario import load_scenario

    # tiny under the default rule: 2019's batch (V1), 2020's (V3, V4), then the village
    # that exited in 2018 (V2) -- three stages, then the value, then the tie-break
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    yaml = folder / "scenario.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("exit_priority: weighted\n", ""),
                    encoding="utf-8")
    rec = Recorder()
    inst = build_instance(load_scenario(folder))
    assert inst.batch_labels == ("2019", "2020", "exited")
    _, result = solve_planned(inst, SolveParams(threads=1, seed=0), progress=rec)
    shown = [t.split(":")[0] if t.startswith(("exit", "tie")) else t for t in rec.phases]
    assert shown[0] == "warm start (greedy, LP dive)"
    assert shown[-3:] == ["most value", "tie-break", "plan found"]
    stages = [t for t in rec.phases if t.startswith("exit priority")]
    # a stage whose batch is on time in full in the warm start is not solved (and told)
    assert set(stages) <= {"exit priority 1/3: batch 2019 on time",
                           "exit priority 2/3: batch 2020 on time",
                           "exit priority 3/3: batch exited on time"}
    assert stages == sorted(stages)
    # a stage is told when it is searched; one proven by its LP bound or whole is not
    records = result.options["exit_priority"]["stages"]
    searched = [r["batch"] for r in records if r.get("solved")]
    assert [t.split("batch ")[1].split(" ")[0] for t in stages] == searched
    tie_break = next(t for t in rec.phases if t.startswith("tie-break"))
    assert rec.figures.get(tie_break, 0) >= 1  # the backend's figures reach the line
