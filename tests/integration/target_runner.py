"""Helpers of the integration tests: the targets, what the driver seeds, how ansible-playbook is run.

A module with its own name (not conftest): tests/ has another conftest.py, and
``import conftest`` would get whichever was imported first.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import ansible_env
from kibana_simulator import control

INTEGRATION_DIR = Path(__file__).resolve().parent
TARGETS_DIR = INTEGRATION_DIR / 'targets'
RUN_TARGET = INTEGRATION_DIR / 'run_target.yml'
PLAYBOOK_TIMEOUT = 300
OUTPUT_TAIL_LINES = 150

# What the driver seeds before each target, and tells the targets through integration_config.json.
SPACES = (
    {'id': 'security-team', 'name': 'Security team'},
    {'id': 'ops', 'name': 'Operations'},
)
CONNECTORS = {
    # default space
    'jira': {'space_id': 'default', 'id': 'jira-soc', 'name': 'Jira SOC', 'type': '.jira'},
    'servicenow': {'space_id': 'default', 'id': 'servicenow-itsm', 'name': 'ServiceNow ITSM', 'type': '.servicenow'},
    'shared_1': {'space_id': 'default', 'id': 'webhook-1', 'name': 'Shared webhook', 'type': '.cases-webhook'},
    'shared_2': {'space_id': 'default', 'id': 'webhook-2', 'name': 'Shared webhook', 'type': '.cases-webhook'},
    'thehive': {'space_id': 'default', 'id': 'thehive-1', 'name': 'TheHive', 'type': '.thehive'},
    # only in the security-team space
    'space_jira': {'space_id': 'security-team', 'id': 'jira-security', 'name': 'Jira Security', 'type': '.jira'},
}


def discover_targets():
    """Every folder under targets/ with tasks/main.yml, sorted."""
    return sorted(path.name for path in TARGETS_DIR.iterdir() if (path / 'tasks' / 'main.yml').is_file())


def seed(sim):
    """Spaces and connectors the targets use (the simulator has just been reset)."""
    for space in SPACES:
        sim.add_space(space['id'], space['name'])
    for connector in CONNECTORS.values():
        sim.add_connector(connector['space_id'], connector['id'], connector['name'], connector['type'])


def integration_config():
    """Extra vars of every target: the seeded names and the test users of the simulator."""
    def public(connector):
        return {'id': connector['id'], 'name': connector['name'], 'type': connector['type']}

    return {
        'kibana_test_admin_username': control.ADMIN_USER,
        'kibana_test_admin_password': control.ADMIN_PASSWORD,
        'kibana_test_viewer_username': control.VIEWER_USER,
        'kibana_test_viewer_password': control.VIEWER_PASSWORD,
        'kibana_test_cases_only_username': control.CASES_ONLY_USER,
        'kibana_test_cases_only_password': control.CASES_ONLY_PASSWORD,
        'kibana_test_space': SPACES[0]['id'],
        'kibana_test_second_space': SPACES[1]['id'],
        'kibana_test_jira': public(CONNECTORS['jira']),
        'kibana_test_servicenow': public(CONNECTORS['servicenow']),
        'kibana_test_thehive': public(CONNECTORS['thehive']),
        'kibana_test_space_jira': public(CONNECTORS['space_jira']),
        'kibana_test_shared_connector_name': CONNECTORS['shared_1']['name'],
    }


@pytest.fixture(scope='session')
def collections_path(tmp_path_factory):
    """Where ansible-playbook finds the collection (see ansible_env.collections_path)."""
    return ansible_env.collections_path(tmp_path_factory.mktemp('collections'))


class PlaybookRun:
    def __init__(self, target, returncode, output):
        self.target = target
        self.returncode = returncode
        self.output = output

    def tail(self, lines=OUTPUT_TAIL_LINES):
        return '\n'.join(self.output.splitlines()[-lines:])

    def recap(self):
        """The localhost line of the PLAY RECAP as a dict of counters, or None."""
        for line in reversed(self.output.splitlines()):
            if line.startswith('localhost') and ':' in line and 'ok=' in line:
                return dict((key, int(value)) for key, value in
                            (item.split('=', 1) for item in line.split(':', 1)[1].split()))
        return None


def ansible_environment(sim, collections, work_dir):
    """The environment of an Ansible command against the simulator, as its admin user."""
    return ansible_env.ansible_environment(work_dir, collections, KIBANA_URL=sim.url, KIBANA_USERNAME=control.ADMIN_USER,
                                           KIBANA_PASSWORD=control.ADMIN_PASSWORD, ANSIBLE_ROLES_PATH=str(TARGETS_DIR))


@pytest.fixture
def run_target(simulator, collections_path, tmp_path):  # pylint: disable=redefined-outer-name
    """Run tests/integration/run_target.yml for one target against the simulator; returns a PlaybookRun."""
    config_file = tmp_path / 'integration_config.json'
    config_file.write_text(json.dumps(integration_config()), encoding='utf-8')
    env = ansible_environment(simulator, collections_path, tmp_path)
    executable = ansible_env.ansible_command('ansible-playbook')

    def run(target, *extra_args):
        command = [executable, str(RUN_TARGET), '-e', 'target=%s' % target, '-e', '@%s' % config_file]
        command.extend(extra_args)
        completed = subprocess.run(command, cwd=str(tmp_path), env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   timeout=PLAYBOOK_TIMEOUT, check=False)
        return PlaybookRun(target, completed.returncode, completed.stdout.decode('utf-8', errors='replace'))

    return run
