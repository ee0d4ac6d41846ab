"""The demo data that `make run` loads into an empty database (clearly marked as demo).

Everything is created through the services, exactly as an organiser would through the API, so the
demo exercises the real rules.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from competition.extensions import db
from competition.models import Enterprise, Role, User
from competition.services import accounts

DEMO_PASSWORD = "demo-pass-2026"

ENTERPRISES = [
    ("DEMO-GRID", "示例·国网辽宁电力有限公司", "210001"),
    ("DEMO-STEEL", "示例·鞍山钢铁集团", "210002"),
    ("DEMO-SCHOOL", "示例·辽宁电力技师学院", "210003"),
]


@dataclass
class DemoAccount:
    username: str
    role: str
    note: str


def database_is_empty() -> bool:
    return db.session.scalar(select(func.count()).select_from(User)) == 0


def load() -> list[DemoAccount]:
    """Create the demo; returns the sign-in accounts to print. The caller commits."""
    enterprises = []
    for code, name, site in ENTERPRISES:
        enterprise = Enterprise(code=code, name=name, cert_prefix="Y", org_code="0000", province_code="21",
                                site_code=site)
        db.session.add(enterprise)
        enterprises.append(enterprise)
    db.session.flush()
    accounts_made = [
        ("demo_admin", Role.ADMIN, None, "系统管理员 (demo)"),
        ("demo_organizer", Role.ORGANIZER, None, "竞赛组织者 (demo)"),
        ("demo_hr", Role.HR, enterprises[0].id, f"人力资源 · {enterprises[0].name}"),
    ]
    made = []
    for username, role, enterprise_id, display in accounts_made:
        accounts.create_user(username=username, password=DEMO_PASSWORD, role=role, display_name=display,
                             enterprise_id=enterprise_id)
        made.append(DemoAccount(username, role.value, display))
    return made
