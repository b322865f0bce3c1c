"""The command line under fuzzing: files and arguments never give a traceback.

Argument vectors for every command -- with plausible and hostile values,
times at the ends of the calendar, full-width digits, huge numbers -- and
``receive --file`` with hostile files in every encoding end with a documented
exit status and one line (or one JSON document), never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from complaintcore.cli import main
from tests.fuzz.conftest import INPUTS, fuzz_settings
from tests.fuzz.test_fuzz_files import Case, files

DOCUMENTED = {0, 1, 2, 3, 4, 5}
NOW = "2025-11-14T17:30"

arg = st.text(st.characters(exclude_characters="\x00", codec="utf-8"), max_size=24)
times = st.one_of(
    arg,
    st.sampled_from(
        [
            "0001-01-01T00:00",
            "9999-12-31T23:59",
            "2025-11-14T17:30",
            "２０２５-１１-１４T１７:３０",
            "2025-11-14T17:30+14:00",
            "1969-12-31T23:59:59-12:00",
        ]
    ),
)
numbers = st.one_of(arg, st.integers().map(str), st.sampled_from(["99999999999999999999", "１-１"]))


def invoke(config: Path, *args: str) -> Result:
    return CliRunner().invoke(
        main, ["--lang", "en", "--config", str(config), *args], env={"COMPLAINTCORE_NOW": NOW}
    )


def no_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code in DOCUMENTED
    assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("cli-fuzz")
    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    config = root / "complaintcore.toml"
    result = invoke(
        config,
        "receive",
        *("--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201"),
        *("--site", "sunrise", "--summary", "楼上漏水", "--receiver", "SR-103", "--json"),
    )
    return config, json.loads(result.stdout)["id"]


@st.composite
def argvs(draw: st.DrawFn) -> list[str]:
    cid = draw(st.sampled_from(["{id}", "C-nope"]) | arg)
    actor = draw(st.sampled_from(["SR-201", "sr-201", "ｓｒ-201", "system", "SR-301"]) | arg)
    which = draw(st.integers(0, 17))
    if which == 0:
        args = ["receive"]
        for opt in ("--name", "--phone", "--room", "--site", "--summary", "--receiver"):
            args += [opt, draw(arg)]
        for opt in ("--location", "--account"):
            if draw(st.booleans()):
                args += [opt, draw(arg)]
        args += ["--received-at", draw(times)]
        args += ["--target-staff-id", draw(st.sampled_from(["SR-301", "sr-３01 ", ""]) | arg)]
    elif which == 1:
        args = ["act", cid, "reply", "--actor", actor, "--message", draw(arg)]
    elif which == 2:
        args = ["act", cid, "promise", "--actor", actor, "--due", draw(times)]
    elif which == 3:
        args = ["show", cid, "--as", actor]
    elif which == 4:
        args = ["list", "--limit", draw(numbers), "--site", draw(arg)]
    elif which == 5:
        args = ["report", "--month", draw(numbers), "--format", "csv"]
    elif which == 6:
        args = ["--now", draw(times), "sweep"]
    elif which == 7:
        args = ["act", cid, "evidence", "--actor", actor, "--reference", draw(arg)]
    elif which == 8:
        args = ["receive", "--file", draw(arg), "--encoding", draw(arg)]
    elif which == 9:
        args = ["show", cid, "--as", actor, "--purpose", draw(arg)]
    elif which == 10:
        args = ["audit", "--complaint", cid, "--actor", actor, "--since", draw(times)]
        args += ["--limit", draw(numbers)]
    elif which == 11:
        args = ["outbox", draw(st.sampled_from(["list", "retry", "drop"]) | arg), draw(numbers)]
        args += draw(st.sampled_from([[], ["--all-dead"], ["--reason", "x"], ["--pending"]]))
    elif which == 12:
        args = ["verify", "--expect", draw(arg | st.sampled_from(["0:", "1:" + "f" * 64]))]
    elif which == 13:
        args = ["act", cid, "cause", "--actor", actor, "--cause", draw(arg)]
        args += ["--corrective", draw(arg), "--preventive", draw(arg)]
    elif which == 14:
        owner = draw(st.sampled_from(["SR-201", "ｓｒ-201 ", "SR-999", "system"]) | arg)
        args = ["act", cid, "add-measure", "--actor", actor, "--owner", owner]
        args += ["--kind", draw(st.sampled_from(["corrective", "preventive"]) | arg)]
        args += ["--action", draw(arg), "--due", draw(times), "--department", draw(arg)]
    elif which == 15:
        measure = draw(st.sampled_from(["M1", "m1", "M9", "M99999999999999999999"]) | arg)
        args = ["act", cid, "complete-measure", "--actor", actor, "--measure", measure]
        args += ["--result", draw(arg)]
    elif which == 16:
        fmt = draw(st.sampled_from(["csv", "json", "table", "html"]) | arg)
        args = ["report", "--month", draw(numbers | st.just("2025-11")), "--staff"]
        args += ["--format", fmt]
    else:
        args = [draw(arg), draw(arg), draw(arg)]
    if draw(st.booleans()):
        args.append("--json")
    return args


@fuzz_settings(150)
@given(argv=argvs())
def test_no_argument_gives_a_traceback(desk: tuple[Path, str], argv: list[str]) -> None:
    config, cid = desk
    INPUTS["cli argument vectors"] += 1
    result = invoke(config, *(a.replace("{id}", cid) for a in argv))
    no_traceback(result)
    if "--json" in argv and result.exit_code:
        assert json.loads(result.stdout)["error"]["code"] == result.exit_code


@fuzz_settings(30)
@given(case=files(), json_out=st.booleans())
def test_no_file_gives_a_traceback_and_every_good_row_is_stored(
    desk: tuple[Path, str], case: Case, json_out: bool
) -> None:
    config, _ = desk
    fmt, written, asked, content, good, rows = case
    path = config.parent / f"in.{fmt}"
    path.write_bytes(content)
    INPUTS["cli file rows"] += rows
    args = ["receive", "--file", str(path), "--no-route"]
    if asked is not None:
        args += ["--encoding", asked]
    result = invoke(config, *args, "--json")
    no_traceback(result)
    doc = json.loads(result.stdout)
    if "rows" not in doc:  # a header the fuzzing broke: the file is refused whole
        assert doc["error"]["code"] == 1
        return
    outcome = {r["line"]: r["outcome"] for r in doc["rows"]}
    if asked is not None or doc["encoding"] == written:
        assert all(outcome.get(line) in ("stored", "duplicate") for line in good), outcome
    assert doc["stored"] + doc["duplicated"] + len(doc["rejected"]) == len(doc["rows"])
