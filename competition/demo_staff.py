"""The demo's workforce beyond the contest's competitors, so that each of the three demo enterprises has
people at every national level (and some with no level) and its 技能人才结构 page (/hr/structure) and the
admin's overview have something to show: electricians, welders and fitters at a power company and a
steelworks, and the teachers (employees; the students are not counted) of the technician college.

Created through `people.create`, as an HR officer would, with grades of each enterprise's own scheme.
"""
from __future__ import annotations

from datetime import date, timedelta

from competition.domain.identity import id_check_char
from competition.models import Enterprise
from competition.services import people

ELECTRICIAN, WELDER, FITTER = "6-31-01-03", "6-18-02-04", "6-20-01-01"

# (occupation, grade code of the 新八级 template, how many), per enterprise code; a second occupation
# for some: (occupation, grade) pairs held by one person.
STAFF: dict[str, list[list[tuple[str, str]]]] = {
    "DEMO-GRID": (
        [[(ELECTRICIAN, "apprentice")]] * 3 + [[(ELECTRICIAN, "junior")]] * 5 + [[(ELECTRICIAN, "intermediate")]] * 7
        + [[(ELECTRICIAN, "senior")]] * 5 + [[(ELECTRICIAN, "technician"), (WELDER, "senior")]] * 2
        + [[(ELECTRICIAN, "technician")]] * 2 + [[(ELECTRICIAN, "senior_technician")]]
        + [[(WELDER, "intermediate")]] * 2
    ),
    "DEMO-STEEL": (
        [[(WELDER, "apprentice")]] * 4 + [[(WELDER, "junior")]] * 6 + [[(WELDER, "intermediate")]] * 8
        + [[(FITTER, "intermediate")]] * 4 + [[(WELDER, "senior")]] * 3
        + [[(FITTER, "senior"), (ELECTRICIAN, "junior")]] * 2
        + [[(WELDER, "technician")]] + [[(WELDER, "senior_technician")]]
    ),
    "DEMO-SCHOOL": (
        [[]] * 2 + [[(ELECTRICIAN, "junior")]] + [[(ELECTRICIAN, "intermediate")]] * 2 + [[(ELECTRICIAN, "senior")]] * 3
        + [[(ELECTRICIAN, "technician")]] * 3 + [[(ELECTRICIAN, "senior_technician"), (FITTER, "technician")]] * 2
    ),
}
# The steelworks' scheme splits 技师 into two sub-levels.
SUBLEVEL_CODES = {"technician": "technician_1"}

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = ["志刚", "秀兰", "建华", "玉梅", "德明", "桂英", "永强", "淑珍", "海涛", "晓燕", "国华", "红霞", "卫东",
         "春梅", "振宇", "丽华", "学军", "凤英", "宝山", "雅琴"]


def _id_number(n: int) -> str:
    born = date(1965, 3, 1) + timedelta(days=37 * n)
    first17 = f"210302{born:%Y%m%d}{n % 1000:03d}"
    return first17 + id_check_char(first17)


def add_staff(enterprise: Enterprise, scheme: str) -> int:
    """Add the enterprise's staff of STAFF (employees); `scheme` is "eight" or "sublevels"."""
    rows = STAFF.get(enterprise.code, [])
    offset = 100 * (list(STAFF).index(enterprise.code) + 1) if enterprise.code in STAFF else 0
    for n, grades in enumerate(rows, start=1):
        number = offset + n
        people.create(enterprise, {
            "person_no": f"{enterprise.code[5:]}-S{n:03d}",
            "name": SURNAMES[number % len(SURNAMES)] + GIVEN[number % len(GIVEN)],
            "id_type": "居民身份证", "id_number": _id_number(number), "kind": "employee",
            "grades": [{"occupation_code": occupation,
                        "grade_code": SUBLEVEL_CODES.get(grade, grade) if scheme == "sublevels" else grade}
                       for occupation, grade in grades]})
    return len(rows)
