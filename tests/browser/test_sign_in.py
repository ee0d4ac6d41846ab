"""A person signs in through the page in a real browser."""
from __future__ import annotations


def test_sign_in_through_the_page(server, page, artefacts):
    server.command("create-user", "organiser", "--role", "organizer", "--display-name", "王组织",
                   "--password-stdin", stdin="browser-pass-1\n")
    server.start()
    page.goto(server.url + "/")
    assert "职业技能竞赛" in page.locator("h1").inner_text()
    page.get_by_role("link", name="登录").first.click()
    page.get_by_label("用户名").fill("organiser")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").inner_text() == "用户名或密码错误。"
    assert page.get_by_label("用户名").input_value() == "organiser"  # kept: only the password is retyped
    page.console_errors.clear()  # the browser logs the deliberate 401 above
    page.get_by_label("密码").fill("browser-pass-1")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(server.url + "/organize")  # an organiser lands on the organiser's console
    assert page.get_by_test_id("signed-in-as").inner_text() == "王组织"
    page.screenshot(path=str(artefacts / "signed-in.png"))
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.console_errors == []


def test_api_docs_render_offline(server, page):
    server.start()
    page.goto(server.url + "/api/docs")
    page.locator(".swagger-ui .info .title").wait_for(timeout=15000)
    assert "competition" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.console_errors == []


def test_api_docs_try_it_out_carries_the_csrf_token(server, page):
    """The docs page carries the session cookie, so its writes need the page's CSRF token: Swagger
    UI's request interceptor adds it (without it the same request is refused with 403)."""
    server.command("create-user", "organiser", "--role", "organizer", "--password-stdin", stdin="browser-pass-1\n")
    server.start()
    page.goto(server.url + "/login")
    page.get_by_label("用户名").fill("organiser")
    page.get_by_label("密码").fill("browser-pass-1")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(server.url + "/organize")
    page.goto(server.url + "/api/docs")
    page.locator(".swagger-ui .info .title").wait_for(timeout=15000)
    statuses = page.evaluate("""async () => {
        const body = JSON.stringify({username: 'organiser', password: 'browser-pass-1'});
        const send = (request) => fetch(request.url, {method: request.method, headers: request.headers,
                                                      body: request.body, credentials: 'same-origin'});
        const bare = {url: '/api/v1/auth/token', method: 'POST', headers: {'Content-Type': 'application/json'}, body};
        const without = await send({...bare, headers: {...bare.headers}});
        const intercepted = window.ui.getConfigs().requestInterceptor({...bare, headers: {...bare.headers}});
        const withToken = await send(intercepted);
        return [without.status, withToken.status];
    }""")
    assert statuses == [403, 201]
    page.console_errors.clear()  # the browser logs the deliberate 403 above
