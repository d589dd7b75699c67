# -*- coding: utf-8 -*-
# Copyright: kibana.cases contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Kibana's rules for case settings, checked before anything is sent.

Each check returns a list of problems, each naming the option path (``custom_fields[3].key``)
and what is allowed. The limits are those of Kibana's API (see the collection's docs).
"""

from __future__ import annotations

import re

OWNERS = ('cases', 'securitySolution', 'observability')
CLOSURE_TYPES = ('close-by-user', 'close-by-pushing')
CUSTOM_FIELD_TYPES = ('text', 'toggle', 'number')
SEVERITIES = ('low', 'medium', 'high', 'critical')
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

KEY_PATTERN = re.compile(r'[a-z0-9_-]{1,36}')  # used with fullmatch: '$' would also match before a final newline
# What JavaScript's String.prototype.trim() removes (Kibana trims before counting); str.strip() differs.
JS_WHITESPACE = ('\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008'
                 '\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff')
KEY_RULE = 'must match ^[a-z0-9_-]{1,36}$ (1 to 36 lowercase letters, digits, _ or -)'
# Kibana's rule for space identifiers (spaces plugin): anything else is not a space in a URL.
SPACE_ID_PATTERN = re.compile(r'[a-z0-9_-]+')
MAX_CUSTOM_FIELDS = 10
MAX_OBSERVABLE_TYPES = 10
MAX_LABEL_LENGTH = 50
MAX_TEXT_VALUE_LENGTH = 160
MAX_SAFE_INTEGER = 2 ** 53 - 1
# Kibana's own observable types: a custom one may not reuse their keys or labels (compared case-insensitively).
BUILTIN_OBSERVABLE_TYPES = (
    ('observable-type-ipv4', 'IPv4'), ('observable-type-ipv6', 'IPv6'), ('observable-type-url', 'URL'),
    ('observable-type-hostname', 'Host name'), ('observable-type-file-hash', 'File hash'),
    ('observable-type-file-path', 'File path'), ('observable-type-email', 'Email'),
    ('observable-type-domain', 'Domain'),
)


class InvalidOptions(Exception):
    """The options break a rule of Kibana; raised before any write."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__('; '.join(self.problems))


def js_length(value, trimmed=True):
    """The length Kibana sees: JavaScript's String.length (UTF-16 code units), after trim() by default."""
    if trimmed:
        value = value.strip(JS_WHITESPACE)
    return len(value.encode('utf-16-le')) // 2


def length_problem(where, value, minimum, maximum, trimmed=True):
    """Kibana counts the length of most strings after trimming surrounding spaces."""
    length = js_length(value, trimmed)
    if minimum <= length <= maximum:
        return []
    return ['%s: must be %d to %d characters%s, got %d' % (
        where, minimum, maximum, ' (not counting surrounding spaces)' if trimmed else '', length)]


def key_problems(where, key, seen):
    """A key's pattern, and its uniqueness among ``seen`` (which it joins)."""
    if not KEY_PATTERN.fullmatch(key):
        return ['%s: %r %s' % (where, key, KEY_RULE)]
    if key in seen:
        return ['%s: %r is used twice; keys must be unique' % (where, key)]
    seen.add(key)
    return []


def space_id_problems(space_id):
    if space_id is None or SPACE_ID_PATTERN.fullmatch(space_id):
        return []
    return ['space_id: %r is not a Kibana space identifier (lowercase letters, digits, _ and -; the identifier, '
            'not the display name)' % space_id]


def count_problems(where, items, maximum, what):
    if len(items) <= maximum:
        return []
    return ['%s: at most %d %s, got %d' % (where, maximum, what, len(items))]


def connector_problems(where, connector):
    """Problems of a connector option (``connector`` or a template's ``case_fields.connector``)."""
    problems = []
    if not any(connector.get(name) is not None for name in ('id', 'name', 'type')):
        problems.append('%s: give at least one of id, name or type (type .none alone means no connector)' % where)
    if connector.get('type') is not None:
        problems.extend(connector_fields_problems(where, connector['type'], connector.get('fields')))
    return problems


def connector_fields_problems(where, connector_type, fields):
    """Problems of the ``fields`` of a connector of ``connector_type``."""
    schema = CONNECTOR_FIELDS[connector_type]
    if fields is None:
        return []
    if schema is None:
        return ['%s.fields: must be null for a connector of type %s' % (where, connector_type)]
    problems = []
    for name in sorted(set(fields) - set(schema)):
        problems.append('%s.fields.%s: not a field of a %s connector (allowed: %s)'
                        % (where, name, connector_type, ', '.join(sorted(schema))))
    for name, kind in sorted(schema.items()):
        value = fields.get(name)
        if value is not None and not _is_kind(value, kind):
            problems.append('%s.fields.%s: must be a %s or null, got %r' % (where, name, kind, value))
    return problems


def _is_kind(value, kind):
    if kind == 'string':
        return isinstance(value, str)
    if kind == 'boolean':
        return isinstance(value, bool)
    if kind == 'number':
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def custom_fields_problems(custom_fields):
    problems = count_problems('custom_fields', custom_fields, MAX_CUSTOM_FIELDS, 'custom fields')
    seen = set()
    for index, field in enumerate(custom_fields):
        where = 'custom_fields[%d]' % index
        problems.extend(key_problems(where + '.key', field['key'], seen))
        problems.extend(length_problem(where + '.label', field['label'], 1, MAX_LABEL_LENGTH))
        problems.extend(custom_field_value_problems(where + '.default_value', field['type'], field.get('default_value')))
    return problems


def custom_field_value_problems(where, field_type, value):
    """A value of a custom field of ``field_type`` (a default value, or a template's value)."""
    if value is None:
        return []
    if field_type == 'text':
        if not isinstance(value, str) or not 1 <= js_length(value) <= MAX_TEXT_VALUE_LENGTH:
            return ['%s: a text custom field takes a string of 1 to %d characters or null, got %r'
                    % (where, MAX_TEXT_VALUE_LENGTH, value)]
    elif field_type == 'toggle':
        if not isinstance(value, bool):
            return ['%s: a toggle custom field takes true, false or null, got %r' % (where, value)]
    elif not isinstance(value, int) or isinstance(value, bool) or abs(value) > MAX_SAFE_INTEGER:
        return ['%s: a number custom field takes an integer between -%d and %d or null, got %r'
                % (where, MAX_SAFE_INTEGER, MAX_SAFE_INTEGER, value)]
    return []


def observable_types_problems(observable_types):
    problems = count_problems('observable_types', observable_types, MAX_OBSERVABLE_TYPES, 'observable types')
    seen_keys = set(key for key, _label in BUILTIN_OBSERVABLE_TYPES)
    seen_labels = set(label.lower() for _key, label in BUILTIN_OBSERVABLE_TYPES)
    for index, observable_type in enumerate(observable_types):
        where = 'observable_types[%d]' % index
        key, label = observable_type['key'], observable_type['label']
        if key.lower() in seen_keys:
            problems.append('%s.key: %r is used twice or by a built-in observable type of Kibana' % (where, key))
        else:
            problems.extend(key_problems(where + '.key', key, seen_keys))
        problems.extend(length_problem(where + '.label', label, 1, MAX_LABEL_LENGTH))
        if label.lower() in seen_labels:
            problems.append('%s.label: %r is used twice or by a built-in observable type of Kibana '
                            '(labels are compared without case)' % (where, label))
        seen_labels.add(label.lower())
    return problems
