"""The `pathway-export` command: click commands that parse options and report, nothing more."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from exporter import __version__
from exporter.errors import InputError, Problem

FORMATS = ("xlsx", "ics", "pdf")


class _Failed(click.ClickException):
    """Bad input: one line per problem on stderr, exit 1."""

    exit_code = 1

    def show(self, file=None) -> None:
        click.echo(self.message, err=True)


def reports_input_errors(command):
    """Turn InputError into clean lines and exit 1; anything else unexpected too, unless --debug."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        debug = click.get_current_context().find_root().params.get("debug")
        try:
            return command(*args, **kwargs)
        except InputError as err:
            raise _Failed("\n".join(f"error: {problem}" for problem in err.problems)) from err
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as err:
            if debug:
                raise
            raise _Failed(f"error: {type(err).__name__}: {err} (run with --debug for the traceback)") from err

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pathway-export")
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
def main(debug: bool) -> None:
    """Turn a career-transition roadmap into a personal plan: tracker, calendar and printable PDF."""


def plan_options(command):
    """The options that describe the person and their time, shared by plan, export and batch."""
    options = [
        click.option("--profile", type=click.Path(dir_okay=False), help="TOML file holding any of these options."),
        click.option("--name", help="The participant, shown in every output."),
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
        click.option("--finish-by", help="Plan with the least weekly hours that finish by this date."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _settings_layers(params: dict) -> list:
    from exporter.settings import SETTING_NAMES, layer, read_profile

    cli = layer({name: params.get(name) for name in SETTING_NAMES}, lambda name: f"--{name.replace('_', '-')}")
    profile = read_profile(params["profile"]) if params.get("profile") else {}
    return [cli, profile]


def _plan_from(pathway_ref: str | None, params: dict):
    from exporter.loader import load_pathway
    from exporter.planner import plan
    from exporter.settings import build_request, merged

    layers = _settings_layers(params)
    profile_pathway = next((raw["pathway"][0] for raw in layers if "pathway" in raw), None)
    pathway = load_pathway(pathway_ref or profile_pathway)
    return plan(pathway, build_request(merged(*layers))), layers


@main.command("list")
@reports_input_errors
def list_pathways() -> None:
    """List the built-in pathways."""
    from exporter.loader import builtin_ids, load_pathway

    for pathway_id in builtin_ids():
        pathway = load_pathway(pathway_id)
        click.echo(f"{pathway.id}\t{pathway.title}\t{len(pathway.phases)} phases\t{pathway.nominal_weeks:g} weeks")


@main.command()
@click.argument("pathway", required=False)
@click.option("--json", "as_json", is_flag=True, help="The whole pathway as JSON, keys as in the TOML.")
@reports_input_errors
def show(pathway: str | None, as_json: bool) -> None:
    """Show every section of a pathway (built-in id or .toml file; default: the built-in one)."""
    from exporter.loader import load_pathway, pathway_to_dict
    from exporter.text import pathway_summary

    loaded = load_pathway(pathway)
    if as_json:
        click.echo(json.dumps(pathway_to_dict(loaded), indent=2, ensure_ascii=False))
    else:
        click.echo(pathway_summary(loaded))


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
    click.echo(f"{len(files)} pathway file(s) valid", err=True)


@main.command("plan")
@click.argument("pathway", required=False)
@plan_options
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@reports_input_errors
def plan_command(pathway: str | None, as_json: bool, **params) -> None:
    """Schedule a pathway against a start date and weekly availability."""
    planned, _ = _plan_from(pathway, params)
    if as_json:
        click.echo(json.dumps(planned.to_json(), indent=2, ensure_ascii=False))
    else:
        from exporter.text import plan_summary

        click.echo(plan_summary(planned))


def output_options(command):
    options = [
        click.option("--formats", default=",".join(FORMATS), show_default=True, help="Any of xlsx,ics,pdf."),
        click.option("--paper", type=click.Choice(["letter", "a4"], case_sensitive=False), help="PDF paper size."),
        click.option("--theme", type=click.Path(dir_okay=False), help="Theme TOML (see templates/theme.toml)."),
        click.option(
            "--calendar",
            type=click.Choice(["all", "milestones", "sessions"]),
            default="all",
            show_default=True,
            help="Which events the .ics holds.",
        ),
        click.option("--ics-split", is_flag=True, help="Write milestones.ics and sessions.ics instead of plan.ics."),
        click.option(
            "--reminder",
            type=click.IntRange(0, 40320),
            help="Minutes before each session for its reminder (default 15).",
        ),
        click.option("--no-reminders", is_flag=True, help="No reminders on sessions."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _export_options(params: dict, profile: dict):
    """Output options: the command line first, then the profile file, then the defaults."""
    from exporter.export import DEFAULT_REMINDER, ExportOptions

    def chosen(name: str):
        value = params.get(name)
        return value if value is not None else profile.get(name, (None, ""))[0]

    reminder = chosen("reminder")
    return ExportOptions.from_cli(
        formats=params["formats"],
        paper=chosen("paper"),
        theme=chosen("theme"),
        calendar=params["calendar"],
        ics_split=params["ics_split"],
        reminder=None if params["no_reminders"] else DEFAULT_REMINDER if reminder is None else reminder,
    )


@main.command()
@click.argument("pathway", required=False)
@plan_options
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
@click.option("--force", is_flag=True, help="Replace an existing tracker.xlsx (kept as tracker.xlsx.bak).")
@reports_input_errors
def export(pathway: str | None, output: str, force: bool, **params) -> None:
    """Write tracker.xlsx, plan.ics and plan.pdf for one person."""
    from exporter.export import export_plan

    planned, layers = _plan_from(pathway, params)
    options = _export_options(params, layers[1])
    for written in export_plan(planned, Path(output), options, force=force):
        click.echo(str(written))


@main.command()
@click.argument("roster", type=click.Path(dir_okay=False))
@plan_options
@output_options
@click.option("--pathway", help="Pathway for rows that name none (built-in id or .toml file).")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(),
    help="Folder to write into (created if missing).",
)
@click.option("--jobs", type=click.IntRange(1, 64), help="Worker processes (default: the machine's cores).")
@click.option(
    "--combined-pdf/--no-combined-pdf",
    default=True,
    show_default=True,
    help="Also write all-plans.pdf, each plan starting on an odd page.",
)
@reports_input_errors
def batch(roster: str, output: str, jobs: int | None, combined_pdf: bool, pathway: str | None, **params) -> None:
    """Write every participant's files from a roster (CSV or .xlsx), plus a combined PDF."""
    from exporter.batch import run_batch

    layers = _settings_layers(params)
    options = _export_options(params, layers[1])
    pathway = pathway or layers[1].get("pathway", (None, ""))[0]
    with _Progress() as progress:
        report = run_batch(
            Path(roster),
            Path(output),
            options,
            layers,
            pathway,
            jobs=jobs,
            combined_pdf=combined_pdf,
            progress=progress,
        )
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for failure in report.failures:
        click.echo(f"error: {failure}", err=True)
    click.echo(f"{report.succeeded} of {report.total} participant(s) exported into {output}")
    click.echo(f"summary: {report.summary}")
    if report.combined:
        click.echo(f"all plans: {report.combined}")
    if report.failures:
        sys.exit(1)


class _Progress:
    """A progress bar on a terminal; a plain count, one line a participant, in logs."""

    def __init__(self):
        self.bar = None

    def __enter__(self):
        return self

    def __call__(self, done: int, total: int, name: str) -> None:
        if not sys.stderr.isatty():
            click.echo(f"[{done}/{total}] {name}", err=True)
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Exporting", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(1)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


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
@reports_input_errors
def import_guide(guide: str, output: str | None, hours_per_week: float) -> None:
    """Turn a career guide (plain text or Markdown) into a pathway TOML file."""
    from exporter.atomic import write_atomically
    from exporter.importer import import_guide_file

    if output and not Path(output).parent.is_dir():
        raise InputError(Problem(output, f"{str(Path(output).parent)!r} is not an existing folder; create it first"))
    result = import_guide_file(Path(guide), hours_per_week=hours_per_week)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if output:
        try:
            write_atomically(Path(output), result.toml.encode("utf-8"))
        except OSError as err:
            raise InputError(Problem(output, f"cannot write: {err.strerror or err}")) from None
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(result.toml, nl=False)
