"""Plausible Chinese text for generated form input, chosen by what the field's name says it holds.

Demo cases and API walk-throughs read better, and exercise the pages more honestly, when a party is
called 王建国 and lives at 嘉定区城中路 138 弄 5 号 402 室 rather than repeating one sentence everywhere.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = ("建国", "秀英", "伟", "芳", "娜", "敏", "静", "磊", "强", "洋", "丽华", "志明", "海燕", "文杰")
_STREETS = ("嘉定镇街道", "新成路街道", "真新街道", "菊园新区", "南翔镇", "江桥镇", "安亭镇", "马陆镇")
_ROADS = ("城中路", "博乐路", "清河路", "塔城路", "沪宜公路", "叶城路", "洪德路", "嘉唐公路", "墨玉路")
_COMPOUNDS = ("桃园新村", "清水颐园", "金沙雅苑", "白银小区", "古猗园小区", "保利湖畔", "嘉宝梦之缘")
_COMPANIES = ("上海嘉宏装饰工程有限公司", "上海菊园物业管理有限公司", "上海安亭建筑劳务有限公司")
_SENTENCES = (
    "现场核查情况属实，已告知当事人相关法律规定。",
    "当事人对拆除承重墙的事实无异议，现场已拍照取证。",
    "经物业确认，该室装修期间擅自拆改了部分承重墙体。",
    "已向当事人送达相关文书，当事人表示将按期整改。",
    "复查时整改尚未完成，已再次督促当事人落实整改。",
    "检测机构已出具报告，结论为房屋承重结构受损，需加固修复。",
)


def _person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN)


def _address(rng: random.Random) -> str:
    return f"上海市嘉定区{rng.choice(_ROADS)}{rng.randint(10, 999)}弄{rng.randint(1, 40)}号{_room(rng)}"


def _room(rng: random.Random) -> str:
    return f"{rng.randint(1, 18)}0{rng.randint(1, 4)}室"


def _place(rng: random.Random) -> str:
    return f"嘉定区城市管理行政执法局{rng.choice(('第一', '第二', '第三'))}询问室"


_BY_NAME: tuple[tuple[re.Pattern[str], Callable[[random.Random], str]], ...] = (
    (re.compile(r"evidence|document|material"), lambda rng: rng.choice(("现场照片", "询问笔录", "检测报告"))),
    (re.compile(r"(^|_)names$|persons_present"), lambda rng: "、".join(_person(rng) for _ in range(2))),
    (re.compile(r"(^|_)(party_)?name$"), _person),
    (re.compile(r"company|enterprise|unit_name|agency"), lambda rng: rng.choice(_COMPANIES)),
    (re.compile(r"street|town"), lambda rng: rng.choice(_STREETS)),
    (re.compile(r"compound"), lambda rng: rng.choice(_COMPOUNDS)),
    (re.compile(r"building"), lambda rng: f"{rng.randint(1, 40)}号"),
    (re.compile(r"room"), _room),
    (re.compile(r"address|location"), _address),
    (re.compile(r"place"), _place),
)


def sample_text(field_name: str, low: int, high: int, rng: random.Random) -> str:
    """Text of `low`..`high` characters that suits a field called `field_name`."""
    for pattern, make in _BY_NAME:
        if pattern.search(field_name):
            text = make(rng)
            if low <= len(text) <= high:
                return text
            break
    upper = max(low, min(high, 60))
    prose = ""
    for sentence in rng.sample(_SENTENCES, len(_SENTENCES)) * (1 + low // 60):
        if len(prose) >= low and len(prose + sentence) > upper:
            break
        prose += sentence
    return prose[:upper] if len(prose) > upper else prose
