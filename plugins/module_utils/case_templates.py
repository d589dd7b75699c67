# -*- coding: utf-8 -*-
# Copyright: kibana.cases contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Case templates: their rules, their Kibana form, and the custom field values Kibana fills in."""

from __future__ import annotations

import copy

from ansible_collections.kibana.cases.plugins.module_utils.setting_rules import (
    KEY_PATTERN,
    NONE_CONNECTOR,
    connector_fields_problems,
    count_problems,
    custom_field_value_problems,
    key_problems,
    length_problem,
)

MAX_TEMPLATES = 10
MAX_TEMPLATE_TAGS = 10
MAX_CASE_TAGS = 200
MAX_ASSIGNEES = 10
# (option, Kibana key, minimum, maximum) of the strings of a template and of its case fields.
TEMPLATE_STRINGS = (('name', 'name', 1, 50), ('description', 'description', 0, 1000))
CASE_FIELD_STRINGS = (('title', 'title', 1, 160), ('description', 'description', 1, 30000),
                      ('category', 'category', 1, 50))


def templates_problems(templates):
    """Rules that need nothing but the option (template custom field keys and values: templates_to_kibana)."""
    problems = count_problems('templates', templates, MAX_TEMPLATES, 'templates')
    seen = set()
    for index, template in enumerate(templates):
        where = 'templates[%d]' % index
        problems.extend(key_problems(where + '.key', template['key'], seen))
        problems.extend(_strings_problems(where, template, TEMPLATE_STRINGS))
        problems.extend(_tags_problems(where + '.tags', template.get('tags'), MAX_TEMPLATE_TAGS, 50))
        if template.get('case_fields') is not None:
            problems.extend(_case_fields_problems(where + '.case_fields', template['case_fields']))
    return problems


def _strings_problems(where, values, strings):
    problems = []
    for option, _api_key, minimum, maximum in strings:
        if values.get(option) is not None:
            problems.extend(length_problem('%s.%s' % (where, option), values[option], minimum, maximum))
    return problems


def _tags_problems(where, tags, maximum, longest):
    if tags is None:
        return []
    problems = count_problems(where, tags, maximum, 'tags')
    for index, tag in enumerate(tags):
        problems.extend(length_problem('%s[%d]' % (where, index), tag, 1, longest))
    return problems


def _case_fields_problems(where, case_fields):
    problems = _strings_problems(where, case_fields, CASE_FIELD_STRINGS)
    problems.extend(_tags_problems(where + '.tags', case_fields.get('tags'), MAX_CASE_TAGS, 256))
    if case_fields.get('assignees') is not None:
        problems.extend(count_problems(where + '.assignees', case_fields['assignees'], MAX_ASSIGNEES, 'assignees'))
    connector = case_fields.get('connector')
    if connector is not None:
        if connector.get('type') != '.none' and any(connector.get(name) is None for name in ('id', 'name', 'type')):
            problems.append('%s.connector: give id, name and type (or type .none alone)' % where)
        if connector.get('type') is not None:
            problems.extend(connector_fields_problems(where + '.connector', connector['type'], connector.get('fields')))
    seen = set()
    for index, value in enumerate(case_fields.get('custom_fields') or []):
        problems.extend(key_problems('%s.custom_fields[%d].key' % (where, index), value['key'], seen))
    return problems


def templates_to_kibana(templates, custom_fields):
    """Kibana's form of the templates option, filled as Kibana fills it.

    ``custom_fields`` is the configuration's custom fields in Kibana's form (the ones the task sets, else
    the current ones): they give each template value its type. Raises nothing; returns (templates, problems).
    """
    types = dict((field['key'], field['type']) for field in custom_fields)
    problems = []
    api_templates = []
    for index, template in enumerate(templates):
        api_template = dict(key=template['key'], name=template['name'])
        for option in ('description', 'tags'):
            if template.get(option) is not None:
                api_template[option] = template[option]
        case_fields = template.get('case_fields')
        if case_fields is not None:
            where = 'templates[%d].case_fields' % index
            api_case_fields, case_problems = _case_fields_to_kibana(where, case_fields, types)
            api_template['caseFields'] = api_case_fields
            problems.extend(case_problems)
        api_templates.append(api_template)
    return fill_template_custom_fields(api_templates, custom_fields), problems


def _case_fields_to_kibana(where, case_fields, types):
    api = {}
    for option, api_key, _minimum, _maximum in CASE_FIELD_STRINGS:
        if case_fields.get(option) is not None:
            api[api_key] = case_fields[option]
    for option in ('tags', 'severity'):
        if case_fields.get(option) is not None:
            api[option] = case_fields[option]
    if case_fields.get('assignees') is not None:
        api['assignees'] = [{'uid': uid} for uid in case_fields['assignees']]
    if case_fields.get('sync_alerts') is not None:
        api['settings'] = {'syncAlerts': case_fields['sync_alerts']}
    connector = case_fields.get('connector')
    if connector is not None:
        api['connector'] = dict(NONE_CONNECTOR) if connector.get('type') == '.none' else dict(
            (name, connector.get(name)) for name in ('id', 'name', 'type', 'fields'))
    problems = []
    if case_fields.get('custom_fields') is not None:
        api['customFields'] = []
        for index, value in enumerate(case_fields['custom_fields']):
            path = '%s.custom_fields[%d]' % (where, index)
            field_type = types.get(value['key'])
            if field_type is None:
                if KEY_PATTERN.fullmatch(value['key']):
                    problems.append('%s.key: %r is not a custom field of the configuration (custom fields: %s)'
                                    % (path, value['key'], ', '.join(sorted(types)) or 'none'))
                continue
            problems.extend(custom_field_value_problems(path + '.value', field_type, value.get('value')))
            api['customFields'].append({'key': value['key'], 'type': field_type, 'value': value.get('value')})
    return api, problems


def fill_template_custom_fields(templates, custom_fields):
    """The templates as Kibana stores them after a write that sets ``custom_fields``.

    Kibana (transformTemplateCustomFields) drops the values of custom fields that no longer exist and
    adds the missing ones with the field's default value (false for a toggle without one, else null),
    so comparing with this form keeps a re-run from seeing a false change.
    """
    filled = []
    for template in templates or []:
        template = copy.deepcopy(template)
        case_fields = dict(template.get('caseFields') or {})
        values = [value for value in case_fields.get('customFields') or []
                  if any(field['key'] == value['key'] for field in custom_fields)]
        present = set(value['key'] for value in values)
        for field in custom_fields:
            if field['key'] not in present:
                default = field.get('defaultValue')
                if default is None and field['type'] == 'toggle':
                    default = False
                values.append({'key': field['key'], 'type': field['type'], 'value': default})
        case_fields['customFields'] = values
        template['caseFields'] = case_fields
        filled.append(template)
    return filled
