# -*- coding: utf-8 -*-
# Copyright: kibana.cases contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The read-compare-write flow of one case configuration, shared by the module and its action plugin."""

from __future__ import annotations

from random import uniform
from time import sleep
from urllib.parse import quote

from ansible_collections.kibana.cases.plugins.module_utils.case_settings import (
    changed_settings,
    check_options,
    connector_needs_lookup,
    create_body,
    custom_field_type_problems,
    desired_settings,
    patch_body,
    predict,
    resolve_connector,
    settings_to_write,
    settings_view,
    version_problems,
    version_requirements,
)
from ansible_collections.kibana.cases.plugins.module_utils.kibana_client import KibanaError
from ansible_collections.kibana.cases.plugins.module_utils.setting_rules import InvalidOptions, space_id_problems

CONFIGURE_PATH = '/api/cases/configure'
USABLE_CONNECTORS_PATH = '/api/cases/configure/connectors/_find'
STATUS_PATH = '/api/status'
# Rounds of read-compare-write when a concurrent writer gets in between (409) or a create's answer is lost:
# with several writers at once, each round lets at least one of them through.
MAX_ROUNDS = 5
# Seconds, times the round: the longest random pause before reading again after a 409, so that writers
# that collided do not collide again in lockstep.
CONFLICT_PAUSE = 0.1


class SyncResult:
    def __init__(self, changed, configuration, before, after, warnings):
        self.changed = changed
        self.configuration = configuration
        self.before = before
        self.after = after
        self.warnings = warnings


def read_configurations(client, space_id, owner=None):
    """Kibana's configurations in a space (newest first), of one owner or of all readable owners."""
    query = {'owner': owner} if owner else None
    return client.get(CONFIGURE_PATH, 'a list of objects', space_id=space_id, query=query)


def _current_configuration(client, params, warnings):
    found = read_configurations(client, params['space_id'], params['owner'])
    current = found[0] if found else None
    several = 'space %s holds %d configurations of owner %s; the newest (%s) is managed, as Kibana does' % (
        params['space_id'], len(found), params['owner'], current.get('id') if current else None)
    if len(found) > 1 and several not in warnings:
        warnings.append(several)
    pinned = params.get('configuration_id')
    if pinned and (current is None or current.get('id') != pinned):
        raise InvalidOptions(['configuration_id: %s is not the configuration of owner %s in space %s (found %s)'
                              % (pinned, params['owner'], params['space_id'],
                                 current.get('id') if current else 'none')])
    if current is not None and not current.get('version'):
        raise KibanaError('GET %s: the configuration %s came back without a version, so it cannot be updated safely'
                          % (CONFIGURE_PATH, current.get('id')))
    return current


def read_kibana_version(client):
    """Kibana's version number, from GET /api/status."""
    version = client.get(STATUS_PATH, 'an object').get('version')
    return version.get('number') if isinstance(version, dict) else None


def _check_kibana_version(client, params):
    """Fail before any write when the options need a newer Kibana; reads the version only then (else None)."""
    requirements = version_requirements(params)
    if not requirements:
        return None
    number = read_kibana_version(client)
    problems = version_problems(requirements, number)
    if problems:
        raise InvalidOptions(problems)
    return number


def _write(client, params, current, desired, changes):
    if current is None:
        return client.post(CONFIGURE_PATH, create_body(params['owner'], desired), space_id=params['space_id'])
    return client.patch('%s/%s' % (CONFIGURE_PATH, quote(current['id'], safe='')),
                        patch_body(changes, current['version']), space_id=params['space_id'])


def sync_case_configuration(client, params, check_mode=False):
    """Make the configuration of ``params['owner']`` in ``params['space_id']`` hold the given settings.

    Raises InvalidOptions before any write when the options break a rule of Kibana, KibanaError when
    Kibana fails. A PATCH carries the version read, so a concurrent write makes it fail with 409 instead
    of being overwritten: the flow then reads again and writes only what still differs.
    """
    check_options(params)
    kibana_version = _check_kibana_version(client, params)
    warnings = []
    connector = params.get('connector')
    if connector is not None:
        usable = []
        if connector_needs_lookup(connector):
            usable = client.get(USABLE_CONNECTORS_PATH, 'a list of objects', space_id=params['space_id'])
        connector = resolve_connector(connector, usable)

    first = first_desired = None
    last_error = None
    for round_number in range(MAX_ROUNDS):
        current = _current_configuration(client, params, warnings)
        desired = desired_settings(params, connector, current)
        if round_number == 0:
            first, first_desired = current, desired
        changes = settings_to_write(desired, current)
        if current is not None and not changes:
            return _result(first, current, first_desired, warnings)
        problems = custom_field_type_problems(desired, current)
        if problems:
            raise InvalidOptions(problems)
        if check_mode:
            if current is None and kibana_version is None:
                # Which lists a new configuration holds depends on the version: predict them exactly.
                kibana_version = read_kibana_version(client)
            return _result(first, predict(current, changes, params['owner'], kibana_version), first_desired, warnings)
        try:
            written = _write(client, params, current, desired, changes)
        except KibanaError as exc:
            # 409: someone wrote since our read. A create without an answer may have happened, and one
            # answered 429 did not: read again before deciding, never POST blindly (a POST replaces).
            if exc.status == 409 or (current is None and (exc.outcome_unknown or exc.status == 429)):
                last_error = exc
                if exc.status == 409:
                    sleep(uniform(0, CONFLICT_PAUSE * (round_number + 1)))
                continue
            raise
        return _result(first, written, first_desired, warnings)
    if last_error.status == 409:
        reason = 'each time another writer changed the configuration first (409 Conflict)'
    else:
        reason = 'each time the create failed or its answer was lost'
    raise KibanaError('gave up after %d rounds of read-compare-write of the configuration of owner %s in space %s, '
                      '%s; last error: %s' % (MAX_ROUNDS, params['owner'], params['space_id'], reason, last_error),
                      status=last_error.status)


def _result(first, final, desired, warnings):
    if final is not None and final.get('error'):
        warnings.append('Kibana reports a problem with this configuration: %s' % final['error'])
    return SyncResult(
        changed=first is None or bool(changed_settings(desired, first)),
        configuration=final,
        before=settings_view(first),
        after=settings_view(final),
        warnings=warnings,
    )


def case_configuration_task(client, params, check_mode=False, diff_mode=False):
    """The result and warnings of a case_configuration task (module or controller-side action plugin)."""
    outcome = sync_case_configuration(client, params, check_mode=check_mode)
    result = dict(changed=outcome.changed, configuration=outcome.configuration)
    if diff_mode:
        result['diff'] = dict(before=outcome.before, after=outcome.after)
    return result, outcome.warnings


def case_configuration_info_task(client, params, check_mode=False, diff_mode=False):
    """The result and warnings of a case_configuration_info task; it only reads."""
    problems = space_id_problems(params['space_id'])
    if problems:
        raise InvalidOptions(problems)
    return dict(changed=False, configurations=read_configurations(client, params['space_id'], params['owner'])), []
