# -*- coding: utf-8 -*-
# Copyright: kibana.cases contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure logic of the case configuration: check options, map them to Kibana's body, compare, predict.

Nothing here does I/O, so every rule is unit-tested without a server.
"""

from __future__ import annotations

import copy
import re

from ansible_collections.kibana.cases.plugins.module_utils.case_templates import (
    fill_template_custom_fields,
    templates_problems,
    templates_to_kibana,
)
from ansible_collections.kibana.cases.plugins.module_utils.setting_rules import (
    CONNECTOR_FIELDS,
    NONE_CONNECTOR,
    InvalidOptions,
    connector_fields_problems,
    connector_problems,
    custom_fields_problems,
    observable_types_problems,
    space_id_problems,
)

# Kibana's keys of the settings the module manages (options closure_type, connector, custom_fields,
# templates, observable_types). Everything else Kibana returns (id, version, mappings, error,
# created_*, updated_*) is the server's and never compared.
MANAGED_KEYS = ('closure_type', 'connector', 'customFields', 'templates', 'observableTypes')


def check_options(params):
    """Raise InvalidOptions listing every rule of Kibana the options break (those that need no server)."""
    problems = space_id_problems(params.get('space_id'))
    if params.get('connector') is not None:
        problems.extend(connector_problems('connector', params['connector']))
    if params.get('custom_fields') is not None:
        problems.extend(custom_fields_problems(params['custom_fields']))
    if params.get('templates') is not None:
        problems.extend(templates_problems(params['templates']))
    if params.get('observable_types') is not None:
        problems.extend(observable_types_problems(params['observable_types']))
    if problems:
        raise InvalidOptions(problems)


def version_requirements(params):
    """The Kibana versions the options need: [(what, (major, minor))]; empty when any version does."""
    needs = []
    if params.get('templates') is not None:
        needs.append(('templates', (8, 15)))
    connectors = [params.get('connector')] + [(template.get('case_fields') or {}).get('connector')
                                              for template in params.get('templates') or []]
    if any(connector and connector.get('type') == '.thehive' for connector in connectors):
        needs.append(('a .thehive connector', (8, 16)))
    if any(field['type'] == 'number' for field in params.get('custom_fields') or []):
        needs.append(('number custom fields', (8, 17)))
    if params.get('observable_types') is not None:
        needs.append(('observable_types', (8, 18)))
    return needs


def version_problems(requirements, kibana_version):
    """What the Kibana of ``kibana_version`` (like ``8.16.2``) lacks among ``requirements``."""
    found = major_minor(kibana_version)
    if found is None:
        return ['cannot tell the Kibana version from %r, which %s need'
                % (kibana_version, ', '.join(what for what, _needed in requirements))]
    return ['%s: needs Kibana %d.%d or later; Kibana here is %s' % (what, needed[0], needed[1], kibana_version)
            for what, needed in requirements if found < needed]


def major_minor(kibana_version):
    """(major, minor) of a Kibana version number, or None when it is not one."""
    match = re.match(r'^(\d+)\.(\d+)', str(kibana_version))
    return (int(match.group(1)), int(match.group(2))) if match else None


def connector_needs_lookup(connector):
    """True when the connector option leaves id, name or type for Kibana's connector list to fill."""
    if connector is None or connector.get('type') == '.none':
        return False
    return any(connector.get(name) is None for name in ('id', 'name', 'type'))


def resolve_connector(connector, usable_connectors):
    """The full connector object from the option; ``usable_connectors`` is Kibana's ``_find`` answer.

    ``usable_connectors`` is only read when connector_needs_lookup(connector).
    """
    if connector.get('type') == '.none':
        return dict(NONE_CONNECTOR)
    if not connector_needs_lookup(connector):
        return _connector(connector['id'], connector['name'], connector['type'], connector.get('fields'))
    given = [(name, connector[name]) for name in ('id', 'name', 'type') if connector.get(name) is not None]
    api_names = {'id': 'id', 'name': 'name', 'type': 'actionTypeId'}
    # Only connectors of a type cases can use, as Kibana describes them (id, name, type).
    usable_connectors = [found for found in usable_connectors if found.get('actionTypeId') in CONNECTOR_FIELDS
                         and isinstance(found.get('id'), str) and isinstance(found.get('name'), str)]
    matches = [found for found in usable_connectors
               if all(found.get(api_names[name]) == value for name, value in given)]
    wanted = ', '.join('%s %r' % item for item in given)
    if not matches:
        available = ', '.join(sorted('%s (id %s, type %s)' % (found.get('name'), found.get('id'), found.get('actionTypeId'))
                                     for found in usable_connectors)) or 'none'
        raise InvalidOptions(['connector: no connector usable by cases in this space has %s; available: %s'
                              % (wanted, available)])
    if len(matches) > 1:
        raise InvalidOptions(['connector: %d connectors usable by cases in this space have %s (ids %s); '
                              'give connector.id to choose one'
                              % (len(matches), wanted, ', '.join(sorted(found['id'] for found in matches)))])
    found = matches[0]
    problems = connector_fields_problems('connector', found['actionTypeId'], connector.get('fields'))
    if problems:
        raise InvalidOptions(problems)
    return _connector(found['id'], found['name'], found['actionTypeId'], connector.get('fields'))


