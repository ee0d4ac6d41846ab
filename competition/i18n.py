"""Languages: Simplified Chinese first, English selectable (Flask-Babel).

The choice is, in order: a `lang` cookie set by the language switch, the browser's Accept-Language,
then zh_CN.

Message ids are the Simplified Chinese texts themselves; `competition/translations/en` holds the
English catalog (`make messages` extracts and updates it, `make translations` compiles it, and the
wheel build compiles it through hatch_build.py). The labels below name fixed domain vocabulary on the
pages; the stored snapshots (a certificate's level label, the API's labels) stay Chinese.
"""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import gettext as _

from competition.extensions import babel
from competition.paths import TRANSLATIONS

LANG_COOKIE = "lang"


def select_locale() -> str:
    languages = current_app.config["COMPETITION_LANGUAGES"]
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    match = request.accept_languages.best_match(["zh_CN", "zh", "en"])
    if match and match.startswith("en"):
        return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def level_names() -> dict[int, str]:
    """The national skill levels (competition.domain.levels.LEVEL_NAMES) in the page's language."""
    return {
        5: _("五级/初级工"),
        4: _("四级/中级工"),
        3: _("三级/高级工"),
        2: _("二级/技师"),
        1: _("一级/高级技师"),
    }


def kind_names() -> dict[str, str]:
    """A person's kind (competition.services.people.KIND_LABELS) in the page's language."""
    return {"employee": _("职工"), "student": _("学生")}


def id_type_names() -> dict[str, str]:
    """The ID types (competition.domain.identity.ID_TYPES, stored in Chinese) in the page's language."""
    return {
        "居民身份证": _("居民身份证"),
        "港澳居民居住证": _("港澳居民居住证"),
        "台湾居民居住证": _("台湾居民居住证"),
        "港澳居民来往内地通行证": _("港澳居民来往内地通行证"),
        "台湾居民来往大陆通行证": _("台湾居民来往大陆通行证"),
        "护照": _("护照"),
        "外国人永久居留身份证": _("外国人永久居留身份证"),
    }


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(TRANSLATIONS))


def band_rules(policy: dict | None) -> dict[str, str]:
    """Each promotion band's rule in the page's language, by band name (a band's name is the organiser's
    own words, "前3名", and says nothing of what it grants): "第1–3名 · 晋升至二级/技师，已持有则再升一级 ·
    最高至一级/高级技师"."""
    levels = level_names()
    rules: dict[str, str] = {}
    for band in (policy or {}).get("bands", []):
        parts = []
        if band.get("ranks"):
            first, last = band["ranks"]
            parts.append(_("第%(a)s名", a=first) if first == last else _("第%(a)s–%(b)s名", a=first, b=last))
        elif band.get("top_percent") is not None:
            parts.append(_("前 %(p)s%%", p=band["top_percent"]))
        action = band.get("action", {})
        if "to_level" in action:
            level = levels.get(action["to_level"], str(action["to_level"]))
            parts.append(_("晋升至%(level)s，已持有则再升一级", level=level) if action.get("if_held", "next_level")
                         == "next_level" else _("晋升至%(level)s", level=level))
        elif "raise_levels" in action:
            parts.append(_("提升 %(n)s 个国家等级", n=action["raise_levels"]))
        elif "raise_grades" in action:
            parts.append(_("提升 %(n)s 个企业等级", n=action["raise_grades"]))
        if band.get("cap_level"):
            parts.append(_("最高至%(level)s", level=levels.get(band["cap_level"], str(band["cap_level"]))))
        rules[band.get("name", "")] = " · ".join(parts)
    return rules
