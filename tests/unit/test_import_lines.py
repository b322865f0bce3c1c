"""How an import file is cut into lines: LF, CRLF and a bare CR all end one, wherever
the reader's chunks happen to split the file; an over-long line is skipped alone."""

from __future__ import annotations

import io

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from complaintcore.desk import importer

LINE = st.binary(max_size=12).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))
EOL = st.sampled_from([b"\n", b"\r\n", b"\r"])


def lines_of(data: bytes, chunk: int, longest: int) -> list[bytes | None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(importer, "_CHUNK", chunk)
        mp.setattr(importer, "MAX_LINE_BYTES", longest)
        return list(importer._raw_lines(io.BytesIO(data)))


@given(st.lists(st.tuples(LINE, EOL), max_size=12), LINE, st.integers(1, 7))
def test_every_line_end_ends_one_line_whatever_the_chunks(
    body: list[tuple[bytes, bytes]], last: bytes, chunk: int
) -> None:
    # a bare CR then an empty line ended by LF reads as one CRLF: no file can say otherwise
    nexts = [*(line + end for line, end in body[1:]), last][: len(body)]
    assume(
        not any(
            end == b"\r" and n.startswith(b"\n") for (_, end), n in zip(body, nexts, strict=True)
        )
    )
    data = b"".join(line + end for line, end in body) + last
    expected: list[bytes | None] = [line + b"\n" for line, _ in body]
    if last:
        expected.append(last)
    assert lines_of(data, chunk, 100) == expected


@given(st.lists(st.tuples(LINE, EOL), min_size=1, max_size=8), st.integers(1, 7))
def test_an_over_long_line_is_skipped_alone(body: list[tuple[bytes, bytes]], chunk: int) -> None:
    """A line over the limit (here 12 bytes) is one ``None``; the lines around it stay."""
    long = b"x" * 13
    data = b"".join(line + end for line, end in body)
    nexts = [*(line + end for line, end in body[1:]), b""]
    assume(
        not any(
            end == b"\r" and n.startswith(b"\n") for (_, end), n in zip(body, nexts, strict=True)
        )
    )
    for end in (b"\n", b"\r\n", b"\r"):
        if end == b"\r" and data.startswith(b"\n"):
            continue
        got = lines_of(long + end + data, chunk, 12)
        assert got == [None, *[line + b"\n" for line, _ in body]]


def test_a_cr_ending_an_over_long_line_at_a_chunk_boundary_still_ends_it() -> None:
    """The CR is the last byte read when the line is found too long: the next line
    must not be taken for the rest of it."""
    data = b"x" * 15 + b"\r" + b"next\r" + b"last"
    assert lines_of(data, 16, 12) == [None, b"next\n", b"last"]
