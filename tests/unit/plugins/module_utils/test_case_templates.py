"""Templates and observable types: rules, Kibana's form, and Kibana's filling of template custom fields."""

import pytest

from ansible_collections.kibana.cases.plugins.module_utils.case_settings import (
    InvalidOptions,
    changed_settings,
    check_options,
    desired_settings,
    settings_to_write,
    version_problems,
    version_requirements,
)
from ansible_collections.kibana.cases.plugins.module_utils.case_templates import fill_template_custom_fields

TICKET = {'key': 'ticket', 'label': 'Ticket', 'type': 'text', 'required': False}
URGENT = {'key': 'urgent', 'label': 'Urgent', 'type': 'toggle', 'required': False}
HOSTS = {'key': 'hosts', 'label': 'Hosts', 'type': 'number', 'required': False, 'defaultValue': 1}


def template(key='malware', **extra):
    return dict(dict(key=key, name='Malware', description=None, tags=None, case_fields=None), **extra)


def case_fields(**values):
    base = dict(title=None, description=None, tags=None, severity=None, assignees=None, category=None,
                custom_fields=None, sync_alerts=None, connector=None)
    base.update(values)
    return base


def problems_of(**params):
    with pytest.raises(InvalidOptions) as raised:
        check_options(params)
    return raised.value.problems


def test_template_rules_name_the_option_path():
    problems = problems_of(templates=[
        template('Bad'), template(name='n' * 51), template('dup'), template('dup'),
        template('t', tags=['x'] * 11), template('c', case_fields=case_fields(title='', assignees=['u'] * 11)),
    ] + [template('k%d' % i) for i in range(5)])
    assert problems == [
        'templates: at most 10 templates, got 11',
        "templates[0].key: 'Bad' must match ^[a-z0-9_-]{1,36}$ (1 to 36 lowercase letters, digits, _ or -)",
        'templates[1].name: must be 1 to 50 characters (not counting surrounding spaces), got 51',
        "templates[3].key: 'dup' is used twice; keys must be unique",
        'templates[4].tags: at most 10 tags, got 11',
        'templates[5].case_fields.title: must be 1 to 160 characters (not counting surrounding spaces), got 0',
        'templates[5].case_fields.assignees: at most 10 assignees, got 11',
    ]


def test_observable_type_rules_include_kibanas_builtin_types():
    problems = problems_of(observable_types=[
        {'key': 'vessel', 'label': 'Vessel'}, {'key': 'vessel', 'label': 'Ship'},
        {'key': 'observable-type-url', 'label': 'Link'}, {'key': 'host', 'label': 'HOST NAME'},
    ])
    assert problems == [
        "observable_types[1].key: 'vessel' is used twice or by a built-in observable type of Kibana",
        "observable_types[2].key: 'observable-type-url' is used twice or by a built-in observable type of Kibana",
        "observable_types[3].label: 'HOST NAME' is used twice or by a built-in observable type of Kibana "
        '(labels are compared without case)',
    ]


def test_template_values_take_their_type_from_the_custom_fields_and_missing_ones_are_filled():
    params = dict(custom_fields=[dict(TICKET, default_value=None), dict(URGENT, default_value=None),
                                 dict(key='hosts', label='Hosts', type='number', required=False, default_value=1)],
                  templates=[template(case_fields=case_fields(severity='high', assignees=['u1'], sync_alerts=False,
                                                              custom_fields=[{'key': 'ticket', 'value': 'SOC-1'}]))])
    desired = desired_settings(params, None, None)
    assert desired['templates'] == [{
        'key': 'malware', 'name': 'Malware',
        'caseFields': {'severity': 'high', 'assignees': [{'uid': 'u1'}], 'settings': {'syncAlerts': False},
                       'customFields': [{'key': 'ticket', 'type': 'text', 'value': 'SOC-1'},
                                        {'key': 'urgent', 'type': 'toggle', 'value': False},
                                        {'key': 'hosts', 'type': 'number', 'value': 1}]},
    }]


