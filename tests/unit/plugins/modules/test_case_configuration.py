"""The exact HTTP conversation of kibana.cases.case_configuration in each scenario."""

import pytest

from ansible_collections.kibana.cases.plugins.module_utils import configuration_sync
from ansible_collections.kibana.cases.plugins.module_utils.configuration_sync import CONFLICT_PAUSE, MAX_ROUNDS
from ansible_collections.kibana.cases.plugins.modules import case_configuration, case_configuration_info
from conversation import LOST_ANSWER, kibana_error

NONE_CONNECTOR = {'id': 'none', 'name': 'none', 'type': '.none', 'fields': None}
JIRA = {'id': 'jira-1', 'name': 'Jira SOC', 'type': '.jira', 'fields': None}
TICKET_FIELD = {'key': 'ticket', 'label': 'Ticket', 'type': 'text', 'required': False}
CONFIGURE = '/api/cases/configure'


@pytest.fixture(autouse=True)
def pauses(monkeypatch):
    """The pauses the flow takes after a conflict (recorded, not slept)."""
    taken = []
    monkeypatch.setattr(configuration_sync, 'sleep', taken.append)
    return taken


def configuration(**settings):
    """A configuration as Kibana returns it."""
    found = {
        'id': 'conf-1', 'version': 'WzEsMV0=', 'owner': 'cases', 'closure_type': 'close-by-user',
        'connector': dict(NONE_CONNECTOR), 'customFields': [], 'mappings': [], 'error': None,
        'created_at': '2026-12-01T10:00:00.000Z', 'created_by': {'username': 'elastic'},
        'updated_at': None, 'updated_by': None,
    }
    found.update(settings)
    return found


def test_creates_the_configuration_when_the_space_has_none(kibana, run_module):
    created = configuration(closure_type='close-by-pushing')
    kibana.expect('GET', CONFIGURE, query={'owner': ['cases']}, answer=[])
    kibana.expect('POST', CONFIGURE, body={'owner': 'cases', 'closure_type': 'close-by-pushing',
                                           'connector': NONE_CONNECTOR}, answer=created)

    result = run_module(case_configuration, {'closure_type': 'close-by-pushing'})

    assert result['changed'] is True
    assert result['configuration'] == created
    assert kibana.seen[1]['headers']['kbn-xsrf'] == 'true'
    assert kibana.seen[1]['headers']['Authorization'].startswith('ApiKey ')


def test_no_write_when_nothing_differs(kibana, run_module):
    current = configuration(customFields=[dict(TICKET_FIELD, defaultValue=None)])
    kibana.expect('GET', CONFIGURE, query={'owner': ['cases']}, answer=[current])

    result = run_module(case_configuration, {'closure_type': 'close-by-user', 'connector': {'type': '.none'},
                                             'custom_fields': [{'key': 'ticket', 'label': 'Ticket', 'type': 'text'}]},
                        diff=True)

    assert result['changed'] is False
    assert result['configuration'] == current
    assert result['diff']['before'] == result['diff']['after']


def test_patches_only_the_keys_that_differ_with_the_version(kibana, run_module):
    current = configuration(customFields=[TICKET_FIELD])
    updated = configuration(closure_type='close-by-pushing', customFields=[TICKET_FIELD], version='WzIsMV0=')
    kibana.expect('GET', CONFIGURE, query={'owner': ['cases']}, answer=[current])
    kibana.expect('PATCH', CONFIGURE + '/conf-1', body={'closure_type': 'close-by-pushing', 'version': 'WzEsMV0='},
                  answer=updated)

    result = run_module(case_configuration, {'closure_type': 'close-by-pushing', 'connector': {'type': '.none'}})

    assert result['changed'] is True
    assert result['configuration'] == updated
    assert 'diff' not in result


