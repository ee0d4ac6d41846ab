"""技能人才结构 pages (promotion.md, "Skill-talent structure").

/hr/structure: one enterprise's figures as charts (levels as a stacked bar, the high-skill ratio against
the enterprise's target line, certificates per year) and tables, for its hr officers and the admin
(`?enterprise_id=N`). /admin/skill-structure: every enterprise with a total row, the bureau's view.
The figures are rendered into the page; static/js/hr/structure.js draws the charts (Chart.js from
static/vendor/) and saves the target through the JSON API.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import g, render_template
from flask_babel import gettext as _, pgettext

from competition.domain.levels import NATIONAL_LEVELS
from competition.i18n import level_names
from competition.models import Role
from competition.services import skill_structure
from competition.web.admin import admin_page, bp as admin_bp
from competition.web.hr import bp as hr_bp, hr_page

# Highest level first, the order of the tables; "none" (no level) last.
TABLE_LEVELS = tuple(reversed(NATIONAL_LEVELS))


def chart_texts() -> dict[str, Any]:
    """The charts' texts in the page's language (the page's JSON block for structure.js)."""
    names = level_names()
    return {
        "levels": {str(level): names[level] for level in NATIONAL_LEVELS}, "none": pgettext("level", "无等级"),
        "now": _("现状"), "pending": _("若待审核晋升全部确认"),
        "pendingShort": _("全部确认后"), "people": _("人数"),
        "ratio": _("高技能人才占比"), "target": _("目标"), "certificates": _("证书数"),
        "noCertificates": _("尚无颁发的证书。"), "saved": _("已保存目标：{target}"),
        "badTarget": _("请输入 0 到 100 之间的百分数，最多两位小数。"), "failed": _("保存失败：{message}"),
    }


def percent(ratio: str | None) -> str:
    """"0.3077" -> "30.77 %"; None -> "—"."""
    if ratio is None:
        return "—"
    return f"{(Decimal(ratio) * 100).quantize(Decimal('0.01'))} %"


@hr_bp.app_template_filter("percent")
def _percent_filter(ratio: str | None) -> str:
    return percent(ratio)


@hr_bp.get("/structure", endpoint="structure")
@hr_page(Role.ADMIN, Role.HR)
def structure_page():
    enterprise = g.enterprise
    data = skill_structure.enterprise_dict(enterprise, skill_structure.of_enterprise(enterprise))
    chart = {key: value for key, value in data.items() if key != "as_of"}
    return render_template("hr/structure.html", enterprise=enterprise, data=data, chart=chart, texts=chart_texts(),
                           table_levels=TABLE_LEVELS, tz=skill_structure.ISSUE_ZONE)


@admin_bp.get("/skill-structure", endpoint="skill_structure")
@admin_page
def overview_page():
    overview = skill_structure.overview_dict(skill_structure.all_enterprises())
    return render_template("admin/skill_structure.html", overview=overview, table_levels=TABLE_LEVELS,
                           tz=skill_structure.ISSUE_ZONE)
