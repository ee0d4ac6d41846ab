"""One input guard for every text that enters (api.md, Conventions: text and import limits).

Table-driven from the OpenAPI document: NUL, an unpaired surrogate and CR LF go into every text field of
every write endpoint's body (and the nested texts of the free-form ones), every string query and path
parameter of every operation, and the sign-in form: each answer is a 422 naming the field, and nothing
is stored. On SQLite and PostgreSQL (where NUL was a 500). Codes keep to their character set; file
cells and socket payloads meet the same guard.
"""
from __future__ import annotations

import io
import json
import re
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from tests.support import PASSWORD

# Both databases: NUL, surrogates and control characters on each database's text types.
pytestmark = pytest.mark.backends

BAD = {"nul": "a\x00b", "surrogate": "a\ud800b", "crlf": "a\r\nb"}
# Free-form bodies (fields.Raw) whose nested texts the document cannot list: path -> body.
NESTED = {
    "/api/v1/contests/{contest_id}/marking-scheme": [
        ("components.0.name", lambda v: {"components": [{"code": "P", "name": v, "weight": 100, "modules": []}]}),
        ("components.0.modules.0.aspects.0.name", lambda v: {"components": [{"code": "P", "name": "P", "weight": 100,
            "modules": [{"code": "M", "name": "M", "aspects": [{"code": "A", "name": v, "type": "measurement",
                                                                "max_mark": 1}]}]}]}),
    ],
    "/api/v1/contests": [("promotion_policy.name", lambda v: {"promotion_policy": {"name": v}}),
                         ("tie_breakers.0.component", lambda v: {"tie_breakers": [{"component": v}]})],
}


def _resolve(spec, schema):
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _text_fields(spec, schema, prefix=""):
    """(dotted path, body builder) of each string property, arrays of objects entered at index 0."""
    schema = _resolve(spec, schema)
    for name, prop in (schema.get("properties") or {}).items():
        prop = _resolve(spec, prop)
        path = f"{prefix}{name}"
        kinds = prop.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "string" in kinds:
            yield path, (lambda v, n=name: {n: v})
        elif "array" in kinds and prop.get("items"):
            items = _resolve(spec, prop["items"])
            if items.get("type") == "string":
                yield f"{path}.0", (lambda v, n=name: {n: [v]})
            elif items.get("properties"):
                for inner, build in _text_fields(spec, items, ""):
                    yield f"{path}.0.{inner}", (lambda v, n=name, b=build: {n: [b(v)]})
        elif prop.get("properties"):
            for inner, build in _text_fields(spec, prop, ""):
                yield f"{path}.{inner}", (lambda v, n=name, b=build: {n: b(v)})


def _cases(spec):
    for path, operations in spec["paths"].items():
        shared = operations.get("parameters", [])
        for method, operation in operations.items():
            if method == "parameters":
                continue
            params = operation.get("parameters", []) + shared
            for param in params:
                if param["in"] in ("query", "path") and _resolve(spec, param.get("schema", {})).get("type") == "string":
                    yield method, path, param["in"], param["name"], None
            if method not in ("post", "put", "patch"):
                continue
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                for field, build in _text_fields(spec, content["application/json"]["schema"]):
                    yield method, path, "json", field, build
                for field, build in NESTED.get(path, []):
                    yield method, path, "json", field, build


