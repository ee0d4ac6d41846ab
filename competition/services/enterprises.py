"""Enterprises (employers and schools), their certificate-number settings, and who may see which
(api.md, Users and enterprises; roles.md: an hr officer sees only its own enterprise, and any other
enterprise's ids answer 404, never 403, so they cannot be probed)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select

from competition.database import get_by_id
from competition.domain.certificates import CertificateSettingsError, validate_certificate_settings
from competition.errors import ServiceError, not_found
from competition.extensions import db
from competition.models import Enterprise, Role, User
from competition.services import access, audit


def enterprise_dict(enterprise: Enterprise) -> dict[str, Any]:
    return {"id": enterprise.id, "code": enterprise.code, "name": enterprise.name,
            "cert_prefix": enterprise.cert_prefix, "org_code": enterprise.org_code,
            "province_code": enterprise.province_code, "site_code": enterprise.site_code}


def create_enterprise(data: Mapping[str, Any]) -> Enterprise:
    """A new enterprise with valid certificate-number settings; a taken code is 409."""
    try:
        settings = validate_certificate_settings(data)
    except CertificateSettingsError as error:
        raise ServiceError(422, "The certificate-number settings are not valid.", errors=error.errors) from None
    code, name = data["code"].strip(), data["name"].strip()
    if not code or not name:
        raise ServiceError(422, "Code and name must not be blank.",
                           errors={f: ["must not be blank"] for f in ("code", "name") if not data[f].strip()})
    if db.session.scalar(select(Enterprise.id).where(Enterprise.code == code)) is not None:
        raise ServiceError(409, f"An enterprise with code {code!r} already exists.",
                           errors={"code": ["already exists"]})
    enterprise = Enterprise(code=code, name=name, cert_prefix=settings.cert_prefix, org_code=settings.org_code,
                            province_code=settings.province_code, site_code=settings.site_code)
    db.session.add(enterprise)
    db.session.flush()
    audit.record("enterprise.create", f"enterprise:{enterprise.id}", after=enterprise_dict(enterprise))
    return enterprise


def visible_enterprises(user: User) -> list[Enterprise]:
    """Admin and organizer see every enterprise; an hr officer only its own."""
    query = select(Enterprise).order_by(Enterprise.code)
    if user.role is Role.HR:
        query = query.where(Enterprise.id == user.enterprise_id)
    elif not access.is_staff(user):
        raise ServiceError(403, "Your role may not do this.")
    return list(db.session.scalars(query))


def enterprise_in_scope(user: User, enterprise_id: int, roles: Iterable[Role]) -> Enterprise:
    """The enterprise `enterprise_id` when `user` may act on it with one of `roles`.

    A role not in `roles` is 403. An hr officer asking about another enterprise gets 404, exactly as
    for an enterprise that does not exist (roles.md).
    """
    roles = tuple(roles)
    if user.role not in roles:
        raise ServiceError(403, "Your role may not do this.")
    if user.role is Role.HR and user.enterprise_id != enterprise_id:
        raise not_found("enterprise", reason="no_such_enterprise")
    # an id beyond the database's integer range is simply unknown (not an overflow, not a 500)
    enterprise = get_by_id(Enterprise, enterprise_id)
    if enterprise is None:
        raise not_found("enterprise", reason="no_such_enterprise")
    return enterprise


