"""Hypothesis profiles for the test suite: ``ci`` (the default) and ``nightly``.

``ci`` is small, derandomised and keeps no example database, so a CI run is reproducible and the
whole of tests/test_fuzz.py takes well under a minute on a 2-core machine. ``nightly`` runs 5000
examples per property with fresh randomness and remembers failing examples in the (git-ignored)
``.hypothesis/`` directory at the project root, so a failure found at night is replayed first
the next time. The profile is chosen by the environment variable ``HYPOTHESIS_PROFILE``:

    .venv/bin/python -m pytest tests/test_fuzz.py                                  # ci
    HYPOTHESIS_PROFILE=nightly .venv/bin/python -m pytest tests/test_fuzz.py       # nightly

tests/conftest.py imports this module, so the profile applies to every Hypothesis test of the
suite. A test asks for its own ci budget with :func:`budget`; other profiles ignore it.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

ROOT = Path(__file__).resolve().parent.parent
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
# Generated HTML pages and article texts are large and extraction is slow by design.
SUPPRESSED = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]

settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=SUPPRESSED,
)
settings.register_profile(
    "nightly",
    max_examples=5000,
    deadline=None,
    derandomize=False,
    database=DirectoryBasedExampleDatabase(ROOT / ".hypothesis" / "examples"),
    print_blob=True,
    suppress_health_check=SUPPRESSED,
)
settings.load_profile(PROFILE)


def budget(ci_examples: int) -> settings:
    """``max_examples`` for one test under the ci profile; under any other profile, the profile's."""
    if PROFILE == "ci":
        return settings(max_examples=ci_examples)
    return settings()
