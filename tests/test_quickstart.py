"""README's first command sets up and runs the demo in a fresh virtual environment."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def first_command() -> str:
    """The first line of README's first ``bash`` block."""
    text = (ROOT / "README.md").read_text()
    match = re.search(r"^```bash\n(.+?)\n", text, re.MULTILINE)
    assert match is not None
    return match.group(1)


def test_first_command_is_install_and_demo():
    """The quick start installs the CLI extra and runs the demo."""
    assert first_command() == "pip install '.[cli]' && influxpy demo"


def test_first_command_runs_in_a_fresh_virtual_environment(tmp_path: Path):
    """On a new venv, the command installs influxpy and the demo prints its queries."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "INFLUX_DATABASE_URL", "INFLUXDB_URL")
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    result = subprocess.run(
        ["bash", "-c", first_command()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "Wrote 43200 points for 5 servers." in out
    assert 'SELECT mean("cpu") AS "cpu_m" FROM "servers"' in out
    assert "top(" in out
    assert "derivative(" in out
    assert (venv / "bin" / "influxpy").exists()
