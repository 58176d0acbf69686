"""Command-line commands: `flask seed-demo`."""

import click
from flask import Flask


def init_app(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Load the demo district, accounts and notices (safe to run again)."""
        from app.demo import seed_demo

        summary = seed_demo()
        click.echo(summary)
