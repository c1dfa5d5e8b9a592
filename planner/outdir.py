"""Writing an output folder, for every command that writes one.

The rule: a folder is replaced only if it is missing, empty, or a folder the
planner wrote itself; anything else is refused with one sentence.  A planner
folder carries a marker, `.planner-output.json`, naming the command and every
file written (with its SHA-256) and the sub-folders that are planner folders
of their own (a plan of `alternatives`, the `sheets` of a plan).  Folders
written before the marker existed are recognised by their known file set.

`output_folder(out, command, inputs)` yields a fresh staging folder beside
`out`; when the block ends without an error the staging folder takes the place
of `out` in one step (Linux `renameat2(RENAME_EXCHANGE)`: no moment without a
whole folder at `out`), and the earlier contents are removed.  A kill at any
moment leaves the earlier folder or the new one whole, plus at most a stale
`.NAME.planner-tmp-*` folder, removed by the next run.  Where the filesystem
cannot exchange two folders, the files are moved in one by one under a marker
saying `"state": "swapping"`, which the plan-folder check refuses until a run
completes.  A lock (`flock` on `.NAME.planner-lock` beside the folder) keeps
two runs from writing one folder at once.  A symlinked `out` stays a symlink:
its target is written.  No output is written into or above an input folder.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import InputError, Problem

MARKER = ".planner-output.json"
TMP_TAG = ".planner-tmp-"
LOCK_TAG = ".planner-lock"
#: seconds a run waits for another run writing the same folder
LOCK_WAIT = 15.0

#: folders written before the marker existed, per command: (files one of which must be
#: there, every file allowed); sub-folders must be such folders themselves
_LEGACY = [
    ({"summary.json"}, r"schedule\.csv|villages\.csv|funds\.csv|summary\.json|plan\.xlsx"
                       r"|changes\.csv|report\.html"),
    ({"index.html", "notice.csv"}, r"index\.html|notice\.csv|notice-.+\.html|village-.+\.html"),
    ({"sweep.csv"}, r"sweep\.csv|sweep\.png"),
    ({"needs.csv", "needs.json"}, r"needs\.csv|needs\.json"),
    ({"compare.csv"}, r"compare\.csv|compare_changes\.csv|compare\.xlsx"),
    ({"alternatives.csv"}, r"alternatives\.csv|importance\.csv"),
]

#: what happened in this command, for a true message on Ctrl-C
_state = {"written": [], "swapping": None}


def begin() -> None:
    """A new command starts: nothing written yet."""
    _state["written"], _state["swapping"] = [], None


class OutputFolderError(InputError):
    """An output folder that cannot be written: one sentence, exit 1."""

    def __init__(self, message: str):
        super().__init__(Problem("", message))
        self.args = (message,)

    def __str__(self) -> str:
        return self.args[0]


# ---------------------------------------------------------------- what is ours

def _ours_transient(name: str) -> bool:
    """A lock or staging folder of some run (ours, removable)."""
    return name.startswith(".") and (TMP_TAG in name or name.endswith(LOCK_TAG))


def read_marker(folder: Path) -> dict | None:
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("written_by") == "village-planner" \
        else None


def foreign_entries(folder: Path, prefix: str = "") -> list[str]:
    """The entries of `folder` the planner did not write (sub-folders end with '/')."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    entries = sorted(folder.iterdir(), key=lambda p: p.name)
    marker = read_marker(folder)
    if marker is not None:
        mine = re.compile("|".join(re.escape(n) for n in marker.get("files", {})) or "(?!)")
    else:
        mine = _legacy_files(folder, [e.name for e in entries if not e.is_dir()])
    foreign = []
    for entry in entries:
        name = entry.name
        if name == MARKER or _ours_transient(name):
            continue
        if entry.is_symlink():
            foreign.append(prefix + name)
        elif entry.is_dir():
            if (marker is None and mine is None) or (
                    read_marker(entry) is None and (marker is not None or not _is_legacy(entry))):
                foreign.append(prefix + name + "/")
            else:
                foreign += foreign_entries(entry, prefix + name + "/")
        elif mine is None or not mine.fullmatch(name):
            foreign.append(prefix + name)
    return foreign


def _legacy_files(folder: Path, files: list[str]):
    """The pattern of the files a folder written before markers holds, or None."""
    for anchors, pattern in _LEGACY:
        if anchors & set(files) and all(re.fullmatch(pattern, f) for f in files):
            if "summary.json" in anchors and not _plan_summary(folder / "summary.json"):
                continue
            return re.compile(pattern)
    return None


