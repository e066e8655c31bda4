"""A bad input ends with exit code 2 and one line naming the file and the problem."""
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.__main__ import main

from .conftest import mv_like_excess

REPO = Path(__file__).resolve().parents[2]


def one_error_line(capsys):
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("command", (["summary"], ["plot", "-o", "figs"], ["fit"],
                                     ["report", "-o", "out"]))
def test_missing_variable(results_file, capsys, command):
    path = results_file(excess=mv_like_excess, omit=("test_error",))
    assert main([command[0], str(path), *command[1:]]) == 2
    assert one_error_line(capsys) == f"analysis: {path}: missing variable 'test_error'"


def test_text_file_is_not_netcdf(tmp_path, capsys):
    path = tmp_path / "results.nc"
    path.write_text("model,d,test_error\nlinear,10,0.1\n")
    assert main(["summary", str(path)]) == 2
    assert one_error_line(capsys) == (f"analysis: {path}: not a readable NetCDF file "
                                      f"(NetCDF: Unknown file format)")


def test_nonexistent_path(tmp_path, capsys):
    path = tmp_path / "nowhere" / "results.nc"
    assert main(["summary", str(path)]) == 2
    assert one_error_line(capsys) == f"analysis: {path}: file not found"


def test_missing_status(results_file, capsys):
    path = results_file(excess=mv_like_excess, omit=("status",))
    assert main(["summary", str(path)]) == 2
    assert one_error_line(capsys) == f"analysis: {path}: missing variable 'status'"


def test_directory_means_its_results_nc(results_file, tmp_path, capsys):
    results_file(excess=mv_like_excess)
    assert main(["summary", str(tmp_path)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3


@pytest.mark.parametrize("command", ("plot", "fit", "report"))
def test_unwritable_output_directory(results_file, tmp_path, capsys, command):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    path = results_file(excess=mv_like_excess)
    assert main([command, str(path), "--draws", "50", "-o", str(blocker / "figs")]) == 1
    assert one_error_line(capsys) == (f"analysis: cannot write to {blocker / 'figs'}: "
                                      f"Not a directory")


def test_exit_code_as_a_command(tmp_path):
    done = subprocess.run([sys.executable, "-m", "analysis", "summary", str(tmp_path / "x.nc")],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == f"analysis: {tmp_path / 'x.nc'}: file not found\n"
