"""What benchmark 6 leaves for a mark's own work: the instructions of a bare Flask + Flask-SQLAlchemy
endpoint that runs as many statements as a mark does and nothing else, against the reference insert.

    .venv/bin/python bench/statement_floor.py [--requests 100]

A mark runs twelve statements in one transaction (six reads: the token's user, the contest, the
judge's seat, the competitor with its lock, its marks, the audit chain's head; two inserts: the
revision and the audit entry; three updates: the mark, the standings, the head; plus the mark's own
insert or update counted among them). This endpoint runs the same shape on a table of its own, by
primary-key and indexed lookups, once through SQLAlchemy Core (statements built once, as the
project's hot path does) and once straight on the DBAPI cursor, with no authentication, validation,
computation or audit. Counted by callgrind in process through Flask's test client, as
bench/mark_instructions.py counts a mark, so the figures compare with its 6′ figures. Needs valgrind.

This is not one of the six benchmarks and has no target: the last line is the reference's
instructions over the Core endpoint's, the ratio benchmark 6 would reach if a mark were only its
statements.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import callgrind_count, instructions  # noqa: E402

READS, INSERTS, UPDATES = 6, 2, 4  # twelve, as a mark (its own insert-or-update counted as an update)
ROWS = 200


def floor_app(database_url: str, raw: bool):
    from flask import Flask, request
    from flask_sqlalchemy import SQLAlchemy
    from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, bindparam, event, insert, select, update
    from sqlalchemy.engine import Engine

    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url
    db = SQLAlchemy(app)

    @event.listens_for(Engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):  # the project's SQLite settings, as the reference
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=10000", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    rows = Table("floor_rows", MetaData(), Column("id", Integer, primary_key=True),
                 Column("k", Integer, nullable=False, index=True), Column("value", String(40), nullable=False),
                 Column("at", DateTime(timezone=True), nullable=False))
    with app.app_context():
        rows.metadata.create_all(db.engine)
        with db.engine.begin() as connection:
            connection.execute(insert(rows), [{"k": k, "value": "0", "at": datetime.now(timezone.utc)}
                                              for k in range(ROWS)])

    read = select(rows.c.id, rows.c.value).where(rows.c.k == bindparam("k"))
    add = insert(rows).returning(rows.c.id)
    change = update(rows).where(rows.c.id == bindparam("row_id")).values(value=bindparam("value"))

    @app.put("/marks")
    def put_mark():
        body = request.get_json()
        k, value, at = body["k"], str(body["value"]), datetime.now(timezone.utc)
        connection = db.session.connection()
        if raw:
            cursor = connection.connection.driver_connection.cursor()
            for n in range(READS):
                cursor.execute("SELECT id, value FROM floor_rows WHERE k = ?", ((k + n) % ROWS,)).fetchone()
            for _ in range(INSERTS):
                cursor.execute("INSERT INTO floor_rows (k, value, at) VALUES (?, ?, ?) RETURNING id",
                               (ROWS + k, value, at.isoformat(" "))).fetchone()
            for n in range(UPDATES):
                cursor.execute("UPDATE floor_rows SET value = ? WHERE id = ?", (value, 1 + (k + n) % ROWS))
        else:
            for n in range(READS):
                connection.execute(read, {"k": (k + n) % ROWS}).first()
            for _ in range(INSERTS):
                connection.execute(add, {"k": ROWS + k, "value": value, "at": at}).scalar_one()
            for n in range(UPDATES):
                connection.execute(change, {"row_id": 1 + (k + n) % ROWS, "value": value})
        db.session.commit()
        return {"ok": True}, 201

    return app


def side(name: str, folder: Path, requests: int) -> None:
    database_url = f"sqlite:///{folder / name}.sqlite3"
    if name == "reference":
        os.environ["REFERENCE_DATABASE_URL"] = database_url
        from reference_insert_app import app
    else:
        app = floor_app(database_url, raw=name == "dbapi")
    client = app.test_client()

    def request(n: int) -> None:
        body = {"k": n % 50, "aspect_code": f"M{n % 20:03d}", "competitor_id": n % 50, "value": "5.5"}
        response = client.put("/marks", json=body)
        assert response.status_code == 201, response.get_data(as_text=True)

    callgrind_count(request, requests)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--side", choices=("reference", "core", "dbapi"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        side(args.side, args.folder, args.requests)
        return 0
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is needed: apt-get install -y valgrind")
    folder = Path(tempfile.mkdtemp(prefix="bench-floor-"))
    figures = {name: instructions(Path(__file__), name, folder, "--requests", args.requests)
               for name in ("reference", "core", "dbapi")}
    print(json.dumps({"reference_per_request": figures["reference"], "core_12_statements": figures["core"],
                      "dbapi_12_statements": figures["dbapi"], "requests": args.requests}))
    budget = 2 * figures["reference"]
    print(f"benchmark 6's target allows {budget / 1e6:.2f} M instructions per mark; twelve statements and "
          f"the commit take {figures['core'] / 1e6:.2f} M through SQLAlchemy Core, "
          f"{figures['dbapi'] / 1e6:.2f} M on the DBAPI cursor")
    print(f"{figures['reference'] / figures['core']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
