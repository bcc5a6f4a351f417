"""The distribution: the sdist and wheel carry the license and the metadata.

The wheel and sdist are built with hatchling (the build backend, a dev
dependency) into a temporary directory, a few seconds without build
isolation. The HTTP backend is checked to run with the engine's packages
(duckdb, pyarrow, numpy) and pandas unimportable, as the README's slim
install promises; without them the engine says what to install.
"""

from __future__ import annotations

import email
import email.message
import os
import pathlib
import subprocess
import sys
import sysconfig
import tarfile
import textwrap
import tomllib
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
REPOSITORY = "https://github.com/influxpy/influxpy-orm"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    pytest.importorskip("hatchling", reason="hatchling is a dev dependency")
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-d", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # A warning-free build.
    assert "warn" not in (done.stdout + done.stderr).lower()
    return out


def metadata(built: pathlib.Path) -> email.message.Message:
    (wheel,) = built.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return email.message_from_bytes(archive.read(name))


def test_the_license_is_mit_in_the_repository() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n")
    assert "influxpy contributors" in text
    assert PROJECT["license"] == {"text": "MIT"}


def test_the_wheel_and_sdist_carry_the_license(built: pathlib.Path) -> None:
    license_text = (ROOT / "LICENSE").read_bytes()
    (wheel,) = built.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if n.endswith("/LICENSE")]
        assert [archive.read(n) for n in names] == [license_text]
        assert ".dist-info/" in names[0]
    (sdist,) = built.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        member = archive.extractfile(f"{sdist.name[: -len('.tar.gz')]}/LICENSE")
        assert member is not None
        assert member.read() == license_text


def test_the_wheel_carries_the_compiled_encoder_and_the_sdist_its_source(
    built: pathlib.Path,
) -> None:
    """Where a C compiler is found (here: the one that built the editable
    install's extension), the wheel holds the compiled encoder and is tagged
    for this Python and platform; the sdist holds the C source and the hook
    that compiles it, never a compiled file."""
    from influxpy.lineprotocol._compiled import COMPILED

    if not COMPILED:
        pytest.skip("no compiled encoder in this install: no C compiler here")
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    (wheel,) = built.glob("*.whl")
    assert f"-cp{sys.version_info[0]}{sys.version_info[1]}-" in wheel.name
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert f"influxpy/lineprotocol/_speedups{suffix}" in names
    assert f"influxpy/backends/duckdb/_heapreplay{suffix}" in names
    assert f"influxpy/_rowdicts{suffix}" in names
    assert not [name for name in names if name.endswith(".c")]
    (sdist,) = built.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        members = [name.split("/", 1)[1] for name in archive.getnames()]
    assert "hatch_build.py" in members
    assert "src/influxpy/lineprotocol/_speedups.c" in members
    assert "src/influxpy/backends/duckdb/_heapreplay.c" in members
    assert "src/influxpy/_rowdicts.c" in members
    assert not [name for name in members if name.endswith(".so")]


def test_without_the_extension_the_wheel_is_pure_python(
    tmp_path: pathlib.Path,
) -> None:
    """``INFLUXPY_PURE_PYTHON=1`` at build time (as on a machine without a C
    compiler or Python's headers): a pure Python wheel for every platform."""
    pytest.importorskip("hatchling", reason="hatchling is a dev dependency")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hatchling",
            "build",
            "-t",
            "wheel",
            "-d",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "INFLUXPY_PURE_PYTHON": "1"},
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("*.whl")
    assert wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert not [n for n in archive.namelist() if n.endswith((".so", ".pyd"))]


def test_the_metadata_names_the_license_urls_and_pythons(built: pathlib.Path) -> None:
    meta = metadata(built)
    classifiers = meta.get_all("Classifier") or []
    assert "License :: OSI Approved :: MIT License" in classifiers
    assert meta["License"] == "MIT"
    urls: dict[str, str] = {}
    for url in meta.get_all("Project-URL") or []:
        label, _, address = url.partition(",")
        urls[label.strip()] = address.strip()
    assert urls == {
        "Homepage": REPOSITORY,
        "Documentation": f"{REPOSITORY}#readme",
        "Issues": f"{REPOSITORY}/issues",
        "Changelog": f"{REPOSITORY}/releases",
    }
    # The floor of requires-python and the Python running the tests.
    floor = PROJECT["requires-python"].removeprefix(">=")
    assert meta["Requires-Python"] == f">={floor}"
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    for version in (floor, running):
        assert f"Programming Language :: Python :: {version}" in classifiers


def test_the_engines_packages_are_core_dependencies() -> None:
    # The embedded engine is the default store, and cannot run without them.
    names = {d.split(">=")[0] for d in PROJECT["dependencies"]}
    assert {"duckdb", "pyarrow", "numpy", "httpx"} <= names


BLOCKED = textwrap.dedent(
    """
    import sys

    class Missing:
        def find_spec(self, name, path=None, target=None):
            top = name.split(".")[0]
            if top in {"duckdb", "pyarrow", "numpy", "pandas"}:
                raise ModuleNotFoundError(f"No module named {top!r}", name=top)
            return None

    sys.meta_path.insert(0, Missing())

    import influxpy
    from influxpy import fields, models

    class Cpu(models.InfluxMeasurement):
        measurement = "cpu"
        value = fields.FloatField()
        host = fields.InfluxTag()

    try:
        influxpy.connect(sys.argv[1])
        Cpu(value=1.5, host="a", time=1).save()
        Cpu.series.bulk_create([Cpu(value=2.5, host="b", time=2)])
        print(Cpu.series.count(), Cpu.series.filter(host="b").first().value)
    except influxpy.ImproperlyConfigured as error:
        print(error)
    """
)


def run_blocked(url: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", BLOCKED, url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_http_runs_without_the_engines_packages(influx_url: str) -> None:
    assert run_blocked(influx_url) == "2 2.5"


def test_the_engine_without_its_packages_says_what_to_install() -> None:
    assert run_blocked("duckdb://:memory:") == (
        "The embedded engine needs duckdb, numpy and pyarrow (core dependencies "
        "of influxpy-orm), and duckdb is not installed: pip install duckdb numpy "
        "pyarrow (a plain pip install influxpy-orm brings them)."
    )
