"""The README's "Use it as a test double" example runs under pytest."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def double_example() -> str:
    text = README.read_text()
    section = text.split("### Use it as a test double for InfluxDB", 1)[1]
    found = re.search(r"^```python\n(.*?)^```\n", section, re.MULTILINE | re.DOTALL)
    assert found is not None
    return found.group(1)


def test_the_readme_fixture_serves_a_test(tmp_path):
    example = tmp_path / "test_double.py"
    example.write_text(double_example())
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(example)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
