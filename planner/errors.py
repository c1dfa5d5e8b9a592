"""Input errors that name the place: file, row, column, value and the fix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    row: int | None = None  # spreadsheet row: the header is row 1
    column: str | None = None
    value: object = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        shown = ""
        if self.value is not None and self.value != "":
            shown = f" {self.value!r}:"
        return f"{where}:{shown} {self.message}"


class InputError(Exception):
    """Bad input: one or more problems, each naming file, row and column."""

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class Problems:
    """Collects problems so a user sees all of them at once, not one per run."""

    LIMIT = 30

    def __init__(self):
        self.items: list[Problem] = []

    def add(self, file, message, row=None, column=None, value=None):
        self.items.append(Problem(file, message, row, column, value))

    def raise_if_any(self):
        if self.items:
            raise InputError(self.items[: self.LIMIT])

    def __bool__(self):
        return bool(self.items)
