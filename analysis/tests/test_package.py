"""Installed with Debian's pip, `iclsweep-analysis` works from any directory; output into
a pipe closed early (`fit | head`) ends quietly."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import mv_like_excess

REPO = Path(__file__).resolve().parents[2]
ENV = {"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin"}


def test_pip_install_gives_a_console_command(results_file, tmp_path):
    if subprocess.run([sys.executable, "-m", "pip", "--version"],
                      capture_output=True).returncode != 0:
        pytest.skip("pip not installed (Debian: apt-get install python3-pip)")
    source = tmp_path / "src"  # a copy: the build leaves egg-info and build/ behind
    shutil.copytree(REPO / "analysis", source / "analysis",
                    ignore=shutil.ignore_patterns("tests", "__pycache__"))
    shutil.copy(REPO / "pyproject.toml", source)
    prefix = tmp_path / "prefix"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation",
                           "--no-deps", "--no-index", "--break-system-packages", "--prefix",
                           str(prefix), str(source)], capture_output=True, text=True,
                          timeout=300, env=ENV)
    assert done.returncode == 0, done.stderr
    command = next(prefix.rglob("bin/iclsweep-analysis"))
    site = next(path.parent.parent for path in prefix.rglob("analysis/__main__.py"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    path = results_file(excess=mv_like_excess)
    done = subprocess.run([str(command), "summary", str(path)], cwd=elsewhere,
                          capture_output=True, text=True, timeout=120,
                          env={**ENV, "PYTHONPATH": str(site)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("gmm sweep: 48 cells")
    assert str(site) in subprocess.run(
        [sys.executable, "-c", "import analysis; print(analysis.__file__)"], cwd=elsewhere,
        capture_output=True, text=True, env={**ENV, "PYTHONPATH": str(site)}).stdout


def test_fit_into_a_closed_pipe_ends_without_traceback(results_file):
    path = results_file(excess=mv_like_excess)
    done = subprocess.run(f"{sys.executable} -m analysis fit {path} --draws 20 | head -1",
                          shell=True, cwd=REPO, capture_output=True, text=True, timeout=120,
                          env=ENV)
    assert done.stdout == "### Verdict\n"
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
