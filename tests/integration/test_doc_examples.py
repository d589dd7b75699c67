"""The rollout examples of docs/examples run as docs/rollout.md says: the spaces inventory, a preview that
only reads, a rollout that changes each space once, a second rollout that changes nothing, the report."""

from __future__ import annotations

import json
import re
import subprocess

from ansible_env import COLLECTION_ROOT, ansible_command
from target_runner import PLAYBOOK_TIMEOUT, ansible_environment

EXAMPLES = COLLECTION_ROOT / 'docs' / 'examples'
# The inventory keeps prod.<space>, groups security-* and ops, and leaves *-sandbox out.
SPACES = {'security-team': 'Security team', 'ops': 'Operations', 'team-sandbox': 'Sandbox'}
HOSTS = {'prod.default', 'prod.security-team', 'prod.ops'}


def run(env, tmp_path, tool, *args):
    command = [ansible_command(tool), *args]
    completed = subprocess.run(command, cwd=str(tmp_path), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=PLAYBOOK_TIMEOUT, check=False)
    output = completed.stdout.decode('utf-8', errors='replace')
    assert completed.returncode == 0, '%s %s failed:\n%s\n%s' % (
        tool, ' '.join(args), output[-6000:], completed.stderr.decode('utf-8', errors='replace')[-3000:])
    return output


def recap(output):
    """host -> counters of the PLAY RECAP."""
    counters = {}
    for line in output.splitlines():
        match = re.match(r'^(\S+)\s+:\s+(ok=.*)$', line)
        if match:
            counters[match.group(1)] = dict((key, int(value)) for key, value in
                                            (item.split('=', 1) for item in match.group(2).split()))
    return counters


def test_rollout_examples(simulator, collections_path, tmp_path):
    for space_id, name in SPACES.items():
        simulator.add_space(space_id, name)
    env = ansible_environment(simulator, collections_path, tmp_path)
    inventory = str(EXAMPLES / 'inventory')
    rollout = str(EXAMPLES / 'rollout.yml')

    listed = json.loads(run(env, tmp_path, 'ansible-inventory', '-i', inventory, '--list'))
    assert set(listed['_meta']['hostvars']) == HOSTS
    assert listed['security']['hosts'] == ['prod.security-team']
    assert listed['observability']['hosts'] == ['prod.ops']

    simulator.clear_requests()
    preview = run(env, tmp_path, 'ansible-playbook', '-i', inventory, rollout, '--check', '--diff')
    assert {host: counters['changed'] for host, counters in recap(preview).items()} == dict.fromkeys(HOSTS, 1)
    assert {entry['method'] for entry in simulator.requests()} == {'GET'}, 'the preview wrote'

    applied = run(env, tmp_path, 'ansible-playbook', '-i', inventory, rollout, '--diff')
    assert {host: counters['changed'] for host, counters in recap(applied).items()} == dict.fromkeys(HOSTS, 1)
    owners = dict((entry['space_id'], entry['owner']) for entry in simulator.state()['configurations'])
    assert owners == {'default': 'cases', 'security-team': 'securitySolution', 'ops': 'observability'}

    simulator.clear_requests()
    again = run(env, tmp_path, 'ansible-playbook', '-i', inventory, rollout)
    assert {host: counters['changed'] for host, counters in recap(again).items()} == dict.fromkeys(HOSTS, 0)
    assert {entry['method'] for entry in simulator.requests()} == {'GET'}, 'the second rollout wrote'

    report = run(env, tmp_path, 'ansible-playbook', '-i', inventory, str(EXAMPLES / 'report.yml'))
    assert 'prod.security-team' in report and 'securitySolution closes' in report
