"""Fixtures of the hardening tests: the Kibana simulator (one per session, reset per test) and ansible-playbook runs.

tests/conftest.py puts tests/ on sys.path (so ``kibana_simulator`` imports) and makes
``ansible_collections.kibana.cases`` importable; this folder's own helpers live in resilience_helpers.py
(a unique module name: pytest puts each test folder on sys.path).
"""

from __future__ import annotations

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from kibana_simulator.pytest_fixtures import simulator, simulator_process  # noqa: E402,F401  pylint: disable=unused-import

import ansible_env  # noqa: E402
import resilience_helpers  # noqa: E402


@pytest.fixture(scope='session')
def collections_path(tmp_path_factory):
    return ansible_env.collections_path(tmp_path_factory.mktemp('collections'))


@pytest.fixture
def playbook(collections_path, tmp_path):  # pylint: disable=redefined-outer-name
    """playbook(tasks, *extra_args) runs the tasks with ansible-playbook; returns a PlaybookRun."""
    def run(tasks, *extra_args, **kwargs):
        return resilience_helpers.run_playbook(tasks, collections_path, tmp_path, *extra_args, **kwargs)
    return run
