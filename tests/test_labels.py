"""One word per key in every Chinese output: the same key (a column of the plan or the
what-if tables, a key of summary.json, a heading of the report) has the same Chinese
word in plan.xlsx, report.html, the plan CSVs and the what-if CSVs.

The outputs are written for scenarios/tiny in English and in Chinese and read back as
files: a plan CSV's or what-if CSV's English header is its key, and the Chinese
header in the same place its word; plan.xlsx's English summary sheet labels a row by
its keys (`exit_priority.stages 1.batch`), the Chinese one by their words in the same
order (退出优先 · 阶段 1 · 退出批次); the report is rendered once with every word
replaced by its key (⟦batch⟧) and once in Chinese, and their table cells are paired
in order.  The unit a header states is not part of the word (年度资金（万元） is 年度资金).

What a table shows under a key that means something else there is listed in OWN below
with the reason; every other key must have one word.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import main

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"

#: (output, key) that name something else than the key does elsewhere
OWN = {
    # schedule.csv: `target` holds the code (target_name the task); cost, pooled_cost and
    # self_funded are the row's year's money (本年), not a plan's or a work's totals
    ("plan", "target"), ("plan", "cost"), ("plan", "pooled_cost"), ("plan", "self_funded"),
    # the what-if tables' `target` column holds the code too, as schedule.csv's
    ("compare_changes", "target"), ("needs", "target"),
    # sweep.csv: a plan's pooled money; the change tables: a work's totals; from/to of
    # compare_changes.csv: a value of either plan (a start year, yes/no or money)
    ("sweep", "cost"), ("compare_changes", "cost"), ("compare_changes", "pooled_cost"),
    ("compare_changes", "from"), ("compare_changes", "to"),
    # compare.csv's metric on_time is "on time / due" (按期退出/应退出村数)
    ("compare:metric", "on_time"),
}


def run(*args):
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert res.exit_code == 0, res.output
    return res


def word(text) -> str:
    """A header without the unit it states (（万元）, （每万元）)."""
    return re.sub(r"（[^（）]*万元）$", "", str(text).strip())


def csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    base = tmp_path_factory.mktemp("labels")
    for lang in ("en", "zh"):
        plan = base / f"plan-{lang}"
        run("solve", TINY, "--out", plan, "--threads", 1, "--gap", 0, "--lang", lang,
            "--format", "xlsx")
    for lang, first, second in (("en", "plan-en", "plan-zh"), ("zh", "plan-zh", "plan-en")):
        run("compare", base / first, base / second, "--out", base / f"compare-{lang}")
        run("needs", TINY, "--out", base / f"needs-{lang}", "--threads", 1, "--lang", lang)
        run("sweep", TINY, "--budget-scale", "0:1:0.5", "--out", base / f"sweep-{lang}",
            "--threads", 1, "--lang", lang)
    return base


def header_pairs(en: pd.DataFrame, zh: pd.DataFrame, output: str):
    assert len(en.columns) == len(zh.columns), output
    return [(output, k, word(z)) for k, z in zip(en.columns, zh.columns)]


def plan_pairs(base: Path):
    return [p for name in ("schedule", "villages", "funds")
            for p in header_pairs(csv(base / "plan-en" / f"{name}.csv"),
                                  csv(base / "plan-zh" / f"{name}.csv"), "plan")]


def whatif_pairs(base: Path):
    pairs = []
    for folder, name in (("compare", "compare"), ("compare", "compare_changes"),
                         ("needs", "needs"), ("sweep", "sweep")):
        en, zh = (csv(base / f"{folder}-{lang}" / f"{name}.csv") for lang in ("en", "zh"))
        pairs += header_pairs(en, zh, name)
        if name == "compare":  # the metrics, in the first column: name[what] / 名 · 何
            for m, z in zip(en.iloc[:, 0], zh.iloc[:, 0]):
                pairs.append(("compare:metric", m.split("[")[0], word(z.split(" · ")[0])))
    return pairs


def xlsx_pairs(base: Path):
    from openpyxl import load_workbook

    def labels(lang, sheet):
        ws = load_workbook(base / f"plan-{lang}" / "plan.xlsx")[sheet]
        return [r[0].value for r in ws.iter_rows(min_row=2)]

    pairs = []
    en, zh = labels("en", "summary"), labels("zh", "概要")
    assert len(en) == len(zh) > 40
    strip = lambda part: re.sub(r" \d+$", "", part)
    for e, z in zip(en, zh):
        keys, words = e.split("."), z.split(" · ")
        if len(keys) == len(words):  # a key with a dot in it (a file name) is left out
            pairs += [("xlsx", strip(k), word(strip(w))) for k, w in zip(keys, words)]
    return pairs


CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)


def report_pairs(base: Path, monkeypatch):
    import planner.outputs.report as report
    from planner.words import WORDS

    zh = report.build_html(base / "plan-en", lang="zh")
    keys = SimpleNamespace(**{k: f"⟦{k}⟧" for k in WORDS})
    monkeypatch.setattr(report, "use_words",
                        lambda env, lang: env.globals.update(w=keys, lang=lang.code))
    keyed = report.build_html(base / "plan-en", lang="zh")
    a, b = CELL.findall(keyed), CELL.findall(zh)
    assert len(a) == len(b) > 50  # the same tables, cell for cell
    filled = {k for k, (_, z) in WORDS.items() if "{" in z.replace("{unit}", "")}
    found = [(m[1], word(z)) for k, z in zip(a, b) if (m := re.fullmatch(r"⟦(\w+)⟧", k))
             and m[1] not in filled]  # a word filled in (2019年资金) names no key
    assert len(found) > 20
    return [("report", k, z) for k, z in found]


def test_one_chinese_word_per_key_in_every_output(out, monkeypatch):
    pairs = (plan_pairs(out) + whatif_pairs(out) + xlsx_pairs(out)
             + report_pairs(out, monkeypatch))
    words = defaultdict(lambda: defaultdict(set))  # key -> word -> outputs
    for output, key, zh in pairs:
        if (output, key) not in OWN and zh != key:  # a code shown as it is: no word
            words[key][zh].add(output)
    shared = {k: w for k, w in words.items() if len({o for s in w.values() for o in s}) > 1}
    assert len(shared) > 25, sorted(shared)  # the outputs do share many keys
    differ = {k: {z: sorted(o) for z, o in w.items()} for k, w in words.items() if len(w) > 1}
    assert differ == {}


def test_the_keys_that_were_named_apart_now_agree(out, monkeypatch):
    # the disagreements found when the tables were made one (by hand, from the old
    # tables): best_bound 目标值上界 (plan.xlsx) / 最优界 (report), seconds 求解用时（秒）/
    # 用时（秒）, stream 资金来源 / 资金渠道, department 责任部门 / 责任单位, batch 批次 /
    # 退出批次, gaps_closed 已补短板数 / 补齐的短板数 / 补齐短板数
    got = {}
    for _, key, zh in xlsx_pairs(out) + report_pairs(out, monkeypatch) + plan_pairs(out):
        got.setdefault(key, set()).add(zh)
    for key, zh in (("best_bound", "目标值上界"), ("seconds", "求解用时（秒）"),
                    ("stream", "资金来源"), ("batch", "退出批次"), ("gaps_closed", "已补短板数")):
        assert got[key] == {zh}, key