def _connector(connector_id, name, connector_type, fields):
    schema = CONNECTOR_FIELDS[connector_type]
    if fields is not None and schema is not None:
        # Kibana requires every field key of the type; an omitted one means null.
        fields = dict((key, fields.get(key)) for key in schema)
    return {'id': connector_id, 'name': name, 'type': connector_type, 'fields': fields}


def desired_settings(params, connector, configuration):
    """Kibana's form of the settings the user gave (options left unset are not managed).

    ``connector`` is the resolved connector (see resolve_connector) or None; ``configuration`` the current
    one or None: templates take the types of their custom field values from the custom fields the task
    sets, else from the current ones. Raises InvalidOptions when a template uses an unknown custom field.
    """
    desired = {}
    if params.get('closure_type') is not None:
        desired['closure_type'] = params['closure_type']
    if connector is not None:
        desired['connector'] = connector
    if params.get('custom_fields') is not None:
        desired['customFields'] = [_custom_field(field) for field in params['custom_fields']]
    if params.get('templates') is not None:
        templates, problems = templates_to_kibana(params['templates'], _custom_fields_after(desired, configuration))
        if problems:
            raise InvalidOptions(problems)
        desired['templates'] = templates
    if params.get('observable_types') is not None:
        desired['observableTypes'] = [{'key': item['key'], 'label': item['label']} for item in params['observable_types']]
    return desired


def _custom_fields_after(desired, configuration):
    if 'customFields' in desired:
        return desired['customFields']
    return (configuration or {}).get('customFields') or []


def _custom_field(field):
    api_field = {'key': field['key'], 'label': field['label'], 'type': field['type'],
                 'required': bool(field.get('required'))}
    if field.get('default_value') is not None:
        api_field['defaultValue'] = field['default_value']
    return api_field


def _comparable(value):
    """A setting as compared: keys whose value is null count as absent (Kibana may omit or null them)."""
    if isinstance(value, dict):
        return dict((key, _comparable(item)) for key, item in value.items() if item is not None)
    if isinstance(value, list):
        return [_comparable(item) for item in value]
    return value


def changed_settings(desired, configuration):
    """The desired settings that differ from ``configuration`` (None: no configuration yet)."""
    if configuration is None:
        return dict(desired)
    return dict((key, value) for key, value in desired.items()
                if _comparable(value) != _comparable(configuration.get(key)))


def settings_to_write(desired, configuration):
    """The settings a PATCH sends: those that differ, and with templates both custom fields and templates.

    Kibana's PATCH rebuilds the templates from the request's own customFields and templates (absent ones
    count as empty), so, as Kibana's UI does, a configuration with templates gets both in every PATCH:
    the task's, else the current ones. The version the PATCH carries keeps this from undoing a concurrent write.
    """
    changes = changed_settings(desired, configuration)
    if changes and configuration is not None and 'templates' in configuration:
        custom_fields = _custom_fields_after(desired, configuration)
        changes['customFields'] = custom_fields
        if 'templates' not in desired:
            changes['templates'] = fill_template_custom_fields(configuration.get('templates'), custom_fields)
    return changes


def custom_field_type_problems(desired, configuration):
    """Kibana refuses to change the type of an existing custom field key; say so before sending."""
    if configuration is None or 'customFields' not in desired:
        return []
    existing = dict((field.get('key'), field.get('type')) for field in configuration.get('customFields') or [])
    problems = []
    for index, field in enumerate(desired['customFields']):
        old_type = existing.get(field['key'])
        if old_type is not None and old_type != field['type']:
            problems.append('custom_fields[%d].type: custom field %r is of type %s in Kibana, which cannot change '
                            'the type of an existing key; remove the field in one run and add it back in another, '
                            'or use a new key' % (index, field['key'], old_type))
    return problems


def create_body(owner, desired):
    """The POST body creating the configuration: Kibana requires closure_type and connector."""
    body = {'owner': owner, 'closure_type': 'close-by-user', 'connector': dict(NONE_CONNECTOR)}
    body.update(desired)
    return body


def patch_body(changes, version):
    body = dict(changes)
    body['version'] = version
    return body


# The lists a new configuration holds, from the Kibana version that has them.
CREATED_LISTS = (('customFields', (8, 11)), ('templates', (8, 15)), ('observableTypes', (8, 18)))


def predict(configuration, changes, owner, kibana_version=None):
    """The configuration as it will be after the write, for check mode.

    A configuration to be created holds the lists its Kibana version has (``kibana_version``), empty.
    """
    if configuration is None:
        predicted = create_body(owner, {})
        found = major_minor(kibana_version) or (0, 0)
        predicted.update((key, []) for key, since in CREATED_LISTS if found >= since)
    else:
        predicted = copy.deepcopy(configuration)
    predicted.update(copy.deepcopy(changes))
    return predicted


def settings_view(configuration):
    """The managed settings of a configuration, as shown in --diff (no version or timestamps)."""
    if configuration is None:
        return {}
    return dict((key, copy.deepcopy(configuration[key])) for key in MANAGED_KEYS if key in configuration)
