"""The `competition` command (operations.md, Command line).

It is Flask's command group over the app factory, so `competition db upgrade` (Flask-Migrate),
`competition routes` and `competition shell` come with it; ours are below.
"""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from competition import create_app
from competition.extensions import db


@click.group(cls=FlaskGroup, create_app=lambda: create_app(), add_version_option=False,
             add_default_commands=True, load_dotenv=False)
def main() -> None:
    """competition: skill contests scored live and turned into grade promotions."""


@main.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["admin", "organizer", "judge", "hr"]))
@click.option("--enterprise-id", type=int, default=None)
@click.option("--display-name", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user(username: str, role: str, enterprise_id: int | None, display_name: str,
                password_stdin: bool) -> None:
    """Create a user, e.g. the first admin."""
    from competition.models import Role
    from competition.services import accounts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(username=username, password=password, role=Role(role),
                                    display_name=display_name, enterprise_id=enterprise_id)
    except accounts.AccountError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"created user {user.username} (id {user.id}, role {role})")


@main.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Recompute the hash chain; exit 1 and name the first tampered entry if it is broken."""
    from competition.services import audit

    result = audit.verify(db.session)
    if result.ok:
        click.echo(f"audit chain ok: {result.entries} entries")
        return
    click.echo(f"audit chain BROKEN: first bad entry is seq {result.first_bad_seq} "
               f"({result.entries} entries verified before it)", err=True)
    sys.exit(1)


@main.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no users yet (make run).")
@with_appcontext
def demo(if_empty: bool) -> None:
    """Load the demo contest (clearly marked as demo) and print its sign-in details."""
    from competition import demo as demo_data

    if not demo_data.database_is_empty():
        if if_empty:
            click.echo("demo: the database already has data; nothing loaded")
            return
        raise click.ClickException("the database is not empty; the demo loads into an empty database")
    made = demo_data.load()
    db.session.commit()
    click.echo("demo loaded (示例数据). Sign in at /login with:")
    for account in made:
        click.echo(f"  {account.username:<16} / {demo_data.DEMO_PASSWORD}   {account.role:<10} {account.note}")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--worker-connections", default=10_000, show_default=True, type=int)
def serve(host: str, port: int, worker_connections: int) -> None:
    """Serve with gunicorn: one process, gevent worker (websockets and thousands of spectators)."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", 1)
            self.cfg.set("worker_class", "gevent")
            self.cfg.set("worker_connections", worker_connections)
            self.cfg.set("timeout", 60)
            self.cfg.set("graceful_timeout", 10)
            self.cfg.set("accesslog", None)

        def load(self):
            return create_app()

    click.echo(f"serving on http://{host}:{port}")
    Server().run()
