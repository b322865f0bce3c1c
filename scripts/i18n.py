"""Keep the message catalogs current: extract, update, compile, check (needs the i18n extra).

    python scripts/i18n.py extract   # src/complaintcore/locale/complaintcore.pot from the code
    python scripts/i18n.py update    # merge it into every <lang>/LC_MESSAGES/complaintcore.po
    python scripts/i18n.py compile   # .po -> .mo in place (what the build hook does)
    python scripts/i18n.py init ja   # start a new language from the template

``update`` keeps existing translations, drops messages the code no longer has,
and leaves new ones untranslated (the tests then name them).  The English
catalog is the source text itself: ``update`` fills it, as GNU ``msgen`` does.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "src" / "complaintcore" / "locale"
POT = LOCALE / "complaintcore.pot"
DOMAIN = "complaintcore"


def pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])  # type: ignore[no-untyped-call]


def extract() -> None:
    LOCALE.mkdir(parents=True, exist_ok=True)
    pybabel(
        "extract",
        "-F", str(ROOT / "pyproject.toml"),
        "-o", str(POT),
        "--add-location=file",
        "--sort-output",
        "--project=complaintcore",
        "--no-wrap",
        "--copyright-holder=complaintcore developers",
        str(ROOT / "src" / "complaintcore"),
    )  # fmt: skip
    _relative_locations(POT)


def _relative_locations(path: Path) -> None:
    """Locations relative to the repository, whatever directory the tool ran in."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f"{ROOT}/", ""), encoding="utf-8")


def update() -> None:
    pybabel(
        "update",
        "-i", str(POT),
        "-d", str(LOCALE),
        "-D", DOMAIN,
        "--ignore-obsolete",
        "--no-fuzzy-matching",
        "--no-wrap",
    )  # fmt: skip
    english = LOCALE / "en" / "LC_MESSAGES" / f"{DOMAIN}.po"
    with english.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        if message.id:
            message.string = message.id
    with english.open("wb") as fh:
        write_po(fh, catalog, width=0)


def compile_catalogs() -> None:
    pybabel("compile", "-d", str(LOCALE), "-D", DOMAIN, "--use-fuzzy")


def init(lang: str) -> None:
    pybabel("init", "-i", str(POT), "-d", str(LOCALE), "-D", DOMAIN, "-l", lang, "--no-wrap")


def main(argv: list[str]) -> None:
    commands = {"extract": extract, "update": update, "compile": compile_catalogs}
    if len(argv) == 2 and argv[0] == "init":
        init(argv[1])
    elif len(argv) == 1 and argv[0] in commands:
        commands[argv[0]]()
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