def _counts(app) -> dict[str, int]:
    from competition.extensions import db

    with app.app_context():
        return {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def _url(path: str, param_in: str, name: str, value: str) -> str:
    def fill(match):
        key = match.group(1)
        if param_in == "path" and key == name:
            return quote(value.encode("utf-8", "surrogatepass"), safe="")
        return "1" if key.endswith("_id") else "x"

    url = re.sub(r"\{(\w+)\}", fill, path)
    if param_in == "query":
        url += f"?{name}=" + quote(value.encode("utf-8", "surrogatepass"), safe="")
    return url


def test_every_text_of_every_endpoint_refuses_nul_surrogates_and_control_characters(app, client, make_user):
    from tests.contest_fixtures import make_enterprise

    enterprise_id = make_enterprise(app)
    accounts = [make_user("admin"), make_user("organizer"), make_user("hr", enterprise_id=enterprise_id),
                make_user("judge")]
    spec = client.get("/api/v1/openapi.json").get_json()
    cases = list(_cases(spec))
    assert len(cases) > 60, len(cases)
    before = _counts(app)
    wrong = []
    tried = 0
    for method, path, param_in, field, build in cases:
        for kind, value in BAD.items():
            url = _url(path, param_in, field, value)
            body = json.dumps(build(value), ensure_ascii=True) if build else None
            for account in [None, *accounts]:
                headers = account.headers if account else {}
                response = client.open(url, method=method.upper(), data=body, headers=headers,
                                       content_type="application/json" if body else None)
                if response.status_code not in (401, 403):
                    break
            tried += 1
            errors = (response.get_json(silent=True) or {}).get("errors") or {}
            if path.endswith("/auth/token") and response.status_code == 422 and field in errors:
                continue
            if response.status_code != 422 or field not in errors:
                wrong.append(f"{method.upper()} {path} {param_in}:{field} {kind}: {response.status_code} "
                             f"{response.get_data(as_text=True)[:200]}")
    assert tried > 180
    assert not wrong, "\n".join(wrong)
    assert _counts(app) == before  # nothing stored: not even a failed sign-in


@pytest.mark.parametrize("kind", sorted(BAD))
def test_the_sign_in_form_refuses_them_too(app, make_user, kind):
    user = make_user("organizer")
    browser = app.test_client()
    html = browser.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    for field in ("username", "password", "next"):
        form = {"username": user.username, "password": PASSWORD, "next": "/", field: BAD[kind]}
        body = "&".join(f"{k}={quote(v.encode('utf-8', 'surrogatepass'), safe='')}"
                        for k, v in {**form, "csrf_token": token}.items())
        before = _counts(app)
        response = browser.post("/login", data=body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 422, (field, response.status_code)
        assert _counts(app) == before


@pytest.mark.parametrize("code", ["E\r\n1", "企业1", "", "x" * 33, "a b", "a/b"])
def test_codes_keep_to_their_character_set(app, client, admin, code):
    from tests.contest_fixtures import make_enterprise

    response = client.post("/api/v1/enterprises", headers=admin.headers, json={
        "code": code, "name": "示范", "cert_prefix": "Y", "org_code": "0000", "province_code": "21",
        "site_code": "000009"})
    assert response.status_code == 422 and "code" in response.get_json()["errors"], response.get_json()
    make_enterprise(app)  # a good code still works


def test_scheme_codes_are_ascii(app, client, make_user):
    from tests.world import SCHEME, build_world

    world = build_world(app, make_user, state="draft")
    scheme = json.loads(json.dumps(SCHEME))
    scheme["components"][0]["modules"][0]["aspects"][0]["code"] = "甲1"
    response = client.put(f"/api/v1/contests/{world.contest_id}/marking-scheme", json=scheme,
                          headers=world.organizer.headers)
    assert response.status_code == 422, response.get_json()
    assert "components.0.modules.0.aspects.0.code" in json.dumps(response.get_json())


@pytest.mark.parametrize("kind", ["nul", "crlf"])
def test_import_cells_meet_the_same_guard(app, client, make_user, kind):
    from tests.contest_fixtures import make_enterprise

    enterprise_id = make_enterprise(app)
    hr = make_user("hr", enterprise_id=enterprise_id)
    text = f"工号,姓名,证件号码,人员类别\nE1,\"张{BAD[kind]}三\",11010519491231002X,职工\n"
    before = _counts(app)
    response = client.post(f"/api/v1/enterprises/{enterprise_id}/people/import", headers=hr.headers,
                           data={"file": (io.BytesIO(text.encode()), "people.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"][0]["field"] == "name", response.get_json()
    assert _counts(app) == before


def test_socket_payloads_meet_the_same_guard(app, client, make_user):
    from competition.extensions import socketio
    from tests.world import build_world

    world = build_world(app, make_user)
    for auth in ({"contest_id": world.contest_id, "view": "public", "token": "a\x00b"},
                 {"contest_id": world.contest_id, "view": "jury", "token": "a\ud800"},
                 {"contest_id": 2**62, "view": "public"},
                 {"contest_id": str(2**62), "view": "public"},
                 {"contest_id": world.contest_id, "view": "public\x00"}):
        sio = socketio.test_client(app, namespace="/live", auth=auth, flask_test_client=client)
        assert not sio.is_connected("/live"), auth
    sio = socketio.test_client(app, namespace="/live", auth={"contest_id": world.contest_id, "view": "public"},
                               flask_test_client=client)
    assert sio.is_connected("/live")
    sio.emit("board:resync", {"since_seq": 2**62}, namespace="/live")
    assert any(e["name"] == "board:snapshot" for e in sio.get_received("/live"))
