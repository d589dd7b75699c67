"""Hostile input: a hypothesis property test of the module flow against the simulator.

Valid option sets (closure_type, connector with the fields of its type, custom fields at their edge
lengths and values, templates, observable types) must reach the simulator and be accepted (no 400), and a
second run must change nothing. Invalid ones (a valid set with one rule broken) must raise InvalidOptions
naming the option path, before any request; and the simulator must reject the same settings sent
directly (400), so the module and the simulator agree on every rule.
"""

from __future__ import annotations

import copy
import string

import pytest
import requests
from hypothesis import HealthCheck, given, settings, strategies as st

from kibana_simulator import control

from resilience_helpers import CONFIGURE, admin_connection, client, module_params

from ansible_collections.kibana.cases.plugins.module_utils.configuration_sync import sync_case_configuration
from ansible_collections.kibana.cases.plugins.module_utils.kibana_client import KibanaError
from ansible_collections.kibana.cases.plugins.module_utils.setting_rules import InvalidOptions

MAX_SAFE = 2 ** 53 - 1
KEY_ALPHABET = string.ascii_lowercase + string.digits + '_-'
# Any assigned character but controls and surrogates, astral ones included: lengths are Kibana's
# (UTF-16 code units after JavaScript's trim()), computed here independently of the module.
TEXT_ALPHABET = st.characters(exclude_categories=('Cc', 'Cs', 'Co', 'Cn'))
JS_WHITESPACE = ('\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008'
                 '\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff')


def js_trim(value):
    return value.strip(JS_WHITESPACE)


def js_length(value):
    """JavaScript's value.trim().length."""
    return len(js_trim(value).encode('utf-16-le')) // 2


FIELD_KINDS = {
    '.jira': {'issueType': 's', 'priority': 's', 'parent': 's'},
    '.resilient': {'incidentTypes': 'l', 'severityCode': 's'},
    '.servicenow': {'impact': 's', 'severity': 's', 'urgency': 's', 'category': 's', 'subcategory': 's'},
    '.servicenow-sir': {'category': 's', 'destIp': 'b', 'malwareHash': 'b', 'malwareUrl': 'b', 'priority': 's',
                        'sourceIp': 'b', 'subcategory': 's'},
    '.swimlane': {'caseId': 's'},
    '.thehive': {'tlp': 'n'},
}
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                             suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                    HealthCheck.data_too_large])


def keys():
    return st.one_of(st.text(KEY_ALPHABET, min_size=1, max_size=36), st.text(KEY_ALPHABET, min_size=36, max_size=36),
                     st.text(KEY_ALPHABET, min_size=1, max_size=1))


def text(minimum, maximum):
    """Strings whose trimmed length is within [minimum, maximum], edge lengths favoured, sometimes padded."""
    exact = st.sampled_from(sorted({max(minimum, 1), maximum}))
    core = st.one_of(st.text(TEXT_ALPHABET, min_size=max(minimum, 1), max_size=min(maximum, 60)),
                     exact.map(lambda n: 'x' * n))
    core = core.map(js_trim).filter(lambda s: max(minimum, 1) <= js_length(s) <= maximum)
    return st.tuples(core, st.sampled_from(['', ' '])).map(lambda pair: pair[1] + pair[0] + pair[1])


@st.composite
def connectors(draw):
    kind = draw(st.sampled_from(['none', 'full']))
    if kind == 'none':
        return {'type': '.none'}
    connector_type = draw(st.sampled_from(sorted(FIELD_KINDS) + ['.cases-webhook']))
    connector = {'id': draw(st.text(KEY_ALPHABET, min_size=1, max_size=20)), 'name': draw(text(1, 30)),
                 'type': connector_type, 'fields': None}
    if connector_type in FIELD_KINDS and draw(st.booleans()):
        values = {'s': st.one_of(st.none(), text(1, 20)), 'b': st.one_of(st.none(), st.booleans()),
                  'n': st.one_of(st.none(), st.integers(0, 4)), 'l': st.one_of(st.none(), st.lists(text(1, 10), max_size=3))}
        names = draw(st.lists(st.sampled_from(sorted(FIELD_KINDS[connector_type])), unique=True))
        connector['fields'] = dict((name, draw(values[FIELD_KINDS[connector_type][name]])) for name in names)
    return connector


