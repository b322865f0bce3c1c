"""Rule packs, staff files and desk configuration under fuzzing: library errors only.

A shipped pack, the sample staff file and a full ``complaintcore.toml`` are
mutated at random places -- a value replaced by junk, a key dropped or added --
and loaded; random text is read as TOML and CSV staff files.  Loading either
succeeds or raises a ``ComplaintCoreError`` that names a key path.
"""

from __future__ import annotations

import copy
import math
import tomllib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintcore import ComplaintCoreError, DeskConfig, load_config
from complaintcore.adapters.notify import notifiers_from_config
from complaintcore.adapters.staff import staff_from_csv, staff_from_records, staff_from_toml
from complaintcore.rules import load_pack, load_pack_data, load_pack_text
from tests.fuzz.conftest import INPUTS, fuzz_settings

PACK = tomllib.loads(
    resources.files("complaintcore.rules").joinpath("cn-property.toml").read_text("utf-8")
)
STAFF = tomllib.loads(
    resources.files("complaintcore.data").joinpath("sample-staff.toml").read_text("utf-8")
)
CONFIG: dict[str, Any] = {
    "database": ":memory:",
    "pack": "cn-property",
    "sites": ["sunrise", "riverside"],
    "retry": {"first_delay_seconds": 30, "max_delay_seconds": 3600, "max_attempts": 20},
    "delivery": {"timeout_seconds": 10, "threads": 4, "wait_seconds": 10},
    "limits": {"description": 10_000, "default": 5000},
    "languages": ["zh", "en"],
    "notifiers": {
        "log": True,
        "email": {"host": "127.0.0.1", "port": 25, "sender": "a@example.com", "timeout": 5},
        "webhooks": [{"url": "http://127.0.0.1/hook", "timeout": 2, "reply_timeout": 30}],
    },
}

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([2**63, -(2**63) - 1, 10**400, 0, -1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=10),
    st.sampled_from(["", " ", "\x00", "\ud800", "*", "SYSTEM", "system", "-1d", "99999999mo"]),
    st.lists(st.integers() | st.text(max_size=4), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers() | st.text(max_size=4), max_size=3),
    st.just(math.inf),
)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(base)
    paths = [p for p in _paths(doc) if p]
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(paths))
        parent: Any = doc
        try:
            for step in path[:-1]:
                parent = parent[step]
            how = draw(st.integers(0, 3))
            if how == 0 and isinstance(parent, dict):
                parent.pop(path[-1], None)
            elif how == 1 and isinstance(parent, dict):
                parent[draw(st.text(max_size=6))] = draw(junk)
            else:
                parent[path[-1]] = draw(junk)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed the way there
    return doc


def _library_only(call: Callable[[], object]) -> None:
    message = "(loaded)"
    try:
        call()
    except ComplaintCoreError as exc:
        message = str(exc)
    except Exception as exc:
        pytest.fail(f"{type(exc).__name__} escaped: {exc!r}"[:400])
    assert message


@fuzz_settings(200)
@given(doc=mutated(PACK))
def test_a_mutated_rule_pack_loads_or_names_its_problems(doc: dict[str, Any]) -> None:
    INPUTS["packs"] += 1
    _library_only(lambda: load_pack_data(doc, "fuzz"))


@fuzz_settings(200)
@given(doc=mutated(STAFF), pack=st.booleans())
def test_a_mutated_staff_file_loads_or_names_its_problems(doc: dict[str, Any], pack: bool) -> None:
    INPUTS["staff files"] += 1
    with_pack = load_pack("cn-property") if pack else None
    _library_only(lambda: staff_from_records(doc.get("staff", []), pack=with_pack))
    _library_only(lambda: staff_from_records(doc))  # type: ignore[arg-type]


@fuzz_settings(200)
@given(doc=mutated(CONFIG))
def test_a_mutated_desk_configuration_loads_or_names_its_problems(doc: dict[str, Any]) -> None:
    INPUTS["configs"] += 1
    _library_only(lambda: DeskConfig.from_mapping(doc))
    _library_only(lambda: notifiers_from_config(doc.get("notifiers", {}), environ={}))


text = st.text(st.characters(codec=None, exclude_categories=()), max_size=200)


@fuzz_settings(200)
@given(
    body=st.one_of(
        text,
        st.lists(text.map(lambda t: t.replace("\n", " ")), max_size=6).map(
            lambda rows: "staff_id,name,role,rung,department,site,duty\n" + "\n".join(rows)
        ),
    )
)
def test_any_text_as_a_staff_file_pack_or_config(
    body: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    INPUTS["texts"] += 4
    _library_only(lambda: staff_from_csv(body))
    _library_only(lambda: staff_from_toml(body))
    _library_only(lambda: load_pack_text(body, "fuzz"))
    path: Path = tmp_path_factory.mktemp("config") / "complaintcore.toml"
    path.write_text(body, encoding="utf-8", errors="surrogatepass")
    _library_only(lambda: load_config(path))
