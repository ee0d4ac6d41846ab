"""roles.md, Sessions: cookies, CSRF on browser writes, security headers, sign-in page."""
from __future__ import annotations

import re

from tests.support import PASSWORD, assert_error


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def sign_in(client, username, password=PASSWORD):
    page = client.get("/login").get_data(as_text=True)
    token = csrf_from(page)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def test_sign_in_page_sets_a_safe_session_cookie(client, make_user):
    account = make_user("organizer")
    response = sign_in(client, account.username)
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/api/v1/users/me").get_json()["username"] == account.username


def test_behind_https_the_session_cookie_is_secure(database_url, make_user, monkeypatch):
    """roles.md: the session cookie is Secure behind HTTPS (COMPETITION_SECURE_COOKIES=1, operations)."""
    from competition import create_app

    account = make_user("organizer")
    for setting, secure in ((None, False), ("1", True)):
        if setting is None:
            monkeypatch.delenv("COMPETITION_SECURE_COOKIES", raising=False)
        else:
            monkeypatch.setenv("COMPETITION_SECURE_COOKIES", setting)
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret",
                          "SOCKETIO_ASYNC_MODE": "threading", "COMPETITION_LOG_LEVEL": "WARNING"})
        assert app.config["REMEMBER_COOKIE_SECURE"] is secure
        browser = app.test_client()
        response = sign_in(browser, account.username)
        assert response.status_code == 302
        flags = [part.strip() for part in response.headers["Set-Cookie"].split(";")]
        assert ("Secure" in flags) is secure and "HttpOnly" in flags, flags


def test_sign_in_with_wrong_password_shows_the_page_again(client, make_user):
    account = make_user("organizer")
    response = sign_in(client, account.username, "wrong")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_sign_in_form_without_csrf_token_is_refused(client, make_user):
    account = make_user("organizer")
    client.get("/login")
    response = client.post("/login", data={"username": account.username, "password": PASSWORD})
    assert response.status_code == 403


def test_session_api_write_needs_csrf_header(app, client, make_user):
    admin = make_user("admin")
    sign_in(client, admin.username)
    body = {"username": "carol", "password": "s3cret-pass", "role": "judge"}
    assert_error(client.post("/api/v1/users", json=body), 403)
    token = csrf_from(client.get("/").get_data(as_text=True))
    response = client.post("/api/v1/users", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_bearer_requests_need_no_csrf(client, admin):
    body = {"username": "dave", "password": "s3cret-pass", "role": "judge"}
    assert client.post("/api/v1/users", json=body, headers=admin.headers).status_code == 201


def test_logout_needs_csrf(client, make_user):
    account = make_user("organizer")
    sign_in(client, account.username)
    assert client.post("/logout").status_code == 403
    assert client.get("/api/v1/users/me").status_code == 200


def test_open_redirect_is_refused(client, make_user):
    account = make_user("organizer")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": account.username, "password": PASSWORD,
                                           "csrf_token": token, "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_security_headers_on_pages_and_api(client):
    for path in ("/", "/login", "/api/v1/openapi.json", "/healthz"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"

        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert len(headers.getlist("Content-Security-Policy")) == 1
        assert "Strict-Transport-Security" not in headers  # plain HTTP
    assert client.get("/api/v1/openapi.json").headers["Cache-Control"] == "no-store"
    assert "Cache-Control" not in client.get("/login").headers


def test_security_headers_keep_what_a_response_set_itself(app, client):
    @app.get("/_own_headers")
    def own_headers():
        return "x", 200, {"X-Frame-Options": "SAMEORIGIN", "cache-control": "max-age=60"}

    headers = client.get("/_own_headers").headers
    assert headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert headers.getlist("Cache-Control") == ["max-age=60"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    api = client.get("/api/v1/openapi.json", base_url="https://localhost").headers
    assert api["Strict-Transport-Security"] == "max-age=31536000" and api["Cache-Control"] == "no-store"


def test_pages_carry_no_inline_script(client):
    for path in ("/", "/login", "/api/docs"):
        html = client.get(path).get_data(as_text=True)
        # A JSON data block (texts for the page's module) is not run: only it may be inline.
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", html), path
        assert not re.search(r"<[^>]+\son\w+=", html), path  # no inline event handlers


def test_landing_page_is_chinese_by_default_and_english_on_request(client):
    zh = client.get("/").get_data(as_text=True)
    assert "职业技能竞赛" in zh and 'lang="zh-CN"' in zh
    en = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in en
    client.get("/lang/en")
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
    client.get("/lang/zh_CN")
    assert 'lang="zh-CN"' in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_page_errors_are_html(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_health_and_readiness(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["checks"]["database"] == "ok"


def test_readiness_reports_unreachable_redis(app, client):
    app.config["COMPETITION_REDIS_URL"] = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"].startswith("error")


def test_openapi_document_and_docs_page(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.") and "/api/v1/auth/token" in spec["paths"]
    html = client.get("/api/docs").get_data(as_text=True)
    assert "vendor/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert client.get("/static/vendor/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200


def test_requests_without_a_session_cookie_skip_the_signing_serializer(app, client, make_user, monkeypatch):
    """Flask builds the cookie's signing serializer on every request; ours only when a cookie is read
    or written (bearer-token API calls and spectators' API reads carry none; a page that puts a CSRF
    token in the session still writes its cookie)."""
    account = make_user("organizer")
    token = client.post("/api/v1/auth/token", json={"username": account.username, "password": PASSWORD}
                        ).get_json()["token"]
    interface = app.session_interface
    monkeypatch.setattr(interface, "get_signing_serializer",
                        lambda _app: (_ for _ in ()).throw(AssertionError("serializer built")))
    fresh = app.test_client()
    response = fresh.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert fresh.get("/api/v1/contests").status_code == 200
    monkeypatch.undo()
    browser = app.test_client()  # a signed-in browser still reads and writes its cookie
    html = browser.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    assert browser.post("/login", data={"username": account.username, "password": PASSWORD,
                                        "csrf_token": csrf}).status_code == 302
    assert browser.get("/api/v1/users/me").get_json()["username"] == account.username
