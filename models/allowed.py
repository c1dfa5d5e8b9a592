"""What the value of a setting may be: a bounded number, one of a few words, a text, on
or off.  One rule says both what is allowed and, in one wording, why a value is not:

- `problem(value)`: why `value` is not allowed (None: it is);
- `parse(text)`: the value a command-line text stands for (the text itself when it
  stands for none, so that `problem` names it);
- `settle(value)`: the value used for an allowed one, and a warning when they differ.

The solver settings (`models.params`) and the backends' own options (`Backend.extras`)
are made of these.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Bound:
    """A number between `lo` and `hi`; `cores`: above the machine's cores it is capped at
    the cores, with a warning (more threads than cores only slows a solve down)."""
    kind: str  # int | float
    lo: float
    hi: float
    lo_open: bool = False
    noun: str = "a number"
    cores: bool = False

    def text(self) -> str:
        def num(x):
            return f"{int(x):,}" if self.kind == "int" else f"{x:g}"
        lo = f"> {num(self.lo)}" if self.lo_open else f">= {num(self.lo)}"
        return f"{self.noun} {lo} and <= {num(self.hi)}"

    def problem(self, value) -> str | None:
        ok_type = _is_int(value) if self.kind == "int" else (
            (_is_int(value) or isinstance(value, float)) and math.isfinite(value))
        if (not ok_type or value < self.lo or (self.lo_open and value == self.lo)
                or value > self.hi):
            return f"must be {self.text()}"
        return None

    def parse(self, text: str):
        try:
            return int(text.strip()) if self.kind == "int" else float(text.strip())
        except ValueError:
            return text

    def settle(self, value):
        cores = os.cpu_count() or 1
        if self.cores and value > cores:
            return cores, (f"threads {value} is more than the {cores} cores of this machine; "
                           f"using {cores}")
        return value, None


@dataclass(frozen=True)
class Choice:
    """One of a few words."""
    values: tuple[str, ...]

    def text(self) -> str:
        return ", ".join(self.values[:-1]) + f" or {self.values[-1]}"

    def problem(self, value) -> str | None:
        return None if isinstance(value, str) and value in self.values else \
            f"must be {self.text()}"

    def parse(self, text: str):
        return text

    def settle(self, value):
        return value, None


@dataclass(frozen=True)
class Text:
    """Any text: `what` says which (a backend name, a scheduler address)."""
    what: str

    def text(self) -> str:
        return self.what

    def problem(self, value) -> str | None:
        return None if isinstance(value, str) else f"must be {self.what}"

    def parse(self, text: str):
        return text

    def settle(self, value):
        return value, None


@dataclass(frozen=True)
class Switch:
    """On or off: true/false, on/off, yes/no (YAML reads an unquoted on/off as true/false)."""
    WORDS = {"on": True, "off": False, "true": True, "false": False, "yes": True, "no": False}

    def text(self) -> str:
        return "on or off"

    def problem(self, value) -> str | None:
        if isinstance(value, bool) or (isinstance(value, str) and value.lower() in self.WORDS):
            return None
        return "must be on or off"

    def parse(self, text: str):
        return self.WORDS.get(text.strip().lower(), text)

    def settle(self, value):
        return (self.WORDS[value.lower()] if isinstance(value, str) else value), None
