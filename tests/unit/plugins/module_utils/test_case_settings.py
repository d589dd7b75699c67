"""Rules and comparisons of the case settings, without HTTP."""

import pytest

from ansible_collections.kibana.cases.plugins.module_utils.case_settings import (
    NONE_CONNECTOR,
    InvalidOptions,
    changed_settings,
    check_options,
    connector_needs_lookup,
    create_body,
    custom_field_type_problems,
    desired_settings,
    patch_body,
    predict,
    resolve_connector,
    settings_view,
)

USABLE = [
    {'id': 'jira-1', 'name': 'Jira SOC', 'actionTypeId': '.jira'},
    {'id': 'jira-2', 'name': 'Jira IT', 'actionTypeId': '.jira'},
    {'id': 'sn-1', 'name': 'Jira SOC', 'actionTypeId': '.servicenow'},
]


def field(key='ticket', label='Ticket', type='text', required=False, default_value=None):
    return dict(key=key, label=label, type=type, required=required, default_value=default_value)


def problems_of(**params):
    with pytest.raises(InvalidOptions) as raised:
        check_options(params)
    return raised.value.problems


def test_valid_options_pass():
    check_options(dict(closure_type='close-by-user', connector={'type': '.none'},
                       custom_fields=[field(), field('n', 'N', 'number', default_value=-(2 ** 53 - 1)),
                                      field('t', 'T', 'toggle', default_value=False)]))


def test_every_problem_is_listed_with_its_option_path():
    problems = problems_of(custom_fields=[field('OK'), field('ok', ' ' * 3), field('ok'),
                                          field('x', 'x', 'text', default_value='y' * 161)])
    assert problems == [
        "custom_fields[0].key: 'OK' must match ^[a-z0-9_-]{1,36}$ (1 to 36 lowercase letters, digits, _ or -)",
        'custom_fields[1].label: must be 1 to 50 characters (not counting surrounding spaces), got 0',
        "custom_fields[2].key: 'ok' is used twice; keys must be unique",
        'custom_fields[3].default_value: a text custom field takes a string of 1 to 160 characters or null, got '
        + repr('y' * 161),
    ]


@pytest.mark.parametrize('value, accepted', [(5, True), (2 ** 53 - 1, True), (2 ** 53, False), (True, False),
                                             (1.5, False), ('5', False)])
def test_number_default_value_is_a_safe_integer(value, accepted):
    params = dict(custom_fields=[field('n', 'N', 'number', default_value=value)])
    if accepted:
        check_options(params)
    else:
        assert problems_of(**params)[0].startswith('custom_fields[0].default_value: a number custom field')


def test_key_of_36_characters_is_the_longest():
    check_options(dict(custom_fields=[field('k' * 36)]))
    assert problems_of(custom_fields=[field('k' * 37)])[0].startswith("custom_fields[0].key: 'kkk")


@pytest.mark.parametrize('connector, expected', [
    ({}, 'connector: give at least one of id, name or type (type .none alone means no connector)'),
    ({'type': '.cases-webhook', 'fields': {}}, 'connector.fields: must be null for a connector of type .cases-webhook'),
    ({'type': '.servicenow-sir', 'fields': {'destIp': 'yes'}}, "connector.fields.destIp: must be a boolean or null, got 'yes'"),
    ({'type': '.thehive', 'fields': {'tlp': '2'}}, "connector.fields.tlp: must be a number or null, got '2'"),
    ({'type': '.resilient', 'fields': {'incidentTypes': [1]}}, 'connector.fields.incidentTypes: must be a string list or null'),
])
def test_connector_problems(connector, expected):
    assert problems_of(connector=dict(dict(id=None, name=None, type=None, fields=None), **connector))[0].startswith(expected)


def test_connector_lookup_only_when_something_is_missing():
    assert not connector_needs_lookup({'type': '.none'})
    assert not connector_needs_lookup({'id': 'a', 'name': 'b', 'type': '.jira'})
    assert connector_needs_lookup({'name': 'b'})
    assert connector_needs_lookup({'id': 'a', 'type': '.jira'})