def field_value(field_type):
    return {'text': st.one_of(st.none(), text(1, 160)), 'toggle': st.one_of(st.none(), st.booleans()),
            'number': st.one_of(st.none(), st.sampled_from([-MAX_SAFE, 0, MAX_SAFE]), st.integers(-1000, 1000))}[field_type]


@st.composite
def custom_fields(draw, max_size=4):
    fields = []
    for key in draw(st.lists(keys(), unique=True, max_size=max_size)):
        field_type = draw(st.sampled_from(['text', 'toggle', 'number']))
        field = {'key': key, 'label': draw(text(1, 50)), 'type': field_type, 'required': draw(st.booleans())}
        default = draw(field_value(field_type))
        if default is not None:
            field['default_value'] = default
        fields.append(field)
    return fields


@st.composite
def templates(draw, fields):
    result = []
    for key in draw(st.lists(keys(), unique=True, max_size=3)):
        template = {'key': key, 'name': draw(text(1, 50))}
        if draw(st.booleans()):
            template['description'] = draw(st.one_of(st.just(''), text(1, 1000)))
        if draw(st.booleans()):
            template['tags'] = draw(st.lists(text(1, 50), max_size=3))
        if draw(st.booleans()):
            case_fields = {}
            for name, maximum in (('title', 160), ('description', 300), ('category', 50)):
                if draw(st.booleans()):
                    case_fields[name] = draw(text(1, maximum))
            if draw(st.booleans()):
                case_fields['severity'] = draw(st.sampled_from(['low', 'medium', 'high', 'critical']))
            if draw(st.booleans()):
                case_fields['tags'] = draw(st.lists(text(1, 40), max_size=3))
            if draw(st.booleans()):
                case_fields['sync_alerts'] = draw(st.booleans())
            if fields and draw(st.booleans()):
                chosen = draw(st.lists(st.sampled_from(fields), unique_by=lambda f: f['key'], max_size=len(fields)))
                case_fields['custom_fields'] = [{'key': f['key'], 'value': draw(field_value(f['type']))} for f in chosen]
            template['case_fields'] = case_fields
        result.append(template)
    return result


@st.composite
def observable_types(draw):
    builtin_labels = {'ipv4', 'ipv6', 'url', 'host name', 'file hash', 'file path', 'email', 'domain'}
    found = draw(st.lists(st.tuples(keys().filter(lambda k: not k.startswith('observable-type-')),
                                    text(1, 50).filter(lambda label: js_trim(label).lower() not in builtin_labels)),
                          unique_by=(lambda pair: pair[0], lambda pair: pair[1].lower()), max_size=3))
    return [{'key': key, 'label': label} for key, label in found]


@st.composite
def valid_options(draw):
    options = {}
    if draw(st.booleans()):
        options['closure_type'] = draw(st.sampled_from(['close-by-user', 'close-by-pushing']))
    if draw(st.booleans()):
        options['connector'] = draw(connectors())
    fields = draw(custom_fields())
    if draw(st.booleans()) or fields:
        options['custom_fields'] = fields
    if draw(st.booleans()):
        options['templates'] = draw(templates(fields))
    if draw(st.booleans()):
        options['observable_types'] = draw(observable_types())
    return options


# ------------------------------------------------------------------ one broken rule each: (name, path prefix, mutate)

def _field(key='broken', **extra):
    field = {'key': key, 'label': 'Broken', 'type': 'text', 'required': False}
    field.update(extra)
    return field


def _add_field(options, field):
    options.setdefault('custom_fields', []).append(field)


def _add_template(options, template):
    options.setdefault('templates', []).append(template)


def _add_observable(options, key='broken-obs', label='Broken observable'):
    options['observable_types'] = [o for o in options.get('observable_types') or []
                                   if o['key'] != key and o['label'].strip().lower() != label.strip().lower()]
    options['observable_types'].append({'key': key, 'label': label})


def _dup_field(options):
    _add_field(options, _field('dup'))
    _add_field(options, _field('dup'))


def _dup_template(options):
    _add_template(options, {'key': 'dup', 'name': 'A'})
    _add_template(options, {'key': 'dup', 'name': 'B'})


def _template_wrong_value_type(options):
    _add_field(options, _field('flag', type='toggle'))
    _add_template(options, {'key': 'uses-flag', 'name': 'T', 'case_fields': {'custom_fields': [{'key': 'flag', 'value': 'yes'}]}})


