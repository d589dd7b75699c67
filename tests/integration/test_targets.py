"""Runs each integration target (tests/integration/targets/<name>) with ansible-playbook against the Kibana simulator.

For each target folder: reset the simulator, seed the spaces and connectors of conftest.py,
run ``ansible-playbook run_target.yml -e target=<name>`` in its own process, require exit code 0
and ``failed=0``, then check the simulator's request log: properties every target must have,
and, for the targets listed in EXPECTED_REQUESTS, the exact sequence of requests, which proves
that check mode and a repeated run only read and that bad options fail before any request.
"""

from __future__ import annotations

import re

import pytest

from target_runner import TARGETS_DIR, discover_targets, seed

CONFIGURE = '/api/cases/configure'
SPACE = 'security-team'
OPS = 'ops'
CONFIGURATION_ID_PATH = re.compile(r'(/api/cases/configure/)(?!connectors/)[^/]+$')


def get(owner='cases', space='', status=200):
    """A read of the configuration of ``owner`` (None: of every owner) in ``space`` ('' is the default space)."""
    return 'GET %s%s%s -> %s' % (space and '/s/' + space, CONFIGURE, '?owner=' + owner if owner else '', status)


def post(space='', status=200):
    return 'POST %s%s -> %s' % (space and '/s/' + space, CONFIGURE, status)


def patch(space='', status=200):
    return 'PATCH %s%s/<id> -> %s' % (space and '/s/' + space, CONFIGURE, status)


def version(status=200):
    """The read of Kibana's version (GET /api/status), sent only when an option needs a recent Kibana."""
    return 'GET /api/status -> %s' % status


def find(space='', status=200):
    """The look-up of the connectors usable by cases."""
    return 'GET %s%s/connectors/_find -> %s' % (space and '/s/' + space, CONFIGURE, status)


# The requests each target sends, in order, as "METHOD path?query -> status" (a configuration id
# in a path shows as <id>; the comments say which tasks sent them). Update this when a target's
# tasks change.
EXPECTED_REQUESTS = {
    'case_configuration_environment': [
        # the closed port of the first task gets nothing
        get(None, status=401),      # the wrong password from the task's environment
        get(None),                  # the password option
    ],
    'case_configuration_templates': [
        # securitySolution, default space; every task reads the version (templates, observable types or
        # a number custom field need a recent Kibana)
        version(), get('securitySolution'),             # template, fields, observable types: check mode
        version(), get('securitySolution'), post(),     # - real
        version(), get('securitySolution'),             # - again
        version(), get('securitySolution'),             # a custom field added: check mode
        version(), get('securitySolution'), patch(),    # - real
        version(), get('securitySolution'),             # - again
        version(), get('securitySolution'), patch(),    # templates and observable types removed
        version(), get('securitySolution'),             # - again
        version(), get('securitySolution'),             # a template with an unknown custom field: no write
    ],
    'case_configuration_version_gates': [
        version(),                  # number custom fields and observable types on 8.16: refused
        version(),                  # observable types in check mode: refused
        version(), get(), post(),   # a template and a .thehive connector: written
        version(), get(),           # - again
    ],
    'case_configuration_create': [
        # the options have a number custom field (Kibana 8.17+): each run reads the version first
        get(),                              # info before
        version(), get(),                   # check mode: reads only
        get(),                              # info after check mode
        version(), get(), post(),           # real run: read, create
        get(),                              # info after the create
        version(), get(),                   # second run: reads only
        version(), get(),                   # second run in check mode: reads only
    ],
    'case_configuration_check_mode_diff': [
        get('securitySolution'), version(),  # check mode: the version tells which lists a new one holds
        get('securitySolution'), post(),     # real
    ],
    'case_configuration_errors': [
        # the eight bad options: no request at all
        get(), post(),                          # create the configuration to work on
        get(),                                  # pinned configuration_id that is not the one there
        get('observability'),                   # pinned configuration_id, owner without configuration
        get(), patch(),                         # pinned configuration_id that is the one there
        version(), get(),                       # custom field type change (to number): read, refuse, no PATCH
        find(), find(), find(), find(),         # connector look-ups that fail: no read, no write
        get(), patch(status=403),               # viewer: update
        get('securitySolution'), post(status=403),  # viewer: create
        get(),                                  # viewer: check mode only reads
        get(status=401),                        # wrong password
        get(None, status=401),                  # wrong password, info
        get(space='no-such-space', status=404),  # unknown space
        get(None),                              # info at the end
    ],
    'case_configuration_info': [
        get(None),                              # every owner, empty space
        get(), post(), get('securitySolution'), post(),  # create cases and securitySolution
        get('observability', SPACE), post(SPACE),        # create observability in security-team
        get(None), get(None),                   # every owner, then in check mode
        get(), get('observability'),            # one owner, one without configuration
        get(None, SPACE),                       # every owner of security-team
        get(None),                              # cases_only user: every owner it may read
        get('securitySolution', status=403),    # cases_only user: an owner it may not read
    ],
    'case_configuration_spaces_owners': [
        # each owner in security-team: look the connector up in that space, read that owner only
        # check mode, creating: the version tells which lists a new configuration holds
        find(SPACE), get('cases', SPACE), version(), find(SPACE), get('securitySolution', SPACE), version(),
        find(SPACE), get('observability', SPACE), version(),
        find(SPACE), get('cases', SPACE), post(SPACE),                                      # real
        find(SPACE), get('securitySolution', SPACE), post(SPACE),
        find(SPACE), get('observability', SPACE), post(SPACE),
        find(SPACE), get('cases', SPACE), find(SPACE), get('securitySolution', SPACE),     # again
        find(SPACE), get('observability', SPACE),
        get(None, SPACE),                                                                   # info, every owner
        get('observability', OPS), version(),                                               # ops: check mode
        get('observability', OPS), post(OPS),                                               # - real
        get('observability', OPS),                                                          # - again
        get(None),                                                                          # info, default space
    ],
    'case_configuration_update': [
        get(), post(),              # create the configuration to update
        get(),                      # closure_type: check mode
        get(), patch(),             # - real
        get(),                      # - again
        get(),                      # full connector (no look-up): check mode
        get(), patch(),             # - real
        get(),                      # - again
        find(), get(),              # connector by name: check mode looks it up too
        find(), get(), patch(),     # - real
        find(), get(),              # - again
        get(),                      # connector .none: check mode
        get(), patch(),             # - real
        get(),                      # - again
        version(), get(),           # custom fields (one of type number): check mode
        version(), get(), patch(),  # - real
        version(), get(),           # - again
        get(),                      # custom_fields []: check mode
        get(), patch(),             # - real
        get(),                      # - again
        get(),                      # info at the end
    ],
}


