#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: kibana.cases contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: case_configuration
short_description: Manage the Cases settings of one owner in one Kibana space
version_added: 1.0.0
description:
  - Manages the case configuration of Kibana (the Cases settings page) for one owner
    (Stack Management C(cases), C(securitySolution) or C(observability)) in one Kibana space,
    the closure type, the default connector, the custom fields, the case templates and the
    observable types.
  - Reads the configuration, compares only the options you set with it, and writes only when
    something differs, with one request that carries the configuration's C(version), so a
    concurrent change is never overwritten.
  - Creates the configuration when the space has none for that owner.
  - Reads the Kibana version (C(GET /api/status)) only when an option needs a recent one, and fails
    before writing when Kibana is older than an option needs (O(templates) 8.15, a V(.thehive)
    connector 8.16, V(number) custom fields 8.17, O(observable_types) 8.18).
author:
  - kibana.cases contributors (@kibana-cases)
extends_documentation_fragment:
  - kibana.cases.connection
  - kibana.cases.attributes
attributes:
  check_mode:
    support: full
    details:
      - Only reads; RV(configuration) is the configuration as it would be.
  diff_mode:
    support: full
    details:
      - Shows the managed settings before and after (not C(version), timestamps or C(mappings)).
  idempotent:
    support: full
    description: When run twice in a row with the same options, the second run reports no change and writes nothing.
