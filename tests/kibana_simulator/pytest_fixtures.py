"""pytest plugin: `pytest_plugins = ["kibana_simulator.pytest_fixtures"]`.

simulator_process: one simulator process per test session (HTTP, default seed).
simulator: function-scoped; the same process after reset() (seed state, no faults, empty log).
"""

from __future__ import annotations

import pytest

from .control import Simulator


def running_simulator(tmp_path_factory, name="kibana_simulator"):
    """A simulator process for the test session (a generator for a session fixture): started, then stopped."""
    sim = Simulator.start(tmp_path_factory.mktemp(name))
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture(scope="session")
def simulator_process(tmp_path_factory):
    yield from running_simulator(tmp_path_factory)


@pytest.fixture
def simulator(simulator_process):
    simulator_process.reset()
    yield simulator_process
