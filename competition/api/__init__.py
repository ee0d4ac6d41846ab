"""The JSON API under /api/v1: one blueprint per resource, documented by flask-smorest."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from competition.api.errors import json_error, register_database_error_handlers, wants_json


class CompetitionApi(Api):
    """flask-smorest's Api with the error body of api.md, and HTML errors for pages."""

    def handle_http_exception(self, error):
        if wants_json():
            return json_error(error)
        from competition.web.errors import html_error

        return html_error(error)


api = CompetitionApi()


def init_app(app: Flask) -> None:
    from competition.api import audit, auth, users

    api.init_app(app, spec_kwargs={})
    api.ERROR_SCHEMA = None
    register_database_error_handlers(app)
    for module in (auth, users, audit):
        api.register_blueprint(module.blp, url_prefix="/api/v1")
