"""Reference for the throughput benchmark: a bare Flask + Flask-SQLAlchemy endpoint that inserts one
row per request, served exactly like the project (gunicorn, gevent worker, one process).

    REFERENCE_DATABASE_URL=sqlite:////tmp/x.sqlite3 gunicorn -k gevent -w 1 reference_insert_app:app
"""
import os
from datetime import datetime, timezone

from flask import Flask, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["REFERENCE_DATABASE_URL"]
db = SQLAlchemy(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):  # the same SQLite settings as the project
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=10000", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()


class Row(db.Model):
    __tablename__ = "reference_rows"
    id = db.Column(db.Integer, primary_key=True)
    competitor_id = db.Column(db.Integer, nullable=False)
    aspect_code = db.Column(db.String(32), nullable=False)
    value = db.Column(db.String(40), nullable=False)
    at = db.Column(db.DateTime(timezone=True), nullable=False)


with app.app_context():
    db.create_all()


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.put("/marks")
def put_mark():
    body = request.get_json()
    db.session.add(Row(competitor_id=body["competitor_id"], aspect_code=body["aspect_code"], value=str(body["value"]),
                       at=datetime.now(timezone.utc)))
    db.session.commit()
    return {"ok": True}, 201
