"""The JSON API under /api/v1: one blueprint per resource, documented by flask-smorest."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from competition import errors, inputs
from competition.api.schemas import ErrorSchema


class CompetitionApi(Api):
    """flask-smorest's Api, its HTTP errors answered by the one handler (competition.errors), and its
    OpenAPI document built when first asked for (the JSON document, the docs page, `api.spec`) rather
    than at start-up: documenting the views is more than half of `create_app`, and most processes that
    create an app (workers, tests, the command line) never serve the document. The document is the same."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        return errors.respond(error)

    def register_blueprint(self, blp, *, parameters=None, **options):
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, self._app, name, parameters))

    @property  # type: ignore[override]  # flask-smorest's plain attribute, documented on first read
    def spec(self):
        pending, self._undocumented = self._undocumented, []
        for blp, app, name, parameters in pending:  # as flask-smorest's register_blueprint does
            blp.register_views_in_doc(self, app, self._spec, name=name, parameters=parameters)
            self._spec.tag({"name": name, "description": blp.description})
        return self._spec

    @spec.setter
    def spec(self, value) -> None:
        self._spec, self._undocumented = value, []


api = CompetitionApi()


def _body_limit() -> None:
    """Views marked with `large_body` (imports) accept bodies up to the import limit."""
    from flask import current_app, request

    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    handler = getattr(view_class, request.method.lower(), None) if view_class else view
    if getattr(handler, "_large_body", False):
        request.max_content_length = current_app.config["COMPETITION_IMPORT_MAX_BYTES"]


# The only API writes open to anonymous callers.
_PUBLIC_WRITES = frozenset({"auth.Token"})


def _authorise_first() -> None:
    """401/403 before the body is parsed (api.md: an anonymous request for something that needs a user
    is 401, a wrong role 403), so that an empty or malformed body never answers 422 to a caller who may
    not call the operation at all. Views declare their roles with `roles_required` or `login_required`;
    every API write except signing in needs a user. Finer checks (assignment, enterprise) stay in the views."""
    from flask import current_app, request

    from competition.api.access import require_role, require_user

    if not request.path.startswith("/api/v1/") or request.endpoint is None:
        return
    view = current_app.view_functions.get(request.endpoint)
    view_class = getattr(view, "view_class", None)
    handler = getattr(view_class, request.method.lower(), None) if view_class else view
    if handler is None:
        return
    roles = getattr(handler, "_roles", None)
    if roles:
        require_role(*roles)
    elif getattr(handler, "_login", False) or (
            request.method in {"POST", "PUT", "PATCH", "DELETE"} and request.endpoint not in _PUBLIC_WRITES):
        require_user()


def init_app(app: Flask) -> None:
    from competition.api import (
        appeals,
        audit,
        auth,
        certificates,
        contests,
        enterprises,
        events,
        judging,
        live,
        marks,
        occupations,
        people,
        promotions,
        results,
        skill_structure,
        users,
    )

    api.init_app(app, spec_kwargs={})
    # First of all hooks: the CSRF check (security.py) reads request.form, which parses the body with
    # whatever limit is in force at that moment; a browser import over 1 MiB would otherwise be 413.
    app.before_request_funcs.setdefault(None, []).insert(0, _body_limit)
    app.before_request_funcs[None].insert(1, inputs.read_unsized_body)  # a chunked body over the limit: 413
    app.before_request_funcs[None].insert(2, inputs.keep_form_body)  # before the CSRF check reads the form
    app.before_request(_authorise_first)
    app.before_request(inputs.check_request)  # after authorisation: 401/403 come first
    api.ERROR_SCHEMA = None
    errors.init_app(app)
    for module in (auth, users, audit, marks, judging, live, enterprises, occupations, people, contests, results,
                   promotions, certificates, appeals, skill_structure, events):
        api.register_blueprint(module.blp, url_prefix="/api/v1")