MUTATIONS = [
    ('custom_fields', lambda o: _add_field(o, _field('k' * 37))),
    ('custom_fields', lambda o: _add_field(o, _field('Bad Key'))),
    ('custom_fields', _dup_field),
    ('custom_fields', lambda o: _add_field(o, _field(label='   '))),
    ('custom_fields', lambda o: _add_field(o, _field(label='l' * 51))),
    ('custom_fields', lambda o: _add_field(o, _field(default_value='d' * 161))),
    ('custom_fields', lambda o: _add_field(o, _field(default_value='  '))),
    ('custom_fields', lambda o: _add_field(o, _field(type='number', default_value=MAX_SAFE + 1))),
    ('custom_fields', lambda o: _add_field(o, _field(type='toggle', default_value='yes'))),
    ('custom_fields', lambda o: o.__setitem__('custom_fields', [_field('f%d' % i) for i in range(11)])),
    ('connector', lambda o: o.__setitem__('connector', {'id': 'w', 'name': 'W', 'type': '.cases-webhook', 'fields': {}})),
    ('connector', lambda o: o.__setitem__('connector', {'id': 'j', 'name': 'J', 'type': '.jira', 'fields': {'notExist': 'x'}})),
    ('connector', lambda o: o.__setitem__('connector', {'id': 'h', 'name': 'H', 'type': '.thehive', 'fields': {'tlp': 'red'}})),
    ('connector', lambda o: o.__setitem__('connector', {'id': 's', 'name': 'S', 'type': '.servicenow-sir', 'fields': {'destIp': 'yes'}})),
    ('templates', lambda o: _add_template(o, {'key': 'UPPER', 'name': 'T'})),
    ('templates', lambda o: _add_template(o, {'key': 't', 'name': 'n' * 51})),
    ('templates', lambda o: _add_template(o, {'key': 't', 'name': 'T', 'description': 'd' * 1001})),
    ('templates', lambda o: _add_template(o, {'key': 't', 'name': 'T', 'tags': ['t%d' % i for i in range(11)]})),
    ('templates', lambda o: _add_template(o, {'key': 't', 'name': 'T', 'tags': [' ']})),
    ('templates', lambda o: _add_template(o, {'key': 't', 'name': 'T', 'case_fields': {'title': 't' * 161}})),
    ('templates', lambda o: _add_template(o, {'key': 't', 'name': 'T', 'case_fields': {'category': 'c' * 51}})),
    ('templates', lambda o: _add_template(o, {'key': 't', 'name': 'T', 'case_fields': {'assignees': ['u%d' % i for i in range(11)]}})),
    ('templates', lambda o: o.__setitem__('templates', [{'key': 't%d' % i, 'name': 'T'} for i in range(11)])),
    ('templates', _dup_template),
    ('templates', lambda o: _add_template(o, {'key': 't', 'name': 'T', 'case_fields': {'custom_fields': [{'key': 'no-such-field', 'value': None}]}})),
    ('templates', _template_wrong_value_type),
    ('observable_types', lambda o: _add_observable(o, key='observable-type-ipv4')),
    ('observable_types', lambda o: _add_observable(o, label='ipv4')),
    ('observable_types', lambda o: (_add_observable(o, 'a1', 'Same'), o['observable_types'].append({'key': 'a2', 'label': 'SAME'}))),
    ('observable_types', lambda o: _add_observable(o, label='l' * 51)),
    ('observable_types', lambda o: _add_observable(o, key='Bad Key')),
    ('observable_types', lambda o: o.__setitem__('observable_types', [{'key': 'o%d' % i, 'label': 'O%d' % i} for i in range(11)])),
]


# ------------------------------------------------------------------ the test-side oracle: the options in Kibana's form

