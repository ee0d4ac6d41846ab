"""The API's blueprint class: flask-smorest's, with each argument schema instantiated once, JSON bodies
parsed by the app's JSON provider, and page numbers bounded.

Given a schema class, webargs builds an instance on every request, which costs more than parsing a
mark's small body; an instance is reused (the schemas keep no per-request state). The OpenAPI
document is the same either way.
"""
from __future__ import annotations

import json
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Response, current_app
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from competition.api.schemas import MAX_ID


class ArgumentsParser(FlaskParser):
    """webargs' Flask parser, reading JSON bodies with `current_app.json` (competition.extensions.
    JSONProvider) instead of the standard library directly, so that a body nested too deeply or with an
    integer literal too long to convert is the 400 of any malformed body (webargs answers 400 for a
    json.JSONDecodeError), not a 500. A body is parsed once per request: Werkzeug keeps the result of
    `get_json`, which the input guard called before the view."""

    def _raw_load_json(self, req) -> Any:
        if not is_json_request(req):
            return core.missing
        body = req.get_json(silent=True)  # parsed once: the input guard (competition.inputs) read it first
        if body is not None:
            return body
        data = req.get_data(cache=True)  # malformed (or `null`): parsed again for the decode error's 400
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:  # as webargs.core.parse_json does
            raise json.JSONDecodeError(f"Bytes decoding error : {exc.reason}", doc=str(exc.object),
                                       pos=exc.start) from exc
        return current_app.json.loads(text)


class PaginationParser(ArgumentsParser):
    """Reads `page` and `page_size` of a paginated list. flask-smorest bounds `page` below only; a huge
    page would overflow the database's OFFSET (a 500): above MAX_ID it is a 422 naming `page`."""

    def parse(self, argmap, req=None, **kwargs):
        kwargs["validate"] = _page_in_range
        return super().parse(argmap, req, **kwargs)


def _page_in_range(params) -> None:
    if params.page > MAX_ID:
        raise ma.ValidationError({"page": [f"Must be greater than or equal to 1 and less than or equal to "
                                           f"{MAX_ID}."]})


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = ArgumentsParser()
    PAGINATION_ARGUMENTS_PARSER = PaginationParser()

    def arguments(self, schema, **kwargs):
        return super().arguments(schema() if isinstance(schema, type) else schema, **kwargs)


def no_content() -> Response:
    """A 204 answer: no body and no Content-Type (flask-smorest would label the empty body JSON,
    which a client that parses JSON by its Content-Type then fails to read)."""
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response
