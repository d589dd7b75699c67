# -*- coding: utf-8 -*-
# Copyright: kibana.cases contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every module of the collection does around its task: the client, warnings, exit or failure."""

from __future__ import annotations

import os

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.kibana.cases.plugins.module_utils.kibana_client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    KibanaClient,
    KibanaError,
    connection_warnings,
    with_environment_credentials,
)
from ansible_collections.kibana.cases.plugins.module_utils.setting_rules import InvalidOptions


def client_from_module(module):
    """The client for an AnsibleModule's connection options; fails the module when it cannot be built."""
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
    try:
        params, secrets = with_environment_credentials(module.params, os.environ)
        # What env_fallback would have done: a credential from the environment is masked like an option's.
        module.no_log_values.update(secrets)
        client = KibanaClient.from_params(params)
    except KibanaError as exc:
        module.fail_json(msg=str(exc))
    for warning in connection_warnings(params):
        module.warn(warning)
    return client


def run_task_in_module(module, task):
    """Run ``task`` (see configuration_sync) in an AnsibleModule and exit with its result."""
    client = client_from_module(module)
    try:
        result, warnings = task(client, module.params, check_mode=module.check_mode, diff_mode=module._diff)
    except (InvalidOptions, KibanaError) as exc:
        module.fail_json(msg=str(exc))
    for warning in warnings:
        module.warn(warning)
    module.exit_json(**result)
