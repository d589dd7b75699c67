"""The kibana.cases.spaces inventory plugin through ansible-inventory and ansible-playbook against the Kibana simulator.

Each test seeds spaces with the simulator's control API, writes an inventory file, runs the real command
(the plugin is found through the ``auto`` inventory plugin, as with a user's default configuration) and
checks the hosts, variables and groups, and the simulator's request log.
"""

from __future__ import annotations

import json

from kibana_simulator import control

SPACES_PATH = '/api/spaces/space'
# The play over the inventory's hosts. Kept here, not as a .yml file: ansible-lint takes every YAML file
# under a folder named inventory/ for an inventory file.
ROLLOUT_PLAYBOOK = '''\
---
# One host per Kibana space from the kibana.cases.spaces inventory plugin; each task runs on
# the controller (the hosts have ansible_connection=local) against the host's own Kibana and space.
- name: Roll the case settings out to every space of the inventory
  hosts: all
  gather_facts: false
  module_defaults:
    group/kibana.cases.kibana:
      url: "{{ kibana_url }}"
      space_id: "{{ space_id }}"
  tasks:
    - name: Set the closure type of the cases settings
      kibana.cases.case_configuration:
        owner: cases
        closure_type: close-by-pushing
      register: rollout_result

    - name: Check that the task managed the space of its host
      ansible.builtin.assert:
        that:
          - rollout_result.configuration.closure_type == 'close-by-pushing'
          - rollout_result.configuration.owner == 'cases'
        quiet: true
'''
LOCAL_VARS = {'ansible_connection': 'local', 'ansible_python_interpreter': '{{ ansible_playbook_python }}'}


def seed_spaces(sim):
    sim.add_space('security-team', 'Security team', ['ml', 'canvas'])
    sim.add_space('ops', 'Operations')
    sim.add_space('team-sandbox', 'Sandbox', ['siem'])


def space_reads(sim):
    return [(entry['method'], entry['path'], entry['status'], entry['auth_scheme']) for entry in sim.requests()]


def hosts_of(inventory, group):
    return sorted(inventory.get(group, {}).get('hosts', []))


def assert_no_credentials(run, *secrets):
    for secret in secrets + (control.ADMIN_PASSWORD, control.API_KEY, control.BEARER_TOKEN):
        assert secret not in run.stdout and secret not in run.stderr, 'a credential in the output:\n' + run.explain()


def test_list_hosts_variables_and_constructed_groups(simulator, ansible_runner):
    seed_spaces(simulator)
    source = ansible_runner.write('kibana_spaces.yml', json.dumps({
        'plugin': 'kibana.cases.spaces',
        'url': simulator.url,
        'exclude_spaces': ['team-*'],
        'compose': {'cases_owner': "'securitySolution' if space_id.startswith('security') else 'cases'"},
        'groups': {'security': "space_id.startswith('security')"},
        'keyed_groups': [{'key': 'space_disabled_features', 'prefix': 'without'},
                         {'key': 'cases_owner', 'prefix': 'owner'}],
    }))

    run = ansible_runner.inventory_list(source, env={'KIBANA_URL': 'http://127.0.0.1:9'})  # the file wins
    inventory = run.inventory()

    hostvars = inventory['_meta']['hostvars']
    assert sorted(hostvars) == ['default', 'ops', 'security-team']
    assert hostvars['security-team'] == dict(LOCAL_VARS, **{
        'space_id': 'security-team', 'space_name': 'Security team', 'space_description': None,
        'space_disabled_features': ['ml', 'canvas'], 'kibana_url': simulator.url, 'kibana_instance': None,
        'cases_owner': 'securitySolution'})
    assert hostvars['default']['space_name'] == 'Default'
    assert hostvars['default']['space_description'] == 'This is your default space!'
    assert hostvars['ops']['cases_owner'] == 'cases'
    assert hosts_of(inventory, 'security') == ['security-team']
    assert hosts_of(inventory, 'without_ml') == hosts_of(inventory, 'without_canvas') == ['security-team']
    assert 'without_siem' not in inventory  # team-sandbox is excluded
    assert hosts_of(inventory, 'owner_cases') == ['default', 'ops']
    assert hosts_of(inventory, 'owner_securitySolution') == ['security-team']
    assert_no_credentials(run)
    assert space_reads(simulator) == [('GET', SPACES_PATH, 200, 'Basic')]


def test_include_patterns_and_an_api_key_in_the_file(simulator, ansible_runner):
    seed_spaces(simulator)
    source = ansible_runner.write('team.kibana_spaces.yaml', json.dumps({
        'plugin': 'kibana.cases.spaces', 'url': simulator.url, 'api_key': control.API_KEY,
        'include_spaces': ['team-*', '*-team'], 'exclude_spaces': ['*sandbox*']}))

    run = ansible_runner.inventory_list(source, env={'KIBANA_USERNAME': None, 'KIBANA_PASSWORD': None})

    assert sorted(run.inventory()['_meta']['hostvars']) == ['security-team']
    assert_no_credentials(run)
    assert space_reads(simulator) == [('GET', SPACES_PATH, 200, 'ApiKey')]


