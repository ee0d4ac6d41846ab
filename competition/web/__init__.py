"""The pages (Jinja templates with small plain-JS modules)."""
from flask import Flask


def init_app(app: Flask) -> None:
    from competition.web import (
        admin,
        appeals,
        certificates,
        events,
        hr,
        hr_structure,  # noqa: F401  (adds its views to the hr and admin blueprints)
        live_pages,
        organize,
        views,
    )

    app.register_blueprint(views.bp)
    app.register_blueprint(live_pages.bp)
    app.register_blueprint(hr.bp)
    app.register_blueprint(certificates.bp)
    app.register_blueprint(appeals.bp)
    app.register_blueprint(organize.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(events.bp)
