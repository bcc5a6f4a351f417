"""``python -m influxpy`` and the ``influxpy`` command's entry point."""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line, or explain how to install it."""
    try:
        from influxpy.cli import main as cli_main
    except ImportError as exc:
        if exc.name not in ("click", "rich"):
            raise
        sys.stderr.write(
            "influxpy: the command line needs its extra: "
            "pip install 'influxpy-orm[cli]'\n"
        )
        return 2
    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
