# -*- coding: utf-8 -*-
# Copyright: kibana.cases contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run a module's task inside the controller process when the task runs on the controller anyway.

A module task on localhost costs ~0.35 s, almost all of it starting the module's Python process;
Kibana's HTTP costs milliseconds. Managing Kibana runs on the controller (localhost, delegate_to:
localhost, a local connection), so there the action plugin validates the arguments with the module's
own argument spec and calls the module's own task function in-process. Anywhere else (a remote host,
async, or the variable ``kibana_cases_run_on_controller`` false) it runs the module as usual.
Options, check mode, diff, results and errors are the same.
"""

from __future__ import annotations

import os

from ansible.module_utils.basic import missing_required_lib
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.common.parameters import env_fallback, remove_values
from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

from ansible_collections.kibana.cases.plugins.module_utils.kibana_client import (
    HAS_REQUESTS,
    KibanaClient,
    KibanaError,
    connection_warnings,
    with_environment_credentials,
)
from ansible_collections.kibana.cases.plugins.module_utils.setting_rules import InvalidOptions

LOCAL_CONNECTIONS = ('local', 'ansible.builtin.local', 'ansible.legacy.local')


class ControllerTaskAction(ActionBase):
    """Base of the collection's action plugins: set ARGUMENT_SPEC, ARGUMENT_CONSTRAINTS and TASK in a subclass."""

    ARGUMENT_SPEC = None
    ARGUMENT_CONSTRAINTS = None
    TASK = None
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        if self._runs_on_controller(task_vars or {}):
            result.update(self._run_in_controller())
            return result
        # As the normal action plugin does.
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result = merge_hash(result, self._execute_module(task_vars=task_vars, wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _runs_on_controller(self, task_vars):
        if not boolean(task_vars.get('kibana_cases_run_on_controller', True), strict=False):
            return False
        connection = getattr(self._connection, 'transport', None) or self._play_context.connection
        return connection in LOCAL_CONNECTIONS and not self._task.async_val

    def _run_in_controller(self):
        environment = {}
        self._compute_environment_string(environment)
        environment = dict(os.environ, **environment)
        args = dict(self._task.args)
        _apply_env_fallbacks(self.ARGUMENT_SPEC, args, environment)
        validation = ArgumentSpecValidator(self.ARGUMENT_SPEC, **self.ARGUMENT_CONSTRAINTS).validate(args)
        no_log_values = validation._no_log_values
        if validation.error_messages:
            # The message AnsibleModule gives: the first error.
            message = validation.errors.msg
            if isinstance(validation.errors[0], UnsupportedError):
                message = 'Unsupported parameters for (%s) module: %s' % (self._task.action, message)
            return self._masked(dict(failed=True, msg=message), no_log_values, args)
        params = validation.validated_parameters
        if not HAS_REQUESTS:
            return dict(failed=True, msg=missing_required_lib('requests'))
        warnings = []
        try:
            connection, secrets = with_environment_credentials(params, environment)
            no_log_values.update(secrets)
            client = KibanaClient.from_params(connection)
            warnings.extend(connection_warnings(connection))
            result, task_warnings = self.TASK(client, params, check_mode=bool(self._task.check_mode),
                                              diff_mode=bool(self._task.diff))
            warnings.extend(task_warnings)
        except (InvalidOptions, KibanaError) as exc:
            result = dict(failed=True, msg=str(exc))
        if warnings:
            result['warnings'] = warnings
        return self._masked(result, no_log_values, params)

    @staticmethod
    def _masked(result, no_log_values, params):
        # What AnsibleModule does for a module: the invocation, and no secret anywhere in the result.
        result['invocation'] = dict(module_args=params)
        return remove_values(result, no_log_values)


def _apply_env_fallbacks(argument_spec, args, environment):
    """Fill unset options from the task's environment, as env_fallback does in the module's own process."""
    for name, spec in argument_spec.items():
        fallback = spec.get('fallback')
        if args.get(name) is None and fallback and fallback[0] is env_fallback:
            for variable in fallback[1]:
                if variable in environment:
                    args[name] = environment[variable]
                    break
