"""Demo residents: about 3,000 people across the demo street's 200 buildings, with realistic
key-population tags, valid ID numbers (check digits computed by stdnum) and phones.

They go in through the canvass import itself (so the demo exercises the same validation and
is idempotent: a second run reports every row unchanged). Protected fields are encrypted and
masked like any other data."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _

from wushe.core.management.actor import SystemActor
from wushe.core.tables import TableRow
from wushe.residents.idnumbers import make_id_number
from wushe.residents.services import resident_import

PER_BUILDING = 15
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉兰红梅志强海燕凤英淑珍文辉晓东丽华建华德明淑英桂兰春梅国华秀珍云"
PLACES = ["310115", "310104", "310110", "320102", "330106", "340104", "420106", "510104"]
PREFIXES = ["30", "33", "35", "36", "37", "38", "39", "50", "58", "59", "86", "88", "89"]
SCHEDULES = ["周一三五上午", "周二四六上午", "周一三五下午", "周二四六下午"]


def _name(rng: Any) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def _birth(rng: Any, today: datetime.date) -> datetime.date:
    # An old neighbourhood: many retirees.
    age = rng.choices(
        [rng.randint(0, 13), rng.randint(14, 59), rng.randint(60, 79), rng.randint(80, 99)],
        weights=[10, 50, 30, 10],
    )[0]
    return today - datetime.timedelta(days=age * 365 + rng.randint(0, 364))


def _categories(rng: Any, age: int, gender: str) -> str:
    words = []
    if age >= 60 and rng.random() < 0.12:
        words.append("独居老人")
    elif age >= 60 and rng.random() < 0.15:
        words.append("空巢老人")
    if rng.random() < 0.03:
        kind = rng.choice(["肢体", "视力", "听力", "智力", "精神", "言语"])
        words.append(f"{kind}残疾{rng.choice('一二三四')}级")
    if gender == "female" and 20 <= age <= 40 and rng.random() < 0.06:
        words.append("孕妇")
    if age >= 45 and rng.random() < 0.2:
        words.append(rng.choice(["高血压", "糖尿病", "慢性病"]))
    if age >= 30 and rng.random() < 0.008:
        words.append(f"透析（{rng.choice(SCHEDULES)}）")
    if age >= 30 and rng.random() < 0.006:
        words.append("化疗（每三周一次）")
    if 16 <= age and rng.random() < 0.005:
        words.append("严重精神障碍")
    if rng.random() < 0.025:
        words.append("低保")
    elif age >= 60 and rng.random() < 0.01:
        words.append("特困")
    if 16 <= age < 70 and rng.random() < 0.02:
        words.append("滞留人员")
    if rng.random() < 0.03:
        words.append("医护家属")
    return "、".join(words)


def rows(context: Any) -> list[TableRow]:
    rng = context.rng
    today = datetime.date(2022, 4, 15)
    result = []
    number = 1
    for building in context.data["buildings"]:
        for i in range(PER_BUILDING):
            birth = _birth(rng, today)
            sequence = rng.randint(0, 999)
            id_number = make_id_number(rng.choice(PLACES), birth, sequence)
            gender = "male" if sequence % 2 else "female"
            age = (today - birth).days // 365
            phone = f"1{rng.choice(PREFIXES)}{rng.randint(0, 99999999):08d}"
            number += 1
            result.append(
                TableRow(
                    number=number,
                    values={
                        "name": _name(rng),
                        "id_number": id_number,
                        "phone": phone if age >= 12 else None,
                        "building": building.code,
                        "unit": str(1 + i // 6),
                        "room": f"{1 + (i % 6)}0{1 + i % 2}",
                        "categories": _categories(rng, age, gender) or None,
                        "guardian": _name(rng) if age < 14 else None,
                        "emergency_contact": _name(rng) if age >= 60 else None,
                    },
                )
            )
    return result


def build(context: Any) -> None:
    street = context.data["street"]
    report = resident_import(actor=SystemActor(), rows=rows(context), area=street)
    context.out.write(
        _(
            "residents: {created} created, {updated} updated, {unchanged} unchanged, "
            "{rejected} rejected"
        ).format(
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            rejected=len(report.rejected),
        )
        + "\n"
    )
