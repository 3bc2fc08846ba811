"""A Chinese address read from a message by pattern: 省份 城市 区县 详细地址, as the Chinese shop's address tool takes it.

"地址改成广东省揭阳市饶平县中山北路231号" → 广东省 / 揭阳市 / 饶平县 / 中山北路231号. The
province is found by name (the 34 province-level divisions, with or without
their suffix), so no word before it ("把地址改成") is read as part of it; a
municipality (北京市朝阳区…) is its own city. An address that opens with its city
("改成广州市天河区天河北路233号") has no province here (`province` None): the
operation takes the order's own when the city is the order's city, else asks.
Read in code, not by the model: an address is copied exactly or not at all, and
the customer confirms it as shown. A part missing (no district, no street):
None, and the operation asks for the whole address again.
"""

from __future__ import annotations

import re

MUNICIPALITIES = ("北京", "天津", "上海", "重庆")
REGIONS = {
    "内蒙古": "内蒙古自治区",
    "广西": "广西壮族自治区",
    "西藏": "西藏自治区",
    "宁夏": "宁夏回族自治区",
    "新疆": "新疆维吾尔自治区",
    "香港": "香港特别行政区",
    "澳门": "澳门特别行政区",
}
PROVINCES = (
    "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南",
    "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾",
)  # fmt: skip
_NAMES = "|".join(sorted((*MUNICIPALITIES, *REGIONS, *PROVINCES), key=len, reverse=True))
_ADDRESS = re.compile(
    rf"(?P<province>{_NAMES})(?P<suffix>省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)?"
    r"(?P<city>[\u4e00-\u9fa5]{1,8}?(?:自治州|地区|市|盟))?"
    r"(?P<district>[\u4e00-\u9fa5]{1,8}?(?:新区|区|县|旗|市))"
    r"(?P<detail>[^，。,；;！!？?\s]+)"
)
# Without a province the city opens the address: right after a mark or the words of the change, so that "改成" is not
# read as part of the city's name.
_FROM_CITY = re.compile(
    r"(?:^|(?<=[：:，,。；;\s])|(?<=改成)|(?<=改为)|(?<=换成)|(?<=改到)|(?<=送到)|(?<=地址是)|(?<=地址为))"
    r"(?P<city>[\u4e00-\u9fa5]{2,6}?(?:自治州|地区|市|盟))"
    r"(?P<district>[\u4e00-\u9fa5]{1,8}?(?:新区|区|县|旗|市))"
    r"(?P<detail>[^，。,；;！!？?\s]+)"
)
# What a customer may say after the address ("…231号吧", "…231号，谢谢"): not part of it.
_TAIL = re.compile(r"(吧|呢|啊|呀|哦|哈|了|谢谢|麻烦了?)+$")


def parse(text: str) -> dict[str, str | None] | None:
    """The last complete address in `text` (the new one, when the old one is quoted first), or None; its `province`
    is None when the address opens with its city."""
    found = list(_ADDRESS.finditer(text))
    if not found:
        return _from_city(text)
    match = found[-1]
    name = match["province"]
    province = _province(name)
    city = match["city"] or (province if name in MUNICIPALITIES else None)
    detail = _TAIL.sub("", match["detail"]).strip()
    if city is None or not detail:
        return None
    return {"province": province, "city": city, "district": match["district"], "detail": detail}


def _from_city(text: str) -> dict[str, str | None] | None:
    found = list(_FROM_CITY.finditer(text))
    if not found:
        return None
    match = found[-1]
    detail = _TAIL.sub("", match["detail"]).strip()
    if not detail or match["city"][:-1] in (*MUNICIPALITIES, *REGIONS, *PROVINCES):
        return None
    return {"province": None, "city": match["city"], "district": match["district"], "detail": detail}


def _province(name: str) -> str:
    if name in MUNICIPALITIES:
        return f"{name}市"
    return REGIONS.get(name) or f"{name}省"
