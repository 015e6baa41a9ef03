"""Benchmarks: speed as ratios against floors measured in the same run, on this machine.

Run:  python benchmarks/run.py [--quick]     (writes benchmarks/RESULTS.md)

Shared machines are noisy, so every figure is a median over several runs and the headline
figures are ratios against a floor taken in the same run: starting Python and importing the
libraries a command needs. Peak memory is the largest resident size of any process involved.

The package is compiled to bytecode first, as an installed wheel is: an editable install under
PYTHONDONTWRITEBYTECODE (as on CI machines) would otherwise compile every module of ours from
source in every process, and measure that instead of the command.
"""

from __future__ import annotations

import argparse
import compileall
import csv
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from exporter.context import fixed_context  # noqa: E402
from exporter.errors import Origin  # noqa: E402
from exporter.loader import load_pathway  # noqa: E402
from exporter.model import Pathway, Phase, Task  # noqa: E402
from exporter.pipeline import OutputChoice, render  # noqa: E402
from exporter.planner import plan  # noqa: E402
from exporter.settings import build_request, layer  # noqa: E402

CONTEXT = fixed_context(datetime(2027, 1, 1, tzinfo=UTC), "America/New_York")

PYTHON = sys.executable
ONE_CORE = ["taskset", "-c", "0"]  # util-linux: the command sees one core, so it renders its formats in turn
MEASURED = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
elapsed = time.perf_counter() - start
print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode)
"""


def measure_process(argv: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of the largest process in the command's tree."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1790000000"}
    out = subprocess.run(
        [PYTHON, "-c", MEASURED, *argv], capture_output=True, text=True, cwd=cwd, env=env, check=True
    ).stdout.split()
    if out[2] not in ("0", "1"):
        raise RuntimeError(f"{argv} exited {out[2]}")
    return float(out[0]), int(out[1])


def median_process(argv: list[str], runs: int, cwd: Path | None = None) -> tuple[float, int]:
    results = [measure_process(argv, cwd) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def batch_command(roster: Path, output: Path, jobs: int) -> list[str]:
    """The `batch` command line for a roster into an output folder with a number of jobs."""
    return [PYTHON, "-m", "exporter", "batch", str(roster), "-o", str(output), "--jobs", str(jobs)]


def median_fresh_batch(roster: Path, output: Path, jobs: int, runs: int) -> tuple[float, int]:
    """Median wall seconds and peak RSS (KiB) of `runs` batches of the roster, each into a new empty folder
    (`output` with the run's number appended)."""
    results = [
        measure_process(batch_command(roster, output.with_name(f"{output.name}-{run}"), jobs)) for run in range(runs)
    ]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def interleaved(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[float, int]]:
    """Each command's median wall seconds and peak RSS (KiB) over `runs` rounds, every round running each
    command once in turn: a slow spell of a shared machine then slows floors and commands alike, and the
    ratios between them hold."""
    results: dict[str, list[tuple[float, int]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            results[name].append(measure_process(argv))
    return {name: (statistics.median(r[0] for r in found), max(r[1] for r in found)) for name, found in results.items()}


def median_call(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def synthetic_pathway() -> Pathway:
    """1,000 tasks in 50 phases; at 4 h a week it runs for about five years."""
    phases = tuple(Phase(n, f"Phase {n}", 4, tuple(Task(f"Task {n}.{i}") for i in range(1, 21))) for n in range(1, 51))
    return Pathway("synthetic", "Synthetic 1,000-task pathway", "A", "B", 5, phases=phases)


def request(**settings):
    settings.setdefault("start", "2027-01-04")
    settings.setdefault("timezone", "America/New_York")
    return build_request(layer(settings, Origin), CONTEXT)


def write_roster(path: Path, rows: int) -> None:
    zones = ["America/New_York", "Europe/Berlin", "Asia/Kolkata", "UTC", "Australia/Sydney"]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "start", "timezone", "hours_per_week", "days"])
        for index in range(rows):
            start = date(2027, 1, 4) + timedelta(days=index % 60)
            writer.writerow(
                [f"Participant {index:04d}", start.isoformat(), zones[index % 5], 6 + index % 6, "mon,wed,sat"]
            )


def write_busy_calendar(path: Path, events: int = 800, weekly: int = 40) -> None:
    """A two-year work calendar export from the plan's start: `weekly` weekly meetings in working hours (half
    of them endless, half until the end of the two years) and single events from 08:00 to 21:00, `events` in
    all, each with the text and alarm a real export carries (which the reader drops unread)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//benchmark//EN", "X-WR-TIMEZONE:America/New_York"]
    first = datetime(2027, 1, 4, 8, 0)
    for index in range(events):
        if index < weekly:
            start = first + timedelta(days=index % 5, hours=1 + (index * 3) % 8)
            rule = ["RRULE:FREQ=WEEKLY" + (";UNTIL=20281231T000000Z" if index % 2 else "")]
        else:
            start = first + timedelta(days=(index * 37) % 730, hours=(index * 7) % 14)
            rule = []
        lines += [
            "BEGIN:VEVENT",
            f"UID:benchmark-{index}@example.org",
            "DTSTAMP:20261201T000000Z",
            f"DTSTART;TZID=America/New_York:{start:%Y%m%dT%H%M%S}",
            f"DTEND;TZID=America/New_York:{start + timedelta(minutes=45 + index % 4 * 15):%Y%m%dT%H%M%S}",
            *rule,
            f"SUMMARY:Meeting {index}",
            "DESCRIPTION:Agenda\\, notes and the dial-in details of a meeting as a real export has them",
            "LOCATION:Room 4",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "TRIGGER:-PT10M",
            "DESCRIPTION:Reminder",
            "END:VALARM",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


WORLD_NAMES = ("Wei Zhang 张伟", "山田太郎", "김민준", "محمد علي", "דוד לוי", "अनीता शर्मा", "สมชาย ใจดี", "Zoë Ødegård")


def write_world_roster(path: Path, rows: int) -> None:
    """A roster whose names cycle through every script the PDF prints (so each fallback font is used)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "start", "timezone"])
        for index in range(rows):
            start = date(2027, 1, 4) + timedelta(days=index % 30)
            writer.writerow([f"{WORLD_NAMES[index % len(WORLD_NAMES)]} {index:03d}", start.isoformat(), "UTC"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer runs and a smaller roster (a smoke test)")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "RESULTS.md"))
    args = parser.parse_args()
    runs = 3 if args.quick else 7
    roster_rows = 40 if args.quick else 500
    lines: list[str] = []

    def report(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    report("# Benchmark results")
    report()
    report(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()}; medians of {runs} runs; run on {date.today()} with `python benchmarks/run.py`."
    )
    report()

    compileall.compile_dir(ROOT / "exporter", quiet=1)
    with tempfile.TemporaryDirectory() as work:
        calendar = Path(work) / "busy.ics"
        write_busy_calendar(calendar)
        plan_busy = [PYTHON, "-m", "exporter", "plan", "--json", "--start", "2027-01-04"]
        plan_busy += ["--timezone", "America/New_York"]
        export = [PYTHON, "-m", "exporter", "export", "-o", work, "--force", "--start", "2027-01-04"]
        timed = interleaved(
            {
                "floor_cli": [PYTHON, "-c", "import exporter.cli"],
                "floor_libs": [PYTHON, "-c", "import exporter.cli, openpyxl, icalendar, reportlab, pypdf"],
                "floor_layout": [
                    PYTHON,
                    "-c",
                    "import exporter.cli, openpyxl, icalendar, reportlab.platypus, reportlab.pdfgen.canvas",
                ],
                "plan_json": [PYTHON, "-m", "exporter", "plan", "--json", "--start", "2027-01-04", "--timezone", "UTC"],
                "export": [*export, "--timezone", "UTC"],
                "export_one_core": [*ONE_CORE, *export, "--timezone", "UTC"],
                "replan": [PYTHON, "-m", "exporter", "replan", work, "--as-of", "2027-03-01"],
                "busy": [*plan_busy, "--busy", str(calendar)],
                "unbusy": plan_busy,
            },
            runs,
        )
    floor_cli, floor_libs, floor_layout = (timed[name][0] for name in ("floor_cli", "floor_libs", "floor_layout"))
    plan_json, (export_time, export_rss), replan_time = timed["plan_json"][0], timed["export"], timed["replan"][0]
    busy_time, unbusy_time = timed["busy"][0], timed["unbusy"][0]
    report("## Whole commands (separate processes)")
    report()
    report("| what | median | ratio to its floor | target |")
    report("|---|---|---|---|")
    report(f"| floor: start Python, import the CLI | {floor_cli * 1000:.0f} ms | 1.00 | |")
    report(
        f"| floor: start Python, import the CLI and the three writers' libraries | {floor_libs * 1000:.0f} ms "
        "| 1.00 | |"
    )
    report(
        f"| floor: the same with ReportLab's layout and canvas modules (what a PDF writer imports) | "
        f"{floor_layout * 1000:.0f} ms | 1.00 | |"
    )
    report(
        f"| `plan --json`, built-in pathway | {plan_json * 1000:.0f} ms | {plan_json / floor_cli:.2f} x CLI floor "
        "| 1.5 or less |"
    )
    report(
        f"| `export`, built-in pathway, xlsx + ics + pdf | {export_time * 1000:.0f} ms | "
        f"{export_time / floor_libs:.2f} x library floor ({export_time / floor_layout:.2f} x the layout floor) "
        "| 2.0 or less |"
    )
    export_one_core = timed["export_one_core"][0]
    report(
        f"| `export` on one core (`taskset -c 0`: the three formats rendered in turn, not side by side) | "
        f"{export_one_core * 1000:.0f} ms | {export_one_core / floor_libs:.2f} x library floor | |"
    )
    report(
        f"| `replan` of that export (reads the tracker back, three files again) | {replan_time * 1000:.0f} ms | "
        f"{replan_time / export_time:.2f} x `export` | 1.3 or less |"
    )
    report(
        f"| `plan --json --busy`: a two-year calendar export, 800 events with 40 weekly meetings, read, expanded "
        f"and planned around | {busy_time * 1000:.0f} ms | {busy_time / unbusy_time:.2f} x `plan --json` without "
        f"it ({unbusy_time * 1000:.0f} ms) | 2 or less |"
    )
    report(f"| peak memory of `export` | {export_rss / 1024:.0f} MiB | | |")
    report()

    builtin = load_pathway()
    builtin_plan = plan(builtin, request(name="Benchmark"))
    options = OutputChoice()
    render(builtin_plan, CONTEXT, options)  # warm: fonts registered, modules imported
    cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cores)})  # in-process figures on one core: a move between cores costs 2x here
    report("## Each writer, built-in pathway (in one process, warm, on one core)")
    report()
    report("| writer | median | share of the library floor | target |")
    report("|---|---|---|---|")
    planning = median_call(lambda: plan(builtin, request(name="Benchmark")), runs * 3)
    report(f"| planner | {planning * 1000:.1f} ms | {planning / floor_libs:.2f} | |")
    for name in ("xlsx", "ics", "pdf"):
        single = OutputChoice(formats=(name,))
        elapsed = median_call(lambda single=single: render(builtin_plan, CONTEXT, single), runs * 3)
        target = "30 ms or less" if name == "ics" else ""
        report(f"| {name} | {elapsed * 1000:.1f} ms | {elapsed / floor_libs:.2f} | {target} |")
    report()

    synthetic = synthetic_pathway()
    big_request = request(hours_per_week="4", days="tue,sat", session_start="09:00")
    big_plan_time = median_call(lambda: plan(synthetic, big_request), runs)
    big_plan = plan(synthetic, big_request)
    report("## Synthetic pathway: 1,000 tasks")
    report()
    report(
        f"Planned {len(big_plan.tasks)} tasks into {len(big_plan.sessions)} sessions, "
        f"{big_plan.start} to {big_plan.finish} ({(big_plan.finish - big_plan.start).days / 365.25:.1f} years)."
    )
    report()
    report("| step | median |")
    report("|---|---|")
    report(f"| plan | {big_plan_time * 1000:.0f} ms |")
    for name in ("xlsx", "ics", "pdf"):
        single = OutputChoice(formats=(name,))
        elapsed = median_call(lambda single=single: render(big_plan, CONTEXT, single), max(1, runs // 2))
        report(f"| {name} | {elapsed * 1000:.0f} ms |")
    report()
    os.sched_setaffinity(0, cores)

    report(f"## Batch: {roster_rows} roster rows, all three formats and the combined PDF")
    report()
    report("| jobs | median | participants per second | speed-up | peak memory (largest process) |")
    report("|---|---|---|---|---|")
    batch_runs = 1 if args.quick else 3
    with tempfile.TemporaryDirectory() as work:
        roster = Path(work) / "roster.csv"
        write_roster(roster, roster_rows)
        results = {jobs: median_fresh_batch(roster, Path(work) / f"out{jobs}", jobs, batch_runs) for jobs in (1, 2)}
        again = median_process(batch_command(roster, Path(work) / "out2-0", 2), batch_runs)
        small = Path(work) / "small.csv"
        write_roster(small, max(10, roster_rows // 5))
        _small_time, small_rss = median_fresh_batch(small, Path(work) / "small", 2, batch_runs)
    for jobs, (elapsed, rss) in results.items():
        speedup = results[1][0] / elapsed
        report(f"| {jobs} | {elapsed:.1f} s | {roster_rows / elapsed:.1f} | {speedup:.2f} | {rss / 1024:.0f} MiB |")
    report(
        f"| 2, run again into the same folder | {again[0]:.1f} s | {roster_rows / again[0]:.1f} | | "
        f"{again[1] / 1024:.0f} MiB |"
    )
    report()
    report(
        "Each run of the first two rows writes into an empty folder (a workshop's first batch); the last runs "
        "the same roster again into a folder that holds the outputs of an earlier run, so each participant's "
        "calendar is written over the previous one (UIDs and sequence numbers carried)."
    )
    report()
    report(
        f"Memory against roster length (2 jobs): {max(10, roster_rows // 5)} rows peak {small_rss / 1024:.0f} MiB, "
        f"{roster_rows} rows peak {results[2][1] / 1024:.0f} MiB "
        f"(ratio {results[2][1] / small_rss:.2f})."
    )
    report()
    report(
        "Targets (issue 18, 2 cores): a batch at 20 or more participants per second with 2 jobs, a speed-up "
        "from 1 to 2 jobs of 1.8 or more, peak memory flat in the roster's length."
    )
    report()

    booklet_rows = 20 if args.quick else 100
    report(f"## Booklet: {booklet_rows} participants, names in every script, `--jobs 2`")
    report()
    report("| all-plans.pdf | median | ratio | pages |")
    report("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        roster = Path(work) / "world.csv"
        write_world_roster(roster, booklet_rows)
        timed = {}
        for kind, extra in (("plans one after another", []), ("`--booklet`", ["--booklet"])):
            out = Path(work) / kind.strip("`-")
            command = [PYTHON, "-m", "exporter", "batch", str(roster), "-o", str(out), "--jobs", "2", *extra]
            timed[kind] = (median_process(command, batch_runs)[0], _pdf_pages(out / "all-plans.pdf"))
    plain_time = timed["plans one after another"][0]
    for kind, (elapsed, pages) in timed.items():
        report(f"| {kind} | {elapsed:.1f} s | {elapsed / plain_time:.2f} x without `--booklet` | {pages} |")
    report()
    report(
        "The booklet renders each participant's personal part besides their own plan.pdf, and the shared "
        "part once; target: 1.6 or less."
    )
    Path(args.output).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\nwrote {args.output}")


def _pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


if __name__ == "__main__":
    main()
