"""Helpers shared by the tests of every face: the test corpus (``corpus``) and the real service
process (``live``). Benchmarks keep their own helpers; they do not import these."""

from tests.support.corpus import *  # noqa: F403
from tests.support.live import *  # noqa: F403
