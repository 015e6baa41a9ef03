"""Guides: any number of phases, none merged in silence; a size limit; no folders made for -o."""

import tomllib
from pathlib import Path

import pytest
from conftest import FIXTURES, run, run_measured

from exporter.errors import InputError
from exporter.importer import import_guide_file, import_guide_text


def guide_with_phases(count: int, heading=lambda n: f"{n}\n\nStep {n}") -> str:
    phases = "\n".join(
        f"{heading(n)}\n\n1 week\nTasks\n  • Do thing {n}.1\n  • Do thing {n}.2\n" for n in range(1, count + 1)
    )
    return f"From Nurse to Health Data Analyst\n\nYour Learning Roadmap\n\n{phases}"


@pytest.mark.parametrize("count", [99, 100, 120])
def test_every_phase_is_kept_past_99(count):
    result = import_guide_text(guide_with_phases(count), "long.txt")
    phases = tomllib.loads(result.toml)["phases"]
    assert len(phases) == count
    assert [phase["number"] for phase in phases] == list(range(1, count + 1))
    assert [phase["title"] for phase in phases] == [f"Step {n}" for n in range(1, count + 1)]
    assert all(len(phase["tasks"]) == 2 and phase["weeks"] == 1 for phase in phases)
    assert result.warnings == ()


def test_a_120_phase_guide_file_makes_a_valid_120_phase_pathway(tmp_path):
    guide = tmp_path / "long.txt"
    guide.write_text(guide_with_phases(120), encoding="utf-8")
    out = tmp_path / "long.toml"
    result = run("import", guide, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr
    assert len(tomllib.loads(out.read_text(encoding="utf-8"))["phases"]) == 120
    assert run("validate", out).exit_code == 0


def test_phase_headings_with_the_word_phase_and_large_numbers():
    result = import_guide_text(guide_with_phases(120, lambda n: f"Phase {n}: Step {n}"), "long.md")
    assert len(tomllib.loads(result.toml)["phases"]) == 120 and result.warnings == ()
    # `Phase 7` on a line of its own, its title on the next, as for a bare `7`
    result = import_guide_text(guide_with_phases(3, lambda n: f"Phase {n}\n\nStep {n}"), "alone.md")
    assert [p["title"] for p in tomllib.loads(result.toml)["phases"]] == ["Step 1", "Step 2", "Step 3"]
    assert result.warnings == ()


def test_a_number_too_large_for_a_phase_renumbers_with_a_warning():
    numbers = iter([1, 2, 10**40])
    result = import_guide_text(guide_with_phases(3, lambda n: f"{next(numbers)}: Step {n}"), "odd.txt")
    phases = tomllib.loads(result.toml)["phases"]
    assert [p["number"] for p in phases] == [1, 2, 3] and phases[2]["title"] == "Step 3"
    assert result.warnings == ("odd.txt: a phase number is too large; phases were renumbered 1 to 3",)


def test_a_line_that_looks_like_a_phase_heading_is_not_merged_in_silence():
    guide = guide_with_phases(2).replace("2\n\nStep 2", "Phase 2 Step two")
    result = import_guide_text(guide, "merged.txt")
    assert len(tomllib.loads(result.toml)["phases"]) == 1
    (warning,) = result.warnings
    assert warning.startswith("merged.txt:14: looks like a phase heading but is not 'Phase N: title'")
    assert warning.endswith("Phase 2 Step two")


def test_a_50_mb_guide_fails_fast_with_small_memory(tmp_path):
    guide = tmp_path / "huge.txt"
    with open(guide, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: nothing on disk, 50 MB to any reader
    result, seconds, peak_mb = run_measured("import", guide)
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {guide}: larger than the 5 MB limit for a guide"
    assert result.stdout == ""
    assert seconds < 30
    if peak_mb is not None:
        assert peak_mb < 100, f"{peak_mb:.0f} MB"


def test_the_guide_limit_is_applied_to_the_file(tmp_path, monkeypatch):
    import exporter.importer

    guide = tmp_path / "seed.txt"
    guide.write_bytes((FIXTURES / "seed-guide.txt").read_bytes())
    monkeypatch.setattr(exporter.importer, "GUIDE_LIMIT", guide.stat().st_size)
    assert len(tomllib.loads(import_guide_file(guide).toml)["phases"]) == 5
    monkeypatch.setattr(exporter.importer, "GUIDE_LIMIT", guide.stat().st_size - 1)
    with pytest.raises(InputError, match=r"larger than the .* limit for a guide"):
        import_guide_file(guide)


def test_import_output_into_a_missing_folder_creates_nothing(tmp_path):
    out = tmp_path / "missing" / "dir" / "x.toml"
    result = run("import", FIXTURES / "seed-guide.txt", "-o", out)
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"error: {out}: {str(out.parent)!r} is not an existing folder; create it first")
    assert not (tmp_path / "missing").exists()


@pytest.mark.skipif(Path("/nonexistent").exists(), reason="/nonexistent exists on this machine")
def test_import_output_under_nonexistent_creates_nothing():
    result = run("import", FIXTURES / "seed-guide.txt", "-o", "/nonexistent/dir/x.toml")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: /nonexistent/dir/x.toml: '/nonexistent/dir' is not an existing folder")
    assert not Path("/nonexistent").exists()


def test_import_output_under_a_file_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    result = run("import", FIXTURES / "seed-guide.txt", "-o", tmp_path / "file" / "x.toml")
    assert result.exit_code == 1 and "is not an existing folder" in result.stderr
