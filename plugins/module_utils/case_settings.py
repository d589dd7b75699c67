# -*- coding: utf-8 -*-
# Copyright: kibana.cases contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure logic of the case configuration: check options, map them to Kibana's body, compare, predict.

Nothing here does I/O, so every rule is unit-tested without a server.
"""

from __future__ import annotations

import copy
import re

OWNERS = ('cases', 'securitySolution', 'observability')
CLOSURE_TYPES = ('close-by-user', 'close-by-pushing')
CUSTOM_FIELD_TYPES = ('text', 'toggle', 'number')
NONE_CONNECTOR = {'id': 'none', 'name': 'none', 'type': '.none', 'fields': None}

# The ``fields`` object of each connector type: key -> kind of value (every value may also be null).
# ``None`` means the type takes no fields: ``fields`` must be null.
CONNECTOR_FIELDS = {
    '.none': None,
    '.cases-webhook': None,
    '.jira': {'issueType': 'string', 'priority': 'string', 'parent': 'string'},
    '.resilient': {'incidentTypes': 'string list', 'severityCode': 'string'},
    '.servicenow': {'impact': 'string', 'severity': 'string', 'urgency': 'string',
                    'category': 'string', 'subcategory': 'string'},
    '.servicenow-sir': {'category': 'string', 'destIp': 'boolean', 'malwareHash': 'boolean', 'malwareUrl': 'boolean',
                        'priority': 'string', 'sourceIp': 'boolean', 'subcategory': 'string'},
    '.swimlane': {'caseId': 'string'},
    '.thehive': {'tlp': 'number'},
}
CONNECTOR_TYPES = tuple(sorted(CONNECTOR_FIELDS))

KEY_PATTERN = re.compile(r'^[a-z0-9_-]{1,36}$')
KEY_RULE = 'must match ^[a-z0-9_-]{1,36}$ (1 to 36 lowercase letters, digits, _ or -)'
MAX_CUSTOM_FIELDS = 10
MAX_LABEL_LENGTH = 50
MAX_TEXT_DEFAULT_LENGTH = 160
MAX_SAFE_INTEGER = 2 ** 53 - 1

# Settings the module manages: option name -> Kibana's key. Everything else Kibana returns
# (id, version, mappings, error, created_*, updated_*) is the server's and never compared.
SETTINGS = (
    ('closure_type', 'closure_type'),
    ('connector', 'connector'),
    ('custom_fields', 'customFields'),
)
MANAGED_KEYS = tuple(api_key for _option, api_key in SETTINGS)


class InvalidOptions(Exception):
    """The options break a rule of Kibana; raised before any write."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__('; '.join(self.problems))


def check_options(params):
    """Raise InvalidOptions listing every rule of Kibana the options break."""
    problems = []
    if params.get('connector') is not None:
        problems.extend(_connector_problems(params['connector']))
    if params.get('custom_fields') is not None:
        problems.extend(_custom_fields_problems(params['custom_fields']))
    if problems:
        raise InvalidOptions(problems)


def _connector_problems(connector):
    problems = []
    if not any(connector.get(name) is not None for name in ('id', 'name', 'type')):
        problems.append('connector: give at least one of id, name or type (type .none alone means no connector)')
    if connector.get('type') is not None:
        problems.extend(connector_fields_problems(connector['type'], connector.get('fields')))
    return problems


def connector_fields_problems(connector_type, fields):
    """Problems of ``connector.fields`` for a connector of ``connector_type``."""
    schema = CONNECTOR_FIELDS[connector_type]
    if fields is None:
        return []
    if schema is None:
        return ['connector.fields: must be null for a connector of type %s' % connector_type]
    problems = []
    for name in sorted(set(fields) - set(schema)):
        problems.append('connector.fields.%s: not a field of a %s connector (allowed: %s)'
                        % (name, connector_type, ', '.join(sorted(schema))))
    for name, kind in sorted(schema.items()):
        value = fields.get(name)
        if value is not None and not _is_kind(value, kind):
            problems.append('connector.fields.%s: must be a %s or null, got %r' % (name, kind, value))
    return problems


