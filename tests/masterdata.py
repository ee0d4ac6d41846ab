"""Helpers for the HR master-data tests: enterprises, the 新八级 scheme, occupations, valid ID numbers."""
from __future__ import annotations

from datetime import date, timedelta

from competition.domain.grades import EIGHT_GRADE_TEMPLATE
from competition.domain.identity import id_check_char

ELECTRICIAN = {"code": "6-31-01-03", "edition": "2022", "name": "电工", "levels": [5, 4, 3, 2, 1]}
TURNER = {"code": "6-18-01-01", "edition": "2022", "name": "车工", "levels": [5, 4, 3]}


def make_id(n: int, region: str = "210102") -> str:
    """A valid 18-character 居民身份证 number, different for every n (date of birth moves with n)."""
    born = date(1960, 1, 1) + timedelta(days=n)
    first17 = f"{region}{born:%Y%m%d}{n % 1000:03d}"
    return first17 + id_check_char(first17)


def eight_grades() -> list[dict]:
    return EIGHT_GRADE_TEMPLATE.to_dicts()


def create_enterprise(client, admin, code: str = "E1", name: str | None = None, **extra) -> int:
    body = {"code": code, "name": name or f"企业{code}", "cert_prefix": "Y", "org_code": "0000",
            "province_code": "21", "site_code": "000001", **extra}
    response = client.post("/api/v1/enterprises", json=body, headers=admin.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def add_occupation(client, admin, body: dict = ELECTRICIAN) -> dict:
    response = client.post("/api/v1/occupations", json=body, headers=admin.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def put_scheme(client, account, enterprise_id: int, grades: list[dict] | None = None):
    return client.put(f"/api/v1/enterprises/{enterprise_id}/grade-scheme",
                      json={"grades": eight_grades() if grades is None else grades}, headers=account.headers)


def setup_enterprise(client, admin, code: str = "E1") -> int:
    """An enterprise with the 新八级 scheme; the electrician and turner occupations exist."""
    enterprise_id = create_enterprise(client, admin, code)
    assert put_scheme(client, admin, enterprise_id).status_code == 200
    existing = {o["code"] for o in client.get("/api/v1/occupations", headers=admin.headers).get_json()}
    for body in (ELECTRICIAN, TURNER):
        if body["code"] not in existing:
            add_occupation(client, admin, body)
    return enterprise_id


def person_body(n: int = 1, **extra) -> dict:
    return {"person_no": f"P{n:04d}", "name": f"职工{n}", "id_type": "居民身份证", "id_number": make_id(n),
            "kind": "employee", "phone": f"1380000{n:04d}", **extra}