def test_check_mode_only_reads_and_predicts(kibana, run_module):
    kibana.expect('GET', CONFIGURE, query={'owner': ['cases']}, answer=[configuration()])

    result = run_module(case_configuration, {'custom_fields': [{'key': 'ticket', 'label': 'Ticket', 'type': 'text'}]},
                        check_mode=True, diff=True)

    assert result['changed'] is True
    assert result['configuration']['customFields'] == [TICKET_FIELD]
    assert result['configuration']['version'] == 'WzEsMV0='
    assert result['diff'] == {
        'before': {'closure_type': 'close-by-user', 'connector': NONE_CONNECTOR, 'customFields': []},
        'after': {'closure_type': 'close-by-user', 'connector': NONE_CONNECTOR, 'customFields': [TICKET_FIELD]},
    }


@pytest.mark.parametrize('kibana_version, lists', [
    ('8.16.0', {'customFields': [], 'templates': []}),
    ('9.1.0', {'customFields': [], 'templates': [], 'observableTypes': []}),
])
def test_check_mode_predicts_a_creation_with_the_lists_of_that_kibana(kibana, run_module, kibana_version, lists):
    kibana.expect('GET', '/s/ops' + CONFIGURE, query={'owner': ['observability']}, answer=[])
    kibana.expect('GET', '/api/status', answer={'version': {'number': kibana_version}})

    result = run_module(case_configuration, {'space_id': 'ops', 'owner': 'observability'}, check_mode=True, diff=True)

    assert result['changed'] is True
    assert result['diff']['before'] == {}
    assert result['configuration'] == dict({'owner': 'observability', 'closure_type': 'close-by-user',
                                            'connector': NONE_CONNECTOR}, **lists)


def test_diff_shows_managed_settings_only(kibana, run_module):
    current = configuration(closure_type='close-by-pushing')
    updated = configuration(version='WzIsMV0=', updated_at='2026-12-04T10:00:00.000Z')
    kibana.expect('GET', CONFIGURE, query={'owner': ['cases']}, answer=[current])
    kibana.expect('PATCH', CONFIGURE + '/conf-1', body={'closure_type': 'close-by-user', 'version': 'WzEsMV0='},
                  answer=updated)

    result = run_module(case_configuration, {'closure_type': 'close-by-user'}, diff=True)

    assert result['diff']['before']['closure_type'] == 'close-by-pushing'
    assert result['diff']['after']['closure_type'] == 'close-by-user'
    for hidden in ('version', 'updated_at', 'updated_by', 'mappings', 'id'):
        assert hidden not in result['diff']['before'] and hidden not in result['diff']['after']


def test_connector_by_name_is_resolved_in_the_space(kibana, run_module):
    usable = [{'id': 'jira-1', 'name': 'Jira SOC', 'actionTypeId': '.jira'},
              {'id': 'sn-1', 'name': 'ServiceNow', 'actionTypeId': '.servicenow'}]
    kibana.expect('GET', '/s/sec' + CONFIGURE + '/connectors/_find', answer=usable)
    kibana.expect('GET', '/s/sec' + CONFIGURE, query={'owner': ['securitySolution']},
                  answer=[configuration(owner='securitySolution')])
    kibana.expect('PATCH', '/s/sec' + CONFIGURE + '/conf-1', body={'connector': JIRA, 'version': 'WzEsMV0='},
                  answer=configuration(owner='securitySolution', connector=JIRA))

    result = run_module(case_configuration, {'space_id': 'sec', 'owner': 'securitySolution',
                                             'connector': {'name': 'Jira SOC'}})

    assert result['changed'] is True
    assert result['configuration']['connector'] == JIRA


@pytest.mark.parametrize('usable, expected', [
    ([], "no connector usable by cases in this space has name 'Jira SOC'; available: none"),
    ([{'id': 'a', 'name': 'Jira SOC', 'actionTypeId': '.jira'}, {'id': 'b', 'name': 'Jira SOC', 'actionTypeId': '.jira'}],
     "2 connectors usable by cases in this space have name 'Jira SOC' (ids a, b)"),
])
def test_connector_by_name_fails_without_exactly_one_match(kibana, run_module, usable, expected):
    kibana.expect('GET', CONFIGURE + '/connectors/_find', answer=usable)

    result = run_module(case_configuration, {'connector': {'name': 'Jira SOC'}})

    assert result['failed'] is True
    assert expected in result['msg']


