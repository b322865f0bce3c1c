"""The command line's words that are not written where they are used.

Every message of the command line is an English message id, marked where it is
written (``ctx.t("…")``, ``N_("…")`` for help texts) and translated through the
catalogs of :mod:`complaintcore.i18n`.  This module holds the rest: the
install hint printed when the ``cli`` extra is missing (it imports neither
click nor rich), and the messages of click itself that the catalogs translate,
so usage errors and help pages read in one language
(:mod:`complaintcore.cli.localize` hands them to click).
"""

from __future__ import annotations

from complaintcore.i18n import N_, NC_, NN_, language_from_env, translator

__all__ = ["CLICK_MESSAGES", "CLICK_PLURALS", "METAVARS", "install_hint"]


def install_hint(module: str | None) -> str:
    """One line for a base install that has no command line."""
    t = translator(language_from_env())
    return t(
        "the complaintcore command line needs the cli extra (missing {module}): "
        "pip install 'complaintcore[cli]'",
        module=module or "click",
    )


CLICK_MESSAGES = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Positional arguments"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("%(prog)s, version %(version)s"),
    N_("default: {default}"),
    N_("required"),
    N_("env var: {var}"),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing command."),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Option {name!r} does not take a value."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{value!r} is not a valid boolean. Recognized values: {states}"),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is not readable."),
    N_("{name} {filename!r} is not writable."),
    N_("file"),
    N_("directory"),
    N_("path"),
    N_("Try '{command} {option}' for help."),
)
"""Click's own messages (its exact msgids) that the catalogs translate.

A test checks each against click's source, so a reworded message in a newer
click is noticed.  Messages click shows only to programmers are left out.
"""

CLICK_PLURALS = (
    NN_("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    NN_("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
    NN_("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    NN_("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
)
"""Click's messages with a plural form (``ngettext``)."""

METAVARS = (
    NC_("metavar", "TEXT"),
    NC_("metavar", "INTEGER"),
    NC_("metavar", "INTEGER RANGE"),
    NC_("metavar", "FLOAT RANGE"),
    NC_("metavar", "ISO-TIME"),
    NC_("metavar", "COMPLAINT_ID"),
    NC_("metavar", "ISSUE"),
    NC_("metavar", "IDS"),
    NC_("metavar", "NAME"),
    NC_("metavar", "VALUE"),
    NC_("metavar", "FILE"),
    NC_("metavar", "PATH"),
    NC_("metavar", "DIRECTORY"),
    NC_("metavar", "DATABASE"),
    NC_("metavar", "HEAD"),
    NC_("metavar", "PERIOD"),
    NC_("metavar", "OPTIONS"),
    NC_("metavar", "COMMAND"),
    NC_("metavar", "ARGS"),
)
"""The words of the placeholders help pages and usage errors show (``TEXT``,
``COMPLAINT_ID``, ``[OPTIONS]``): click's type names and the commands' argument
names, translated with the context ``metavar``
(:func:`complaintcore.cli.localize.speaking`)."""
