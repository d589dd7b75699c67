"""Fixtures of the integration tests: the Kibana simulator and ansible-playbook runs against it.

The simulator fixtures are imported, not loaded with ``pytest_plugins``: pytest accepts
``pytest_plugins`` only in the rootdir's conftest. ``tests/conftest.py`` puts ``tests/`` on
sys.path, so ``kibana_simulator`` is importable here.
"""

from __future__ import annotations

from kibana_simulator.pytest_fixtures import simulator, simulator_process  # noqa: F401  pylint: disable=unused-import
from target_runner import collections_path, run_target  # noqa: F401  pylint: disable=unused-import