@pytest.mark.parametrize('args, expected', [
    ({'custom_fields': [{'key': 'Bad Key', 'label': 'x', 'type': 'text'}]}, 'custom_fields[0].key'),
    ({'custom_fields': [{'key': 'k', 'label': 'x' * 51, 'type': 'text'}]}, 'custom_fields[0].label: must be 1 to 50'),
    ({'custom_fields': [{'key': 'k%d' % i, 'label': 'x', 'type': 'text'} for i in range(11)]},
     'custom_fields: at most 10 custom fields, got 11'),
    ({'custom_fields': [{'key': 'k', 'label': 'a', 'type': 'text'}, {'key': 'k', 'label': 'b', 'type': 'toggle'}]},
     "custom_fields[1].key: 'k' is used twice"),
    ({'custom_fields': [{'key': 'k', 'label': 'a', 'type': 'toggle', 'default_value': 'yes'}]},
     'custom_fields[0].default_value: a toggle custom field takes true, false or null'),
    ({'connector': {'type': '.none', 'fields': {}}}, 'connector.fields: must be null for a connector of type .none'),
    ({'connector': {'id': 'j', 'name': 'J', 'type': '.jira', 'fields': {'urgency': '1'}}},
     'connector.fields.urgency: not a field of a .jira connector (allowed: issueType, parent, priority)'),
    ({'closure_type': 'close-by-magic'}, 'closure_type must be one of: close-by-user, close-by-pushing'),
])
def test_bad_input_fails_before_any_request(kibana, run_module, args, expected):
    result = run_module(case_configuration, args)

    assert result['failed'] is True
    assert expected in result['msg']
    assert kibana.seen == []


def test_changing_the_type_of_an_existing_custom_field_fails_before_writing(kibana, run_module):
    kibana.expect('GET', CONFIGURE, query={'owner': ['cases']}, answer=[configuration(customFields=[TICKET_FIELD])])

    result = run_module(case_configuration, {'custom_fields': [{'key': 'ticket', 'label': 'Ticket', 'type': 'toggle'}]})

    assert result['failed'] is True
    assert "custom_fields[0].type: custom field 'ticket' is of type text" in result['msg']


def test_pinned_configuration_id_must_match(kibana, run_module):
    kibana.expect('GET', CONFIGURE, query={'owner': ['cases']}, answer=[configuration()])

    result = run_module(case_configuration, {'configuration_id': 'other', 'closure_type': 'close-by-pushing'})

    assert result['failed'] is True
    assert 'configuration_id: other is not the configuration of owner cases in space default (found conf-1)' in result['msg']


@pytest.mark.parametrize('status, message, hint', [
    (400, 'Invalid value "x" supplied to "closure_type"', ''),
    (401, 'Unauthorized', 'Kibana rejected the credentials'),
    (403, 'Unauthorized to update case configuration with owners: "cases"', 'lack the Cases privilege'),
])
def test_kibana_errors_name_status_message_method_and_path(kibana, run_module, status, message, hint):
    kibana.expect('GET', CONFIGURE, query={'owner': ['cases']}, answer=[configuration()])
    kibana.expect('PATCH', CONFIGURE + '/conf-1', body={'closure_type': 'close-by-pushing', 'version': 'WzEsMV0='},
                  status=status, answer=kibana_error(status, message))

    result = run_module(case_configuration, {'closure_type': 'close-by-pushing'})

    assert result['failed'] is True
    assert result['msg'].startswith('PATCH /api/cases/configure/conf-1 failed: %d ' % status)
    assert message in result['msg'] and hint in result['msg']


