"""The `competition` command (operations.md, Command line).

It is Flask's command group over the app factory, so `competition db upgrade` (Flask-Migrate),
`competition routes` and `competition shell` come with it; ours are below.
"""
from __future__ import annotations

import os
import sys

import click
from flask.cli import FlaskGroup, with_appcontext

from competition import create_app
from competition.errors import ServiceError
from competition.extensions import db


def _command_app():
    """Commands print their own results; the JSON log shows only warnings unless asked for more."""
    return create_app({"COMPETITION_LOG_LEVEL": os.environ.get("COMPETITION_LOG_LEVEL", "WARNING")})


@click.group(cls=FlaskGroup, create_app=_command_app, add_version_option=False,
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
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"created user {user.username} (id {user.id}, role {role})")


@main.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Recompute every hash chain; exit 1 and name the first tampered entry and its chain if one is broken."""
    from competition.services import audit

    result = audit.verify(db.session)  # type: ignore[arg-type]  # the scoped session stands for a Session
    if result.ok:
        click.echo(f"audit chain ok: {result.entries} entries")
        return
    click.echo(f"audit chain BROKEN: first bad entry is seq {result.first_bad_seq} of the {result.chain} chain "
               f"({result.entries} entries verified before it)", err=True)
    sys.exit(1)


@main.group("occupations")
def occupations_group() -> None:
    """Occupations of the national classification."""


@occupations_group.command("load")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="CSV with columns code,edition,name,levels[,direction] (default: the shipped list).")
@with_appcontext
def occupations_load(path: str | None) -> None:
    """Create or update occupations from a CSV file, matched by code."""
    from competition.services import occupations

    try:
        result = occupations.load_file(path)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"occupations: {result.created} created, {result.updated} updated, "
               f"{result.unchanged} unchanged")


@main.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no users yet (make run).")
@click.option("--simulate", is_flag=True,
              help="Keep the venue busy through the running server (marks, revisions, next contests) until stopped.")
@click.option("--url", default="http://127.0.0.1:5000", show_default=True, help="The server, with --simulate.")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between marks, with --simulate.")
@click.option("--limit", type=int, default=None, help="Stop after this many marks, with --simulate.")
@click.option("--revisions", type=int, default=40, show_default=True,
              help="Corrections per contest once every open aspect is marked, before the next contest starts.")
@with_appcontext
def demo(if_empty: bool, simulate: bool, url: str, interval: float, limit: int | None, revisions: int) -> None:
    """Load the demo contest (clearly marked as demo) and print its sign-in details."""
    from competition import demo as demo_data

    if simulate:
        try:
            from competition.simulate import simulate as simulate_day

            entered = simulate_day(url.rstrip("/"), interval=interval, limit=limit, revisions=revisions,
                                   log=click.echo)
        except (RuntimeError, OSError) as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"simulate: {entered} marks entered")
        return
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
    click.echo("Board: /contests · keep marks coming: competition demo --simulate (or make simulate)")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--worker-connections", default=10_000, show_default=True, type=int)
def serve(host: str, port: int, worker_connections: int) -> None:
    """Serve with gunicorn: one process, gevent worker (websockets and thousands of spectators).

    gunicorn replaces this process, so the application is first imported in the worker, after
    gevent has patched the standard library."""
    click.echo(f"serving on http://{host}:{port}")
    argv = [sys.executable, "-m", "gunicorn", "competition.wsgi:app",
            "--worker-class", "gevent", "--workers", "1", "--worker-connections", str(worker_connections),
            "--bind", f"{host}:{port}", "--timeout", "60", "--graceful-timeout", "10", "--no-control-socket"]
    sys.stdout.flush()
    os.execv(sys.executable, argv)
