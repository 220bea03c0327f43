"""click across in-place reloads (fw_click), on Debian's python3-click: the
"complex"-style CLI of testdata/frameworks/click invoked in-process again
and again by a long-running driver (harness.py), one edit between calls."""

import unittest

from .fwapps import app_files
from .fwcheck import need
from .harness import run

SETUP = r'''
from click.testing import CliRunner
import complex.cli
from complex.cli import cli, tools
runner = CliRunner()
import click


# A group of the driver's own (outside the reloaded package: never run again)
# over the package's commands, with a pass decorator of its own: its closure
# holds the class (the package's pass_environment is made again with the class).
pass_env = click.make_pass_decorator(complex.cli.Environment, ensure=True)


@click.command(cls=complex.cli.ComplexCLI)
@click.option("-v", "--verbose", is_flag=True)
@pass_env
def main_cli(env, verbose):
    env.verbose = verbose


@tools.command()
def ping():
    click.echo("ping")


def call(group, *args):
    result = runner.invoke(group, list(args))
    return result.output.strip().replace("\n", " | ") + ("" if result.exit_code == 0 else " !%d" % result.exit_code)


def step(rel, old, new):
    change(rel, old, new)
    return reload("complex", mode="inplace")

'''


@need("click")
class ClickTests(unittest.TestCase):
    maxDiff = None

    def test_pass_decorator_commands_and_options(self):
        result, _, err = run(app_files("click"), SETUP + r'''
seen = {"first": call(cli, "-v", "status")}
envs = [complex.cli.Environment]  # in a list: the engine rebinds module globals
rep = step("complex/commands/cmd_status.py", '"status v1"', '"status v2"')
seen["body"] = [errors(rep), call(cli, "-v", "status")]
rep = step("complex/cli.py", "class Environment:\n", "class Environment:\n    LABEL = 'env v2'\n")
seen["class_data"] = [errors(rep), call(cli, "-v", "status"), complex.cli.Environment is envs[0]]
rep = step("complex/cli.py", "class Environment:", "class Environment(dict):")
seen["class_layout"] = [errors(rep), call(cli, "-v", "status"), call(cli, "status"),
                        call(main_cli, "-v", "status"),
                        complex.cli.Environment is envs[0]]
rep = step("complex/commands/cmd_status.py", '@pass_environment\ndef cli(ctx):',
           '@click.option("--shout", is_flag=True)\n@pass_environment\ndef cli(ctx, shout):\n    ctx.vlog("shout %s" % shout)')
seen["option"] = [errors(rep), call(cli, "-v", "status", "--shout")]
rep = step("complex/cli.py", '@tools.command()\ndef version():',
           '@tools.command()\ndef hello():\n    click.echo("hello v2")\n\n\n@tools.command()\ndef version():')
seen["command"] = [errors(rep), call(tools, "hello"), call(tools, "version")]
rep = step("complex/cli.py", '@click.group()\ndef tools():', '@click.group(help="Tools v2.")\ndef tools():')
seen["group"] = [errors(rep), call(tools, "hello"), call(tools, "version"), call(tools, "ping"),
                 complex.cli.tools.help]
rep = step("complex/commands/cmd_status.py", '"status v2"', '"status v3" +')
seen["syntax"] = [rep["rolled_back"], call(cli, "-v", "status")]
RESULT.update(seen=seen)
''')
        seen = result["seen"]
        self.assertEqual(seen["first"], "status v1 | [verbose] bla bla bla")
        self.assertEqual(seen["body"], [None, "status v2 | [verbose] bla bla bla"])
        self.assertEqual(seen["class_data"], [None, "status v2 | [verbose] bla bla bla", True])
        self.assertEqual(seen["class_layout"], [None, "status v2 | [verbose] bla bla bla",
                                                "status v2", "status v2 | [verbose] bla bla bla",
                                                False])
        self.assertEqual(seen["option"], [None, "[verbose] shout True | status v2 | "
                                                "[verbose] bla bla bla"])
        self.assertEqual(seen["command"], [None, "hello v2", "version v1"])
        self.assertEqual(seen["group"], [None, "hello v2", "version v1", "ping", "Tools v2."])
        self.assertEqual(seen["syntax"], [True, "[verbose] shout False | status v2 | "
                                                "[verbose] bla bla bla"])


if __name__ == "__main__":
    unittest.main()