def test_template_value_of_an_unknown_or_mistyped_custom_field_fails():
    params = dict(templates=[template(case_fields=case_fields(custom_fields=[
        {'key': 'nope', 'value': 'x'}, {'key': 'urgent', 'value': 'yes'}]))])
    with pytest.raises(InvalidOptions) as raised:
        desired_settings(params, None, {'customFields': [URGENT]})
    assert raised.value.problems == [
        "templates[0].case_fields.custom_fields[0].key: 'nope' is not a custom field of the configuration "
        '(custom fields: urgent)',
        "templates[0].case_fields.custom_fields[1].value: a toggle custom field takes true, false or null, got 'yes'",
    ]


def test_fill_drops_removed_fields_and_keeps_given_values():
    stored = [{'key': 't', 'name': 'T', 'caseFields': {'customFields': [
        {'key': 'gone', 'type': 'text', 'value': 'x'}, {'key': 'urgent', 'type': 'toggle', 'value': True}]}},
        {'key': 'bare', 'name': 'B', 'caseFields': None}]
    assert fill_template_custom_fields(stored, [URGENT, HOSTS]) == [
        {'key': 't', 'name': 'T', 'caseFields': {'customFields': [
            {'key': 'urgent', 'type': 'toggle', 'value': True}, {'key': 'hosts', 'type': 'number', 'value': 1}]}},
        {'key': 'bare', 'name': 'B', 'caseFields': {'customFields': [
            {'key': 'urgent', 'type': 'toggle', 'value': False}, {'key': 'hosts', 'type': 'number', 'value': 1}]}},
    ]
    assert fill_template_custom_fields(stored, [])[0]['caseFields'] == {'customFields': []}


def test_a_rerun_with_filled_templates_is_not_a_change():
    params = dict(templates=[template(case_fields=case_fields(title='Malware'))])
    current = {'customFields': [URGENT], 'templates': [{'key': 'malware', 'name': 'Malware', 'caseFields': {
        'title': 'Malware', 'customFields': [{'key': 'urgent', 'type': 'toggle', 'value': False}]}}]}
    assert changed_settings(desired_settings(params, None, current), current) == {}


def test_a_patch_to_a_configuration_with_templates_carries_custom_fields_and_templates():
    current = {'closure_type': 'close-by-user', 'customFields': [URGENT],
               'templates': [{'key': 'm', 'name': 'M', 'caseFields': {'customFields': []}}]}
    changes = settings_to_write({'customFields': [TICKET]}, current)
    assert changes == {'customFields': [TICKET], 'templates': [{'key': 'm', 'name': 'M', 'caseFields': {
        'customFields': [{'key': 'ticket', 'type': 'text', 'value': None}]}}]}
    assert settings_to_write({'closure_type': 'close-by-pushing'}, current) == {
        'closure_type': 'close-by-pushing', 'customFields': [URGENT],
        'templates': [{'key': 'm', 'name': 'M', 'caseFields': {
            'customFields': [{'key': 'urgent', 'type': 'toggle', 'value': False}]}}]}
    assert settings_to_write({'closure_type': 'close-by-pushing'}, {'closure_type': 'close-by-user'}) == {
        'closure_type': 'close-by-pushing'}
    assert settings_to_write({'closure_type': 'close-by-user'}, current) == {}


def test_version_requirements_only_for_options_that_need_them():
    assert version_requirements(dict(closure_type='close-by-user', custom_fields=[dict(TICKET)])) == []
    needs = version_requirements(dict(templates=[], observable_types=[], connector={'type': '.thehive'},
                                      custom_fields=[dict(HOSTS)]))
    assert needs == [('templates', (8, 15)), ('a .thehive connector', (8, 16)), ('number custom fields', (8, 17)),
                     ('observable_types', (8, 18))]
    assert version_problems(needs, '8.16.3') == [
        'number custom fields: needs Kibana 8.17 or later; Kibana here is 8.16.3',
        'observable_types: needs Kibana 8.18 or later; Kibana here is 8.16.3',
    ]
    assert version_problems(needs, '9.0.0-SNAPSHOT') == []
    assert version_problems(needs, None)[0].startswith('cannot tell the Kibana version from None')


def test_a_thehive_connector_of_a_template_needs_kibana_8_16():
    templates = [template(case_fields=case_fields(connector={'id': 'h', 'name': 'H', 'type': '.thehive', 'fields': None}))]
    assert version_requirements(dict(templates=templates)) == [('templates', (8, 15)), ('a .thehive connector', (8, 16))]
