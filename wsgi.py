"""WSGI entry point: `gunicorn -k gevent -w 1 wsgi:app` (see `competition serve`)."""
from competition import create_app

app = create_app()
