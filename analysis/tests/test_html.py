"""report --html: one self-contained file, opened in a real browser (headless Chromium)."""
import re
import shutil
import subprocess

import numpy as np
import pytest
from matplotlib import image

from analysis.__main__ import main

from .test_papers import dss_file

CHROMIUM = shutil.which("chromium")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")


def chromium(tmp_path, page, *action):
    """Run headless Chromium on `page` with a fresh profile; return its stdout."""
    profile = tmp_path / f"profile{len(list(tmp_path.glob('profile*')))}"
    done = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *action,
                           page.as_uri()], capture_output=True, text=True, timeout=180,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_html_report_is_self_contained(results_file, tmp_path):
    out = tmp_path / "out"
    assert main(["report", str(dss_file(results_file, replicates=2)), "--draws", "50",
                 "--html", "-o", str(out)]) == 0
    text = (out / "report.html").read_text()
    pngs = sorted(path.name for path in out.glob("*.png"))
    assert pngs == ["dss_error_vs_N.png"]
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', text)) == len(pngs)
    assert not re.search(r'(src|href)="(?!data:)', text)  # nothing outside the file
    assert "not enough replicates to conclude (n = 2; need ≥ 4)" in text


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (Debian: apt-get install "
                                              "chromium); the HTML report is not opened in a "
                                              "browser")
def test_html_report_renders_in_chromium_with_every_figure(results_file, tmp_path):
    out = tmp_path / "out"
    assert main(["report", str(dss_file(results_file, replicates=4)), "--draws", "50",
                 "--html", "-o", str(out)]) == 0
    page = out / "report.html"
    shot = tmp_path / "shot.png"
    chromium(tmp_path, page, "--window-size=1000,1600", f"--screenshot={shot}")
    pixels = image.imread(shot)
    assert shot.stat().st_size > 20_000 and pixels.shape[:2] == (1600, 1000)
    assert np.std(pixels[..., :3]) > 0.05  # text and figures, not a blank page
    dom = chromium(tmp_path, page, "--dump-dom")
    assert "<h2>Paper claims</h2>" in dom
    images = re.findall(r'<img [^>]*src="data:image/png;base64,[^"]+"', dom)
    assert len(images) == len(list(out.glob("*.png"))) == 1
