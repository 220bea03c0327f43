"""A CLI in the style of click's "complex" example: a context class passed
with make_pass_decorator, commands loaded from complex/commands on demand."""
import os

import click


class Environment:
    def __init__(self):
        self.verbose = False
        self.home = os.getcwd()

    def log(self, msg):
        click.echo(msg)

    def vlog(self, msg):
        if self.verbose:
            self.log("[verbose] " + msg)


pass_environment = click.make_pass_decorator(Environment, ensure=True)
COMMANDS = os.path.join(os.path.dirname(__file__), "commands")


class ComplexCLI(click.MultiCommand):
    def list_commands(self, ctx):
        return sorted(name[4:-3] for name in os.listdir(COMMANDS)
                      if name.startswith("cmd_") and name.endswith(".py"))

    def get_command(self, ctx, name):
        try:
            mod = __import__("complex.commands.cmd_" + name, None, None, ["cli"])
        except ImportError:
            return None
        return mod.cli


@click.command(cls=ComplexCLI)
@click.option("-v", "--verbose", is_flag=True, help="Enables verbose mode.")
@pass_environment
def cli(ctx, verbose):
    """A complex command line interface."""
    ctx.verbose = verbose


@click.group()
def tools():
    """Small tools."""


@tools.command()
def version():
    click.echo("version v1")
