"""Shared test configuration: hypothesis profiles and the procedure marker."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

pytest_plugins = ["tests.integration.servers", "tests.postgres_server"]


def pytest_configure(config: pytest.Config) -> None:
    """Holiday tables are cached in a directory of the run's own, never the user's."""
    if "COMPLAINTCORE_CACHE_DIR" not in os.environ:
        where = tempfile.mkdtemp(prefix="complaintcore-test-cache-")
        os.environ["COMPLAINTCORE_CACHE_DIR"] = where
        config.add_cleanup(lambda: shutil.rmtree(where, ignore_errors=True))
