"""The WSGI application of a serving process (gunicorn): `competition.wsgi:app`.

A serving process also sweeps for standings that other processes left unpublished (broadcaster).
"""
from competition import create_app

app = create_app({"COMPETITION_LIVE_SWEEP": True})
