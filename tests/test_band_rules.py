"""The HR promotions page says what each promotion band grants, in the page's language (a band's name,
"前3名", is the organiser's own words and gives no rule)."""
from __future__ import annotations

POLICY = {"bands": [
    {"name": "前3名", "ranks": [1, 3], "action": {"to_level": 2, "if_held": "next_level"}, "cap_level": 1},
    {"name": "第4名", "ranks": [4, 4], "action": {"to_level": 3, "if_held": "none"}},
    {"name": "前10%", "top_percent": 10, "action": {"raise_levels": 1}},
    {"name": "优胜", "ranks": [5, 8], "action": {"raise_grades": 2}},
]}


def _rules(app, language: str) -> dict[str, str]:
    from competition.i18n import band_rules

    with app.test_request_context("/hr/promotions", headers={"Cookie": f"lang={language}"}):
        return band_rules(POLICY)


def test_band_rules_in_chinese(app):
    assert _rules(app, "zh_CN") == {
        "前3名": "第1–3名 · 晋升至二级/技师，已持有则再升一级 · 最高至一级/高级技师",
        "第4名": "第4名 · 晋升至三级/高级工",
        "前10%": "前 10% · 提升 1 个国家等级",
        "优胜": "第5–8名 · 提升 2 个企业等级",
    }


def test_band_rules_in_english(app):
    rules = _rules(app, "en")
    assert rules["前3名"].startswith("ranks 1–3 · to ") and "one level higher if already held" in rules["前3名"]
    assert rules["前10%"] == "top 10% · 1 national level(s) up"
    assert not any("晋升" in rule or "名" in rule for rule in rules.values())


def test_no_policy_no_rules(app):
    from competition.i18n import band_rules

    with app.test_request_context("/"):
        assert band_rules(None) == {}