def describe(entry):
    """One request of the simulator's log as 'METHOD path?query -> status'."""
    query = '&'.join('%s=%s' % (key, value) for key, values in sorted((entry.get('query') or {}).items())
                     for value in values)
    path = CONFIGURATION_ID_PATH.sub(r'\1<id>', entry['path'])
    return '%s %s%s -> %s' % (entry['method'], path, '?' + query if query else '', entry['status'])


def format_log(log):
    return '\n'.join('  %2d. %s' % (index, describe(entry)) for index, entry in enumerate(log, 1)) or '  (none)'


def test_every_target_is_complete():
    """Each target folder has tasks/main.yml and aliases that keep ansible-test from running it without the simulator."""
    folders = sorted(path for path in TARGETS_DIR.iterdir() if path.is_dir())
    assert folders, 'no integration targets in %s' % TARGETS_DIR
    for folder in folders:
        assert (folder / 'tasks' / 'main.yml').is_file(), '%s has no tasks/main.yml' % folder
        aliases = (folder / 'aliases').read_text(encoding='utf-8').splitlines()
        assert 'unsupported' in [line.split('#', 1)[0].strip() for line in aliases], (
            '%s/aliases must say unsupported (the target needs the simulator of the pytest driver)' % folder)
    assert set(EXPECTED_REQUESTS) | set(KNOWN_BUGS) <= set(discover_targets()), 'a target named here does not exist'


# The Kibana version the simulator answers as, for targets that need another than its default (9.1).
KIBANA_VERSIONS = {'case_configuration_version_gates': '8.16.0'}


# Targets that fail because of a known bug in the collection: target -> reason (strict xfail,
# so the test tells when the fix lands and the entry must go).
KNOWN_BUGS = {}


# Each target runs both ways: in the controller process (the action plugin, on this local
# connection) and as a module process (what a remote host gets); the results must be the same.
EXECUTIONS = {'controller': 'kibana_cases_run_on_controller=true', 'module': 'kibana_cases_run_on_controller=false'}


@pytest.mark.parametrize('execution', sorted(EXECUTIONS))
@pytest.mark.parametrize('target', [
    pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[name])) if name in KNOWN_BUGS else name
    for name in discover_targets()
])
def test_target(target, execution, simulator, run_target):
    seed(simulator)
    if target in KIBANA_VERSIONS:
        simulator.set_kibana_version(KIBANA_VERSIONS[target])
    simulator.clear_requests()

    run = run_target(target, '-e', EXECUTIONS[execution])

    recap = run.recap()
    assert run.returncode == 0 and recap is not None and recap['failed'] == 0 and recap['unreachable'] == 0, (
        'ansible-playbook for target %s exited with %d (recap %s); last lines of its output:\n%s'
        % (target, run.returncode, recap, run.tail()))
    assert recap['ignored'] == 0, 'target %s ignored errors; use failed_when instead:\n%s' % (target, run.tail())

    log = simulator.requests()
    writes = [entry for entry in log if entry['method'] != 'GET']
    assert all(entry['xsrf'] for entry in writes), 'a write without kbn-xsrf:\n%s' % format_log(writes)
    server_errors = [entry for entry in log if entry['status'] is None or entry['status'] >= 500]
    assert not server_errors, 'requests that failed on the server side:\n%s' % format_log(server_errors)
    assert all(entry['auth_scheme'] == 'Basic' for entry in log), 'a request without Basic authentication'

    expected = EXPECTED_REQUESTS.get(target)
    if expected is not None:
        actual = [describe(entry) for entry in log]
        assert actual == expected, (
            'target %s sent other requests than expected.\nexpected:\n%s\nactual:\n%s'
            % (target, '\n'.join('  %2d. %s' % (i, line) for i, line in enumerate(expected, 1)), format_log(log)))


@pytest.mark.parametrize('execution, starts_module', [('controller', False), ('module', True)])
def test_where_the_task_runs(execution, starts_module, simulator, run_target):
    """On a local connection the action plugin runs the task in the controller; forced off, a module process."""
    seed(simulator)

    run = run_target('case_configuration_info', '-vvv', '-e', EXECUTIONS[execution])

    assert run.returncode == 0, run.tail()
    assert ('AnsiballZ_case_configuration_info.py' in run.output) is starts_module
