"""Fixtures of the inventory tests: two Kibana simulators and ansible-inventory / ansible-playbook runs against them.

The simulator fixtures are imported, not loaded with ``pytest_plugins`` (pytest accepts that only in the
rootdir's conftest); ``tests/conftest.py`` puts ``tests/`` on sys.path, so ``kibana_simulator`` is importable.
"""

from __future__ import annotations

import pytest

from kibana_simulator.pytest_fixtures import running_simulator
from kibana_simulator.pytest_fixtures import simulator, simulator_process  # noqa: F401  pylint: disable=unused-import
from inventory_runner import ansible_runner, collections_path  # noqa: F401  pylint: disable=unused-import


@pytest.fixture(scope='session')
def second_simulator_process(tmp_path_factory):
    yield from running_simulator(tmp_path_factory, 'second_kibana_simulator')


@pytest.fixture
def second_simulator(second_simulator_process):  # pylint: disable=redefined-outer-name
    """Another Kibana: its own process, reset like ``simulator``."""
    second_simulator_process.reset()
    yield second_simulator_process
