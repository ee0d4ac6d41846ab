"""The pages (Jinja templates with small plain-JS modules)."""
from flask import Flask


def init_app(app: Flask) -> None:
    from competition.web import views

    app.register_blueprint(views.bp)
