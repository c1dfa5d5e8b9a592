"""The cells of an input CSV are stripped of surrounding blanks (planner.filecells): the
text is looked at for blanks first, and stripped cell by cell only where it holds some."""

from pathlib import Path

from planner.errors import Problems
from planner.filecells import BLANKS, raw_frame


def test_blanks_are_what_strip_takes_off_but_line_breaks():
    want = {c for c in map(chr, range(0x110000)) if c.isspace()} - {"\r", "\n"}
    assert set(BLANKS) == want and len(BLANKS) == len(want)


def _cells(tmp_path: Path, text: str) -> list[list[str]]:
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("utf-8"))
    frame = raw_frame(path, Problems())
    return frame.drop(columns="_row").values.tolist()


def test_cells_stripped_whatever_the_blank(tmp_path):
    assert _cells(tmp_path, "a,b\r\n1,2\r\n3,4\r\n") == [["1", "2"], ["3", "4"]]
    assert _cells(tmp_path, "a,b\n\u30001 ,\xa02\t\n3,4\n") == [["1", "2"], ["3", "4"]]
    # a quoted cell may hold a line break at its end: stripped too
    assert _cells(tmp_path, 'a,b\n"1\n",2\n') == [["1", "2"]]
    assert _cells(tmp_path, 'a,b\n"x y",2\n') == [["x y", "2"]]
