"""``python -m influxpy.cli``: the ``influxpy`` command."""

import sys

from influxpy.cli import main

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
