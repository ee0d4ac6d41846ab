"""The 技能人才结构 pages: /hr/structure for the enterprise's hr and the admin (404 for another enterprise,
403 for other roles), /admin/skill-structure for the admin only, reachable from the admin console."""
from __future__ import annotations

from tests.masterdata import setup_enterprise
from tests.support import signed_in


def test_hr_structure_page_access(app, client, admin, make_user):
    mine = setup_enterprise(client, admin, "MINE")
    other = setup_enterprise(client, admin, "OTHER")
    hr = make_user("hr", enterprise_id=mine)
    browser = signed_in(app, hr.username)
    page = browser.get("/hr/structure")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "技能人才结构" in html and 'id="structure-data"' in html and "vendor/chart.js/chart.umd.js" in html
    assert "cdn" not in html.lower()
    assert browser.get(f"/hr/structure?enterprise_id={other}").status_code == 404
    assert browser.get("/admin/skill-structure").status_code == 403
    organizer = signed_in(app, make_user("organizer").username)
    assert organizer.get(f"/hr/structure?enterprise_id={mine}").status_code == 403
    anonymous = app.test_client().get("/hr/structure")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    chief = signed_in(app, admin.username)
    assert "MINE" in chief.get("/hr/structure").get_data(as_text=True)  # the admin picks an enterprise first
    assert chief.get(f"/hr/structure?enterprise_id={other}").status_code == 200


def test_admin_overview_page(app, client, admin):
    setup_enterprise(client, admin, "ONE")
    browser = signed_in(app, admin.username)
    users = browser.get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/skill-structure"' in users
    html = browser.get("/admin/skill-structure").get_data(as_text=True)
    assert 'data-testid="overview-total"' in html and 'data-testid="overview-row"' in html
    assert "/api/v1/skill-structure.xlsx" in html


def test_the_demo_enterprises_have_people_at_every_level(app, client):
    """competition.demo: each of the three enterprises shows people at every level, and some without one."""
    from competition import demo
    from competition.extensions import db
    from tests.test_demo import _token

    with app.app_context():
        demo.load()
        db.session.commit()
    admin = _token(client, "demo_admin")
    overview = client.get("/api/v1/skill-structure", headers=admin).get_json()
    assert len(overview["rows"]) == 3
    for row in overview["rows"]:
        assert all(count > 0 for count in row["by_level"].values()), row["enterprise"]
        assert row["none"] > 0 and row["high_skill_ratio"] is not None
        assert len(row["by_occupation"]) >= 2
    hr = signed_in(app, "demo_hr3", "demo-pass-2026")  # the technician college: its teachers are counted
    html = hr.get("/hr/structure").get_data(as_text=True)
    assert "示例·辽宁电力技师学院" in html and 'data-testid="chart-levels"' in html
