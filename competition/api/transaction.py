"""One unit of work per write request, with `Idempotency-Key` support (api.md, Conventions).

Decorate a write view with `@transactional` (above flask-smorest's `@blp.response`, so that the
wrapper sees the serialised response). The view and the services it calls only change the session;
this wrapper commits once when the response is a success and rolls back otherwise.

With an `Idempotency-Key` header the first successful answer is stored in the same transaction as
the change. A repeat with the same key and body gets that answer again (and changes nothing); the same
key with another body or path is 409. Two concurrent requests with one key race on a unique
constraint: the loser rolls back and answers as a repeat.
"""
from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable

from flask import Response, make_response, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from competition.api.access import caller
from competition.errors import abort
from competition.extensions import db
from competition.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


def _fingerprint() -> str:
    return hashlib.sha256(request.get_data(cache=True)).hexdigest()


def _stored(user_id: int, key: str) -> IdempotencyRecord | None:
    return db.session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id,
                                                             IdempotencyRecord.key == key))


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if (record.method, record.path, record.body_sha256) != (request.method, request.path, fingerprint):
        abort(409, f"{HEADER} {record.key!r} was already used for a different request.")
    response = Response(record.response_body, status=record.status_code, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def transactional(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        user = caller()
        if key is not None and user is not None:
            if not key or len(key) > MAX_KEY_LENGTH:
                abort(422, f"{HEADER} must have 1 to {MAX_KEY_LENGTH} characters.",
                      errors={HEADER: ["bad length"]})
            fingerprint = _fingerprint()
            record = _stored(user.id, key)
            if record is not None:
                db.session.rollback()
                return _replay(record, fingerprint)
        try:
            response = make_response(view(*args, **kwargs))
        except BaseException:
            db.session.rollback()
            raise
        if response.status_code >= 400:
            db.session.rollback()
            return response
        if key is not None and user is not None:
            db.session.add(IdempotencyRecord(user_id=user.id, key=key, method=request.method,
                                             path=request.path, body_sha256=fingerprint,
                                             status_code=response.status_code,
                                             response_body=response.get_data()))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            if key is None or user is None:
                raise
            record = _stored(user.id, key)
            if record is None:
                raise
            return _replay(record, fingerprint)
        return response

    return wrapper


def large_body(view: Callable) -> Callable:
    """Allow this view the import body limit (10 MiB) instead of the default 1 MiB (api.md)."""
    view._large_body = True
    return view
