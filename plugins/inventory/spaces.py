# -*- coding: utf-8 -*-
# Copyright: kibana.cases contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: spaces
short_description: Kibana spaces as inventory hosts
version_added: 1.0.0
description:
  - Reads the spaces of one or more Kibana instances (C(GET /api/spaces/space)) and makes one
    host per space, so that a play runs the C(kibana.cases) modules once per space.
  - The inventory source is a YAML file whose name ends in C(kibana_spaces.yml) or
    C(kibana_spaces.yaml), with O(plugin=kibana.cases.spaces).
  - The host of a space is named by the space identifier (for example V(default),
    V(security-team)). When the hosts come from several Kibana instances (O(urls) with more than one
    entry, an entry of O(urls) with a C(name), or O(instance_name)), they are named
    C(<instance>.<space id>), so that they stay unique; a space identifier never contains a dot.
  - "Every host gets the variables C(space_id), C(space_name), C(space_description),
    C(space_disabled_features) (a list), C(kibana_url) (the URL of its Kibana, without any
    credential), C(kibana_instance) (the instance name, or V(null)), C(ansible_connection=local)
    and C(ansible_python_interpreter) (see O(python_interpreter))."
  - "The hosts run locally (no SSH to a space): a task on them talks to Kibana from the controller.
    In a play, point the modules at the host's Kibana and space with
    C(url: '{{ kibana_url }}') and C(space_id: '{{ space_id }}'), for example in C(module_defaults)."
  - Credentials (O(api_key), O(username), O(password), O(bearer_token)) are only used to read the
    spaces; they never become host variables, so C(ansible-inventory --list) does not show them.
    The play's modules take their credentials from their own options or the same environment variables.
author:
  - kibana.cases contributors (@kibana-cases)
extends_documentation_fragment:
  - kibana.cases.connection
  - kibana.cases.connection.plugins
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description:
      - The name of this plugin; makes the file an inventory source of this plugin.
    type: str
    required: true
    choices: [kibana.cases.spaces]
  urls:
    description:
      - Several Kibana instances read with the same credentials and TLS options; each entry is the
        base URL of one Kibana (a string), or a dictionary with the keys C(url) and C(name).
      - "The instance name of an entry is its C(name), or else the host of its URL, with C(_<port>)
        when the URL has a port (for example C(kibana.example.com_5601))."
      - With more than one entry, every host name is C(<instance>.<space id>); so is the host name of an
        entry with a C(name). A single entry without C(name) gives host names C(<space id>).
      - When set, O(url) and E(KIBANA_URL) are not used. Give O(url) or O(urls).
      - For instances that need other credentials, use one inventory file per instance, each with its
        own O(instance_name).
    type: list
    elements: raw
  instance_name:
    description:
      - Name of the Kibana instance of O(url); the host names become C(<instance_name>.<space id>)
        and the hosts get C(kibana_instance=<instance_name>).
      - Set it when several inventory files (one per Kibana) are used together, so that the
        space V(default) of one Kibana does not merge with the space V(default) of another.
      - Must not contain a colon, a comma or white space (host patterns use them).
    type: str
  include_spaces:
    description:
      - Only the spaces whose identifier matches one of these shell-style patterns
        (Python C(fnmatch), case-sensitive, for example V(team-*)) become hosts.
      - The default makes every space a host.
    type: list
    elements: str
    default: ['*']
  exclude_spaces:
    description:
      - The spaces whose identifier matches one of these shell-style patterns do not become hosts,
        even when they match O(include_spaces).
    type: list
    elements: str
    default: []
  python_interpreter:
    description:
      - The value of C(ansible_python_interpreter) of every host.
      - "When not set, C({{ ansible_playbook_python }}): the modules run with the Python that runs
        Ansible on the controller, which has the C(requests) library, since this plugin needs it too.
        This also avoids interpreter discovery on the local connection, which can pick a Python that
        is not installed (a pyenv shim) or lacks C(requests)."
      - Set V(auto) to let Ansible discover the interpreter instead.
      - Host variables from an inventory plugin take precedence over C(group_vars) files; use this
        option (or O(compose)) to change the interpreter.
    type: str
