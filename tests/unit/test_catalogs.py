"""The message catalogs: complete, current, compiled, and true to the code they translate.

These tests read the ``.po`` sources with Babel (the ``i18n`` extra, part of the
test install) and the compiled ``.mo`` files with the standard library's
gettext, as complaintcore does at run time.
"""

from __future__ import annotations

import ast
import gettext
import inspect
import re
import string
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

import complaintcore.core
from complaintcore.cli.app import main
from complaintcore.cli.text import CLICK_MESSAGES, CLICK_PLURALS
from complaintcore.core import models, workflow
from complaintcore.core.models import EVENT_TYPES, LabelledEnum
from complaintcore.i18n import LIBRARY_REASONS, SHIPPED_DIR, translator

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "complaintcore"
POT = SHIPPED_DIR / "complaintcore.pot"
LANGUAGES = ("zh_CN", "en")


def po_path(lang: str) -> Path:
    return SHIPPED_DIR / lang / "LC_MESSAGES" / "complaintcore.po"


def load(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def entries(catalog: Catalog) -> Iterator[Message]:
    return (m for m in catalog if m.id)


def key(m: Message) -> tuple[str | None, str | tuple[str, ...]]:
    return m.context, m.id if isinstance(m.id, str) else tuple(m.id)


def fields(text: str) -> set[str]:
    """The ``{fields}`` a brace template fills in (``{value!r}`` → ``value``)."""
    return {
        name.split("!")[0].split(":")[0]
        for _, name, _, _ in string.Formatter().parse(text)
        if name is not None
    }


ZH = load(po_path("zh_CN"), "zh_CN")
EN = load(po_path("en"), "en")
TEMPLATE = load(POT)


# --------------------------------------------------------------------------- complete


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(lang: str) -> None:
    catalog = ZH if lang == "zh_CN" else EN
    untranslated = [
        m.id
        for m in entries(catalog)
        if m.fuzzy
        or not m.string
        or (isinstance(m.string, tuple) and not all(m.string))
        or (isinstance(m.string, tuple) and len(m.string) != catalog.num_plurals)
    ]
    assert untranslated == [], f"{lang}: untranslated, fuzzy or missing plural forms"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_fill_in_the_same_fields(lang: str) -> None:
    """A translation fills in exactly the fields of its message (plural forms: of that form)."""
    catalog = ZH if lang == "zh_CN" else EN
    wrong = []
    for m in entries(catalog):
        if isinstance(m.id, str):
            pairs = [(m.id, m.string)]
        else:  # the last form is the plural one; a language with one form uses only it
            forms = list(m.string)
            ids = [m.id[0]] * (len(forms) - 1) + [m.id[1]]
            pairs = list(zip(ids, forms, strict=True))
        for msgid, text in pairs:
            if fields(text) != fields(msgid):
                wrong.append((msgid, text))
            if "python-format" in m.flags:
                named = re.compile(r"%\((\w+)\)s")
                if set(named.findall(text)) != set(named.findall(msgid)):
                    wrong.append((msgid, text))
    assert wrong == []


def test_the_chinese_catalog_reads_in_chinese() -> None:
    """Messages with letters are translated into text with Chinese characters, not copied."""
    latin_only = re.compile(r"^[^\u4e00-\u9fff]*$")
    copied = [
        m.id
        for m in entries(ZH)
        if isinstance(m.id, str)
        and re.search(r"[A-Za-z]{3}", re.sub(r"\{[^}]*\}|%\(\w+\)s", "", m.id))
        and latin_only.match(str(m.string))
    ]
    assert copied == []


def test_the_enum_labels_in_chinese_are_the_cores_own() -> None:
    """The catalog and the core's ``zh`` labels say the same (they must not drift apart)."""
    by_key = {(m.context, m.id): m.string for m in entries(ZH)}
    enums = [
        cls
        for module in _core_modules()
        for cls in vars(module).values()
        if isinstance(cls, type)
        and issubclass(cls, LabelledEnum)
        and cls is not LabelledEnum
        and cls.__module__ == module.__name__
    ]
    assert len(enums) >= 10
    for enum in enums:
        for member in enum:
            assert by_key.get((enum.__name__, member.en)) == member.zh, (enum, member)


def _core_modules() -> list[object]:
    import importlib
    import pkgutil

    return [
        importlib.import_module(m.name)
        for m in pkgutil.iter_modules(complaintcore.core.__path__, "complaintcore.core.")
    ]


def test_every_event_kind_field_and_command_has_a_label() -> None:
    zh = translator("zh")
    for event in EVENT_TYPES:
        assert zh.event(event.kind) != event.kind.replace("_", " "), event.kind
        for name in inspect.signature(event).parameters:
            if name not in ("at", "actor"):
                assert zh.field(name) != name.replace("_", " "), (event.kind, name)
    commands = [
        c for c in vars(workflow).values()
        if isinstance(c, type) and issubclass(c, workflow.Command) and c is not workflow.Command
    ]  # fmt: skip
    assert len(commands) >= 18
    for command in commands:
        assert zh.command(command.name) != command.name.replace("_", " "), command


# --------------------------------------------------------------------------- current


def _extract(tmp_path: Path) -> Catalog:
    out = tmp_path / "fresh.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(ROOT / "pyproject.toml"), "-o", str(out), str(SRC)]
    )
    return load(out)


