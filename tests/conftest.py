"""Shared helpers: the built-in pathway, plans made from options, and the CLI runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings as hypothesis_settings

from exporter.cli import main
from exporter.context import RunContext, fixed_context
from exporter.errors import Origin
from exporter.loader import load_pathway
from exporter.planner import plan
from exporter.settings import build_request, layer
from exporter.theme import Theme
from exporter.writers import REGISTRY, Handout, WriterOptions

# CI explores the same examples on every run, so a red build is reproducible; locally each run explores anew.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BUILTIN_FILE = ROOT / "pathways" / "backend-developer-to-ai-government-specialist.toml"


CONTEXT = fixed_context(datetime(2027, 1, 1, 12, 0, tzinfo=UTC), "America/New_York")
"""The run context of the tests: a fixed moment, so outputs never depend on when the suite runs."""


def make_plan(pathway=None, context: RunContext = CONTEXT, **settings):
    """A plan from the built-in pathway (or the one given) and settings named as in a profile."""
    settings.setdefault("start", "2027-01-04")
    settings.setdefault("timezone", "America/New_York")
    request = build_request(layer(settings, Origin), context)
    return plan(pathway or load_pathway(), request)


def render_format(
    fmt: str, planned, theme: Theme | None = None, options: WriterOptions | None = None, context: RunContext = CONTEXT
) -> dict[str, bytes]:
    """The files one registered writer makes for a plan (file name -> bytes)."""
    return REGISTRY[fmt].render(planned, context, theme or Theme(), options or WriterOptions())


WHOLE_PLANS = [
    ("Ada Lovelace", "en", WriterOptions()),
    ("محمد علي", "de", WriterOptions(handout=Handout.SHORT)),
    ("张伟 (Wei)", "fr", WriterOptions(personal_only=True)),
    ("Zoë Ødegård-" + "x" * 120, "pt-BR", WriterOptions()),
]
"""Plans whose PDFs tests compare whole, made with one way of drawing and another: (name, language, options)
covering scripts, languages, the handout, a booklet's personal part and a name too long for a line."""


def render_one(fmt: str, planned, **kwargs) -> bytes:
    """The content of a writer's only file."""
    (content,) = render_format(fmt, planned, **kwargs).values()
    return content


def run(*args: str):
    """Run the CLI in-process; stderr kept apart from stdout."""
    return CliRunner().invoke(main, [str(arg) for arg in args], catch_exceptions=False)


def run_process(*args: str, cwd: Path | None = None, env: dict | None = None):
    """Run the installed command as a user would, in a separate process."""
    command = shutil.which("pathway-export") or sys.executable
    argv = [command] if command != sys.executable else [sys.executable, "-m", "exporter"]
    return subprocess.run([*argv, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


@pytest.fixture(scope="session")
def builtin_plan():
    return make_plan(name="Zoë Ødegård")


def run_measured(*args, timeout=120):
    """The installed command in a fresh process; returns (result, seconds, peak memory in MB or None)."""
    command = shutil.which("pathway-export")
    argv = [command] if command else [sys.executable, "-m", "exporter"]
    # A parent whose only child is the command, so RUSAGE_CHILDREN is the command's own peak.
    parent = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "sys.stdout.write(r.stdout)\n"
        "sys.stderr.write(r.stderr)\n"
        "sys.stderr.write(f'\\npeak-kb {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n')\n"
        "sys.exit(r.returncode)\n"
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", parent, *argv, *map(str, args)], capture_output=True, text=True, timeout=timeout
    )
    seconds = time.monotonic() - started
    stderr, _, peak = result.stderr.rpartition("\npeak-kb ")
    result.stderr = stderr
    peak_mb = int(peak) / 1024 if sys.platform == "linux" else None  # ru_maxrss is in KB on Linux
    return result, seconds, peak_mb