notes:
  - The spaces are read once per instance, from the default space's API path; the user needs the
    privilege to see the spaces (Kibana lists only the spaces the user is authorized for).
  - "With O(cache=true), the list of spaces of each instance is kept in the inventory cache (the
    spaces, never a credential); O(include_spaces) and O(exclude_spaces) apply after the cache, so
    changing them needs no new request. Adding a URL reads that instance only.
    Use C(ansible-inventory --flush-cache) or C(meta: refresh_inventory) to read Kibana again."
  - The URLs, the credentials and O(instance_name) may be Jinja2 templates, for example a lookup of
    a secret, or vault-encrypted strings.
"""

EXAMPLES = r"""
# kibana_spaces.yml: every space of one Kibana; the connection from KIBANA_URL and
# KIBANA_API_KEY (or KIBANA_USERNAME/KIBANA_PASSWORD, KIBANA_BEARER_TOKEN).
plugin: kibana.cases.spaces

---
# prod.kibana_spaces.yml: team spaces only, grouped by their disabled features and name.
plugin: kibana.cases.spaces
url: https://kibana.example.com:5601
instance_name: prod
include_spaces:
  - team-*
  - default
exclude_spaces:
  - team-sandbox*
keyed_groups:
  - key: space_disabled_features
    prefix: without
compose:
  owner_for_space: "'securitySolution' if space_id.startswith('team-sec') else 'cases'"
groups:
  security: space_id.startswith('team-sec')
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/kibana_spaces
cache_timeout: 600

---
# fleet.kibana_spaces.yml: two instances with the same credentials;
# hosts are named prod.default, prod.ops, staging.default, ...
plugin: kibana.cases.spaces
urls:
  - name: prod
    url: https://kibana.example.com:5601
  - name: staging
    url: https://kibana-staging.example.com:5601
keyed_groups:
  - key: kibana_instance
    prefix: kibana

# A play over those hosts (ansible-playbook -i fleet.kibana_spaces.yml rollout.yml):
# - name: Roll out the case settings to every space
#   hosts: all
#   gather_facts: false
#   module_defaults:
#     group/kibana.cases.kibana:
#       url: "{{ kibana_url }}"
#       space_id: "{{ space_id }}"
#   tasks:
#     - name: Set the closure type
#       kibana.cases.case_configuration:
#         closure_type: close-by-pushing
"""

import fnmatch
import os
from urllib.parse import urlsplit

from ansible.errors import AnsibleError
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.kibana.cases.plugins.module_utils.kibana_client import (
    CONNECTION_ARGUMENT_SPEC,
    CONNECTION_MUTUALLY_EXCLUSIVE,
    HAS_REQUESTS,
    KibanaClient,
    KibanaError,
    connection_warnings,
    with_environment_credentials,
)

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19 templates every string of the inventory
    def trust_as_template(value):
        return value


SPACES_PATH = '/api/spaces/space'
FILE_SUFFIXES = ('kibana_spaces.yml', 'kibana_spaces.yaml')
DEFAULT_PYTHON_INTERPRETER = '{{ ansible_playbook_python }}'
# Options that may be Jinja2 templates (a lookup of a secret, for example).
TEMPLATED_OPTIONS = ('url', 'api_key', 'username', 'password', 'bearer_token', 'instance_name')
# A host name must not break host patterns (',' ':' and white space separate them) or paths.
FORBIDDEN_NAME_CHARACTERS = frozenset(':,/\\ \t\r\n')
CACHE_FORMAT = 1


def instance_name_from_url(url):
    """The default instance name of a URL: its host, with _<port> when the URL has a port."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or '').strip('[]').replace(':', '_')
    try:
        port = parts.port
    except ValueError:
        port = None
    return host if port is None else '%s_%s' % (host, port)


