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


#: punctuation a line never starts with (it closes what is before it) or ends with (it opens
#: what follows)
_CLOSERS = frozenset("，。、；：！？）》」』】”’,.;:!?)]%")
_OPENERS = frozenset("（《「『【“‘([")
_NBSP = "\u00a0"


def _tokens(text: str) -> list[tuple[str, bool]]:
    """``text`` as ``(token, space before it)``: a Chinese character (or full-width mark) is a
    token of its own, a run of other characters is one (an option, a value, a figure with
    its no-break spaces); the plain spaces between them are where a line may break."""
    from ecomdash.text_width import is_wide

    out: list[tuple[str, bool]] = []
    space = False
    for ch in text:
        if ch == " ":
            space = True
        elif is_wide(ch) or not out or space or is_wide(out[-1][0][-1]):
            out.append((ch, space))
            space = False
        else:
            out[-1] = (out[-1][0] + ch, out[-1][1])
    return out


def _may_break(before: tuple[str, bool], after: tuple[str, bool]) -> bool:
    """May a line end between these two tokens? At a space; between Chinese characters (or a
    Chinese character and a Latin word) unless a no-break space glues them (``例如 14 天``), a
    closing mark would start the line or an opening one end it."""
    from ecomdash.text_width import is_wide

    a, b = before[0], after[0]
    if a.endswith(_NBSP) or b.startswith(_NBSP) or b[0] in _CLOSERS or a[-1] in _OPENERS:
        return False
    return after[1] or is_wide(a[-1]) or is_wide(b[0])


def wrap_columns(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal columns (a Chinese character takes two:
    :func:`ecomdash.text_width.text_width`), broken where :func:`_may_break` allows — never
    inside an option or a value (``spring_festival,double_11``) as ``textwrap`` by characters
    did; a token wider than the line stays whole."""
    from ecomdash.text_width import text_width

    def shown(tokens) -> str:
        return "".join((" " if space and i else "") + t for i, (t, space) in enumerate(tokens))

    lines: list[str] = []
    line: list[tuple[str, bool]] = []
    for tok in _tokens(text):
        if line and text_width(shown([*line, tok])) > width:
            cut = next(
                (i for i in range(len(line), 0, -1) if _may_break(line[i - 1], [*line, tok][i])),
                None,
            )
            if cut is not None:
                lines.append(shown(line[:cut]))
                line = line[cut:]
        line.append(tok)
    if line:
        lines.append(shown(line))
    return lines


class ColumnsHelpFormatter(argparse.HelpFormatter):
    """argparse's help formatter for Chinese: the helps and descriptions wrapped by terminal
    columns (:func:`wrap_columns`; ``textwrap`` counts a Chinese character as one column and
    breaks inside words: ``doub`` / ``le_11``), the usage line too (:meth:`_format_usage`),
    and the section titles closed by a full-width colon as the usage's ``用法：`` is
    (``选项：``, ``位置参数：``; argparse writes ``选项:``)."""

    class _Section(argparse.HelpFormatter._Section):
        def format_help(self) -> str:
            out = super().format_help()
            if self.heading is None or self.heading is argparse.SUPPRESS:
                return out
            # argparse writes the heading first, as "{heading}:\n"
            return out.replace(f"{self.heading}:\n", f"{self.heading}：\n", 1)

    def _format_usage(self, usage, actions, groups, prefix) -> str:
        """The usage line wrapped by terminal columns: argparse lays it out by ``len()``,
        which counts ``用法：`` as three columns where a terminal shows six, so its lines ran
        three columns past the width and the continuation lines stood three columns left of
        the first one's options. argparse lays it out here with an ASCII stand-in as wide as
        the prefix is on a terminal, which is then put back; the rest of the line (the
        command, option names, metavars, choices) is ASCII, one column a character."""
        from ecomdash.text_width import text_width

        if prefix is None:
            prefix = argparse._("usage: ")  # the catalogue's while parsing (argparse_in)
        stand_in = "\0" * int(text_width(prefix))
        laid_out = super()._format_usage(usage, actions, groups, stand_in)
        return laid_out.replace(stand_in, prefix, 1)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap_columns(self._whitespace_matcher.sub(" ", text).strip(), width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        text = self._whitespace_matcher.sub(" ", text).strip()
        return "\n".join(indent + line for line in wrap_columns(text, width - len(indent)))


def help_formatter(lang: str) -> type[argparse.HelpFormatter]:
    """The help formatter of ``lang``: argparse's own in English (its ``--help`` unchanged),
    :class:`ColumnsHelpFormatter` in Chinese."""
    return argparse.HelpFormatter if lang == DEFAULT_LANG else ColumnsHelpFormatter
