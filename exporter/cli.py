"""The `pathway-export` command: parses options, builds the run's context once, reports.

It does no work of its own: every command composes the pipeline (exporter.pipeline). It is
the only place that reads the clock and the machine (exporter.environment) and the only place
that turns problems into text.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterable
from pathlib import Path

import click

from exporter import __version__
from exporter.controls import CONTROL
from exporter.errors import InputError, Kind, Problem, render_problem
from exporter.writers import DEFAULT_FORMATS, MAX_REMINDER, REGISTRY, CalendarContent, Handout, formats_help

EXIT_INTERRUPTED = 130


def printable(text: str) -> str:
    """Text from data made safe for a terminal: control characters shown as `\\x1b`, never sent."""
    return CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


def echo(text: str, err: bool = False) -> None:
    click.echo(printable(text), err=err)


class _Failed(click.ClickException):
    """Bad input: one line per problem on stderr, exit 1."""

    exit_code = 1

    def show(self, file=None) -> None:
        click.echo(self.message, err=True)


def _context():
    """The run's context, made once per invocation by the group."""
    return click.get_current_context().find_root().obj


def _labels():
    return _context().labels


def reports_input_errors(command):
    """Turn InputError into clean lines and exit 1; anything else unexpected too, unless --debug."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        debug = click.get_current_context().find_root().params.get("debug")
        try:
            return command(*args, **kwargs)
        except InputError as err:
            lines = [printable(_labels()("terminal.error", problem=render_problem(p))) for p in err.problems]
            raise _Failed("\n".join(lines)) from err
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as err:
            if debug:
                raise
            message = _labels()("terminal.internal", error=f"{type(err).__name__}: {err}")
            raise _Failed(printable(_labels()("terminal.error", problem=message))) from err

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pathway-export")
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Turn a career-transition roadmap into a personal plan: tracker, calendar and printable PDF."""
    from exporter.environment import context_from_environment

    ctx.obj = context_from_environment()


def plan_options(with_name: bool = True):
    """The options that describe the person and their time, shared by plan, export and batch."""

    def decorate(command):
        options = [
            click.option("--profile", type=click.Path(dir_okay=False), help="TOML file holding any of these options."),
            click.option("--start", help="Start date, YYYY-MM-DD (default: next Monday, today if Monday)."),
            click.option(
                "--availability", help='Weekly windows, e.g. "mon 19:00-21:00; wed 19:00-21:00; sat 09:00-13:00".'
            ),
            click.option("--hours-per-week", help="Weekly hours, spread evenly over --days."),
            click.option("--days", help="Days for --hours-per-week or --finish-by, e.g. mon,wed,sat or mon-fri."),
            click.option("--session-start", help="Start time of spread sessions (default 19:00)."),
            click.option("--timezone", help="IANA time zone (default: the system's, else UTC)."),
            click.option("--blackout", multiple=True, help="FROM..TO or DATE with no study (repeatable)."),
            click.option("--holidays", help="No study on public holidays of CC or CC-SUBDIV (US, US-CA, DE-BY)."),
            click.option("--finish-by", help="Lengthen or shorten your windows to finish by this date."),
            click.option(
                "--busy",
                multiple=True,
                metavar="FILE|URL",
                help="Your own calendar (.ics file or http(s) address): study only when it is free (repeatable).",
            ),
            click.option(
                "--busy-tentative",
                type=click.Choice(["busy", "free"]),
                help="Whether tentative events block study time (default busy).",
            ),
            click.option("--busy-all-day", is_flag=True, default=None, help="All-day events block the whole day."),
            click.option("--busy-buffer", metavar="MINUTES", help="Minutes kept free around each busy event."),
            click.option(
                "--min-session", metavar="MINUTES", help="Shortest session left in a window cut by busy time (30)."
            ),
            click.option(
                "--lang", help=f"Language of the tracker, calendar and PDF: {', '.join(_languages())} (default en)."
            ),
        ]
        if with_name:
            options.insert(1, click.option("--name", help="The participant, shown in every output."))
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def _languages() -> tuple[str, ...]:
    from exporter.labels import languages

    return languages()


