"""The HTML report opened in headless Chromium: the screenshot is not blank (IMP-2)."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from complaintcore.cli import main

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and raw RGB(A) rows of an 8-bit PNG (enough for a screenshot)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    height = channels = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8
            channels = {2: 3, 6: 4}[colour]
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, rows


@pytest.mark.procedure("IMP-2")
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium package is not installed")
def test_html_report_renders_in_headless_chromium(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COMPLAINTCORE_NOW", "2025-11-20T10:00")
    runner = CliRunner()
    assert runner.invoke(main, ["init", "."]).exit_code == 0
    received = []
    for i, summary in enumerate(
        ["楼上漏水", "物业费太贵", "晚上噪音", "垃圾没人清理", "漏水又来了"]
    ):
        result = runner.invoke(
            main,
            [
                "receive",
                "--name",
                "王小明",
                "--phone",
                f"1381234567{i}",
                "--room",
                f"3-2-120{i}",
                "--site",
                "sunrise",
                "--summary",
                summary,
                "--receiver",
                "SR-103",
                "--received-at",
                f"2025-11-1{i}T10:00",
            ],
        )
        assert result.exit_code == 0, result.output
        received.append(result.stdout)
    ids = [r.split()[1].rstrip(":") for r in received]
    for cid in ids[:4]:
        result = runner.invoke(
            main, ["act", "assess", cid, "--actor", "SR-201", "--validity", "valid"]
        )
        assert result.exit_code == 0, result.output
    result = runner.invoke(
        main,
        [
            "--lang",
            "zh",
            "report",
            "--month",
            "2025-11",
            "--format",
            "html",
            "--output",
            "report.html",
        ],
    )
    assert result.exit_code == 0, result.output
    png = tmp_path / "report.png"
    subprocess.run(
        [str(ROOT / "scripts" / "screenshot-report.sh"), "report.html", str(png)],
        check=True,
        timeout=120,
        capture_output=True,
    )
    width, height, rows = read_png(png)
    assert width >= 1000
    assert height >= 1000
    colours = {row[x : x + 3] for row in rows[::8] for x in range(0, len(row), 24)}
    step = 3 * 4
    ink = sum(1 for row in rows[::4] for x in range(0, len(row), step) if sum(row[x : x + 3]) < 450)
    assert len(colours) > 20, "the page rendered as a blank or near-blank image"
    assert ink > 300, "no text or chart ink on the page"


@pytest.mark.procedure("IMP-4")
@pytest.mark.procedure("PEN-2")
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium package is not installed")
def test_the_demos_report_draws_its_control_charts_in_headless_chromium(tmp_path: Path) -> None:
    """The demo's last month as one HTML page with the staff table: the control
    charts' limit lines and the month over its limit are drawn (their red, #b42318)."""
    from complaintcore.cli.demo import run_demo

    demo = run_demo(tmp_path / "demo")
    result = CliRunner().invoke(
        main,
        ["--config", str(demo.config_path), "--lang", "en", "report", "--month", "2025-09",
         "--staff", "--format", "html", "--output", str(tmp_path / "report.html")],
        env={"COMPLAINTCORE_NOW": "2025-10-01T00:00"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'class="ucl"' in page
    assert 'class="hot"' in page
    assert 'id="staff"' in page
    assert "http://" not in page
    assert "<script" not in page
    png = tmp_path / "report.png"
    subprocess.run(
        [str(ROOT / "scripts" / "screenshot-report.sh"), str(tmp_path / "report.html"), str(png),
         "9000"],
        check=True,
        timeout=180,
        capture_output=True,
    )  # fmt: skip
    width, _height, rows = read_png(png)
    channels = len(rows[0]) // width
    limit_red = sum(
        1
        for row in rows
        for x in range(0, len(row), channels)
        if abs(row[x] - 0xB4) < 24 and abs(row[x + 1] - 0x23) < 24 and abs(row[x + 2] - 0x18) < 24
    )
    assert limit_red > 200, "no control limit or hot month drawn"
