"""Certificate pages: the printable A4 certificate (admin and the issuing enterprise's hr) and the public
verification page that its QR code points to (promotion.md, Certificates; roles.md).

/certificates/{number}: anonymous visitors are sent to sign in; another enterprise's hr gets the 404
page, exactly as for an unknown number; other roles the 403 page.
/verify/{number}: anyone; the masked name, occupation, level, issuer and date only (404 when unknown).
"""
from __future__ import annotations

import segno
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import format_date, gettext as _
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from competition.domain.certificates import mask_name
from competition.models import Role
from competition.services import certificates

bp = Blueprint("certificate_pages", __name__)


def chinese_date(day) -> str:
    """2026-11-28 -> 2026年11月28日 (the usual printed form; the certificate sheet is Chinese)."""
    return f"{day.year}年{day.month}月{day.day}日"


def qr_data_uri(url: str) -> str:
    """The QR code of `url` as an SVG data URI (the CSP allows data: images)."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#1d2433")


@bp.get("/certificates/<number>")
def certificate(number: str):
    if not current_user.is_authenticated:
        return redirect(url_for("web.login", next=request.path))
    if current_user.role not in (Role.ADMIN, Role.HR):
        error = Forbidden(_("只有管理员和发证企业的人力资源专员可以查看证书。"))
        error.data = {"message": error.description}
        raise error
    found = certificates.find_for(number, current_user)  # another enterprise's: 404 (no_such_certificate)
    verify = certificates.verify_url(found.number)
    return render_template("certificates/certificate.html", cert=found, verify_url=verify,
                           qr=qr_data_uri(verify), issue_date=chinese_date(found.issue_date),
                           id_number=certificates.shown_id_number(current_user, found),
                           total=certificates.total_text(found))


@bp.get("/verify/<number>")
def verify(number: str):
    found = certificates.find(number)
    if found is None:
        return render_template("certificates/verify.html", cert=None, number=number[:40]), 404
    return render_template("certificates/verify.html", cert=found, number=found.number,
                           masked_name=mask_name(found.person_name),
                           issue_date=format_date(found.issue_date, "long"))