def test_conflict_rereads_and_patches_what_still_differs_with_the_new_version(kibana, run_module):
    kibana.expect('GET', CONFIGURE, query={'owner': ['cases']}, answer=[configuration()])
    kibana.expect('PATCH', CONFIGURE + '/conf-1', body={'closure_type': 'close-by-pushing', 'version': 'WzEsMV0='},
                  status=409, answer=kibana_error(409, 'This configuration has been updated.'))
    # Another writer added a custom field meanwhile: it must survive, as the task does not manage custom fields.
    concurrent = configuration(version='WzUsMV0=', customFields=[TICKET_FIELD])
    kibana.expect('GET', CONFIGURE, query={'owner': ['cases']}, answer=[concurrent])
    kibana.expect('PATCH', CONFIGURE + '/conf-1', body={'closure_type': 'close-by-pushing', 'version': 'WzUsMV0='},
                  answer=configuration(version='WzYsMV0=', closure_type='close-by-pushing', customFields=[TICKET_FIELD]))

    result = run_module(case_configuration, {'closure_type': 'close-by-pushing'})

    assert result['changed'] is True
    assert result['configuration']['customFields'] == [TICKET_FIELD]


def test_conflict_after_which_nothing_differs_writes_nothing_more(kibana, run_module):
    kibana.expect('GET', CONFIGURE, query={'owner': ['cases']}, answer=[configuration()])
    kibana.expect('PATCH', CONFIGURE + '/conf-1', body={'closure_type': 'close-by-pushing', 'version': 'WzEsMV0='},
                  status=409, answer=kibana_error(409, 'This configuration has been updated.'))
    kibana.expect('GET', CONFIGURE, query={'owner': ['cases']},
                  answer=[configuration(version='WzIsMV0=', closure_type='close-by-pushing')])

    result = run_module(case_configuration, {'closure_type': 'close-by-pushing'})

    assert result['changed'] is True
    assert result['configuration']['version'] == 'WzIsMV0='


def test_conflicts_beyond_the_bound_fail_naming_the_conflict(kibana, run_module, pauses):
    for round_number in range(MAX_ROUNDS):
        version = 'v%d' % round_number
        kibana.expect('GET', CONFIGURE, query={'owner': ['cases']}, answer=[configuration(version=version)])
        kibana.expect('PATCH', CONFIGURE + '/conf-1', body={'closure_type': 'close-by-pushing', 'version': version},
                      status=409, answer=kibana_error(409, 'This configuration has been updated.'))

    result = run_module(case_configuration, {'closure_type': 'close-by-pushing'})

    assert result['failed'] is True
    assert 'gave up after %d rounds' % MAX_ROUNDS in result['msg'] and '409' in result['msg']
    # a random pause before each re-read, longer each round, so colliding writers fall out of step
    assert len(pauses) == MAX_ROUNDS and len(set(pauses)) == MAX_ROUNDS
    assert all(0 <= pause <= CONFLICT_PAUSE * (index + 1) for index, pause in enumerate(pauses))


def test_lost_create_answer_rereads_instead_of_posting_again(kibana, run_module):
    created = configuration(closure_type='close-by-pushing')
    kibana.expect('GET', CONFIGURE, query={'owner': ['cases']}, answer=[])
    kibana.expect('POST', CONFIGURE, body={'owner': 'cases', 'closure_type': 'close-by-pushing',
                                           'connector': NONE_CONNECTOR}, exc=LOST_ANSWER)
    kibana.expect('GET', CONFIGURE, query={'owner': ['cases']}, answer=[created])

    result = run_module(case_configuration, {'closure_type': 'close-by-pushing'})

    assert result['changed'] is True
    assert result['configuration'] == created


def test_mapping_error_from_kibana_is_a_warning(kibana, run_module):
    kibana.expect('GET', CONFIGURE, query={'owner': ['cases']},
                  answer=[configuration(error='Error: mapping for connector jira-1 failed')])

    result = run_module(case_configuration, {})

    assert result['changed'] is False
    assert result['warnings'] == ['Kibana reports a problem with this configuration: Error: mapping for connector jira-1 failed']


