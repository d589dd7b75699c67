"""Kibana's answers that are not what the API promises: a configuration with a non-null `error` becomes a
warning with Kibana's text; an HTML page from a proxy, a body that is not JSON, a configuration without
`version`, and JSON of the wrong shape fail with a clear message and never a traceback."""

from __future__ import annotations

import pytest

from resilience_helpers import CONFIGURE, admin_connection, client, module_params

from ansible_collections.kibana.cases.plugins.module_utils.configuration_sync import sync_case_configuration
from ansible_collections.kibana.cases.plugins.module_utils.kibana_client import KibanaError
from ansible_collections.kibana.cases.plugins.module_utils.setting_rules import InvalidOptions

MAPPING_ERROR = 'Error: Mapping for field "summary" is missing in connector Jira SOC (resilience)'
JIRA = {'id': 'jira-soc', 'name': 'Jira SOC', 'type': '.jira'}


def test_configuration_error_becomes_a_warning_end_to_end(simulator, playbook):
    simulator.add_connector('default', JIRA['id'], JIRA['name'], JIRA['type'], mapping_error=MAPPING_ERROR)
    run = playbook([
        ('kibana.cases.case_configuration', dict(admin_connection(simulator), connector=JIRA)),
        ('kibana.cases.case_configuration', dict(admin_connection(simulator), connector=JIRA)),
    ])
    created, again = run.results
    assert not created.get('failed') and not again.get('failed'), run.tail()
    assert created['configuration']['error'] == MAPPING_ERROR
    assert again['changed'] is False
    expected = 'Kibana reports a problem with this configuration: %s' % MAPPING_ERROR
    # ansible-playbook shows a repeated warning once; each registered result carries its own
    assert '[WARNING]: ' + expected in run.flat_output(), run.tail()
    for result in (created, again):
        assert expected in result.get('warnings', []), result.get('warnings')


def test_configuration_error_becomes_a_warning_in_process(simulator):
    simulator.add_connector('default', JIRA['id'], JIRA['name'], JIRA['type'], mapping_error=MAPPING_ERROR)
    outcome = sync_case_configuration(client(simulator), module_params(**dict(admin_connection(simulator), connector=JIRA)))
    assert any(MAPPING_ERROR in warning for warning in outcome.warnings), outcome.warnings
    outcome = sync_case_configuration(client(simulator), module_params(**dict(admin_connection(simulator), closure_type='close-by-user')))
    assert any(MAPPING_ERROR in warning for warning in outcome.warnings), 'no warning when nothing was written'


def test_malformed_answers_fail_clearly_end_to_end(simulator, playbook):
    simulator.write_configuration('default', 'cases', {'closure_type': 'close-by-user'})
    simulator.inject_fault('html', method='GET', path=CONFIGURE, count=2)          # 502 nginx page, retried once
    simulator.inject_fault('bad_json', method='GET', path=CONFIGURE, count=1)
    simulator.inject_fault('missing_version', method='GET', path=CONFIGURE, count=1)
    simulator.inject_fault('html', method='GET', path=CONFIGURE, count=1, status=200)
    task = ('kibana.cases.case_configuration', dict(admin_connection(simulator, retries=1), closure_type='close-by-pushing'))
    run = playbook([task, task, task, task])
    html, bad_json, no_version, html_200 = run.results
    assert html.get('failed') and '502 Bad Gateway' in html['msg'] and 'text/html' in html['msg'], html
    assert 'after 1 retries' in html['msg'], html['msg']
    assert bad_json.get('failed') and 'not JSON' in bad_json['msg'], bad_json
    assert no_version.get('failed') and 'without a version' in no_version['msg'], no_version
    assert html_200.get('failed') and 'not JSON' in html_200['msg'] and 'text/html' in html_200['msg'], html_200
    assert 'Traceback' not in run.output and 'MODULE FAILURE' not in run.output, run.tail()
    assert not [e for e in simulator.requests() if e['method'] != 'GET'], 'wrote after a malformed answer'


# JSON of the wrong shape, where the API promises objects: (method, path pattern, body). Each must end in a
# KibanaError (which the module turns into a clear failure), never an AttributeError/TypeError (a traceback).
def shape(method, path, body, bug=False):
    """bug=True: an AttributeError escaped (a module traceback) until commit 5b48cc7."""
    del bug
    return pytest.param(method, path, body, id='%s %s %r' % (method, path.strip('^$'), body))


WRONG_SHAPES = [
    shape('GET', r'^/api/cases/configure$', [42], bug=True),           # configuration_sync._current_configuration
    shape('GET', r'^/api/cases/configure$', ['configuration'], bug=True),
    shape('GET', r'^/api/cases/configure$', None),
    shape('GET', r'^/api/cases/configure$', {'id': 'x'}),
    shape('GET', r'^/api/status$', {'version': '9.1.0'}, bug=True),    # configuration_sync.read_kibana_version
    shape('GET', r'^/api/status$', ['9.1.0']),
    shape('GET', r'^/api/cases/configure/connectors/_find$', {'id': 'jira-soc'}, bug=True),  # case_settings.resolve_connector
    shape('GET', r'^/api/cases/configure/connectors/_find$', ['jira-soc'], bug=True),
    shape('POST', r'^/api/cases/configure$', 42, bug=True),            # configuration_sync._result
    shape('POST', r'^/api/cases/configure$', [], bug=True),
    shape('PATCH', r'^/api/cases/configure/', ['ok'], bug=True),
]


@pytest.mark.parametrize('method,path,body', WRONG_SHAPES)
def test_wrong_json_shapes_fail_with_kibana_error(simulator, method, path, body):
    options = dict(closure_type='close-by-pushing', observable_types=[], connector={'name': JIRA['name']})
    simulator.add_connector('default', JIRA['id'], JIRA['name'], JIRA['type'])
    if method == 'PATCH':
        simulator.write_configuration('default', 'cases', {'closure_type': 'close-by-user'})
    simulator.inject_fault('status', method=method, path=path, status=200, body=body)
    try:
        sync_case_configuration(client(simulator), module_params(**dict(admin_connection(simulator), **options)))
    except (KibanaError, InvalidOptions) as exc:
        assert str(exc), 'an empty message'
        return
    except Exception as exc:  # pylint: disable=broad-except
        pytest.fail('%s: %s escapes the module\'s error handling (a traceback): %s' % (method, type(exc).__name__, exc))
    pytest.fail('%s answered %r and the task succeeded' % (method, body))