options:
  space_id:
    description:
      - Identifier of the Kibana space (as in its URL C(/s/<space_id>), not its name). V(default) is the default space.
    type: str
    default: default
  owner:
    description:
      - The application the settings belong to.
    type: str
    choices: [cases, securitySolution, observability]
    default: cases
  configuration_id:
    description:
      - Identifier of the configuration expected for O(owner) in O(space_id).
      - When set, the task fails (without writing) if the configuration there has another
        identifier or does not exist.
    type: str
  closure_type:
    description:
      - When cases are closed automatically.
      - V(close-by-user) closes a case only when a user closes it; V(close-by-pushing) also
        closes it when it is pushed to an external incident management system.
      - When the configuration is created and this is not set, Kibana's default V(close-by-user) is used.
    type: str
    choices: [close-by-user, close-by-pushing]
  connector:
    description:
      - The default connector of new cases.
      - O(connector.type=.none) alone means no connector.
      - Give O(connector.id), O(connector.name) and O(connector.type) to use them as they are;
        give fewer (for example only O(connector.name)) to look the others up among the connectors
        usable by cases in the space. No match, or several, fails the task.
      - When the configuration is created and this is not set, the none connector is used.
    type: dict
    suboptions:
      id:
        description: Identifier of the connector.
        type: str
      name:
        description: Name of the connector.
        type: str
      type:
        description: Connector type.
        type: str
        choices: [.cases-webhook, .jira, .none, .resilient, .servicenow, .servicenow-sir, .swimlane, .thehive]
      fields:
        description:
          - Default field values of the connector type, in Kibana's form (camelCase keys), or null.
          - Must be null for V(.none) and V(.cases-webhook).
          - V(.jira) takes C(issueType), C(priority), C(parent); V(.resilient) C(incidentTypes) (list),
            C(severityCode); V(.servicenow) C(impact), C(severity), C(urgency), C(category), C(subcategory);
            V(.servicenow-sir) C(category), C(destIp), C(malwareHash), C(malwareUrl) (booleans), C(priority),
            C(sourceIp) (boolean), C(subcategory); V(.swimlane) C(caseId); V(.thehive) C(tlp) (number).
          - A field of the type left out is sent as null, as Kibana requires every key of the type.
          - Kibana recommends null here; the values are not copied to the cases.
        type: dict
  custom_fields:
    description:
      - The custom fields of cases, at most 10.
      - Authoritative when set, the configuration ends with exactly these, in this order;
        V([]) removes every custom field. Unset, the custom fields are left as they are.
      - Kibana cannot change the type of an existing key; the task fails before writing if asked to.
      - Needs Kibana 8.11 or later.
    type: list
    elements: dict
    suboptions:
      key:
        description:
          - Identifier of the custom field, 1 to 36 characters of lowercase letters, digits, C(_) and C(-).
        type: str
        required: true
      label:
        description: Label shown in Kibana, 1 to 50 characters.
        type: str
        required: true
      type:
        description:
          - Kind of value. V(number) needs Kibana 8.17 or later.
        type: str
        required: true
        choices: [text, toggle, number]
      required:
        description: Whether a value is required on every case.
        type: bool
        default: false
      default_value:
        description:
          - Value of the field on new cases.
          - A string of 1 to 160 characters for V(text), a boolean for V(toggle), an integer for V(number).
        type: raw
  templates:
    description:
      - Case templates, at most 10. Needs Kibana 8.15 or later.
      - Authoritative when set, the configuration ends with exactly these, in this order;
        V([]) removes every template. Unset, the templates are left as they are.
      - A template's custom field values left out are filled the way Kibana fills them (the field's
        default value, V(false) for a toggle without one, else null), so a re-run reports no change.
    type: list
    elements: dict
    suboptions:
      key:
        description: Identifier of the template, 1 to 36 characters of lowercase letters, digits, C(_) and C(-).
        type: str
        required: true
      name:
        description: Name of the template, 1 to 50 characters.
        type: str
        required: true
      description:
        description: Description of the template, at most 1000 characters.
        type: str
      tags:
        description: Tags of the template, at most 10 of 1 to 50 characters.
        type: list
        elements: str
      case_fields:
        description: The values a case created from the template starts with.
        type: dict
        suboptions:
          title:
            description: Title, 1 to 160 characters.
            type: str
          description:
            description: Description, 1 to 30000 characters.
            type: str
          tags:
            description: Case tags, at most 200 of 1 to 256 characters.
            type: list
            elements: str
          severity:
            description: Severity.
            type: str
            choices: [low, medium, high, critical]
          assignees:
            description:
              - User profile identifiers (uid) of the assignees, at most 10.
              - Kibana accepts assignees only with a Platinum or Enterprise license.
            type: list
            elements: str
          category:
            description: Category, 1 to 50 characters.
            type: str
          custom_fields:
            description:
              - Values of custom fields of the configuration (O(custom_fields) when set, else the current ones).
              - The type of each value comes from that custom field.
            type: list
            elements: dict
            suboptions:
              key:
                description: Key of a custom field of the configuration.
                type: str
                required: true
              value:
                description: A string for a text field, a boolean for a toggle, an integer for a number; or null.
                type: raw
          sync_alerts:
            description: Whether the alerts of the case sync their status with it.
            type: bool
          connector:
            description:
              - Connector of the case; give O(templates[].case_fields.connector.id),
                O(templates[].case_fields.connector.name) and O(templates[].case_fields.connector.type),
                or only O(templates[].case_fields.connector.type=.none).
            type: dict
            suboptions:
              id:
                description: Identifier of the connector.
                type: str
              name:
                description: Name of the connector.
                type: str
              type:
                description: Connector type.
                type: str
                choices: [.cases-webhook, .jira, .none, .resilient, .servicenow, .servicenow-sir, .swimlane, .thehive]
              fields:
                description: Field values of the connector type, as for O(connector.fields).
                type: dict
  observable_types:
    description:
      - Custom observable types, at most 10. Needs Kibana 8.18 or later.
      - Authoritative when set; V([]) removes every custom observable type.
      - Neither the key nor the label may repeat, nor be those of a built-in observable type of
        Kibana (IPv4, IPv6, URL, Host name, File hash, File path, Email, Domain); labels are compared without case.
    type: list
    elements: dict
    suboptions:
      key:
        description: Identifier of the observable type, 1 to 36 characters of lowercase letters, digits, C(_) and C(-).
        type: str
        required: true
      label:
        description: Label shown in Kibana, 1 to 50 characters.
        type: str
        required: true
seealso:
  - module: kibana.cases.case_configuration_info
  - name: Kibana case settings API
    description: The API this module uses.
    link: https://www.elastic.co/docs/api/doc/kibana/group/endpoint-cases