def space_selected(space_id, include_spaces, exclude_spaces):
    """True when the space id matches an include pattern and no exclude pattern (fnmatch, case-sensitive)."""
    if not any(fnmatch.fnmatchcase(space_id, pattern) for pattern in include_spaces):
        return False
    return not any(fnmatch.fnmatchcase(space_id, pattern) for pattern in exclude_spaces)


def host_name(instance, space_id):
    return space_id if instance is None else '%s.%s' % (instance, space_id)


def space_host_vars(space, kibana_url, instance, python_interpreter):
    """The variables of the host of one space (never a credential)."""
    disabled = space.get('disabledFeatures')
    host_vars = {
        'space_id': space['id'],
        'space_name': space.get('name', space['id']),
        'space_description': space.get('description'),
        'space_disabled_features': list(disabled) if isinstance(disabled, list) else [],
        'kibana_url': kibana_url,
        'kibana_instance': instance,
        'ansible_connection': 'local',
    }
    if python_interpreter:
        host_vars['ansible_python_interpreter'] = python_interpreter
    return host_vars


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = 'kibana.cases.spaces'

    def verify_file(self, path):
        if not super().verify_file(path):
            return False
        if path.endswith(FILE_SUFFIXES):
            return True
        self.display.vvv('kibana.cases.spaces: skipping %s, its name does not end in %s'
                         % (path, ' or '.join(FILE_SUFFIXES)))
        return False

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        if not HAS_REQUESTS:
            raise AnsibleError(missing_required_lib('requests'))

        connection = self._connection_params()
        instances = self._instances(connection['url'])
        include_spaces = self.get_option('include_spaces') or []
        exclude_spaces = self.get_option('exclude_spaces') or []

        # What the cache holds: the spaces of each instance by its base URL (no credential).
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option('cache')
        cached = {}
        if use_cache and cache:
            try:
                entry = self._cache[cache_key]
            except KeyError:
                entry = None
            if isinstance(entry, dict) and entry.get('format') == CACHE_FORMAT and isinstance(entry.get('spaces'), dict):
                cached = entry['spaces']

        spaces_by_url = {}
        fetched = False
        for instance in instances:
            base_url = instance['client'].base_url
            if base_url in cached:
                spaces_by_url[base_url] = cached[base_url]
            else:
                spaces_by_url[base_url] = self._read_spaces(instance['client'])
                fetched = True

        if use_cache and (fetched or not cache or set(cached) != set(spaces_by_url)):
            self._cache[cache_key] = {'format': CACHE_FORMAT, 'spaces': spaces_by_url}

        python_interpreter = self.get_option('python_interpreter')
        if python_interpreter is None:
            python_interpreter = DEFAULT_PYTHON_INTERPRETER
        python_interpreter = trust_as_template(python_interpreter)

        for instance in instances:
            base_url = instance['client'].base_url
            for space in spaces_by_url[base_url]:
                if not space_selected(space['id'], include_spaces, exclude_spaces):
                    continue
                self._add_space(host_name(instance['host_prefix'], space['id']),
                                space_host_vars(space, base_url, instance['name'], python_interpreter))

    # ---------------------------------------------------------------- options
    def _option(self, name):
        value = self.get_option(name)
        return self._template(value) if name in TEMPLATED_OPTIONS else value

    def _connection_params(self):
        params = dict((name, self._option(name)) for name in CONNECTION_ARGUMENT_SPEC)
        # Empty strings count as not set, as an unset environment variable would.
        for name in ('api_key', 'username', 'password', 'bearer_token'):
            if params[name] == '':
                params[name] = None
        for group in CONNECTION_MUTUALLY_EXCLUSIVE:
            given = [name for name in group if params[name]]
            if len(given) > 1:
                raise AnsibleError('kibana.cases.spaces: parameters are mutually exclusive: %s' % '|'.join(given))
        try:
            params = with_environment_credentials(params, os.environ)[0]
        except KibanaError as exc:
            raise AnsibleError('kibana.cases.spaces: %s' % exc)
        self._connection = params
        return params

    def _instances(self, url):
        """The Kibana instances to read: dicts with name (or None), host_prefix (or None) and client."""
        urls = self.get_option('urls')
        instance_name = self._option('instance_name')
        entries = []  # (url, instance name or None, whether the name prefixes the host names)
        if urls:
            if instance_name:
                raise AnsibleError('kibana.cases.spaces: instance_name applies to url; '
                                   'name the entries of urls with their name key instead')
            for index, entry in enumerate(urls, 1):
                if isinstance(entry, str):
                    entry_url, name = entry, None
                elif isinstance(entry, dict) and set(entry) <= {'url', 'name'} and isinstance(entry.get('url'), str):
                    entry_url, name = entry['url'], entry.get('name')
                else:
                    raise AnsibleError('kibana.cases.spaces: entry %d of urls must be a URL or a dictionary '
                                       'with the keys url and name' % index)
                entry_url = self._template(entry_url)
                explicit = name not in (None, '')
                name = str(self._template(name)) if explicit else instance_name_from_url(entry_url)
                entries.append((entry_url, name, explicit or len(urls) > 1))
        else:
            if not url:
                raise AnsibleError('kibana.cases.spaces: no Kibana URL: set url (or KIBANA_URL) or urls')
            entries.append((url, instance_name or None, bool(instance_name)))

        instances = []
        for entry_url, name, prefixed in entries:
            if name is not None and (not name or FORBIDDEN_NAME_CHARACTERS & set(name)):
                raise AnsibleError('kibana.cases.spaces: the instance name %r must not be empty nor contain '
                                   'a colon, a comma, a slash or white space' % name)
            params = dict(self._connection, url=entry_url)
            try:
                client = KibanaClient.from_params(params)
            except KibanaError as exc:
                raise AnsibleError('kibana.cases.spaces: %s' % exc)
            for warning in connection_warnings(dict(params, url=client.base_url)):
                self.display.warning('kibana.cases.spaces: %s' % warning)
            instances.append(dict(name=name, host_prefix=name if prefixed else None, client=client))

        names = [instance['name'] for instance in instances]
        if len(set(names)) != len(names):
            raise AnsibleError('kibana.cases.spaces: two entries of urls have the same instance name (%s); '
                               'give each a distinct name' % ', '.join(sorted(set(n for n in names if names.count(n) > 1))))
        return instances

    def _template(self, value):
        if isinstance(value, str) and self.templar.is_template(value):
            return self.templar.template(value)
        return value

    # ---------------------------------------------------------------- Kibana
    def _read_spaces(self, client):
        try:
            answer = client.get(SPACES_PATH)
        except KibanaError as exc:
            raise AnsibleError('kibana.cases.spaces: cannot list the spaces of %s: %s' % (client.base_url, exc))
        if not isinstance(answer, list) or not all(isinstance(space, dict) and isinstance(space.get('id'), str)
                                                   and space['id'] for space in answer):
            raise AnsibleError('kibana.cases.spaces: GET %s of %s did not answer a list of spaces with ids'
                               % (SPACES_PATH, client.base_url))
        # Only what the hosts need: the cache never holds more than the host variables show.
        return [dict((key, space[key]) for key in ('id', 'name', 'description', 'disabledFeatures') if key in space)
                for space in answer]

    # ---------------------------------------------------------------- inventory
    def _add_space(self, host, host_vars):
        self.inventory.add_host(host)
        for key, value in host_vars.items():
            self.inventory.set_variable(host, key, value)
        strict = self.get_option('strict')
        # Composed variables first, so that groups and keyed groups can use them.
        self._set_composite_vars(self.get_option('compose'), host_vars, host, strict=strict)
        self._add_host_to_composed_groups(self.get_option('groups'), host_vars, host, strict=strict)
        self._add_host_to_keyed_groups(self.get_option('keyed_groups'), host_vars, host, strict=strict)
