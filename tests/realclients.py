"""Real programs reading our outputs: LibreOffice, khal, qpdf and poppler (installed by .ci/run)."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


def libreoffice_recalculate(workbooks: list[Path], work: Path) -> list[Path]:
    """Open each workbook in LibreOffice (recalculating on load) and save a copy with computed values."""
    profile = work / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_RECALC_ALWAYS)
    out = work / "lo-out"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--calc",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *map(str, workbooks),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    converted = [out / path.name for path in workbooks]
    assert all(path.exists() for path in converted), "LibreOffice did not write its copies"
    return converted


def khal_events(ics: Path, work: Path, local_timezone: str, since: str = "2020-01-01", days: int = 4000) -> list[str]:
    """Import the calendar into khal and list every event in the given local zone."""
    calendar = work / "khal-cal"
    calendar.mkdir(parents=True, exist_ok=True)
    config = work / "khal.conf"
    config.write_text(
        textwrap.dedent(f"""\
        [calendars]
        [[plan]]
        path = {calendar}
        type = calendar
        [locale]
        timeformat = %H:%M
        dateformat = %Y-%m-%d
        longdateformat = %Y-%m-%d
        datetimeformat = %Y-%m-%d %H:%M
        longdatetimeformat = %Y-%m-%d %H:%M
        local_timezone = {local_timezone}
        default_timezone = {local_timezone}
        [default]
        default_calendar = plan
        """)
    )
    env = {"HOME": str(work), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    subprocess.run(
        ["khal", "-c", str(config), "import", "--batch", "-a", "plan", str(ics)],
        check=True,
        capture_output=True,
        timeout=300,
        env=env,
    )
    listed = subprocess.run(
        ["khal", "-c", str(config), "list", "--format", "{start} {end} {title}", "--day-format", "", since, f"{days}d"],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    return [line for line in listed.stdout.splitlines() if line.strip()]


def pdf_tool(*args: str) -> str:
    return subprocess.run(list(args), check=True, capture_output=True, text=True, timeout=120).stdout