def _layers(params: dict) -> list:
    from exporter.settings import command_line, read_profile

    profile = read_profile(params["profile"]) if params.get("profile") else {}
    return [command_line(params), profile]


class FormatList(click.ParamType):
    """`xlsx,ics,pdf`: names from the writer registry; anything else is a usage error (exit 2)."""

    name = "formats"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        chosen = tuple(dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip()))
        unknown = [name for name in chosen if name not in REGISTRY]
        if unknown or not chosen:
            self.fail(f"must be any of {', '.join(REGISTRY)}, got {value!r}", param, ctx)
        return chosen


def output_options(command):
    options = [
        click.option("--formats", type=FormatList(), default=",".join(DEFAULT_FORMATS), help=formats_help()),
        click.option("--paper", type=click.Choice(["letter", "a4"], case_sensitive=False), help="PDF paper size."),
        click.option(
            "--handout",
            type=click.Choice([h.value for h in Handout], case_sensitive=False),
            help="The PDF: full (default) or short (title, at a glance, your week, start now, dated tasks).",
        ),
        click.option("--theme", type=click.Path(dir_okay=False), help="Theme TOML (see templates/theme.toml)."),
        click.option(
            "--calendar",
            type=click.Choice([c.value for c in CalendarContent]),
            default=CalendarContent.ALL.value,
            show_default=True,
            help="Which events the .ics holds (with --ics-split: which files).",
        ),
        click.option("--ics-split", is_flag=True, help="Write milestones.ics and sessions.ics instead of plan.ics."),
        click.option(
            "--reminder",
            type=click.IntRange(0, MAX_REMINDER),
            help="Minutes before each session for its reminder (default 15).",
        ),
        click.option("--no-reminders", is_flag=True, help="No reminders on sessions."),
        click.option(
            "--new-calendar",
            is_flag=True,
            help="Start a new calendar: new event UIDs and a dated name, for importing into a fresh calendar "
            "(Outlook desktop duplicates events on re-import).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _choice(params: dict, profile: dict):
    from exporter.pipeline import output_choice

    return output_choice(
        formats=params["formats"],
        calendar=CalendarContent(params["calendar"]),
        ics_split=params["ics_split"],
        no_reminders=params["no_reminders"],
        reminder=params["reminder"],
        paper=params["paper"],
        theme=params["theme"],
        profile=profile,
        new_calendar=params["new_calendar"],
        handout=params["handout"],
    )


@main.command("list")
@click.option("--formats", "show_formats", is_flag=True, help="List the output formats instead.")
@reports_input_errors
def list_pathways(show_formats: bool) -> None:
    """List the built-in pathways (or, with --formats, the output formats)."""
    labels = _labels()
    if show_formats:
        for name in REGISTRY:
            echo(labels("terminal.format", name=name, description=labels(f"format.{name}")))
        return
    from exporter.loader import builtin_ids, load_pathway

    for pathway_id in builtin_ids():
        pathway = load_pathway(pathway_id)
        line = labels(
            "terminal.pathway-line",
            id=pathway.id,
            title=pathway.title,
            phases=len(pathway.phases),
            weeks=pathway.nominal_weeks,
        )
        echo(line)


@main.command()
@click.argument("pathway", required=False)
@click.option("--json", "as_json", is_flag=True, help="The whole pathway as JSON, keys as in the TOML.")
@reports_input_errors
def show(pathway: str | None, as_json: bool) -> None:
    """Show every section of a pathway (built-in id or .toml file; default: the built-in one)."""
    import json

    from exporter.loader import load_pathway, pathway_to_dict
    from exporter.writers.text import pathway_summary

    loaded = load_pathway(pathway)
    if as_json:
        echo(json.dumps(pathway_to_dict(loaded), indent=2, ensure_ascii=False))
    else:
        echo(pathway_summary(loaded, _labels()))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@reports_input_errors
def validate(files: tuple[str, ...]) -> None:
    """Check pathway files; list every problem with its file, line and field."""
    from exporter.loader import load_pathway_file

    problems = []
    for file in files:
        try:
            load_pathway_file(Path(file))
        except InputError as err:
            problems.extend(err.problems)
    if problems:
        raise InputError(problems)
    echo(_labels()("terminal.validated", count=len(files)))


@main.command("plan")
@click.argument("pathway", required=False)
@plan_options()
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@reports_input_errors
def plan_command(pathway: str | None, as_json: bool, **params) -> None:
    """Schedule a pathway against a start date and weekly availability, and print the plan."""
    from exporter.pipeline import build_plan, pathway_for
    from exporter.theme import Theme
    from exporter.writers import WriterOptions

    layers = _layers(params)
    planned = build_plan(pathway_for(pathway, layers), layers, _context())
    _report_busy(planned)
    files = REGISTRY["json" if as_json else "txt"].render(planned, _context(), Theme(), WriterOptions())
    for content in files.values():
        click.echo(printable(content.decode("utf-8")), nl=False)


@main.command()
@click.argument("pathway", required=False)
@plan_options()
@output_options
@click.option(
    "-o",
    "--output",
    "output",
    default=".",
    show_default=True,
    type=click.Path(),
    help="Folder to write into (created if missing).",
)
@click.option("--force", is_flag=True, help="Replace an existing tracker.xlsx (the old one keeps a backup name).")
@reports_input_errors
def export(pathway: str | None, output: str, force: bool, **params) -> None:
    """Write tracker.xlsx, plan.ics and plan.pdf for one person."""
    from exporter import pipeline

    _require_folder(output)
    layers = _layers(params)
    choice = _choice(params, layers[1])
    planned_pathway = pipeline.pathway_for(pathway, layers)
    exported = pipeline.export(planned_pathway, layers, _context(), choice, Path(output), force=force)
    planned = exported.plan
    _report_busy(planned)
    _report_written(exported.written)
    _warn(exported.warnings)
    if planned.window_change:
        from exporter.writers.text import window_change_line

        echo(window_change_line(planned, _labels()))


def _report_busy(planned) -> None:
    """The warnings reading the busy calendars gave (on stderr)."""
    if planned.busy is not None:
        _warn(planned.busy.warnings)


def _require_folder(output: str) -> None:
    """`-o ""` names no folder: it is bad input, not the current folder."""
    if not output.strip():
        raise InputError(Problem("--output", "must name a folder", kind=Kind.VALUE))


def _report_written(reports) -> None:
    from exporter.atomic import Outcome
    from exporter.pipeline import GOOGLE_EVENT_LIMIT

    labels = _labels()
    for report in reports:
        written = report.written
        if written.outcome is Outcome.KEPT:
            echo(labels("terminal.kept", path=written.path))
        elif written.backup is not None:
            echo(labels("terminal.replaced", path=written.path, backup=written.backup))
        else:
            echo(labels("terminal.wrote", path=written.path))
        if report.over_google_limit:
            text = labels(
                "terminal.google-limit", path=written.path, count=report.event_count, limit=GOOGLE_EVENT_LIMIT
            )
            echo(labels("terminal.warning", problem=text), err=True)


class SettingList(click.ParamType):
    """`timezone,availability`: roster columns a row must give (`--require`); others are a usage error."""

    name = "settings"

    def convert(self, value, param, ctx):
        import difflib

        from exporter.batch import REQUIRABLE
        from exporter.roster import known_column

        if isinstance(value, tuple):
            return value
        chosen = []
        for part in filter(None, (part.strip() for part in value.split(","))):
            name = known_column(part)
            if name not in REQUIRABLE:
                closest = difflib.get_close_matches(part.lower(), REQUIRABLE, n=1, cutoff=0)
                hint = f" (did you mean {closest[0]}?)" if closest else ""
                self.fail(f"{part!r} is not a setting a row can be required to give{hint}", param, ctx)
            chosen.append(name)
        if not chosen:
            self.fail(f"must name any of {', '.join(REQUIRABLE)}", param, ctx)
        return tuple(dict.fromkeys(chosen))


@main.command()
@click.argument("roster", type=click.Path(dir_okay=False))
@plan_options(with_name=False)
@output_options
@click.option("--pathway", help="Pathway for rows that name none (built-in id or .toml file).")
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(),
    help="Folder to write into (created if missing); required unless --dry-run.",
)
@click.option("--jobs", type=click.IntRange(1, 64), help="Worker processes (default: the machine's cores).")
@click.option(
    "--combined-pdf/--no-combined-pdf",
    default=True,
    show_default=True,
    help="Also write all-plans.pdf: a cover, an index, then each plan starting on an odd page.",
)
@click.option("--title", help="The workshop's title on the cover of all-plans.pdf (default: All plans).")
@click.option(
    "--booklet",
    is_flag=True,
    help="all-plans.pdf prints what is the same for everyone once, after the index; each plan holds only its own.",
)
@click.option("--dry-run", is_flag=True, help="Check and plan every row, print a table, write nothing.")
@click.option(
    "--require",
    type=SettingList(),
    help="Settings every row must give itself, e.g. timezone,availability,start: a blank is a row error.",
)
@click.option(
    "--ignore-unknown-columns", is_flag=True, help="Leave out columns the roster does not know instead of stopping."
)
@click.option("--emails", is_flag=True, help="Also write an e-mail draft (.eml) per row with an email, files attached.")
@reports_input_errors
def batch(
    roster: str,
    output: str | None,
    jobs: int | None,
    combined_pdf: bool,
    pathway: str | None,
    dry_run: bool,
    require: tuple[str, ...],
    ignore_unknown_columns: bool,
    emails: bool,
    title: str | None,
    booklet: bool,
    **params,
) -> None:
    """Write every participant's files from a roster (CSV or .xlsx), plus a combined PDF."""
    import os

    from exporter import pipeline
    from exporter.batch import BatchInterrupted, BatchRules, prepare_batch, run_batch
    from exporter.batch import dry_run as plan_every_row

    if output is None and not dry_run:
        raise click.UsageError("Missing option '-o' / '--output' (only --dry-run writes nothing).")
    if output is not None:
        _require_folder(output)
    layers = _layers(params)
    choice = _choice(params, layers[1])
    pathway = pathway or pipeline.profile_pathway(layers)
    rules = BatchRules(tuple(require or ()), ignore_unknown_columns, emails)
    prepared = prepare_batch(Path(roster), layers, pathway, _context(), rules)
    _report_prepared(prepared)
    workers = jobs or os.cpu_count() or 1
    if dry_run:
        results = plan_every_row(prepared, _context(), jobs=workers)
        echo(_dry_run_table(results, prepared.roster))
        if any(not result.ok for result in results):
            sys.exit(1)
        return
    try:
        with _Progress(_labels(), prepared.roster) as progress:
            report = run_batch(
                prepared,
                Path(output),
                choice,
                _context(),
                jobs=workers,
                combined_pdf=combined_pdf,
                on_row=progress,
                title=title,
                booklet=booklet,
            )
    except BatchInterrupted as interrupted:
        _report_batch(interrupted.report, output)
        sys.exit(EXIT_INTERRUPTED)
    _report_batch(report, output)
    if report.failed:
        sys.exit(1)


def _report_prepared(prepared) -> None:
    """What the check of the roster found, before any work: ignored columns, blanks left to a
    default (grouped by setting and value), rows without an e-mail address, and the rows it refused."""
    labels = _labels()

    def warn(text: str) -> None:
        echo(labels("terminal.warning", problem=text), err=True)

    for column in prepared.ignored_columns:
        name = repr(column.header.strip()) if column.header.strip() else labels("terminal.no-header")
        warn(labels("terminal.unused-column", roster=prepared.roster, letter=column.letter, name=name))
    groups: dict[tuple, list] = {}
    for item in prepared.rows:
        for fallback in item.fallbacks:
            groups.setdefault((fallback.setting, fallback.value, fallback.origin), []).append(item.row)
    for (setting, value, origin), rows in groups.items():
        source = labels(f"terminal.default-{setting}") if origin is None else _origin_name(origin)
        text = labels(
            "terminal.blank-setting",
            roster=prepared.roster,
            setting=setting,
            count=len(rows),
            rows=_row_list(rows),
            value=value,
            source=source,
        )
        warn(text)
    if prepared.rules.emails:
        without = [item.row for item in prepared.rows if item.ready and not item.email]
        if without:
            warn(labels("terminal.no-email", roster=prepared.roster, count=len(without), rows=_row_list(without)))
    for item in prepared.rows:
        for problem in item.problems:
            echo(
                labels(
                    "terminal.error", problem=_row_problem(problem, item.row.number, item.row.name, prepared.roster)
                ),
                err=True,
            )


MAX_ROWS_NAMED = 12
"""Rows a warning names one by one; the rest are counted (the summary and the dry run list them all)."""


def _row_list(rows) -> str:
    labels = _labels()
    named = ", ".join(
        labels("terminal.row-named", row=row.number, name=row.name or labels("terminal.no-name"))
        for row in rows[:MAX_ROWS_NAMED]
    )
    more = len(rows) - MAX_ROWS_NAMED
    return labels("terminal.and-more", rows=named, more=more) if more > 0 else named


def _origin_name(origin) -> str:
    """Where a fallback came from: the option (`--timezone`) or the profile file."""
    return origin.option if origin.file is None else origin.file


def _row_problem(problem, row: int, name: str, roster: str) -> str:
    """A row's problem as one line: located by its row, or said to be about the row when it is not."""
    line = render_problem(problem)
    if problem.row is None:
        line = _labels()(
            "terminal.row-failed", roster=roster, row=row, name=name or _labels()("terminal.no-name"), problem=line
        )
    return line


def _row_messages(result, roster: str) -> list[str]:
    """The lines a finished row prints on stderr: its problems and its warnings."""
    from exporter.pipeline import GOOGLE_EVENT_LIMIT

    labels = _labels()
    lines = [
        labels("terminal.error", problem=_row_problem(p, result.row, result.name, roster)) for p in result.problems
    ]
    if result.events > GOOGLE_EVENT_LIMIT:
        note = labels("terminal.google-limit", path=result.folder, count=result.events, limit=GOOGLE_EVENT_LIMIT)
        lines.append(labels("terminal.warning", problem=note))
    lines += [labels("terminal.warning", problem=render_problem(problem)) for problem in result.warnings]
    return lines


def _dry_run_table(results, roster: str) -> str:
    """The dry run's table: a row per participant, columns aligned as a terminal shows them."""
    from exporter.batch import summary_text

    labels = _labels()
    header = [
        labels(f"terminal.dry-run-{key}")
        for key in ("row", "name", "zone", "start", "hours", "finish", "defaults", "problems")
    ]
    lines = [header]
    for result in results:
        settings = result.settings
        problems = "; ".join(summary_text(problem, roster) for problem in result.problems)
        lines.append(
            [
                str(result.row),
                printable(result.name) or labels("terminal.no-name"),
                settings.timezone if settings else "",
                settings.start.isoformat() if settings else "",
                f"{settings.hours_per_week:g}" if settings else "",
                settings.finish.isoformat() if settings else "",
                ", ".join(result.fallbacks),
                printable(problems),
            ]
        )
    widths = [max(_width(line[column]) for line in lines) for column in range(len(header) - 1)]
    text = [
        "  ".join(
            [*(cell + " " * (width - _width(cell)) for cell, width in zip(line, widths, strict=False)), line[-1]]
        ).rstrip()
        for line in lines
    ]
    ok = sum(result.ok for result in results)
    text.append(labels("terminal.dry-run-done", ok=ok, total=len(results)))
    return "\n".join(text)


def _width(text: str) -> int:
    """Columns a terminal gives the text: East Asian wide letters take two, combining marks none."""
    import unicodedata

    return sum(
        0
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf")
        else 2
        if unicodedata.east_asian_width(char) in ("W", "F")
        else 1
        for char in text
    )


def _report_batch(report, output: str) -> None:
    """The end of a batch: how many were done, where the summary, the combined PDF and the drafts are
    (each row's problems were printed as it finished)."""
    labels = _labels()
    if report.not_started:
        done = report.total - report.not_started
        echo(labels("terminal.batch-interrupted", done=done, left=report.not_started, path=report.summary), err=True)
    echo(labels("terminal.batch-done", done=report.succeeded, total=report.total, folder=output))
    echo(labels("terminal.batch-summary", path=report.summary))
    if report.combined:
        echo(labels("terminal.batch-combined", path=report.combined))
    if report.drafts:
        from exporter.batch import DRAFTS

        echo(labels("terminal.batch-drafts", count=report.drafts, path=Path(output) / DRAFTS))


class _Progress:
    """Each row as it finishes: its problems and warnings at once, then a progress bar on a terminal,
    or a plain count, one line a participant, in logs."""

    def __init__(self, labels, roster: str):
        self.labels = labels
        self.roster = roster
        self.bar = None

    def __enter__(self):
        return self

    def __call__(self, result, done: int, total: int) -> None:
        messages = _row_messages(result, self.roster)
        if not sys.stderr.isatty():
            echo(self.labels("terminal.progress", done=done, total=total, name=result.name), err=True)
            for line in messages:
                echo(line, err=True)
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.labels("terminal.progress-label"), file=sys.stderr)
            self.bar.__enter__()
        if messages:
            click.echo("\r\x1b[K", nl=False, err=True)
            for line in messages:
                echo(line, err=True)
        self.bar.update(1)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


