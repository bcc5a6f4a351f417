"""Build the compiled line-protocol encoder into the wheel.

hatchling runs this hook for every wheel, editable ones included. It
compiles the C files of ``src/influxpy/lineprotocol/`` with the C compiler
Python was built with (``sysconfig``'s ``CC``): into the source tree for an
editable install, into the wheel (then tagged for this Python and platform)
otherwise. Where no C compiler is found, or with ``INFLUXPY_PURE_PYTHON=1``
in the build's environment, the wheel is pure Python: the encoder then
writes the same lines without the extension, more slowly. A compiler that is
there and fails stops the build with its output: that is a bug to fix, not
a reason to ship a slower package quietly.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE_DIR = "influxpy/lineprotocol"
SOURCES = [
    Path("src", PACKAGE_DIR, "_speedups.c"),
    Path("src", PACKAGE_DIR, "_columns.c"),
]


def _compiler() -> list[str] | None:
    """The C compiler command, or None where there is none."""
    if sys.platform == "win32":
        return None  # MSVC needs setuptools' discovery; the wheel is pure there
    command = shlex.split(sysconfig.get_config_var("CC") or "cc")
    if not command or shutil.which(command[0]) is None:
        return None
    return command


def compile_extension(root: Path, out_dir: Path) -> Path | None:
    """Compile the extension into *out_dir*; return its path, or None when
    there is no C compiler (or ``INFLUXPY_PURE_PYTHON=1``)."""
    if os.environ.get("INFLUXPY_PURE_PYTHON", "") not in ("", "0"):
        return None
    compiler = _compiler()
    if compiler is None:
        return None
    target = out_dir / f"_speedups{sysconfig.get_config_var('EXT_SUFFIX')}"
    command = [
        *compiler,
        "-O2",
        "-fPIC",
        "-shared",
        f"-I{sysconfig.get_paths()['include']}",
        *(str(root / source) for source in SOURCES),
        "-o",
        str(target),
    ]
    if sys.platform == "darwin":
        command += ["-undefined", "dynamic_lookup"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        message = (
            f"compiling the line-protocol encoder failed ({shlex.join(command)}):\n"
            f"{done.stdout}{done.stderr}\nSet INFLUXPY_PURE_PYTHON=1 to build "
            "without the compiled encoder."
        )
        raise RuntimeError(message)
    return target


class SpeedupsBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Compile ``_speedups.c`` into the wheel (see the module docstring)."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Compile before the wheel is built."""
        root = Path(self.root)
        if version == "editable":
            compile_extension(root, root / "src" / PACKAGE_DIR)
            return
        self._temporary = tempfile.mkdtemp(prefix="influxpy-build-")
        built = compile_extension(root, Path(self._temporary))
        if built is None:
            return
        build_data["force_include"][str(built)] = f"{PACKAGE_DIR}/{built.name}"
        build_data["pure_python"] = False
        build_data["infer_tag"] = True

    def finalize(
        self, version: str, build_data: dict[str, Any], artifact_path: str
    ) -> None:
        """Remove the compiled file's temporary directory."""
        temporary = getattr(self, "_temporary", None)
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
