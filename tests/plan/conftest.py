"""Fixtures of the training-plan tests: the demo loaded once per module (tests/demo/conftest.py)."""

from tests.demo.conftest import DAY, demo_world, occupations  # noqa: F401  (fixtures)
from tests.projects.conftest import english  # noqa: F401