def test_resolve_by_name_and_type_narrows_the_match():
    resolved = resolve_connector({'name': 'Jira SOC', 'type': '.servicenow'}, USABLE)
    assert resolved == {'id': 'sn-1', 'name': 'Jira SOC', 'type': '.servicenow', 'fields': None}


def test_resolve_by_id_fills_name_and_type_and_completes_fields():
    resolved = resolve_connector({'id': 'jira-2', 'fields': {'issueType': '10001'}}, USABLE)
    assert resolved == {'id': 'jira-2', 'name': 'Jira IT', 'type': '.jira',
                        'fields': {'issueType': '10001', 'priority': None, 'parent': None}}


def test_resolve_checks_fields_against_the_found_type():
    with pytest.raises(InvalidOptions, match='connector.fields.tlp: not a field of a .jira connector'):
        resolve_connector({'id': 'jira-1', 'fields': {'tlp': 1}}, USABLE)


def test_resolve_ambiguous_name_fails():
    with pytest.raises(InvalidOptions, match=r"2 connectors usable by cases in this space have name 'Jira SOC' \(ids jira-1, sn-1\)"):
        resolve_connector({'name': 'Jira SOC'}, USABLE)


def test_none_type_alone_is_the_none_connector():
    assert resolve_connector({'type': '.none'}, []) == NONE_CONNECTOR


def test_desired_maps_options_to_kibana_names_and_leaves_unset_ones_out():
    desired = desired_settings(dict(closure_type=None, custom_fields=[field(default_value='n/a'), field('b', 'B', 'toggle')]),
                               connector=None, configuration=None)
    assert desired == {'customFields': [
        {'key': 'ticket', 'label': 'Ticket', 'type': 'text', 'required': False, 'defaultValue': 'n/a'},
        {'key': 'b', 'label': 'B', 'type': 'toggle', 'required': False},
    ]}


def test_changes_compare_only_what_is_managed_and_ignore_a_null_default_value():
    current = {'closure_type': 'close-by-user', 'connector': NONE_CONNECTOR, 'version': 'v1',
               'customFields': [{'key': 'ticket', 'label': 'Ticket', 'type': 'text', 'required': False, 'defaultValue': None}]}
    desired = desired_settings(dict(custom_fields=[field()], closure_type='close-by-pushing'), None, None)
    assert changed_settings(desired, current) == {'closure_type': 'close-by-pushing'}
    assert changed_settings({}, current) == {}
    assert changed_settings(desired, None) == desired


def test_custom_field_order_is_part_of_the_setting():
    a, b = field('a', 'A'), field('b', 'B')
    current = {'customFields': desired_settings(dict(custom_fields=[a, b]), None, None)['customFields']}
    assert changed_settings(desired_settings(dict(custom_fields=[b, a]), None, None), current)


def test_type_change_of_an_existing_key_is_refused_but_a_new_key_is_fine():
    current = {'customFields': [{'key': 'ticket', 'type': 'text'}]}
    desired = desired_settings(dict(custom_fields=[field(type='toggle'), field('other', 'O', 'number')]), None, None)
    assert len(custom_field_type_problems(desired, current)) == 1
    assert custom_field_type_problems(desired, None) == []


def test_bodies():
    assert create_body('observability', {'closure_type': 'close-by-pushing'}) == {
        'owner': 'observability', 'closure_type': 'close-by-pushing', 'connector': NONE_CONNECTOR}
    assert patch_body({'closure_type': 'close-by-user'}, 'v9') == {'closure_type': 'close-by-user', 'version': 'v9'}


def test_predict_does_not_touch_the_current_configuration():
    current = {'id': 'c', 'version': 'v', 'closure_type': 'close-by-user', 'customFields': []}
    predicted = predict(current, {'closure_type': 'close-by-pushing'}, 'cases')
    assert predicted == {'id': 'c', 'version': 'v', 'closure_type': 'close-by-pushing', 'customFields': []}
    assert current['closure_type'] == 'close-by-user'


def test_settings_view_hides_server_keys():
    view = settings_view({'id': 'c', 'version': 'v', 'closure_type': 'close-by-user', 'mappings': [],
                          'updated_at': 'x', 'updated_by': None, 'error': None})
    assert view == {'closure_type': 'close-by-user'}
    assert settings_view(None) == {}
