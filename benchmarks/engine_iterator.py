"""Memory and time of ``iterator()`` on the embedded engine, against ``to_dataframe()``.

    python benchmarks/engine_iterator.py [-n 20000000] [--trials 1]

Writes the seed model's data set (1,000 hosts, 10 regions, three fields)
into an embedded database file once, then runs each case in a fresh
interpreter that opens the file read-only, reads every column once (so the
stored blocks are resident before measuring), and reads all ``-n`` rows:

- ``to_dataframe()`` and ``iterator()`` (``chunk_size=10000``, each point
  a dict, as ``influxpy export`` reads them) for ``group_by('*')`` (the
  export's query: series by tag values, rows by time) and for the
  ungrouped query (rows by time);
- with ``--whole``, both again with the engine sorting the whole answer
  in one query, as it did before it read in slices.

Peak memory is the growth of the child's peak RSS (VmHWM) over its RSS
before the case, once the child has run a small query of each shape (so
imports such as numpy's are not counted). The target: ``iterator()`` adds
under 100 MB and takes at most 1.3x the time of ``to_dataframe()`` for the
same rows.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import current_rss_mib, median_result, peak_rss_mib, reset_peak_rss
from _common import run_child as _run_child
from embedded import frame
from write import _model

SHAPES = ("by *", "ungrouped")
CASES = {
    "df by *": "group_by('*').to_dataframe()",
    "iter by *": "group_by('*').iterator()",
    "df ungrouped": "all().to_dataframe()",
    "iter ungrouped": "all().iterator()",
}
WHOLE = {
    "df by *, whole": "group_by('*').to_dataframe(), one sorted query",
    "iter by *, whole": "group_by('*').iterator(), one sorted query",
    "df ungrouped, whole": "all().to_dataframe(), one sorted query",
    "iter ungrouped, whole": "all().iterator(), one sorted query",
}


def _trim() -> None:
    """Give freed heap memory back to the OS, so RSS growth is the case's."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:  # pragma: no cover - not glibc
        pass


def child(case: str, path: str) -> dict[str, Any]:
    """Run one case on the database at *path*; its figures."""
    import gc

    import influxpy
    from influxpy.connection import get_connection

    influxpy.connect(f"duckdb://{path}?read_only=true")
    backend: Any = get_connection("default")
    if case.endswith(", whole"):
        backend._slice_rows = None
    model = _model()
    qs = model.series.all().epoch()
    if "by *" in case:
        qs = qs.group_by("*")
    # Every stored block resident before measuring, as after any read, and
    # the reading code imported and run once.
    for shape in (model.series.all(), model.series.group_by("*")):
        list(shape.filter(name="host-0000").epoch()[:5].iterator())
    backend._con.execute(
        "SELECT count(*), sum(time), sum(cpu), sum(memory), sum(free_memory), "
        'max(name), max(region) FROM "influxpy"."autogen.servers"'
    ).fetchall()
    gc.collect()
    _trim()
    reset_peak_rss()
    start_rss = current_rss_mib()
    start = time.perf_counter()
    if case.startswith("df"):
        count = len(qs.to_dataframe())
    else:
        count = 0
        for piece in qs.iterator(chunk_size=10_000):
            count += len(piece.points)
    wall = time.perf_counter() - start
    return {
        "count": count,
        "wall": wall,
        "growth_mib": peak_rss_mib() - start_rss,
        "start_mib": start_rss,
    }


def build(path: Path, n: int) -> float:
    """Write *n* points into the database file at *path*; the seconds taken."""
    import influxpy

    start = time.perf_counter()
    data = frame(n)
    backend = influxpy.connect(f"duckdb://{path}", alias="build")
    _model().series.using("build").write_dataframe(data, batch_size=1_000_000)
    backend.close()
    return time.perf_counter() - start


def main() -> None:
    """Build the data once, run every case in a child, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20_000_000)
    parser.add_argument("--trials", type=int, default=1)
    parser.add_argument(
        "--whole", action="store_true", help="also run the one-sorted-query cases"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.path)))
        return
    cases = {**CASES, **(WHOLE if args.whole else {})}
    root = Path(tempfile.mkdtemp(prefix="influxpy-iter-"))
    try:
        path = root / "bench.duckdb"
        wall = build(path, args.n)
        print(f"  wrote {args.n:,} points in {wall:.1f} s", file=sys.stderr)
        results: dict[str, list[dict[str, Any]]] = {case: [] for case in cases}
        for _trial in range(args.trials):
            for case in cases:
                result = _run_child(__file__, case, ["--path", str(path)])
                print(f"  {case}: {result}", file=sys.stderr)
                results[case].append(result)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    best = {case: median_result(runs) for case, runs in results.items()}
    print(
        f"\nEmbedded engine, {args.n:,} points of 1,000 hosts read from a file "
        f"(median of {args.trials}):\n"
    )
    print("| case | rows | wall | peak RSS added | vs to_dataframe() |")
    print("|---|---|---|---|---|")
    for case, label in cases.items():
        result = best[case]
        if "error" in result:
            print(f"| `{label}` | error: {result['error']} | | | |")
            continue
        shape = next(s for s in SHAPES if s in case)
        reference = best[f"df {shape}"].get("wall")
        ratio = f"{result['wall'] / reference:.2f}x" if reference else "-"
        print(
            f"| `{label}` | {result['count']:,} | {result['wall']:.2f} s | "
            f"{result['growth_mib']:,.0f} MiB | {ratio} |"
        )


if __name__ == "__main__":
    main()
