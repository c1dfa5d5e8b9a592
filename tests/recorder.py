"""A stand-in for planner.progress.Progress in the what-if tests: keeps the steps a
command tells its live line, takes the solver's phases and figures without drawing."""

from __future__ import annotations


class Recorder:
    def __init__(self):
        self.steps: list[str] = []
        self.figures = 0

    def update(self, text: str) -> None:
        self.steps.append(text)

    def phase(self, text: str) -> None:
        pass

    def __call__(self, seconds: float, objective: float, bound: float) -> None:
        self.figures += 1
