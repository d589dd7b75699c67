# -*- coding: utf-8 -*-
# Copyright: kibana.cases contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Argument specs of the modules, shared with their controller-side action plugins."""

from __future__ import annotations

from ansible_collections.kibana.cases.plugins.module_utils.kibana_client import (
    CONNECTION_ARGUMENT_SPEC,
    CONNECTION_MUTUALLY_EXCLUSIVE,
)
from ansible_collections.kibana.cases.plugins.module_utils.setting_rules import (
    CLOSURE_TYPES,
    CONNECTOR_TYPES,
    CUSTOM_FIELD_TYPES,
    OWNERS,
    SEVERITIES,
)


def _connector_spec():
    return dict(
        id=dict(type='str'),
        name=dict(type='str'),
        type=dict(type='str', choices=list(CONNECTOR_TYPES)),
        fields=dict(type='dict'),
    )


CASE_CONFIGURATION_ARGUMENT_SPEC = dict(
    CONNECTION_ARGUMENT_SPEC,
    space_id=dict(type='str', default='default'),
    owner=dict(type='str', choices=list(OWNERS), default='cases'),
    configuration_id=dict(type='str'),
    closure_type=dict(type='str', choices=list(CLOSURE_TYPES)),
    connector=dict(type='dict', options=_connector_spec()),
    custom_fields=dict(type='list', elements='dict', options=dict(
        key=dict(type='str', required=True, no_log=False),
        label=dict(type='str', required=True),
        type=dict(type='str', required=True, choices=list(CUSTOM_FIELD_TYPES)),
        required=dict(type='bool', default=False),
        default_value=dict(type='raw'),
    )),
    templates=dict(type='list', elements='dict', options=dict(
        key=dict(type='str', required=True, no_log=False),
        name=dict(type='str', required=True),
        description=dict(type='str'),
        tags=dict(type='list', elements='str'),
        case_fields=dict(type='dict', options=dict(
            title=dict(type='str'),
            description=dict(type='str'),
            tags=dict(type='list', elements='str'),
            severity=dict(type='str', choices=list(SEVERITIES)),
            assignees=dict(type='list', elements='str'),
            category=dict(type='str'),
            custom_fields=dict(type='list', elements='dict', options=dict(
                key=dict(type='str', required=True, no_log=False),
                value=dict(type='raw'),
            )),
            sync_alerts=dict(type='bool'),
            connector=dict(type='dict', options=_connector_spec()),
        )),
    )),
    observable_types=dict(type='list', elements='dict', options=dict(
        key=dict(type='str', required=True, no_log=False),
        label=dict(type='str', required=True),
    )),
)

CASE_CONFIGURATION_INFO_ARGUMENT_SPEC = dict(
    CONNECTION_ARGUMENT_SPEC,
    space_id=dict(type='str', default='default'),
    owner=dict(type='str', choices=list(OWNERS)),
)

# Constraints between the options of every module, for AnsibleModule and the action plugins' validation.
ARGUMENT_CONSTRAINTS = dict(mutually_exclusive=CONNECTION_MUTUALLY_EXCLUSIVE)
