"""scenario.yaml: read safely, merged with its `base` chain, every key checked.

Reading uses a `yaml.SafeLoader` (no Python objects) that counts what aliases
expand to while composing: an alias bomb or a self-referencing alias is refused
before anything walks the structure.  Every key at every level must be one of
`planner.schema.SCENARIO_KEYS` (with `solver:`'s keys from models.params.SolveParams:
`SOLVER_SETTINGS`); an unknown one is an error naming its row and the nearest known key.
"""

from __future__ import annotations

import dataclasses
import difflib
from pathlib import Path

import yaml

from models.params import YAML_KEYS

from ..errors import InputError, Problem, Problems
from ..schema import ANY_KEY, FILES, SCENARIO_KEYS as TOP_KEYS
from ..tables import table_paths

YAML = "scenario.yaml"
#: the keys of `solver:`: the settings of SolveParams and their aliases (the names under
#: `extras` are the backend's, checked against it where `solver:` is read)
SOLVER_SETTINGS = dict.fromkeys(YAML_KEYS)
SCENARIO_KEYS = {**TOP_KEYS, "solver": SOLVER_SETTINGS}

#: Most values all aliases of one scenario.yaml may expand to together (each use of
#: an alias counts the values under its anchor).  Written-out values are bounded by
#: the file itself; only aliases multiply.
ALIAS_LIMIT = 10_000


class _Refused(Exception):
    def __init__(self, mark, message):
        super().__init__(message)
        self.mark, self.message = mark, message


class BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses recursive aliases and aliases expanding to more than
    ALIAS_LIMIT values."""

    def __init__(self, stream):
        super().__init__(stream)
        self._sizes: dict[str, int] = {}  # anchor -> values under it, aliases expanded
        self._open: list[str] = []  # anchors being composed
        self._count = 0  # values so far, aliases expanded
        self._aliased = 0  # of which through aliases

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            anchor = event.anchor
            if anchor in self._open:
                raise _Refused(event.start_mark, f"the alias *{anchor} refers to the value "
                               "it is part of (a recursive structure); write the value out")
            size = self._sizes.get(anchor, 1)
            self._count += size
            self._aliased += size
            if self._aliased > ALIAS_LIMIT:
                raise _Refused(event.start_mark, f"aliases (here *{anchor}) expand to more "
                               f"than {ALIAS_LIMIT:,} values; write the values out instead")
            return super().compose_node(parent, index)
        start = self._count
        self._count += 1
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._open.append(anchor)
        try:
            node = super().compose_node(parent, index)
        finally:
            if anchor is not None:
                self._open.pop()
        if anchor is not None:
            self._sizes[anchor] = self._count - start
        return node


def load_yaml(path: Path) -> tuple[object, dict[str, int], list]:
    """The document of one YAML file, the row of each key path, and the keys given
    twice (see _rows)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(Problem(str(path), "is not UTF-8 text; save it as UTF-8")) from None
    loader = BoundedLoader(text)
    try:
        node = loader.get_single_node()
        twice: list = []
        rows = _rows(node, twice)  # before constructing: that flattens merge keys (<<)
        data = loader.construct_document(node) if node is not None else None
    except _Refused as exc:
        raise InputError(Problem(str(path), exc.message, row=exc.mark.line + 1)) from None
    except RecursionError:
        raise InputError(Problem(str(path), "is nested too deeply to be a scenario; "
                                 "check its brackets")) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark else None
        ctx = getattr(exc, "context_mark", None)
        where = ""
        if ctx is not None and getattr(exc, "context", None):
            where = f"; {exc.context} on row {ctx.line + 1}"
        raise InputError(Problem(
            str(path), f"is not valid YAML ({getattr(exc, 'problem', None) or exc}{where}); "
            "check brackets, quotes, colons and indentation there", row=row)) from None
    finally:
        loader.dispose()
    return data, rows, twice