def test_the_extraction_is_up_to_date(tmp_path: Path) -> None:
    """Extracting again gives exactly the messages of the template and both catalogs."""
    fresh = {key(m) for m in entries(_extract(tmp_path))}
    assert len(fresh) > 400
    for name, catalog in (("the .pot", TEMPLATE), ("zh_CN", ZH), ("en", EN)):
        committed = {key(m) for m in entries(catalog)}
        assert sorted(fresh - committed, key=str) == [], f"new messages missing in {name}"
        assert sorted(committed - fresh, key=str) == [], f"{name} has messages the code lost"


_MARKERS = {"t", "n", "N_", "NC_", "NN_", "_step", "_nstep", "say"}


def _marked_literals() -> Iterator[tuple[Path, int, str]]:
    """Every string literal the code passes to a translation marker, f-strings included."""
    for path in SRC.rglob("*.py"):
        if path.name == "_extract.py" or path.name == "demo.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name not in _MARKERS:
                continue
            index = 1 if name == "NC_" else 0
            if len(node.args) > index:
                arg = node.args[index]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield path, node.lineno, arg.value


def test_every_message_the_code_translates_is_in_the_catalog() -> None:
    """Also messages Babel cannot see on this Python (inside f-strings)."""
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in entries(TEMPLATE)}
    found = list(_marked_literals())
    assert len(found) > 300
    missing = [
        (str(p.relative_to(ROOT)), line, text) for p, line, text in found if text not in known
    ]
    assert missing == []


# --------------------------------------------------------------------------- compiled


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalogs_are_present_and_match_their_sources(lang: str) -> None:
    """The build compiles .po to .mo; a stale .mo (edit without rebuild) fails here."""
    mo = po_path(lang).with_suffix(".mo")
    assert mo.is_file(), f"{mo} is missing: reinstall (pip install -e .) to compile the catalogs"
    with mo.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    catalog = ZH if lang == "zh_CN" else EN
    stale = []
    for m in entries(catalog):
        if isinstance(m.id, str):
            got = compiled.pgettext(m.context, m.id) if m.context else compiled.gettext(m.id)
            if got != m.string:
                stale.append(m.id)
        else:
            for n, form in ((1, 0), (2, -1)):
                if compiled.ngettext(m.id[0], m.id[1], n) != m.string[form]:
                    stale.append(m.id[0])
    assert stale == [], f"{mo} is older than its .po: reinstall or run scripts/i18n.py compile"


def test_the_build_hook_compiles_what_the_catalogs_say(tmp_path: Path) -> None:
    import shutil
    import sys

    sys.path.insert(0, str(ROOT))
    try:
        from hatch_build import LOCALE, compile_catalogs
    finally:
        sys.path.remove(str(ROOT))
    copy = tmp_path / LOCALE
    shutil.copytree(SHIPPED_DIR, copy, ignore=shutil.ignore_patterns("*.mo"))
    written = compile_catalogs(tmp_path)
    assert sorted(p.parent.parent.name for p in written) == sorted(LANGUAGES)
    with (copy / "zh_CN" / "LC_MESSAGES" / "complaintcore.mo").open("rb") as fh:
        zh = gettext.GNUTranslations(fh)
    assert zh.gettext("no complaints match") == "没有符合条件的投诉"
    assert zh.pgettext("Status", "closed") == "已关闭"

    broken = copy / "zh_CN" / "LC_MESSAGES" / "complaintcore.po"
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text.replace("已写入 {path}", "已写入 {file}"), encoding="utf-8")
    with pytest.raises(ValueError, match="bad translations"):
        compile_catalogs(tmp_path)


