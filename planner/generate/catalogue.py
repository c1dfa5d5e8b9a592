"""The generator's catalogues: names, the 14 targets, gap odds, cost ranges, streams, deadlines.

Everything the other modules of `planner.generate` draw from, in one place:
the county, township and village name parts, the targets and how often a
village lacks each, the cost ranges and project shapes, the departments, the
five fund streams and their shares, and the policy's deadlines with the margin
by which the money must make them fundable.  No randomness here.
"""

from __future__ import annotations

import numpy as np

#: Real Shanxi county names.  The first ten are the province's ten deep-poverty
#: counties (十个深度贫困县) the policy refers to; the rest are other counties of
#: the poor north-west, Lüliang and Taihang areas, whose status in a generated
#: scenario is illustrative.  When more counties are asked for, names repeat
#: with a number suffix (石楼县2, ...).
COUNTY_NAMES = (
    "石楼县", "临县", "兴县", "岚县", "静乐县", "天镇县", "广灵县", "大同县",
    "永和县", "大宁县",
    "五寨县", "神池县", "保德县", "偏关县", "河曲县", "汾西县", "隰县", "吉县",
    "阳高县", "灵丘县", "浑源县", "右玉县", "平顺县", "壶关县", "武乡县",
    "中阳县", "方山县", "岢岚县", "宁武县", "繁峙县", "五台县", "代县",
    "娄烦县", "左权县", "和顺县", "左云县", "阳曲县", "交口县", "蒲县", "古县",
    "安泽县", "浮山县", "乡宁县", "沁县", "榆社县", "平陆县", "垣曲县", "夏县",
    "黎城县", "沁源县", "寿阳县", "万荣县", "闻喜县", "应县", "山阴县", "盂县",
    "陵川县", "平鲁区",
)

TOWNSHIPS = (
    "东关镇", "西坡乡", "南河乡", "北岭乡", "石门乡", "杨家坪乡", "马家庄乡",
    "王家岔镇", "高家沟乡", "李家山乡", "刘家塔镇", "赵家湾乡", "上庄乡",
    "下庄镇", "河口镇", "峪口乡", "柳林镇", "桃园乡", "青龙镇", "白家坡乡",
    "三交镇", "金罗镇", "古城乡", "前山乡",
)
SURNAMES = tuple("张王李赵刘陈杨高郭马白贺任薛冯武吕田孙康韩段霍曹崔")
PLACE_PREFIX = tuple("石柳杏枣桃东西南北上下前后大小红青白黑牛羊龙凤")
PLACE_SUFFIX = ("庄", "沟", "坡", "峁", "塔", "湾", "坪", "岔", "山", "河", "峪",
                "垣", "圪台", "家洼", "窑", "寨")

#: The 14 targets of the policy, in the policy's order.
TARGET_CODES = (
    "water", "power", "road", "broadband", "housing", "environment",
    "education", "health", "social_security", "culture",
    "collective_economy", "governance", "civility", "motivation",
)
TARGET_INDEX = {code: i for i, code in enumerate(TARGET_CODES)}

#: Probability that a village lacks a target: (ordinary village, deep-poverty
#: village).  Infrastructure is missing more often in deep-poverty villages.
#: Averages: about 5.8 gaps per ordinary village, 6.8 per deep-poverty village.
GAP_PROB = {
    "water": (0.40, 0.55),
    "power": (0.25, 0.40),
    "road": (0.25, 0.35),
    "broadband": (0.50, 0.65),
    "housing": (0.30, 0.45),
    "environment": (0.55, 0.65),
    "education": (0.35, 0.35),
    "health": (0.35, 0.35),
    "social_security": (0.50, 0.50),
    "culture": (0.45, 0.45),
    "collective_economy": (0.75, 0.80),
    "governance": (0.30, 0.30),
    "civility": (0.35, 0.35),
    "motivation": (0.40, 0.40),
}
#: Gap probabilities are multiplied by this for villages that exited before
#: the horizon: they met the exit standard and only have shortfalls left.
EXITED_GAP_FACTOR = 0.5

#: Cost range per project in 万元 (illustrative magnitudes, not official data),
#: and how strongly the cost grows with the village's size (0: not at all).
COST_RANGE = {
    "water": (20, 80, 1.0),
    "power": (30, 120, 0.5),
    "road": (50, 300, 0.5),
    "broadband": (5, 20, 0.0),
    "housing": (10, 60, 1.0),
    "environment": (10, 50, 1.0),
    "education": (50, 200, 0.5),
    "health": (10, 40, 0.0),
    "social_security": (2, 10, 1.0),
    "culture": (10, 40, 0.0),
    "collective_economy": (30, 150, 0.0),
    "governance": (1, 5, 0.0),
    "civility": (1, 5, 0.0),
    "motivation": (5, 20, 0.5),
}

