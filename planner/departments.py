"""One department, one name: the names a project library gives a responsible department
(交通运输局, 交通部门, 县交通局 ...) mapped to one canonical name, so that the schedule,
the report's task lists (任务分解) and the village sheets list each department once.

The canonical names are the policy annex's (planner.schema.TARGETS: the department a
target defaults to); `ALIASES` lists, as data, the other names of each.  A scenario
extends it with `departments:` in scenario.yaml, a mapping name -> department:

* `县交通局: 交通部门`: one more name of a department;
* `交通部门: 交通运输局` (or `县交通局: 交通运输局`): a name the table knows as
  another name of a department becomes that department's name (every one of its
  names is written 交通运输局);
* `晋能集团: 晋能集团`: a department of its own (it leaves the one the table puts
  it in).

A name mapped to a name that is itself mapped to a third is refused (give the third
directly), and so are two names for one department.  The names are applied when the
scenario is read (planner.scenario), so every output sees them; the checker applies
the same table to the files (planner.check.inputs).
"""

from __future__ import annotations

from itertools import count

#: canonical name -> the other names of the department (the annex's compound entries,
#: e.g. 民政部门/人社部门, are kept: the annex gives the target to them jointly)
ALIASES: dict[str, tuple[str, ...]] = {
    "水利部门": ("水利局", "水务局"),
    "国网山西省电力公司/晋能集团": ("国网山西省电力公司", "国网供电公司", "供电公司", "晋能集团",
                           "电力部门"),
    "交通部门": ("交通运输局", "交通局"),
    "经信部门": ("经信局", "经信委"),
    "住建部门": ("住建局", "住房和城乡建设局"),
    "改善农村人居环境办": ("人居环境办", "人居办"),
    "教育部门": ("教育局",),
    "卫生计生部门": ("卫生计生局", "卫计局"),
    "民政部门": ("民政局",),
    "人社部门": ("人社局", "人力资源和社会保障局"),
    "文化部门": ("文化局",),
    "商务部门": ("商务局",),
    "供销部门": ("供销社",),
    "农业部门": ("农业局", "农委"),
    "林业部门": ("林业局",),
    "扶贫部门": ("扶贫办", "扶贫开发办公室"),
    "农机部门": ("农机局",),
    "组织部门": ("组织部",),
    "宣传部门": ("宣传部",),
}
#: longest name a scenario may give
NAME_LIMIT = 100


def problems_of(raw) -> list[tuple[str, object, str]]:
    """What is wrong with scenario.yaml's `departments:` value, as (key, value, what)
    triples: not a mapping of texts, an empty or overlong name, a chain, two names for
    one department."""
    if raw is None:
        return []
    if not isinstance(raw, dict):
        return [("departments", raw, "must map names to departments, e.g. "
                 "{县交通局: 交通部门}")]
    out = []
    for name, dept in raw.items():
        for text in (name, dept):
            if not isinstance(text, str) or not text.strip() or len(text) > NAME_LIMIT \
                    or any(ord(ch) < 32 for ch in text):
                out.append((f"departments.{name}", text, "must be a name: text of 1 to "
                            f"{NAME_LIMIT} characters without control characters"))
                break
    if out:
        return out
    for name, dept in raw.items():
        further = raw.get(dept)
        if name != dept and further is not None and further != dept:
            out.append((f"departments.{name}", dept, f"{dept!r} is itself mapped to "
                        f"{further!r}; map {name!r} to {further!r} directly"))
    if out:
        return out
    try:
        names(raw)
    except ValueError as exc:
        key, value, what = exc.args
        out.append((f"departments.{key}", value, what))
    return out


def names(extra: dict[str, str] | None = None) -> dict[str, str]:
    """name -> canonical name: the table with the scenario's `extra` (checked by
    problems_of; ValueError(key, value, what) for two names of one department)."""
    group: dict[str, int] = {}
    canon: dict[int, str] = {}
    for gid, (name, others) in enumerate(ALIASES.items()):
        canon[gid] = name
        group.update({n: gid for n in (name, *others)})
    table = dict(canon)  # the table's own names
    renamed: dict[int, str] = {}  # department -> the name the scenario gave it
    fresh = count(len(canon))
    for name, dept in (extra or {}).items():
        if name == dept:  # a department of its own
            group[name] = next(fresh)
            canon[group[name]] = name
            continue
        if name in group and canon[group[name]] == name:
            moved = group[name]  # the department's name: the whole department moves
        else:
            moved = group[name] = next(fresh)
        into = group.get(dept)
        if into is None:
            into = group[dept] = next(fresh)
        if renamed.get(into, dept) != dept:
            raise ValueError(name, dept, f"{dept!r} and {renamed[into]!r} are two names of "
                             f"one department ({table.get(into, dept)} in the table); "
                             "choose one")
        if moved != into:
            if moved in renamed and renamed[moved] != dept:
                raise ValueError(name, dept, f"{name!r} is named {renamed[moved]!r} by "
                                 "another entry; choose one")
            group.update({n: into for n, g in group.items() if g == moved})
        canon[into] = renamed[into] = dept
    return {n: canon[g] for n, g in group.items()}


def canonical(name: str, table: dict[str, str]) -> str:
    """The department's canonical name (`table` from `names`); an unknown name as given."""
    return table.get(name, name)
