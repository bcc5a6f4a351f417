"""Seeds of the randomised tests: fresh in a developer's run, fixed in CI.

A developer's run of the differential tests draws new examples every time,
so running the suite explores. Under CI (the ``CI`` variable set, as
``.ci/run`` sets it) every randomised test draws the same examples for the
same code, so a run's outcome depends only on the commit, and the run made
before pushing is the run CI makes. A failure found by exploring becomes a
test of its own (``tests/conformance``), not a CI run that fails by chance.
"""

from __future__ import annotations

import os
import random

#: Whether this run is CI's (fixed seeds, derandomized Hypothesis).
CI = os.environ.get("CI", "").lower() not in ("", "0", "false")


def run_seed(variable: str, fixed: int) -> int:
    """The seed named by the environment *variable* when set, else *fixed*
    under CI, else a fresh one (print it to replay a run)."""
    value = os.environ.get(variable)
    if value:
        return int(value)
    return fixed if CI else random.randrange(2**32)
