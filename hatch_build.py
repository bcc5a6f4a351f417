"""Build the compiled extensions into the wheel.

hatchling runs this hook for every wheel, editable ones included. It
compiles the extensions (``EXTENSIONS``: the line-protocol encoder of model
instances and DataFrame columns, the batch writer's buffer of lines, the
embedded engine's replay of influxd's merge heap, and the builder of a
result's rows as dicts)
with the C compiler Python was built with (``sysconfig``'s ``CC``): into
the source tree for an editable install, into the wheel (then tagged for
this Python and platform) otherwise. Where no C
compiler or no headers of Python (``Python.h``) are found, or with
``INFLUXPY_PURE_PYTHON=1`` in the build's environment, the wheel is pure
Python: the Python code then does the same work, more slowly. A compiler
that is there and fails stops the build with its output: that is a bug to
fix, not a reason to ship a slower package quietly.
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

#: Each extension module (its path in the package) and its C files.
EXTENSIONS = {
    "influxpy/lineprotocol/_speedups": [
        Path("src/influxpy/lineprotocol/_speedups.c"),
        Path("src/influxpy/lineprotocol/_columns.c"),
        Path("src/influxpy/lineprotocol/_linebuffer.c"),
        Path("src/influxpy/lineprotocol/_lanes.c"),
    ],
    "influxpy/backends/duckdb/_heapreplay": [
        Path("src/influxpy/backends/duckdb/_heapreplay.c"),
    ],
    "influxpy/_rowdicts": [Path("src/influxpy/_rowdicts.c")],
}


def _compiler() -> list[str] | None:
    """The C compiler command, or None where there is none (or no headers
    of Python to compile against)."""
    if sys.platform == "win32":
        return None  # MSVC needs setuptools' discovery; the wheel is pure there
    command = shlex.split(sysconfig.get_config_var("CC") or "cc")
    if not command or shutil.which(command[0]) is None:
        return None
    if not (Path(sysconfig.get_paths()["include"]) / "Python.h").exists():
        return None  # Python's headers are not installed (e.g. python3-dev)
    return command


def compile_extensions(root: Path, out_dir: Path | None) -> dict[str, Path]:
    """Compile every extension, into *out_dir* or (None) beside its sources;
    return where each went (by its path in the package), nothing when there
    is no C compiler (or ``INFLUXPY_PURE_PYTHON=1``)."""
    if os.environ.get("INFLUXPY_PURE_PYTHON", "") not in ("", "0"):
        return {}
    compiler = _compiler()
    if compiler is None:
        return {}
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    built = {}
    for module, sources in EXTENSIONS.items():
        name = f"{module.rpartition('/')[2]}{suffix}"
        home = (root / "src" / module).parent if out_dir is None else out_dir
        target = home / name
        command = [
            *compiler,
            "-O2",
            "-fPIC",
            "-shared",
            f"-I{sysconfig.get_paths()['include']}",
            *(str(root / source) for source in sources),
            "-o",
            str(target),
        ]
        if sys.platform == "darwin":
            command += ["-undefined", "dynamic_lookup"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            message = (
                f"compiling {module} failed ({shlex.join(command)}):\n"
                f"{done.stdout}{done.stderr}\nSet INFLUXPY_PURE_PYTHON=1 to "
                "build without the compiled extensions."
            )
            raise RuntimeError(message)
        built[f"{module.rpartition('/')[0]}/{name}"] = target
    return built


class SpeedupsBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Compile the C extensions into the wheel (see the module docstring)."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Compile before the wheel is built."""
        root = Path(self.root)
        if version == "editable":
            compile_extensions(root, None)
            return
        self._temporary = tempfile.mkdtemp(prefix="influxpy-build-")
        built = compile_extensions(root, Path(self._temporary))
        for path_in_wheel, target in built.items():
            build_data["force_include"][str(target)] = path_in_wheel
        if built:
            build_data["pure_python"] = False
            build_data["infer_tag"] = True

    def finalize(
        self, version: str, build_data: dict[str, Any], artifact_path: str
    ) -> None:
        """Remove the compiled file's temporary directory."""
        temporary = getattr(self, "_temporary", None)
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