"""

EXAMPLES = r"""
- name: Close cases by pushing them, with no default connector
  kibana.cases.case_configuration:
    url: https://kibana.example.com:5601
    api_key: "{{ kibana_api_key }}"
    space_id: security-team
    owner: securitySolution
    closure_type: close-by-pushing
    connector:
      type: .none

- name: Use the Jira connector named "Jira SOC" as default connector (id and type looked up)
  kibana.cases.case_configuration:
    space_id: security-team
    owner: securitySolution
    connector:
      name: Jira SOC

- name: Manage exactly these custom fields
  kibana.cases.case_configuration:
    owner: cases
    custom_fields:
      - key: ticket_id
        label: Ticket
        type: text
      - key: customer_impact
        label: Customer impact
        type: toggle
        required: true
        default_value: false
      - key: affected_hosts
        label: Affected hosts
        type: number

- name: A template that starts malware cases with high severity and a ticket number
  kibana.cases.case_configuration:
    owner: securitySolution
    custom_fields:
      - key: ticket_id
        label: Ticket
        type: text
    templates:
      - key: malware
        name: Malware
        description: Malware found on a host
        tags: [soc]
        case_fields:
          title: Malware on host
          severity: high
          tags: [malware]
          custom_fields:
            - key: ticket_id
              value: SOC-0000

- name: Observable types of the team
  kibana.cases.case_configuration:
    owner: securitySolution
    observable_types:
      - key: vessel-imo
        label: Vessel IMO number

- name: Connection options once for every kibana.cases module
  module_defaults:
    group/kibana.cases.kibana:
      url: https://kibana.example.com:5601
      api_key: "{{ kibana_api_key }}"
  block:
    - name: Default space, Stack Management cases
      kibana.cases.case_configuration:
        closure_type: close-by-user
"""

RETURN = r"""
configuration:
  description:
    - The configuration after the task, as Kibana returned it (camelCase keys).
    - In check mode, the configuration as it would be; a configuration to be created has no C(id) or C(version) yet.
  returned: success
  type: dict
  contains:
    id:
      description: Identifier of the configuration.
      type: str
      sample: 4a97a440-e1cd-11ec-be9b-9b1838238ee6
    version:
      description: Version of the configuration, which the next update must carry.
      type: str
      sample: WzIwMiwxXQ==
    owner:
      description: The application the configuration belongs to.
      type: str
      sample: cases
    closure_type:
      description: When cases are closed automatically.
      type: str
      sample: close-by-user
    connector:
      description: The default connector.
      type: dict
      sample: {"id": "none", "name": "none", "type": ".none", "fields": null}
    customFields:
      description: The custom fields.
      type: list
      elements: dict
      sample: [{"key": "ticket_id", "label": "Ticket", "type": "text", "required": false}]
    templates:
      description: The case templates (Kibana 8.15 or later).
      type: list
      elements: dict
    observableTypes:
      description: The custom observable types (Kibana 8.18 or later).
      type: list
      elements: dict
    mappings:
      description: How case fields map to the fields of the connector (computed by Kibana).
      type: list
      elements: dict
    error:
      description: A problem Kibana found with the connector mappings, or null.
      type: str
diff:
  description: The managed settings before and after, when run with C(--diff).
  returned: when diff mode is on
  type: dict
  sample: {"before": {"closure_type": "close-by-user"}, "after": {"closure_type": "close-by-pushing"}}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.kibana.cases.plugins.module_utils.argument_specs import (
    ARGUMENT_CONSTRAINTS,
    CASE_CONFIGURATION_ARGUMENT_SPEC,
)
from ansible_collections.kibana.cases.plugins.module_utils.configuration_sync import case_configuration_task
from ansible_collections.kibana.cases.plugins.module_utils.module_runner import run_task_in_module


def main():
    module = AnsibleModule(argument_spec=CASE_CONFIGURATION_ARGUMENT_SPEC, supports_check_mode=True, **ARGUMENT_CONSTRAINTS)
    run_task_in_module(module, case_configuration_task)


if __name__ == '__main__':
    main()
