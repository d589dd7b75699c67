#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: kibana.cases contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: case_configuration_info
short_description: Read the Cases settings of a Kibana space
version_added: 1.0.0
description:
  - Reads the case configurations (Cases settings) of one Kibana space, of every owner the
    credentials may read or of one owner. Never writes.
author:
  - kibana.cases contributors (@kibana-cases)
extends_documentation_fragment:
  - kibana.cases.connection
  - kibana.cases.attributes
  - kibana.cases.attributes.INFO_MODULE
options:
  space_id:
    description:
      - Identifier of the Kibana space (as in its URL C(/s/<space_id>), not its name). V(default) is the default space.
    type: str
    default: default
  owner:
    description:
      - Only the configuration of this owner. Unset, the configurations of every owner the credentials may read.
    type: str
    choices: [cases, securitySolution, observability]
seealso:
  - module: kibana.cases.case_configuration
"""

EXAMPLES = r"""
- name: Read the Cases settings of every owner in a space
  kibana.cases.case_configuration_info:
    url: https://kibana.example.com:5601
    api_key: "{{ kibana_api_key }}"
    space_id: security-team
  register: cases_settings

- name: Show the closure type of each owner
  ansible.builtin.debug:
    msg: "{{ cases_settings.configurations | items2dict(key_name='owner', value_name='closure_type') }}"
"""

RETURN = r"""
configurations:
  description:
    - The configurations found, newest first, as Kibana returns them (camelCase keys).
    - Empty when the space has none (for that owner).
  returned: success
  type: list
  elements: dict
  sample:
    - id: 4a97a440-e1cd-11ec-be9b-9b1838238ee6
      version: WzIwMiwxXQ==
      owner: cases
      closure_type: close-by-user
      connector: {"id": "none", "name": "none", "type": ".none", "fields": null}
      customFields: []
      mappings: []
      error: null
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.kibana.cases.plugins.module_utils.argument_specs import (
    ARGUMENT_CONSTRAINTS,
    CASE_CONFIGURATION_INFO_ARGUMENT_SPEC,
)
from ansible_collections.kibana.cases.plugins.module_utils.configuration_sync import case_configuration_info_task
from ansible_collections.kibana.cases.plugins.module_utils.module_runner import run_task_in_module


def main():
    module = AnsibleModule(argument_spec=CASE_CONFIGURATION_INFO_ARGUMENT_SPEC, supports_check_mode=True, **ARGUMENT_CONSTRAINTS)
    run_task_in_module(module, case_configuration_info_task)


if __name__ == '__main__':
    main()