def _plan_summary(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "inputs" in data and "objective" in data


def _is_legacy(folder: Path) -> bool:
    try:
        files = [p.name for p in folder.iterdir() if not p.is_dir()]
    except OSError:
        return False
    return _legacy_files(folder, files) is not None


def _refuse_foreign(target: Path, shown: Path) -> None:
    if target.exists() and not target.is_dir():
        raise OutputFolderError(f"{shown} is a file, not a folder; choose another --out")
    foreign = foreign_entries(target)
    if foreign:
        listed = ", ".join(foreign[:5]) + (", …" if len(foreign) > 5 else "")
        raise OutputFolderError(f"{shown} holds files that are not a plan: {listed}; "
                                "choose another --out or empty it")


# ---------------------------------------------------------------- where

def resolve_target(out: Path) -> Path:
    """The folder really written: a symlink's target; refuses / and the current folder."""
    out = Path(out)
    target = Path(os.path.realpath(out))
    if target == Path(target.anchor):
        raise OutputFolderError(f"--out {out} is the root folder; choose a folder for the "
                                "outputs, e.g. --out plan")
    cwd = Path.cwd().resolve()
    if target == cwd or target in cwd.parents:
        raise OutputFolderError(f"--out {out} is the current folder or above it; choose a "
                                "new folder below it, e.g. --out plan")
    return target


def guard_inputs(target: Path, inputs: Iterable[Path], shown: Path | None = None) -> None:
    """Never write into or above a folder holding inputs (files, or folders given whole)."""
    shown = target if shown is None else shown
    for path in inputs:
        path = Path(os.path.realpath(path))
        folder = path if path.is_dir() else path.parent
        if target == folder or target in folder.parents:
            what = ("a folder above" if target != folder else "the scenario folder of"
                    if (folder / "scenario.yaml").is_file() else "the folder of")
            raise OutputFolderError(f"--out {shown} is {what} the input {path}; choose another "
                                    "--out so the inputs are not overwritten")


def precheck(out: Path, inputs: Iterable[Path] = ()) -> None:
    """The checks of `output_folder` without writing: run them before a long solve."""
    target = resolve_target(out)
    guard_inputs(target, inputs, Path(out))
    try:
        _refuse_foreign(target, Path(out))
    except OutputFolderError:
        if not target.parent.is_dir():
            raise
        with folder_lock(target, Path(out)):  # not read while another run swaps it
            _refuse_foreign(target, Path(out))


# ---------------------------------------------------------------- lock

@contextmanager
def folder_lock(target: Path, shown: Path, wait: float | None = None) -> Iterator[None]:
    """An exclusive lock on `target`, a lock file beside it, removed afterwards."""
    path = target.parent / f".{target.name}{LOCK_TAG}"
    deadline = time.monotonic() + (LOCK_WAIT if wait is None else wait)
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise OutputFolderError(f"cannot write to {shown}: {exc.strerror.lower()}; "
                                    "choose another --out") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() > deadline:
                raise OutputFolderError(f"another planner run is writing {shown}; wait for it "
                                        "or choose another --out") from None
            time.sleep(0.05)
            continue
        try:  # the lock file may have been removed by the run before: lock the new one
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
        os.close(fd)


# ---------------------------------------------------------------- writing

def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _dump(path: Path, data: dict) -> None:
    """Write JSON to `path` atomically (a temporary file beside it, then a rename)."""
    fd, tmp = tempfile.mkstemp(prefix=".marker.", suffix=TMP_TAG, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_marker(folder: Path, command: str, state: str = "whole") -> dict:
    """Mark `folder` as written by the planner; unmarked sub-folders are marked too."""
    files, folders = {}, []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name == MARKER or _ours_transient(entry.name):
            continue
        if entry.is_dir() and not entry.is_symlink():
            if read_marker(entry) is None:
                write_marker(entry, command)
            folders.append(entry.name)
        else:
            files[entry.name] = _sha256(entry)
    data = {"written_by": "village-planner", "command": command, "state": state,
            "files": files, "folders": folders}
    _dump(folder / MARKER, data)
    return data


def add_file(folder: Path, name: str, data: bytes, command: str) -> Path:
    """Write one more file into a planner folder (e.g. report.html into a plan) and
    list it in the marker; the marker is updated first, so a kill between the two
    never leaves an unlisted file."""
    folder = Path(folder)
    target = folder / name
    with folder_lock(folder.resolve(), folder):
        marker = read_marker(folder)
        if marker is not None:
            marker.setdefault("files", {})[name] = hashlib.sha256(data).hexdigest()
            marker["also"] = sorted(set(marker.get("also", [])) | {command})
            _dump(folder / MARKER, marker)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=TMP_TAG, dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return target


def clean_stale(target: Path) -> None:
    """Remove staging folders of earlier runs on `target` that were killed."""
    prefix = f".{target.name}{TMP_TAG}"
    try:
        stale = [p for p in target.parent.iterdir() if p.name.startswith(prefix)]
    except OSError:
        return
    for path in stale:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


@contextmanager
def output_folder(out: Path, command: str, inputs: Iterable[Path] = ()) -> Iterator[Path]:
    """Yield a staging folder; when the block ends normally it becomes `out` whole.

    Refused (OutputFolderError, exit 1): `/`, the current folder or above, a folder
    holding inputs or above one, a file, a folder with files the planner did not
    write, an unwritable place, a folder another run is writing."""
    shown = Path(out)
    target = resolve_target(shown)
    guard_inputs(target, list(inputs), shown)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputFolderError(f"cannot make {shown}: {(exc.strerror or str(exc)).lower()}; "
                                "choose another --out") from None
    with folder_lock(target, shown):
        clean_stale(target)
        _refuse_foreign(target, shown)
        try:
            stage = Path(tempfile.mkdtemp(prefix=f".{target.name}{TMP_TAG}", dir=target.parent))
        except OSError as exc:
            raise OutputFolderError(f"cannot write to {shown}: "
                                    f"{(exc.strerror or str(exc)).lower()}; choose another "
                                    "--out") from None
        try:
            mode = target.stat().st_mode & 0o7777 if target.is_dir() else 0o777 & ~_umask()
            os.chmod(stage, mode)  # mkdtemp makes it private; an output folder is not
            yield stage
            write_marker(stage, command)
            outer = not any(TMP_TAG in part for part in target.parts)  # not in a staging
            if outer:
                _state["swapping"] = (str(shown), "exchange")
            _swap(stage, target)
            if outer:
                _state["written"].append(str(shown))
                _state["swapping"] = None
        finally:
            if stage.exists():
                shutil.rmtree(stage, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where not supported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EBUSY,
               errno.EXDEV, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap(stage: Path, target: Path) -> None:
    """`stage` takes the place of `target`; the earlier contents end up in `stage`."""
    if not os.path.lexists(target):
        os.rename(stage, target)
        return
    if _exchange(stage, target):
        return
    _swap_entries(stage, target)


def _swap_entries(stage: Path, target: Path) -> None:
    """Where folders cannot be exchanged: move the new entries in one by one."""
    new = read_marker(stage) or {}
    old = read_marker(target) or {"files": {}, "folders": []}
    journal = {**new, "state": "swapping",
               "files": {**old.get("files", {}), **new.get("files", {})},
               "folders": sorted(set(old.get("folders", [])) | set(new.get("folders", [])))}
    if _state["swapping"]:
        _state["swapping"] = (_state["swapping"][0], "files")
    _dump(target / MARKER, journal)
    trash = stage / (".old" + TMP_TAG)
    trash.mkdir()
    keep = {p.name for p in stage.iterdir()} - {MARKER, trash.name}
    for name in sorted(keep):
        src, dst = stage / name, target / name
        if (dst.is_dir() and not dst.is_symlink()) or (src.is_dir() and os.path.lexists(dst)):
            os.replace(dst, trash / name)
        os.replace(src, dst)
    for entry in list(target.iterdir()):
        if entry.name not in keep and entry.name != MARKER and not _ours_transient(entry.name):
            os.replace(entry, trash / entry.name)
    os.replace(stage / MARKER, target / MARKER)


def interrupted_message() -> str:
    """What Ctrl-C left behind, truly."""
    if _state["swapping"]:
        where, how = _state["swapping"]
        if how == "files":
            return (f"interrupted while replacing {where} file by file; run the command "
                    "again to finish it")
        return (f"interrupted while {where} was being replaced: it holds the earlier or the "
                "new outputs, either whole; nothing else was changed")
    if _state["written"]:
        return (f"interrupted after {', '.join(_state['written'])} had been written whole; "
                "nothing else was changed")
    return "interrupted; earlier outputs are left as they were"
