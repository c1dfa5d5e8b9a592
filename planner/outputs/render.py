"""The Jinja2 environment of the outputs: the bundled templates, or a county's own.

`environment(DIR)` looks up each template first in DIR (`--templates DIR`), then in
the bundled folder `planner/outputs/templates/`, so a county may bring only the
templates it changes (say `notice.html.j2`).  Autoescaping is on for every
template; the only raw markup is the charts' SVG (planner.outputs.charts).  A
county's template runs sandboxed (no access to Python internals), and a variable
it names that the planner does not provide is an error, not an empty text.  The
words of the output's language are the globals `w` and `lang` (`use_words`).
"""

from __future__ import annotations

import math
import traceback
from pathlib import Path

from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    StrictUndefined,
    TemplateSyntaxError,
    select_autoescape,
)
from jinja2.sandbox import SandboxedEnvironment

from ..errors import InputError, Problem
from ..words import Lang

BUNDLED = Path(__file__).resolve().parent / "templates"

#: the file names a templates folder may override (the bundled templates)
TEMPLATE_NAMES = tuple(sorted(p.name for p in BUNDLED.iterdir() if p.is_file()))
#: suffixes of template files; other files in a templates folder (a README) are not read
TEMPLATE_SUFFIXES = (".j2", ".css", ".html")


def _blank_as_empty(value):
    """None and NaN print as nothing (never "None" or "nan")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value


def check_templates(folder: Path) -> None:
    """A county's templates folder: each template file in it overrides a bundled one
    or, named `_...`, is a part its own templates include."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(Problem(str(folder), "--templates must be a folder of templates"))
    files = sorted(p.name for p in folder.iterdir() if p.is_file())
    for name in files:
        if name.endswith(TEMPLATE_SUFFIXES) and name not in TEMPLATE_NAMES \
                and not name.startswith("_"):
            raise InputError(Problem(
                str(folder / name), "not a template the planner uses; name it as one of "
                f"{', '.join(TEMPLATE_NAMES)} (or start it with _ for a part your own "
                "templates include)"))
    if not set(files) & set(TEMPLATE_NAMES):
        raise InputError(Problem(
            str(folder), f"holds none of the templates {', '.join(TEMPLATE_NAMES)}"))


def environment(templates: Path | None = None) -> SandboxedEnvironment:
    loaders = []
    if templates is not None:
        check_templates(templates)
        loaders.append(FileSystemLoader(str(templates)))
    loaders.append(FileSystemLoader(str(BUNDLED)))
    env = SandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        # on for every template, whatever its name (.html.j2, .css, a county's own)
        autoescape=select_autoescape(("html", "j2", "css"), default_for_string=True,
                                     default=True),
        undefined=StrictUndefined,
        finalize=_blank_as_empty,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["user_templates"] = str(templates) if templates is not None else None
    return env


def use_words(env: SandboxedEnvironment, lang: Lang) -> None:
    """The words of the output's language for every template, the parts they import
    too: `w` (`w.total`: planner.words) and `lang` ("en" or "zh")."""
    env.globals.update(w=lang.words(), lang=lang.code)


def render(env: SandboxedEnvironment, name: str, /, **context) -> str:
    """Render template `name`; a county template's error names its file and line."""
    folder = env.globals.get("user_templates")
    try:
        return env.get_template(name).render(**context)
    except TemplateSyntaxError as exc:
        if not _theirs(exc.filename, folder):
            raise
        raise InputError(Problem(exc.filename, f"line {exc.lineno}: {exc.message} "
                                 "(Jinja2 template syntax)")) from None
    except Exception as exc:
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if f.filename.endswith(TEMPLATE_SUFFIXES)]
        if not frames or not _theirs(frames[-1].filename, folder):
            raise
        raise InputError(Problem(frames[-1].filename, f"line {frames[-1].lineno}: {exc} "
                                 f"(variables of {name}: {', '.join(sorted(context))})")) \
            from None


def _theirs(filename: str | None, folder: str | None) -> bool:
    if not filename or not folder:
        return False
    try:
        Path(filename).resolve().relative_to(Path(folder).resolve())
        return True
    except ValueError:
        return False