def test_credentials_never_appear_in_a_failure(kibana, run_module):
    kibana.expect('GET', CONFIGURE, query={'owner': ['cases']}, status=401, answer=kibana_error(401, 'Unauthorized'))

    result = run_module(case_configuration, {'api_key': None, 'username': 'elastic', 'password': 's3cr3t-pw'})

    assert result['failed'] is True
    assert 's3cr3t-pw' not in str(result)
    assert kibana.seen[0]['headers']['Authorization'].startswith('Basic ')


def test_an_option_newer_than_kibana_fails_after_reading_the_version_only(kibana, run_module):
    kibana.expect('GET', '/api/status', answer={'version': {'number': '8.14.3'}})

    result = run_module(case_configuration, {'observable_types': [{'key': 'vessel', 'label': 'Vessel'}],
                                             'templates': []})

    assert result['failed'] is True
    assert result['msg'] == ('templates: needs Kibana 8.15 or later; Kibana here is 8.14.3; '
                             'observable_types: needs Kibana 8.18 or later; Kibana here is 8.14.3')


def test_templates_are_sent_with_the_custom_fields_they_fill(kibana, run_module):
    current = configuration(customFields=[TICKET_FIELD], templates=[], observableTypes=[])
    template = {'key': 'malware', 'name': 'Malware',
                'caseFields': {'severity': 'high', 'customFields': [{'key': 'ticket', 'type': 'text', 'value': None}]}}
    kibana.expect('GET', '/api/status', answer={'version': {'number': '9.1.0'}})
    kibana.expect('GET', CONFIGURE, query={'owner': ['cases']}, answer=[current])
    kibana.expect('PATCH', CONFIGURE + '/conf-1',
                  body={'customFields': [TICKET_FIELD], 'templates': [template], 'version': 'WzEsMV0='},
                  answer=configuration(customFields=[TICKET_FIELD], templates=[template], observableTypes=[], version='WzIsMV0='))

    result = run_module(case_configuration, {'templates': [{'key': 'malware', 'name': 'Malware',
                                                            'case_fields': {'severity': 'high'}}]}, diff=True)

    assert result['changed'] is True
    assert result['diff']['after']['templates'] == [template]
    assert result['diff']['before']['templates'] == []


def test_create_answered_429_is_sent_again_after_a_read_shows_none(kibana, run_module):
    body = {'owner': 'cases', 'closure_type': 'close-by-pushing', 'connector': NONE_CONNECTOR}
    created = configuration(closure_type='close-by-pushing')
    kibana.expect('GET', CONFIGURE, query={'owner': ['cases']}, answer=[])
    kibana.expect('POST', CONFIGURE, body=body, status=429, answer={'statusCode': 429, 'error': 'Too Many Requests',
                                                                    'message': 'slow down'})
    kibana.expect('GET', CONFIGURE, query={'owner': ['cases']}, answer=[])
    kibana.expect('POST', CONFIGURE, body=body, answer=created)

    result = run_module(case_configuration, {'closure_type': 'close-by-pushing'})

    assert result['changed'] is True and result['configuration'] == created


def test_creates_failing_every_round_give_up_saying_so(kibana, run_module):
    for _round in range(MAX_ROUNDS):
        kibana.expect('GET', CONFIGURE, query={'owner': ['cases']}, answer=[])
        kibana.expect('POST', CONFIGURE, body={'owner': 'cases', 'closure_type': 'close-by-user',
                                               'connector': NONE_CONNECTOR}, exc=LOST_ANSWER)

    result = run_module(case_configuration, {})

    assert result['failed'] is True
    assert 'gave up after %d rounds' % MAX_ROUNDS in result['msg']
    assert 'each time the create failed or its answer was lost' in result['msg']


@pytest.mark.parametrize('module', [case_configuration, case_configuration_info])
def test_a_space_name_instead_of_its_identifier_fails_before_any_request(kibana, run_module, module):
    result = run_module(module, {'space_id': 'Security Team'})

    assert result['failed'] is True
    assert result['msg'].startswith("space_id: 'Security Team' is not a Kibana space identifier")
    assert kibana.seen == []
