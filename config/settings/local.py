"""The embedded default: what `bin/run` uses. DEBUG stays off unless DEBUG=1 is set."""

from .base import *  # noqa: F401,F403