def _is_kind(value, kind):
    if kind == 'string':
        return isinstance(value, str)
    if kind == 'boolean':
        return isinstance(value, bool)
    if kind == 'number':
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _custom_fields_problems(custom_fields):
    problems = []
    if len(custom_fields) > MAX_CUSTOM_FIELDS:
        problems.append('custom_fields: at most %d custom fields, got %d' % (MAX_CUSTOM_FIELDS, len(custom_fields)))
    seen = set()
    for index, field in enumerate(custom_fields):
        where = 'custom_fields[%d]' % index
        key = field['key']
        if not KEY_PATTERN.match(key):
            problems.append('%s.key: %r %s' % (where, key, KEY_RULE))
        elif key in seen:
            problems.append('%s.key: %r is used by another custom field; keys must be unique' % (where, key))
        seen.add(key)
        label_length = len(field['label'].strip())
        if not 1 <= label_length <= MAX_LABEL_LENGTH:
            problems.append('%s.label: must be 1 to %d characters (not counting surrounding spaces), got %d'
                            % (where, MAX_LABEL_LENGTH, label_length))
        problem = _default_value_problem(field['type'], field.get('default_value'))
        if problem:
            problems.append('%s.default_value: %s' % (where, problem))
    return problems


def _default_value_problem(field_type, value):
    if value is None:
        return None
    if field_type == 'text':
        if not isinstance(value, str) or not 1 <= len(value) <= MAX_TEXT_DEFAULT_LENGTH:
            return 'a text custom field takes a string of 1 to %d characters or null, got %r' % (
                MAX_TEXT_DEFAULT_LENGTH, value)
    elif field_type == 'toggle':
        if not isinstance(value, bool):
            return 'a toggle custom field takes true, false or null, got %r' % (value,)
    elif not isinstance(value, int) or isinstance(value, bool) or abs(value) > MAX_SAFE_INTEGER:
        return 'a number custom field takes an integer between -%d and %d or null, got %r' % (
            MAX_SAFE_INTEGER, MAX_SAFE_INTEGER, value)
    return None


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
    problems = connector_fields_problems(found['actionTypeId'], connector.get('fields'))
    if problems:
        raise InvalidOptions(problems)
    return _connector(found['id'], found['name'], found['actionTypeId'], connector.get('fields'))


def _connector(connector_id, name, connector_type, fields):
    schema = CONNECTOR_FIELDS[connector_type]
    if fields is not None and schema is not None:
        # Kibana requires every field key of the type; an omitted one means null.
        fields = dict((key, fields.get(key)) for key in schema)
    return {'id': connector_id, 'name': name, 'type': connector_type, 'fields': fields}


def desired_settings(params, connector):
    """Kibana's form of the settings the user gave (options left unset are not managed).

    ``connector`` is the resolved connector object (see resolve_connector) or None.
    """
    desired = {}
    if params.get('closure_type') is not None:
        desired['closure_type'] = params['closure_type']
    if connector is not None:
        desired['connector'] = connector
    if params.get('custom_fields') is not None:
        desired['customFields'] = [_custom_field(field) for field in params['custom_fields']]
    return desired


def _custom_field(field):
    api_field = {'key': field['key'], 'label': field['label'], 'type': field['type'],
                 'required': bool(field.get('required'))}
    if field.get('default_value') is not None:
        api_field['defaultValue'] = field['default_value']
    return api_field


def _comparable(api_key, value):
    """A setting as compared: custom fields without a null defaultValue (Kibana may omit or null it)."""
    if api_key == 'customFields':
        return [dict((k, v) for k, v in field.items() if not (k == 'defaultValue' and v is None))
                for field in value or []]
    return value


def changed_settings(desired, configuration):
    """The desired settings that differ from ``configuration`` (None: no configuration yet)."""
    if configuration is None:
        return dict(desired)
    return dict((key, value) for key, value in desired.items()
                if _comparable(key, value) != _comparable(key, configuration.get(key)))


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


def predict(configuration, changes, owner):
    """The configuration as it will be after the write, for check mode."""
    if configuration is None:
        predicted = create_body(owner, {})
        predicted.setdefault('customFields', [])
    else:
        predicted = copy.deepcopy(configuration)
    predicted.update(copy.deepcopy(changes))
    return predicted


def settings_view(configuration):
    """The managed settings of a configuration, as shown in --diff (no version or timestamps)."""
    if configuration is None:
        return {}
    return dict((key, copy.deepcopy(configuration[key])) for key in MANAGED_KEYS if key in configuration)