def _rows(root, twice: list | None = None) -> dict[str, int]:
    """Row (1-based line) of each key path: `years`, `deadlines[2]`, `deadlines[2].share`;
    keys given twice in one mapping are appended to `twice` as (path, row, first row)."""
    rows: dict[str, int] = {}
    if root is None:
        return rows
    stack = [(root, "")]
    while stack:  # aliases were bounded while composing: this walk is bounded too
        node, key = stack.pop()
        if key:
            rows.setdefault(key, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                name = f"{key}.{k.value}" if key else str(k.value)
                if twice is not None and name in rows and isinstance(k, yaml.ScalarNode) \
                        and k.value != "<<":
                    twice.append((name, k.start_mark.line + 1, rows[name]))
                rows.setdefault(name, k.start_mark.line + 1)
                stack.append((v, name))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value, start=1):
                stack.append((item, f"{key}[{i}]"))
    return rows


def check_keys(data, spec, path: str, rows: dict[str, int], file: str,
               problems: Problems) -> None:
    """Every key of `data` must be in `spec` (see schema.SCENARIO_KEYS)."""
    if isinstance(spec, dict) and isinstance(data, dict):
        for key, value in data.items():
            name = f"{path}.{key}" if path else str(key)
            if ANY_KEY in spec:
                sub = spec[ANY_KEY]
            elif isinstance(key, str) and key in spec:
                sub = spec[key]
            else:
                known = list(spec)
                guess = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
                hint = (f"did you mean {guess[0]!r}?" if guess
                        else f"known keys{' under ' + path if path else ''}: {', '.join(known)}")
                problems.add(file, f"unknown key {key!r}; {hint}", row=_row(rows, name),
                             column=name)
                continue
            check_keys(value, sub, name, rows, file, problems)
    elif isinstance(spec, list) and isinstance(data, list):
        for i, item in enumerate(data, start=1):
            check_keys(item, spec[0], f"{path}[{i}]", rows, file, problems)


def _row(rows: dict[str, int], key: str) -> int | None:
    while key and key not in rows:
        key = key.rpartition(".")[0] if "." in key else ""
    return rows.get(key) if key else None


def read_yaml(folder: Path, problems: Problems,
              chain: tuple[Path, ...] = ()) -> tuple[dict, Path, list[Path]]:
    """scenario.yaml merged with its `base` chain; returns (config, table folder, files).

    Unknown keys are added to `problems` (each file's keys against its own rows)."""
    path = folder / YAML
    if folder.resolve() in chain:
        raise InputError(Problem(YAML, f"`base` chain loops back to {folder}"))
    if not folder.is_dir():
        raise InputError(Problem(str(folder), "is not a scenario folder"))
    config: dict = {}
    files: list[Path] = []
    if path.is_file():
        files.append(path)
        config, rows, twice = load_yaml(path)
        config = {} if config is None else config
        if not isinstance(config, dict):
            raise InputError(Problem(str(path), "must be a mapping of keys (name, years, ...)"))
        name = YAML if not chain else str(path)
        for key, row, first in twice:  # YAML keeps the last silently
            problems.add(name, f"key given twice (first on row {first}); keep one", row=row,
                         column=key)
        check_keys(config, SCENARIO_KEYS, "", rows, name, problems)
        if not chain:
            config["_yaml_rows"] = rows
    base = config.get("base")
    if base is None:
        return config, folder, files
    if not isinstance(base, str):
        raise InputError(Problem(str(path), "must be a folder path", column="base", value=base))
    base_folder = (folder / base).resolve()
    base_cfg, table_folder, base_files = read_yaml(base_folder, problems,
                                                   chain + (folder.resolve(),))
    merged = dict(base_cfg)
    merged.pop("overrides", None)
    merged.pop("_yaml_rows", None)
    for key, value in config.items():
        if key == "weights" and isinstance(value, dict) and isinstance(merged.get("weights"), dict):
            merged["weights"] = {**merged["weights"], **value}
        elif key != "base":
            merged[key] = value
    # Tables of the variant folder itself replace the base's.
    own = [t for t in FILES if table_paths(folder, t)]
    merged["_table_folders"] = {t: (folder if t in own else
                                    base_cfg.get("_table_folders", {}).get(t, table_folder))
                                for t in FILES}
    return merged, folder, base_files + files


def locate_yaml(problems: Problems, rows: dict[str, int]) -> None:
    """Give scenario.yaml problems the row of their key where it can be found."""
    for i, p in enumerate(problems.items):
        if p.file != YAML or p.row is not None or not p.column:
            continue
        row = _row(rows, p.column)
        if row is not None:
            problems.items[i] = dataclasses.replace(p, row=row)