# --------------------------------------------------------------------------- true to the code


def _click_messages() -> set[str | tuple[str, str]]:
    """Click's own messages, extracted from the installed click with Babel."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "click.pot"
        sources = [str(Path(click.__file__).with_name(f"{m}.py")) for m in _CLICK_FILES]
        CommandLineInterface().run(["pybabel", "-q", "extract", "-o", str(out), *sources])
        return {m.id if isinstance(m.id, str) else tuple(m.id) for m in entries(load(out))}


_CLICK_FILES = ("core", "types", "exceptions", "parser", "formatting", "decorators")


def _click_literals() -> set[str | tuple[str, str]]:
    """Strings click translates at run time through a variable (``_(extra["required"])``),
    which not every Babel version reports: click's string constants.
    """
    import ast

    found: set[str | tuple[str, str]] = set()
    for m in _CLICK_FILES:
        tree = ast.parse(Path(click.__file__).with_name(f"{m}.py").read_text(encoding="utf-8"))
        found |= {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                  and isinstance(n.value, str)}  # fmt: skip
    return found


def test_the_click_messages_translated_are_clicks_own() -> None:
    """A newer click that rewords one is noticed here (its text would show in English)."""
    theirs = _click_messages() | _click_literals()
    assert [m for m in CLICK_MESSAGES if m not in theirs] == []
    assert [p for p in CLICK_PLURALS if p not in theirs] == []


def test_the_library_reasons_translated_are_the_librarys_own() -> None:
    """Each reason's fixed words appear in the library's source as they are."""
    code = "\n".join(
        p.read_text(encoding="utf-8")
        for p in SRC.rglob("*.py")
        # the demo's run_demo is library API too (docs/demo.md)
        if ("cli" not in p.parts or p.name == "demo.py") and p.name != "i18n.py"
    )
    flat = re.sub(r'"\s*\n\s*(f?)"', "", code)  # implicit concatenation across lines
    for message, _kinds in LIBRARY_REASONS:
        for literal in re.split(r"\{\w+\}", message):
            words = literal.strip()
            if len(words) > 3:
                assert words in flat, (message, words)


def test_every_help_text_of_the_command_line_is_a_translated_message() -> None:
    zh = translator("zh")

    def walk(command: click.Command) -> Iterator[click.Command]:
        yield command
        if isinstance(command, click.Group):
            for sub in command.commands.values():
                yield from walk(sub)

    helps = []
    for command in walk(main):
        assert command.help, command.name
        helps.append(command.help)
        helps += [p.help for p in command.params if isinstance(p, click.Option) and p.help]
    assert len(helps) > 40
    untranslated = [h for h in helps if zh.gettext(h) == h]
    assert untranslated == []


def test_the_models_module_is_what_the_extractor_reads() -> None:
    """The extractor finds the core's enums and events by their base classes' names."""
    source = Path(models.__file__).read_text(encoding="utf-8")
    assert "class LabelledEnum(" in source
    assert "class Event:" in source


_CJK = "[\u3400-\u9fff]"
_HALF_WIDTH = re.compile(rf"{_CJK}[,:;(]|[,:;]{_CJK}|\({_CJK}|{_CJK}\)")


def test_the_chinese_catalog_uses_full_width_punctuation_in_chinese_text() -> None:
    """Review s52R6 F07: a comma, colon, semicolon or bracket next to a Chinese
    character is written full-width (，：；（）), as the rest of the catalog writes it
    (``用法：``, ``延长某一时限，并…``)."""
    half = [
        (m.id, text)
        for m in entries(ZH)
        for text in (m.string if isinstance(m.string, tuple) else (m.string,))
        if _HALF_WIDTH.search(text)
    ]
    assert half == []


def test_help_texts_in_chinese_name_the_placeholders_as_the_usage_line_shows_them() -> None:
    """Review s52R6 F05: a help text that names a placeholder (``NAME``, ``FILE``)
    names it by the translation the usage line shows (``名称``, ``文件``)."""
    placeholders = [m.id for m in entries(ZH) if m.context == "metavar" and isinstance(m.id, str)]
    stale = []
    for m in entries(ZH):
        if m.context == "metavar" or not isinstance(m.id, str):
            continue
        for word in placeholders:
            english = re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])")
            text = str(m.string)
            if english.search(m.id) and english.search(text) and re.search(_CJK, text):
                stale.append((word, m.string))
    assert stale == []