#: Targets whose works may take two years, and the share that do.
TWO_YEAR_TARGETS = ("road", "education", "collective_economy")
TWO_YEAR_SHARE = 0.30
TWO_YEAR_PROFILES = ("0.6;0.4", "0.5;0.5", "0.7;0.3")

ALT_SHARE = 0.15  # gaps with a second, alternative candidate
PV_SHARE = 0.5  # collective-economy projects that are a village PV station
DEPT_SHARE = 0.08  # other projects with an explicit department
SELF_SHARE_WATER = 0.20  # water projects with a household-connection part

#: Explicit departments a project may carry instead of the annex's default
#: (e.g. the grid works of 晋能集团's supply area, a PV station of 扶贫办).
DEPARTMENTS = {
    "water": ("水利局",),
    "power": ("晋能集团", "国网供电公司"),
    "road": ("交通运输局",),
    "broadband": ("经信局",),
    "housing": ("住建局",),
    "environment": ("人居环境办",),
    "education": ("教育局",),
    "health": ("卫生计生局",),
    "social_security": ("人社局", "民政局"),
    "culture": ("文化局", "商务局", "供销社"),
    "collective_economy": ("农业局", "旅发委", "商务局", "林业局"),
    "governance": ("组织部",),
    "civility": ("宣传部",),
    "motivation": ("扶贫办",),  # domain.md: 扶贫部门 (以工代赈 included)
}
PV_DEPARTMENT = "扶贫办"  # the annex gives PV stations to the poverty office

#: Fund streams: code, share of the money, eligible targets, carry-over.
STREAM_CODES = ("special_bonds", "poverty_fund", "lottery", "collective_fund", "integrated")
STREAM_SHARE = np.array([0.30, 0.25, 0.10, 0.10, 0.25])
STREAM_TARGETS = {
    "special_bonds": "water;power;road;broadband;housing;environment",
    "poverty_fund": "*",
    "lottery": "environment;education;health;culture;road",
    "collective_fund": "collective_economy",
    "integrated": "*",
}
STREAM_CARRY = {"special_bonds": True, "poverty_fund": True, "lottery": False,
                "collective_fund": True, "integrated": True}
SB, PF, LOT, CF, IN = range(5)  # positions in STREAM_CODES
BROAD = [SB, PF, IN]  # streams that may pay for every deadline target
LOTTERY_TARGETS = ("road", "environment")  # deadline targets lottery may pay for

#: Deadline feasibility margin: money eligible for the works a deadline forces
#: must be at least this many times their least pooled cost.
DEADLINE_MARGIN = 1.5


#: The policy's dated clauses: target, the year it must be met by, the villages it
#: covers, their share.  The first six are domain.md's task table; the last is the
#: drinking-water clause of 二(一)1 and 附件1, which domain.md's table does not mark
#: (到2020年,要确保贫困村群众喝上符合地方安全饮水标准的饮用水: every poor village by
#: 2020).  It comes last so that scenarios written when it was added by hand
#: (scenarios/shanxi-province) list their deadlines in the same order.
POLICY_DEADLINES = (
    ("power", 2018, "deep_poverty", 1.0),   # 二(一)2, 附件4
    ("power", 2020, "all", 1.0),            # 二(一)2, 附件4
    ("road", 2020, "all", 1.0),             # 二(一)3, 附件5
    ("broadband", 2019, "all", 0.9),        # 二(一)4, 附件3
    ("housing", 2020, "all", 1.0),          # 二(一)5, 附件6
    ("environment", 2020, "all", 0.9),      # 二(一)6, 附件7
    ("water", 2020, "all", 1.0),            # 二(一)1, 附件1
)


def policy_deadlines(years) -> list[dict]:
    """The policy's deadlines on the horizon, at the policy's own years: a clause due
    after the horizon's last year is not a deadline of it; one due before its first
    year falls on the first year (the work is overdue: it must be done at once, as for
    villages that exited before the horizon). A deep-poverty clause that falls on the
    same year as the all-village clause of its target says nothing more and is left
    out."""
    first, last = years[0], years[-1]
    out = []
    for target, year, scope, share in POLICY_DEADLINES:
        if year > last:
            continue
        entry = {"target": target, "year": max(year, first), "scope": scope}
        if share < 1.0:
            entry["share"] = share
        out.append(entry)
    whole = {(d["target"], d["year"]) for d in out if d["scope"] == "all"}
    return [d for d in out if d["scope"] == "all" or (d["target"], d["year"]) not in whole]
