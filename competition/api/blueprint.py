"""The API's blueprint class: flask-smorest's, with each argument schema instantiated once.

Given a schema class, webargs builds an instance on every request, which costs more than parsing a
mark's small body; an instance is reused (the schemas keep no per-request state). The OpenAPI
document is the same either way.
"""
from __future__ import annotations

import flask_smorest
from flask import Response


class Blueprint(flask_smorest.Blueprint):
    def arguments(self, schema, **kwargs):
        return super().arguments(schema() if isinstance(schema, type) else schema, **kwargs)


def no_content() -> Response:
    """A 204 answer: no body and no Content-Type (flask-smorest would label the empty body JSON,
    which a client that parses JSON by its Content-Type then fails to read)."""
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response
