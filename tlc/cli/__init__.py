"""The ``tlc`` command: a thin layer that parses, calls the pipeline and renders.

Each command lives in its own module of this package. Heavy imports (OpenCV,
NumPy, matplotlib) happen inside the commands, so that ``tlc --help`` starts
fast. Only :func:`main` turns :class:`tlc.errors.TlcError` into exit codes.
"""

from __future__ import annotations

import os
import sys

import click

from tlc import __version__

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="tlc")
def cli() -> None:
    """Drug checking by thin-layer chromatography (TLC / CCM).

    Analyse a photo of a developed plate, identify its spots against reference
    lanes and the reference library, and print a plain-language result card.

    \b
    Example:
      tlc analyse plate.jpg --lanes S1,cocaine,caffeine
    """


def _register() -> None:
    from tlc.cli import analyse, card, config, evaluate, references, synth

    for module in (analyse, references, synth, evaluate, card, config):
        cli.add_command(module.command)


_register()


def main(argv: list[str] | None = None) -> None:
    """Run the command line; errors become one line on stderr and an exit code.

    Exit codes: 0 done; 2 bad usage or an unreadable/invalid input file;
    3 the image was read but could not be analysed; 1 an internal error.
    """
    from tlc.errors import TlcError

    try:
        # Without standalone mode click returns, rather than raises, the
        # status of `ctx.exit(n)` (and returns 0 after --help or --version).
        rc = cli.main(args=argv, prog_name="tlc", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("tlc: interrupted", err=True)
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        # Usage errors keep click's own message and exit status 2.
        exc.show()
        sys.exit(2 if exc.exit_code in (1, 2) else exc.exit_code)
    except TlcError as exc:
        click.echo(f"tlc: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("tlc: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # `tlc ... | head`: the reader went away; nothing to report.
        sys.stderr.close()
        sys.exit(0)
    except Exception as exc:
        if os.environ.get("TLC_DEBUG"):
            raise
        click.echo(
            f"tlc: internal error: {type(exc).__name__}: {exc} "
            "(please report it; set TLC_DEBUG=1 to see the details)",
            err=True,
        )
        sys.exit(1)
    sys.exit(rc if isinstance(rc, int) else 0)
