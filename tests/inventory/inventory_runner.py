"""Helpers of the inventory tests: run ansible-inventory and ansible-playbook against the simulators.

A module with its own name (not conftest): tests/ has other conftest.py files.
"""

from __future__ import annotations

import json
import subprocess

import pytest

import ansible_env
from kibana_simulator import control

TIMEOUT = 300


@pytest.fixture(scope='session')
def collections_path(tmp_path_factory):
    """Where Ansible finds the collection (see ansible_env.collections_path)."""
    return ansible_env.collections_path(tmp_path_factory.mktemp('collections'))


def unwrap(value):
    """ansible-inventory's JSON without the ``{"__ansible_unsafe": ...}`` wrappers of ansible-core 2.19."""
    if isinstance(value, dict):
        if set(value) == {'__ansible_unsafe'}:
            return value['__ansible_unsafe']
        return dict((key, unwrap(item)) for key, item in value.items())
    if isinstance(value, list):
        return [unwrap(item) for item in value]
    return value


class Run:
    def __init__(self, command, returncode, stdout, stderr):
        self.command = command
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr

    def explain(self):
        return '%s exited with %d\nstdout:\n%s\nstderr:\n%s' % (
            ' '.join(self.command), self.returncode, self.stdout[-6000:], self.stderr[-4000:])

    def inventory(self):
        """The --list output as a dict."""
        assert self.returncode == 0, self.explain()
        return unwrap(json.loads(self.stdout))

    def recap(self):
        """PLAY RECAP counters by host."""
        recap = {}
        lines = self.stdout.splitlines()
        if 'PLAY RECAP' not in ' '.join(lines):
            return recap
        for line in lines[[i for i, line in enumerate(lines) if line.startswith('PLAY RECAP')][-1] + 1:]:
            if ':' in line and 'ok=' in line:
                host, counters = line.split(':', 1)
                recap[host.strip()] = dict((key, int(value)) for key, value in
                                           (item.split('=', 1) for item in counters.split()))
        return recap


class AnsibleRunner:
    """Runs Ansible commands in a temporary folder, with the simulator's admin user in KIBANA_USERNAME/PASSWORD."""

    def __init__(self, folder, env):
        self.folder = folder
        self.env = env

    def write(self, name, text):
        path = self.folder / name
        path.write_text(text, encoding='utf-8')
        return path

    def run(self, command, *args, env=None):
        """Run an Ansible command; ``env`` adds variables to the environment (None removes one)."""
        command = [ansible_env.ansible_command(command)] + [str(arg) for arg in args]
        environment = dict(self.env, **(env or {}))
        environment = dict((key, value) for key, value in environment.items() if value is not None)
        completed = subprocess.run(command, cwd=str(self.folder), env=environment,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   timeout=TIMEOUT, check=False)
        return Run(command, completed.returncode, completed.stdout.decode('utf-8', errors='replace'),
                   completed.stderr.decode('utf-8', errors='replace'))

    def inventory_list(self, *sources, env=None):
        args = []
        for source in sources:
            args += ['-i', source]
        return self.run('ansible-inventory', *(args + ['--list']), env=env)


@pytest.fixture
def ansible_runner(collections_path, tmp_path):  # pylint: disable=redefined-outer-name
    env = ansible_env.ansible_environment(tmp_path, collections_path, KIBANA_USERNAME=control.ADMIN_USER,
                                          KIBANA_PASSWORD=control.ADMIN_PASSWORD, ANSIBLE_INVENTORY_UNPARSED_FAILED='true')
    return AnsibleRunner(tmp_path, env)