def kibana_form(options):
    """The settings of ``options`` as Kibana's POST body, without any of the module's checks."""
    body = {'owner': 'cases', 'closure_type': options.get('closure_type') or 'close-by-user',
            'connector': {'id': 'none', 'name': 'none', 'type': '.none', 'fields': None}}
    connector = options.get('connector')
    if connector and connector.get('type') != '.none':
        fields = connector.get('fields')
        if isinstance(fields, dict) and connector['type'] in FIELD_KINDS:
            fields = dict(dict.fromkeys(FIELD_KINDS[connector['type']]), **fields)
        body['connector'] = dict(connector, fields=fields)
    types = {}
    if options.get('custom_fields') is not None:
        body['customFields'] = []
        for field in options['custom_fields']:
            api = {'key': field['key'], 'label': field['label'], 'type': field['type'], 'required': bool(field.get('required'))}
            if field.get('default_value') is not None:
                api['defaultValue'] = field['default_value']
            body['customFields'].append(api)
            types.setdefault(field['key'], field['type'])
    if options.get('templates') is not None:
        body['templates'] = []
        for template in options['templates']:
            api = dict((k, template[k]) for k in ('key', 'name', 'description', 'tags') if template.get(k) is not None)
            case_fields = template.get('case_fields')
            if case_fields is not None:
                api_fields = dict((k, case_fields[k]) for k in ('title', 'description', 'category', 'severity', 'tags')
                                  if case_fields.get(k) is not None)
                if case_fields.get('assignees') is not None:
                    api_fields['assignees'] = [{'uid': uid} for uid in case_fields['assignees']]
                if case_fields.get('sync_alerts') is not None:
                    api_fields['settings'] = {'syncAlerts': case_fields['sync_alerts']}
                if case_fields.get('custom_fields') is not None:
                    api_fields['customFields'] = [{'key': v['key'], 'type': types.get(v['key'], 'text'), 'value': v.get('value')}
                                                  for v in case_fields['custom_fields']]
                api['caseFields'] = api_fields
            body['templates'].append(api)
    if options.get('observable_types') is not None:
        body['observableTypes'] = [{'key': o['key'], 'label': o['label']} for o in options['observable_types']]
    return body


def post_directly(sim, body):
    return requests.post(sim.url + CONFIGURE, json=body, auth=(control.ADMIN_USER, control.ADMIN_PASSWORD),
                         headers={'kbn-xsrf': 'true'}, timeout=10)


def fresh(sim):
    sim.reset()
    sim.clear_requests()


# ------------------------------------------------------------------ properties

@PROPERTY_SETTINGS
@given(options=valid_options())
def test_valid_options_are_accepted_by_kibana_and_idempotent(simulator_process, options):
    sim = simulator_process
    fresh(sim)
    params = module_params(**dict(admin_connection(sim), **copy.deepcopy(options)))
    try:
        first = sync_case_configuration(client(sim), params)
    except InvalidOptions as exc:
        raise AssertionError('the module refused valid options %r: %s' % (options, exc))
    except KibanaError as exc:
        raise AssertionError('Kibana (simulator) refused options the module accepted %r: %s' % (options, exc))
    assert first.changed is True
    log = sim.requests()
    assert [e['method'] for e in log] == ['GET', 'GET', 'POST'] if log[0]['path'] == '/api/status' else \
        [e['method'] for e in log] == ['GET', 'POST'], log
    sim.clear_requests()
    again = sync_case_configuration(client(sim), params)
    assert again.changed is False, 'a second run with %r reported a change: %r -> %r' % (options, again.before, again.after)
    assert all(e['method'] == 'GET' for e in sim.requests()), 'a second run wrote'
    # The simulator takes the test's own rendering of the options too: the oracle is right about valid sets.
    fresh(sim)
    answer = post_directly(sim, kibana_form(options))
    assert answer.status_code == 200, answer.text


@PROPERTY_SETTINGS
@given(options=valid_options(), mutation=st.sampled_from(MUTATIONS))
def test_invalid_options_fail_before_any_request_and_kibana_agrees(simulator_process, options, mutation):
    sim = simulator_process
    prefix, mutate = mutation
    broken = copy.deepcopy(options)
    mutate(broken)
    fresh(sim)
    params = module_params(**dict(admin_connection(sim), **copy.deepcopy(broken)))
    with pytest.raises(InvalidOptions) as caught:
        sync_case_configuration(client(sim), params)
    assert sim.requests() == [], 'requests were sent before refusing %r' % broken
    assert any(problem.startswith(prefix) for problem in caught.value.problems), caught.value.problems
    answer = post_directly(sim, kibana_form(broken))
    assert answer.status_code == 400, 'the module refused %r (%s) but Kibana (simulator) accepts it: %s' % (
        broken, caught.value, answer.text)
