"""WSGI entry point for a checkout: `gunicorn -k gevent -w 1 wsgi:app` (see `competition serve`)."""
from competition.wsgi import app

__all__ = ["app"]
