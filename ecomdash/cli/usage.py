"""argparse's own words — its usage errors, the usage line's prefix and ``--help``'s section
titles — in the language of ``--lang``.

argparse passes each of its messages to its module's ``_`` / ``ngettext`` (gettext) *before*
it fills in the values (``'invalid %(type)s value: %(value)r'``), so the catalogue translates
the message ids themselves (:data:`MESSAGES`, in ``locales/zh/cli.po``) and the option, the
value typed and the choices are filled into the Chinese sentence exactly as argparse writes
them. That is sturdier than reading argparse's finished English sentence back in an
``error()`` override: a value may hold ``": "`` or ``"("``, and every message argparse says is
covered (a missing argument, an unknown option, a value of the wrong type, an invalid choice,
two options that exclude each other …), with any id we lack (a newer Python's) left English.

The language is read from the command line before parsing (:func:`argv_lang`): an error may
come before argparse reaches ``--lang`` (``ecomdash forecast --horizon abc --lang zh``).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from ecomdash.i18n import DEFAULT_LANG, N_, catalogue

#: argparse's messages a merchant can meet (Python 3.11's ids, as argparse passes them to
#: gettext; ``%``-formatted by argparse after the lookup)
MESSAGES = (
    N_("usage: "),
    N_("options"),
    N_("positional arguments"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("expected %s argument"),
    N_("expected %s arguments"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("ignored explicit argument %r"),
    N_("unexpected option string: %s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
)


def argv_lang(argv: Sequence[str]) -> str:
    """The language ``--lang`` asks for on this command line (``--lang zh`` or ``--lang=zh``,
    the last one winning as in argparse; nothing after ``--``), else English — as ``--lang``'s
    own default, which is English whatever the environment's locale says."""
    lang = DEFAULT_LANG
    items = list(argv)
    for i, item in enumerate(items):
        if item == "--":
            break
        if item == "--lang" and i + 1 < len(items):
            lang = items[i + 1]
        elif item.startswith("--lang="):
            lang = item.partition("=")[2]
    return "zh" if lang == "zh" else DEFAULT_LANG


@contextmanager
def argparse_in(lang: str) -> Iterator[None]:
    """Run a block (building the parser and parsing) with argparse's messages in ``lang``:
    its ``_`` / ``ngettext`` are the catalogue's lookup for the block and restored after. The
    command line is one thread; English changes nothing."""
    if lang == DEFAULT_LANG:
        yield
        return
    words = catalogue(lang)

    def gettext(message: str) -> str:
        return words.get(message, message)

    def ngettext(singular: str, plural: str, n: int) -> str:
        form = singular if n == 1 else plural
        return words.get(form) or words.get(singular) or form

    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = gettext, ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved
