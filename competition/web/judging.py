"""The judge's tablet pages and the organiser's QR sign-in sheet (roles.md: QR sign-in).

- `/judge`: sign-in (username and password, or the QR code), then the judge's contests.
- `/judge/contests/{id}`: the worklist and the entry pad (static/js/judge/*.js; offline queue).
- `/judge/qr/{token}`: a one-time sign-in link from the QR sheet: a page naming the judge, whose
  button (a POST) signs in; used once, then gone.
- `/contests/{id}/judge-qr`: the organiser's printable A4 sheet, one QR code per judge. Each print
  issues new links; earlier sheets keep working until their links expire or are used.

Registered inside the live pages blueprint (competition.web.live_pages), so endpoints are
`live_pages.judging.*`.
"""
from __future__ import annotations

from datetime import timedelta

import segno
from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from competition import clock
from competition.database import get_by_id
from competition.extensions import db
from competition.models import Contest, ContestJudge, ContestState, Role
from competition.security import sign_in
from competition.services import access, accounts, audit, standings, worklist, zones

bp = Blueprint("judging", __name__)

QR_PURPOSE = "qr"
DEFAULT_QR_HOURS = 12
QR_HOURS_CHOICES = (2, 4, 8, 12, 24, 48, 72)


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _sign_in_first():
    return redirect(url_for("web.login", next=request.full_path.rstrip("?")))


def sign_in_page(username: str = "", status: int = 200):
    """The tablet's sign-in page (also after a wrong password, with the username kept)."""
    return _no_store(make_response(render_template("judge/login.html", username=username), status))


@bp.get("/judge")
def home():
    if not current_user.is_authenticated:
        return sign_in_page()
    mine = worklist.judge_contests(current_user) if current_user.role == Role.JUDGE else None
    for entry in mine or []:
        zone = zones.zone_named(entry["timezone"])
        entry["starts_local"] = entry["starts_at"].astimezone(zone)
        entry["ends_local"] = entry["ends_at"].astimezone(zone)
    config = {"userId": current_user.id, "contests": [c["id"] for c in mine or []]}
    return _no_store(make_response(render_template("judge/home.html", contests=mine, config=config)))


@bp.get("/judge/contests/<int:contest_id>")
def contest(contest_id: int):
    if not current_user.is_authenticated:
        return redirect(url_for("live_pages.judging.home"))
    found = get_by_id(Contest, contest_id)
    if found is None:
        abort(404)
    seat = access.seat_of(contest_id, current_user)
    if seat is None:
        abort(404 if found.state == ContestState.DRAFT else 403)
    config = {"contestId": found.id, "userId": current_user.id, "chief": seat.chief,
              "jury": url_for("live_pages.jury", contest_id=found.id) if seat.chief else None}
    return _no_store(make_response(render_template("judge/worklist.html", contest=found,
                                                   blind=access.is_blind(found), config=config)))


def _qr_invalid():
    return _no_store(make_response(render_template("judge/qr_invalid.html"), 410))


@bp.get("/judge/qr/<token>")
def qr_sign_in(token: str):
    """A one-time QR link opens a page that names the judge; its button signs in (the POST below).
    Opening the link spends nothing: chat apps, scanner apps and link checkers open links by
    themselves, and a link one of them had opened first would be gone when the judge scans it. A
    used, expired or unknown link is 410 with a page pointing to the username and password sign-in."""
    user = accounts.one_time_token_user(token, purpose=QR_PURPOSE) if 0 < len(token) <= 200 else None
    if user is None:
        return _qr_invalid()
    response = _no_store(make_response(render_template("judge/qr_confirm.html", user=user, token=token)))
    response.headers["Referrer-Policy"] = "no-referrer"  # the page's own requests do not carry the link
    return response


@bp.post("/judge/qr/<token>")
def qr_redeem(token: str):
    """Use the one-time link (CSRF-checked form of the page above): sign in with a session, go to /judge."""
    user = accounts.redeem_one_time_token(token, purpose=QR_PURPOSE) if 0 < len(token) <= 200 else None
    if user is not None:
        audit.record("user.qr_sign_in", f"user:{user.id}", actor=user)
    if user is not None:
        sign_in(user)
    db.session.commit()  # the token is gone either way
    if user is None:
        return _qr_invalid()
    return _no_store(redirect(url_for("live_pages.judging.home")))


@bp.get("/contests/<int:contest_id>/judge-qr")
def qr_sheet(contest_id: int):
    """The printable sheet: one QR code per judge of the contest, each a new one-time sign-in link."""
    if not current_user.is_authenticated:
        return _sign_in_first()
    if not access.is_staff(current_user):
        abort(403)
    found = get_by_id(Contest, contest_id)
    if found is None:
        abort(404)
    hours = request.args.get("hours", type=int) or DEFAULT_QR_HOURS
    if hours not in QR_HOURS_CHOICES:
        hours = DEFAULT_QR_HOURS
    lifetime = timedelta(hours=hours)
    expires = clock.now() + lifetime
    seats = db.session.scalars(select(ContestJudge).where(ContestJudge.contest_id == found.id)
                               .order_by(ContestJudge.chief.desc(), ContestJudge.id)).all()
    scheme = standings.scheme_of(found)
    sheets = []
    for seat in seats:
        if not seat.user.active:
            continue
        token = accounts.issue_token(seat.user, purpose=QR_PURPOSE, lifetime=lifetime)
        link = f"{request.host_url}judge/qr/{token}"
        sheets.append({"seat": seat, "user": seat.user, "link": link,
                       "qr": segno.make(link, error="m").svg_data_uri(scale=5),
                       "aspects": _aspect_names(scheme, seat)})
    if sheets:
        audit.record("judge.qr_issue", f"contest:{found.id}", contest_id=found.id,
                     after={"user_ids": [s["user"].id for s in sheets], "expires_at": expires})
    db.session.commit()
    zone = zones.contest_zone(found)
    response = make_response(render_template(
        "judge/qr_sheet.html", contest=found, sheets=sheets, hours=hours, choices=QR_HOURS_CHOICES,
        expires=expires.astimezone(zone).strftime("%Y-%m-%d %H:%M"), zone=zone.key))
    return _no_store(response)


def _aspect_names(scheme, seat: ContestJudge) -> str | list[str]:
    """"all", or the codes of the judge's aspects (the sheet joins them in the page's language)."""
    if seat.aspects == "all" or scheme is None:
        return "all"
    return list(seat.aspects)
