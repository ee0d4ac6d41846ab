"""HTML error pages for the browser side."""
from __future__ import annotations

from flask import render_template
from werkzeug.exceptions import HTTPException

from competition.api.errors import error_body


def html_error(error: HTTPException):
    body, headers = error_body(error)
    return render_template("error.html", error=body), body["code"], headers
