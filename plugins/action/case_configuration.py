# -*- coding: utf-8 -*-
# Copyright: kibana.cases contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Runs kibana.cases.case_configuration in the controller process when the task runs on the controller."""

from __future__ import annotations

from ansible_collections.kibana.cases.plugins.module_utils.argument_specs import (
    ARGUMENT_CONSTRAINTS,
    CASE_CONFIGURATION_ARGUMENT_SPEC,
)
from ansible_collections.kibana.cases.plugins.module_utils.configuration_sync import case_configuration_task
from ansible_collections.kibana.cases.plugins.plugin_utils.controller_task import ControllerTaskAction


class ActionModule(ControllerTaskAction):
    ARGUMENT_SPEC = CASE_CONFIGURATION_ARGUMENT_SPEC
    ARGUMENT_CONSTRAINTS = ARGUMENT_CONSTRAINTS
    TASK = staticmethod(case_configuration_task)
