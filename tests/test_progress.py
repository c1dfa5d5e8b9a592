"""planner/progress.py: one live line on a terminal, nothing in a pipe."""

from __future__ import annotations

import io

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
