"""Command-line commands: `flask seed-demo`, `flask worker`."""

import click
from flask import Flask


def init_app(app: Flask) -> None:
    from app.outbox.worker import worker_command

    app.cli.add_command(worker_command)

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Load the demo district, accounts and notices (safe to run again)."""
        from app.demo import seed_demo

        summary = seed_demo()
        click.echo(summary)