def test_two_instances_in_one_file(simulator, second_simulator, ansible_runner):
    seed_spaces(simulator)
    second_simulator.add_space('ops', 'Operations B')
    source = ansible_runner.write('fleet.kibana_spaces.yml', json.dumps({
        'plugin': 'kibana.cases.spaces',
        'urls': [{'url': simulator.url, 'name': 'prod'}, {'url': second_simulator.url, 'name': 'staging'}],
        'include_spaces': ['default', 'ops'],
        'keyed_groups': [{'key': 'kibana_instance', 'prefix': 'kibana'}],
    }))

    inventory = ansible_runner.inventory_list(source).inventory()

    hostvars = inventory['_meta']['hostvars']
    assert sorted(hostvars) == ['prod.default', 'prod.ops', 'staging.default', 'staging.ops']
    assert hostvars['staging.ops']['space_id'] == 'ops'
    assert hostvars['staging.ops']['space_name'] == 'Operations B'
    assert hostvars['staging.ops']['kibana_url'] == second_simulator.url
    assert hostvars['prod.ops']['kibana_url'] == simulator.url
    assert hosts_of(inventory, 'kibana_prod') == ['prod.default', 'prod.ops']
    assert hosts_of(inventory, 'kibana_staging') == ['staging.default', 'staging.ops']
    assert space_reads(simulator) == space_reads(second_simulator) == [('GET', SPACES_PATH, 200, 'Basic')]


def test_two_instances_in_two_files_with_instance_names(simulator, second_simulator, ansible_runner):
    prod = ansible_runner.write('prod.kibana_spaces.yml', json.dumps({
        'plugin': 'kibana.cases.spaces', 'url': simulator.url, 'instance_name': 'prod'}))
    staging = ansible_runner.write('staging.kibana_spaces.yml', json.dumps({
        'plugin': 'kibana.cases.spaces', 'url': second_simulator.url, 'instance_name': 'staging'}))

    hostvars = ansible_runner.inventory_list(prod, staging).inventory()['_meta']['hostvars']

    assert sorted(hostvars) == ['prod.default', 'staging.default']
    assert hostvars['staging.default']['kibana_url'] == second_simulator.url


def test_cache_reads_kibana_once_until_flushed(simulator, ansible_runner):
    seed_spaces(simulator)
    source = ansible_runner.write('kibana_spaces.yml', json.dumps({
        'plugin': 'kibana.cases.spaces', 'url': simulator.url, 'cache': True,
        'cache_plugin': 'ansible.builtin.jsonfile', 'cache_connection': str(ansible_runner.folder / 'cache'),
        'cache_timeout': 600}))

    first = ansible_runner.inventory_list(source).inventory()
    simulator.add_space('late', 'Added after the first run')
    cached = ansible_runner.inventory_list(source).inventory()
    reads_before_flush = space_reads(simulator)
    flushed = ansible_runner.run('ansible-inventory', '-i', source, '--list', '--flush-cache').inventory()

    assert sorted(first['_meta']['hostvars']) == sorted(cached['_meta']['hostvars']) == \
        ['default', 'ops', 'security-team', 'team-sandbox']
    assert reads_before_flush == [('GET', SPACES_PATH, 200, 'Basic')]
    assert 'late' in flushed['_meta']['hostvars']
    assert space_reads(simulator) == [('GET', SPACES_PATH, 200, 'Basic')] * 2
    cache_text = ''.join(path.read_text(encoding='utf-8') for path in (ansible_runner.folder / 'cache').iterdir())
    assert 'security-team' in cache_text and control.ADMIN_PASSWORD not in cache_text


def test_kibana_error_fails_the_inventory_without_credentials(simulator, ansible_runner):
    source = ansible_runner.write('kibana_spaces.yml', json.dumps({
        'plugin': 'kibana.cases.spaces', 'url': simulator.url, 'username': control.ADMIN_USER,
        'password': 'wrong-password-of-the-test'}))

    run = ansible_runner.inventory_list(source)

    assert run.returncode != 0
    assert 'GET /api/spaces/space failed: 401 Unauthorized' in run.stderr, run.explain()
    assert 'wrong-password-of-the-test' not in run.stdout + run.stderr


def test_play_over_the_spaces_of_two_instances_then_nothing_to_change(simulator, second_simulator, ansible_runner):
    simulator.add_space('ops', 'Operations')
    second_simulator.add_space('security-team', 'Security team')
    source = ansible_runner.write('fleet.kibana_spaces.yml', json.dumps({
        'plugin': 'kibana.cases.spaces', 'urls': [simulator.url, second_simulator.url]}))
    playbook = ansible_runner.write('rollout.yml', ROLLOUT_PLAYBOOK)
    first_name = '127.0.0.1_%s' % simulator.url.rsplit(':', 1)[1]
    second_name = '127.0.0.1_%s' % second_simulator.url.rsplit(':', 1)[1]
    hosts = sorted(['%s.default' % first_name, '%s.ops' % first_name,
                    '%s.default' % second_name, '%s.security-team' % second_name])

    first = ansible_runner.run('ansible-playbook', '-i', source, playbook)
    first_log = [simulator.requests(), second_simulator.requests()]
    simulator.clear_requests()
    second_simulator.clear_requests()
    again = ansible_runner.run('ansible-playbook', '-i', source, playbook)

    for run in (first, again):
        assert run.returncode == 0, run.explain()
        assert sorted(run.recap()) == hosts, run.explain()
        assert all(counters['failed'] == 0 and counters['unreachable'] == 0 for counters in run.recap().values())
        assert_no_credentials(run)
    assert all(counters['changed'] == 1 for counters in first.recap().values()), first.explain()
    assert all(counters['changed'] == 0 for counters in again.recap().values()), again.explain()

    # Each space was written once, in its own Kibana; the second run only read.
    for log, spaces in zip(first_log, (['', '/s/ops'], ['', '/s/security-team'])):
        posts = sorted(entry['path'] for entry in log if entry['method'] == 'POST')
        assert posts == sorted(prefix + '/api/cases/configure' for prefix in spaces)
    for sim in (simulator, second_simulator):
        log = sim.requests()
        assert [entry['method'] for entry in log if entry['path'] != SPACES_PATH] == ['GET', 'GET']
        assert all(entry['status'] == 200 for entry in log)
