"""The ``ecomdash`` command line: the same core and store as the app, for scripts and schedules.

Subcommands live in the modules of this package; each module that defines
``register(subparsers)`` is discovered and adds its own subcommands.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from ecomdash.cli.common import LANGS
from ecomdash.errors import EcomdashError
from ecomdash.i18n import _


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser, its helps in the current language (``cli.main`` builds it
    in ``--lang``'s), wrapped by terminal columns in Chinese (``usage.help_formatter``)."""
    parser = argparse.ArgumentParser(
        prog="ecomdash",
        formatter_class=_formatter(),
        description=_(
            "Analytics for e-commerce order exports (datasets are kept in $ECOMDASH_HOME)."
        ),
    )
    parser.add_argument(
        "--workspace",
        default="local",
        help=_("merchant workspace to act in (default: local, the single-merchant workspace)"),
    )
    _engine_args(parser, default=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser = _with_workspace(sub.add_parser)
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if mod.name == "common":
            continue
        module = importlib.import_module(f"{__name__}.{mod.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    # --lang before the command too (ecomdash --lang zh forecast …, ecomdash --lang zh --help);
    # not in `ecomdash --help`: each command's own --lang is the one documented
    parser.add_argument(
        "--lang",
        choices=LANGS,
        default=argparse.SUPPRESS,
        action=_LangBeforeCommand,
        commands=sub,
        help=argparse.SUPPRESS,
    )
    return parser


class _LangBeforeCommand(argparse.Action):
    """``--lang`` before the command: it becomes the default of the command's own ``--lang``,
    so one given after the command wins, as the last ``--lang`` does (``usage.argv_lang``,
    which chose the language the parser was built in). argparse parses the command's options
    into a namespace of their own, defaults included, so setting ``lang`` here alone would
    be overwritten by the command's default ``en``."""

    def __init__(self, option_strings, dest, *, commands, **kwargs):
        super().__init__(option_strings, dest, **kwargs)
        self.commands = commands

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        for command in self.commands.choices.values():
            command.set_defaults(lang=values)


def _formatter() -> type[argparse.HelpFormatter]:
    from ecomdash.cli.usage import help_formatter
    from ecomdash.i18n import get_lang

    return help_formatter(get_lang())


def _engine_args(p: argparse.ArgumentParser, default) -> None:
    p.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        default=default,
        help=_("engine that runs the queries (default: $ECOMDASH_ENGINE, else duckdb)"),
    )
    p.add_argument(
        "--spark-remote",
        metavar="URL",
        default=default,
        help=_(
            "with --engine spark: sc://host:15002 (Spark Connect) or local[*] "
            "(default: $ECOMDASH_SPARK_REMOTE, else local[*])"
        ),
    )


@contextmanager
def _engine_environment(args: argparse.Namespace) -> Iterator[None]:
    """``--engine`` / ``--spark-remote`` in force for the command as ``ECOMDASH_ENGINE`` /
    ``ECOMDASH_SPARK_REMOTE`` (the models that pick their engine read those: MLlib ALS and
    KMeans), restored afterwards."""
    import os

    wanted = {
        "ECOMDASH_ENGINE": getattr(args, "engine", None),
        "ECOMDASH_SPARK_REMOTE": getattr(args, "spark_remote", None),
    }
    saved = {k: os.environ.get(k) for k in wanted}
    try:
        for k, v in wanted.items():
            if v is not None:
                os.environ[k] = v
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _with_workspace(add_parser):
    """Every subcommand also accepts --workspace, --engine and --spark-remote after its name
    (ecomdash kpis --workspace X --engine spark)."""

    def add(*args, **kwargs):
        kwargs.setdefault("formatter_class", _formatter())
        p = add_parser(*args, **kwargs)
        p.add_argument(
            "--workspace",
            default=argparse.SUPPRESS,
            help=_("merchant workspace to act in (default: local)"),
        )
        _engine_args(p, default=argparse.SUPPRESS)
        return p

    return add


def main(argv: Sequence[str] | None = None) -> int:
    from ecomdash.cli.usage import argparse_in, argv_lang
    from ecomdash.i18n import use_lang

    # argparse's usage errors and --help in --lang's language, and so the refusals of our own
    # option types (a date, --lines): argparse may refuse before it reaches --lang
    lang = argv_lang(sys.argv[1:] if argv is None else argv)
    with use_lang(lang), argparse_in(lang):
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 1
    try:
        with _engine_environment(args):
            return int(args.func(args) or 0)
    except EcomdashError as exc:
        print(_error_line(exc, getattr(args, "lang", None)), file=sys.stderr)
        return 2
    except BrokenPipeError:  # `ecomdash ... | head`: the reader went away; not an error
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        from ecomdash.i18n import _, use_lang

        with use_lang(getattr(args, "lang", None)):
            print(_("ecomdash: interrupted; nothing was saved."), file=sys.stderr)
        return 130


def _error_line(exc: EcomdashError, lang: str | None) -> str:
    """The refusal as stderr says it, in ``--lang``'s language (stderr is read by a person,
    with ``--json`` too) when its message is one the app translates (a :class:`Note`: an unknown
    dataset, a bad parameter, too little data …); a message built in English only stays
    English. argparse's own usage errors come earlier (``main``: in ``--lang``'s language
    too, ``ecomdash.cli.usage``)."""
    from ecomdash.i18n import _, use_lang
    from ecomdash.i18n.note import translated

    with use_lang(lang):
        return _("ecomdash: {message}", message=translated(exc))