@main.command("replan")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--as-of", help="The day from which to plan again, YYYY-MM-DD (default: today in the plan's zone).")
@click.option("--pathway", help="The pathway file the tracker was made from, when it is not a built-in one.")
@plan_options()
@output_options
@reports_input_errors
def replan_command(folder: str, as_of: str | None, pathway: str | None, **params) -> None:
    """Read your progress from FOLDER's tracker and plan the work left from today; rewrite the three files."""
    from exporter.model import TaskStatus
    from exporter.pipeline import replan_folder
    from exporter.settings import command_line

    if params.get("profile"):
        raise InputError(Problem("--profile", "a replan takes its settings from the tracker; give options instead"))
    keys = ("formats", "ics_split", "no_reminders", "reminder", "paper", "theme", "new_calendar", "handout")
    output = {key: params[key] for key in keys}
    output["calendar"] = CalendarContent(params["calendar"])
    replanned = replan_folder(Path(folder), pathway, as_of, command_line(params), output, _context())
    _warn(replanned.notices)
    planned = replanned.plan
    _report_busy(planned)
    _report_written(replanned.written)
    _warn(replanned.warnings)
    labels = _labels()
    replanning = planned.replanning
    recorded = replanning.recorded.tasks
    done = [task for task in planned.tasks if task.key in recorded and recorded[task.key].status is TaskStatus.DONE]
    echo(labels("replan.heading", date=replanning.as_of))
    echo(
        labels(
            "replan.done",
            tasks=len(done),
            total=len(planned.tasks),
            hours=replanning.hours_done,
            left=replanning.hours_left,
        )
    )
    echo(labels("replan.finish", before=replanning.previous_finish, after=planned.finish))
    echo(labels("replan.sessions", **vars(replanned.changes)))
    if replanning.rolled_forward:
        ids = ", ".join(planned.task(key).id for key in replanning.rolled_forward)
        echo(labels("replan.rolled", tasks=ids))


def _warn(problems: Iterable[Problem]) -> None:
    """Each notice as a warning line on stderr."""
    labels = _labels()
    for problem in problems:
        echo(labels("terminal.warning", problem=printable(render_problem(problem))), err=True)


@main.command("status")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--as-of", help="The day to measure on, YYYY-MM-DD (default: today in the plan's time zone).")
@click.option("--pathway", help="The pathway file the tracker was made from, when it is not a built-in one.")
@click.option("--json", "as_json", is_flag=True, help="The figures as JSON.")
@reports_input_errors
def status_command(folder: str, as_of: str | None, pathway: str | None, as_json: bool) -> None:
    """Read the tracker in FOLDER back and say where you stand: hours done, ahead or behind, pace, finish."""
    from exporter.pipeline import tracker_status
    from exporter.writers.text import status_summary

    planned, standing, notices = tracker_status(Path(folder), pathway, as_of, _context())
    _warn(notices)
    if as_json:
        import dataclasses
        import json

        data = {
            name: value.isoformat() if hasattr(value, "isoformat") else value
            for name, value in dataclasses.asdict(standing).items()
        }
        data["hours_left"] = standing.hours_left
        echo(json.dumps(data, indent=2))
    else:
        echo(status_summary(planned, standing, _labels()))


@main.command("import")
@click.argument("guide", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the pathway TOML here (else stdout).")
@click.option(
    "--hours-per-week",
    type=click.FloatRange(min=0.25, max=168),
    default=10,
    show_default=True,
    help="Weekly hours the guide's nominal weeks assume.",
)
@click.option(
    "--report",
    "report",
    type=click.Path(dir_okay=False),
    help="Also write the import report (what became what, what was guessed, what went to notes) here, as Markdown.",
)
@reports_input_errors
def import_guide(guide: str, output: str | None, hours_per_week: float, report: str | None) -> None:
    """Turn a career guide (plain text, Markdown or a saved .html page) into a pathway TOML file."""
    from exporter.atomic import write_atomically
    from exporter.importer import import_guide_file

    labels = _labels()
    target = _import_target(output, "--output")
    report_target = _import_target(report, "--report")
    result = import_guide_file(Path(guide), hours_per_week=hours_per_week)
    echo(labels("terminal.import-report", guide=guide), err=True)
    for line in result.report.made:
        echo(labels("terminal.import-made", line=line), err=True)
    for guess in result.report.guesses:
        echo(labels("terminal.import-guessed", guess=guess), err=True)
    for warning in result.warnings:
        echo(labels("terminal.warning", problem=warning), err=True)
    written = [(report_target, result.report.markdown())] if report_target is not None else []
    if target is None:
        click.echo(printable(result.toml), nl=False)
    else:
        written.append((target, result.toml))
    for path, text in written:
        try:
            write_atomically(path, text.encode("utf-8"))
        except OSError as err:
            raise InputError(Problem(str(path), f"cannot write: {err.strerror or err}", kind=Kind.WRITE)) from None
        echo(labels("terminal.imported", path=path), err=True)


def _import_target(option: str | None, name: str) -> Path | None:
    """The file an import option names, in a folder that exists; None when the option is not given."""
    if option is None:
        return None
    if not str(option).strip():
        raise InputError(Problem(name, "must name a file", kind=Kind.VALUE))
    target = Path(option)
    if not target.parent.is_dir():
        message = f"{str(target.parent)!r} is not an existing folder; create it first"
        raise InputError(Problem(str(option), message, kind=Kind.WRITE))
    return target
