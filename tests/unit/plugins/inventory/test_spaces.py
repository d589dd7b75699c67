"""The spaces inventory plugin: the hosts, variables and groups it makes from the spaces Kibana lists (HTTP mocked).

The plugin gets its option definitions from its own DOCUMENTATION merged with its doc fragments, as
Ansible's plugin loader does, so the defaults and the environment variables under test are the documented ones.
"""

import json

import pytest
import yaml
from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.module_utils import _internal as module_utils_internal
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.doc_fragments import constructed, inventory_cache
from ansible.utils.plugin_docs import add_fragments

from ansible_collections.kibana.cases.plugins.doc_fragments import connection
from ansible_collections.kibana.cases.plugins.inventory import spaces
from conversation import BASE_URL, kibana_error

# Importing Ansible's controller code (above) sets ansible.module_utils._internal.is_controller for the whole
# process, and module_utils then sends a module's warnings to the controller's display instead of its result.
# The module tests collected in the same process need the module context: restore it here, and give the
# tests of this file the controller context (where an inventory plugin runs) only while they run.
module_utils_internal.is_controller = False


@pytest.fixture(autouse=True)
def controller_context(monkeypatch):
    monkeypatch.setattr(module_utils_internal, 'is_controller', True)


PLUGIN_NAME = 'kibana.cases.spaces'
API_KEY = 'dW5pdC1pbnZlbnRvcnkta2V5LXNlY3JldA=='
PASSWORD = 'inventory-unit-password'
KIBANA_ENV = ('KIBANA_URL', 'KIBANA_API_KEY', 'KIBANA_USERNAME', 'KIBANA_PASSWORD', 'KIBANA_BEARER_TOKEN')

DEFAULT_SPACE = {'id': 'default', 'name': 'Default', 'description': 'This is your default space!',
                 'color': '#00bfb3', 'disabledFeatures': [], '_reserved': True}
SECURITY = {'id': 'security-team', 'name': 'Security team', 'disabledFeatures': ['ml', 'canvas'], 'color': '#aaa'}
OPS = {'id': 'ops', 'name': 'Operations', 'disabledFeatures': []}
SANDBOX = {'id': 'team-sandbox', 'name': 'Sandbox', 'disabledFeatures': ['siem']}
SPACES = [DEFAULT_SPACE, SECURITY, OPS, SANDBOX]


class _Fragments:
    """The fragment_loader add_fragments needs: the three fragments the plugin names."""
    classes = {'kibana.cases.connection': connection.ModuleDocFragment,
               'ansible.builtin.constructed': constructed.ModuleDocFragment,
               'ansible.builtin.inventory_cache': inventory_cache.ModuleDocFragment}

    def get(self, name):
        fragment = self.classes.get(name)
        if fragment is not None:
            fragment.ansible_name = name
        return fragment


@pytest.fixture(scope='module')
def option_definitions():
    doc = yaml.safe_load(spaces.DOCUMENTATION)
    add_fragments(doc, spaces.__file__, fragment_loader=_Fragments())
    return doc['options']


@pytest.fixture(autouse=True)
def no_kibana_environment(monkeypatch):
    for name in KIBANA_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def parse(tmp_path, option_definitions):
    """Parse an inventory file with these options; returns the InventoryData."""
    C.config.initialize_plugin_configuration_definitions('inventory', PLUGIN_NAME, option_definitions)

    def run(options, file_name='kibana_spaces.yml', cache=True, plugin=None):
        path = tmp_path / file_name
        path.write_text(json.dumps(dict({'plugin': PLUGIN_NAME}, **options)), encoding='utf-8')
        plugin = plugin or make_plugin()
        inventory = InventoryData()
        plugin.parse(inventory, DataLoader(), str(path), cache=cache)
        try:  # what Ansible's InventoryManager does after parse()
            plugin.update_cache_if_changed()
        except AttributeError:
            pass
        return inventory

    return run


def make_plugin():
    plugin = spaces.InventoryModule()
    plugin._load_name = PLUGIN_NAME  # pylint: disable=protected-access
    plugin.ansible_name = PLUGIN_NAME
    return plugin


def host_vars(inventory, host):
    return inventory.get_host(host).get_vars()


def group_hosts(inventory, group):
    return sorted(host.name for host in inventory.groups[group].get_hosts())


def all_text(inventory):
    """Every host and group variable as one JSON text, to look for credentials in."""
    return json.dumps(dict((name, host_vars(inventory, name)) for name in inventory.hosts), default=str) + \
        json.dumps(dict((name, group.get_vars()) for name, group in inventory.groups.items()), default=str)


# ---------------------------------------------------------------- verify_file
@pytest.mark.parametrize('name, accepted', [
    ('kibana_spaces.yml', True), ('prod.kibana_spaces.yaml', True), ('prod_kibana_spaces.yml', True),
    ('kibana_spaces.json', False), ('hosts.yml', False), ('spaces.yml', False),
])
def test_verify_file_accepts_only_kibana_spaces_files(tmp_path, name, accepted):
    path = tmp_path / name
    path.write_text('plugin: kibana.cases.spaces\n', encoding='utf-8')
    assert make_plugin().verify_file(str(path)) is accepted


def test_verify_file_rejects_a_missing_file(tmp_path):
    assert make_plugin().verify_file(str(tmp_path / 'kibana_spaces.yml')) is False


# ---------------------------------------------------------------- one instance
def test_one_host_per_space_named_by_id_with_its_variables(kibana, parse):
    kibana.expect('GET', '/api/spaces/space', answer=SPACES)

    inventory = parse({'url': BASE_URL + '/', 'api_key': API_KEY})

    assert sorted(inventory.hosts) == ['default', 'ops', 'security-team', 'team-sandbox']
    security = host_vars(inventory, 'security-team')
    documented = ('space_id', 'space_name', 'space_description', 'space_disabled_features', 'kibana_url',
                  'kibana_instance', 'ansible_connection', 'ansible_python_interpreter')
    assert dict((key, security[key]) for key in documented) == {
        'space_id': 'security-team',
        'space_name': 'Security team',
        'space_description': None,
        'space_disabled_features': ['ml', 'canvas'],
        'kibana_url': BASE_URL,
        'kibana_instance': None,
        'ansible_connection': 'local',
        'ansible_python_interpreter': '{{ ansible_playbook_python }}',
    }
    assert host_vars(inventory, 'default')['space_description'] == 'This is your default space!'
    # Only what the hosts are documented to carry: no color, no _reserved.
    assert 'color' not in all_text(inventory) and '_reserved' not in all_text(inventory)
    assert kibana.seen[0]['headers']['Authorization'] == 'ApiKey ' + API_KEY
    assert API_KEY not in all_text(inventory)


def test_connection_from_the_environment_variables_of_the_modules(kibana, parse, monkeypatch):
    monkeypatch.setenv('KIBANA_URL', BASE_URL)
    monkeypatch.setenv('KIBANA_USERNAME', 'elastic')
    monkeypatch.setenv('KIBANA_PASSWORD', PASSWORD)
    kibana.expect('GET', '/api/spaces/space', answer=[OPS])

    inventory = parse({})

    assert list(inventory.hosts) == ['ops']
    assert kibana.seen[0]['headers']['Authorization'].startswith('Basic ')
    assert PASSWORD not in all_text(inventory) and 'elastic' not in all_text(inventory)


@pytest.mark.parametrize('variable, scheme', [('KIBANA_API_KEY', 'ApiKey'), ('KIBANA_BEARER_TOKEN', 'Bearer')])
def test_token_from_the_environment(kibana, parse, monkeypatch, variable, scheme):
    monkeypatch.setenv(variable, API_KEY)
    kibana.expect('GET', '/api/spaces/space', answer=[OPS])
    parse({'url': BASE_URL})
    assert kibana.seen[0]['headers']['Authorization'] == '%s %s' % (scheme, API_KEY)


def test_options_in_the_file_win_over_the_environment(kibana, parse, monkeypatch):
    monkeypatch.setenv('KIBANA_URL', 'https://elsewhere.test')
    kibana.expect('GET', '/api/spaces/space', answer=[OPS])
    inventory = parse({'url': BASE_URL, 'api_key': API_KEY})
    assert host_vars(inventory, 'ops')['kibana_url'] == BASE_URL


def test_credentials_may_be_templates(kibana, parse, monkeypatch):
    monkeypatch.setenv('UNIT_SECRET_FOR_KIBANA', PASSWORD)
    kibana.expect('GET', '/api/spaces/space', answer=[OPS])
    parse({'url': BASE_URL, 'username': 'elastic',
           'password': "{{ lookup('env', 'UNIT_SECRET_FOR_KIBANA') }}"})
    assert kibana.seen[0]['headers']['Authorization'] == 'Basic ZWxhc3RpYzppbnZlbnRvcnktdW5pdC1wYXNzd29yZA=='


def test_url_credentials_never_reach_kibana_url(kibana, parse):
    kibana.expect('GET', '/api/spaces/space', answer=[OPS])
    inventory = parse({'url': 'https://elastic:%s@kibana.test:5601' % PASSWORD, 'api_key': API_KEY})
    assert host_vars(inventory, 'ops')['kibana_url'] == BASE_URL
    assert PASSWORD not in all_text(inventory)


def test_python_interpreter_can_be_set(kibana, parse):
    kibana.expect('GET', '/api/spaces/space', answer=[OPS])
    inventory = parse({'url': BASE_URL, 'api_key': API_KEY, 'python_interpreter': 'auto'})
    assert host_vars(inventory, 'ops')['ansible_python_interpreter'] == 'auto'


# ---------------------------------------------------------------- include / exclude
@pytest.mark.parametrize('include, exclude, expected', [
    (None, None, ['default', 'ops', 'security-team', 'team-sandbox']),
    (['team-*', 'ops'], None, ['ops', 'team-sandbox']),
    (None, ['team-*', 'default'], ['ops', 'security-team']),
    (['*-team', 'team-*'], ['team-sandbox'], ['security-team']),
    (['Ops'], None, []),  # case-sensitive
    (['?ps'], [], ['ops']),
])
def test_include_and_exclude_patterns(kibana, parse, include, exclude, expected):
    kibana.expect('GET', '/api/spaces/space', answer=SPACES)
    options = {'url': BASE_URL, 'api_key': API_KEY}
    if include is not None:
        options['include_spaces'] = include
    if exclude is not None:
        options['exclude_spaces'] = exclude
    assert sorted(parse(options).hosts) == expected


# ---------------------------------------------------------------- several instances
def test_several_urls_prefix_host_names_with_the_instance(requests_mock, parse):
    requests_mock.get('https://kibana-a.test:5601/api/spaces/space', json=[DEFAULT_SPACE, OPS])
    requests_mock.get('https://kibana-b.test/base/api/spaces/space', json=[DEFAULT_SPACE])
    requests_mock.get('https://kibana-c.test/api/spaces/space', json=[SECURITY])

    inventory = parse({'api_key': API_KEY, 'urls': [
        'https://kibana-a.test:5601',
        {'url': 'https://kibana-b.test/base/', 'name': 'staging'},
        'https://kibana-c.test',
    ]})

    assert sorted(inventory.hosts) == ['kibana-a.test_5601.default', 'kibana-a.test_5601.ops',
                                       'kibana-c.test.security-team', 'staging.default']
    staging = host_vars(inventory, 'staging.default')
    assert (staging['space_id'], staging['kibana_url'], staging['kibana_instance']) == \
        ('default', 'https://kibana-b.test/base', 'staging')
    first = host_vars(inventory, 'kibana-a.test_5601.default')
    assert (first['space_id'], first['kibana_url'], first['kibana_instance']) == \
        ('default', 'https://kibana-a.test:5601', 'kibana-a.test_5601')
    assert requests_mock.call_count == 3
    assert all(call.headers['Authorization'] == 'ApiKey ' + API_KEY for call in requests_mock.request_history)


def test_one_url_entry_without_name_keeps_plain_host_names(requests_mock, parse):
    requests_mock.get('https://kibana-a.test/api/spaces/space', json=[OPS])
    inventory = parse({'api_key': API_KEY, 'urls': ['https://kibana-a.test']})
    assert list(inventory.hosts) == ['ops']
    assert host_vars(inventory, 'ops')['kibana_instance'] == 'kibana-a.test'


def test_urls_win_over_kibana_url(requests_mock, parse, monkeypatch):
    monkeypatch.setenv('KIBANA_URL', 'https://not-used.test')
    requests_mock.get('https://kibana-a.test/api/spaces/space', json=[OPS])
    inventory = parse({'api_key': API_KEY, 'urls': [{'url': 'https://kibana-a.test', 'name': 'prod'}]})
    assert list(inventory.hosts) == ['prod.ops']
    assert requests_mock.call_count == 1


def test_instance_name_prefixes_the_hosts_of_one_file(kibana, parse):
    kibana.expect('GET', '/api/spaces/space', answer=[DEFAULT_SPACE])
    inventory = parse({'url': BASE_URL, 'api_key': API_KEY, 'instance_name': 'prod'})
    assert list(inventory.hosts) == ['prod.default']
    assert host_vars(inventory, 'prod.default')['kibana_instance'] == 'prod'


def test_two_files_with_instance_names_do_not_merge_their_spaces(requests_mock, parse):
    requests_mock.get('https://kibana-a.test/api/spaces/space', json=[DEFAULT_SPACE])
    requests_mock.get('https://kibana-b.test/api/spaces/space', json=[DEFAULT_SPACE])
    inventory = InventoryData()
    for name, url in (('prod', 'https://kibana-a.test'), ('staging', 'https://kibana-b.test')):
        first = parse({'url': url, 'api_key': API_KEY, 'instance_name': name}, file_name='%s.kibana_spaces.yml' % name)
        for host in first.hosts.values():
            inventory.add_host(host.name)
            for key, value in host.vars.items():
                inventory.set_variable(host.name, key, value)
    assert sorted(inventory.hosts) == ['prod.default', 'staging.default']
    assert host_vars(inventory, 'staging.default')['kibana_url'] == 'https://kibana-b.test'


@pytest.mark.parametrize('options, message', [
    ({'urls': ['https://a.test', 'https://a.test/other']}, None),
    ({'urls': [{'url': 'https://a.test', 'name': 'x'}, {'url': 'https://b.test', 'name': 'x'}]},
     'two entries of urls have the same instance name (x)'),
    ({'urls': [{'url': 'https://a.test', 'name': 'a:b'}]}, 'must not be empty nor contain a colon'),
    ({'urls': [{'url': 'https://a.test', 'nom': 'x'}]}, 'entry 1 of urls must be a URL or a dictionary'),
    ({'urls': [42]}, 'entry 1 of urls must be a URL or a dictionary'),
    ({'urls': ['https://a.test'], 'instance_name': 'prod'}, 'instance_name applies to url'),
    ({'url': BASE_URL, 'instance_name': 'prod east'}, 'must not be empty nor contain'),
    ({}, 'no Kibana URL: set url (or KIBANA_URL) or urls'),
    ({'url': 'kibana.test:5601'}, 'url must be an http:// or https:// URL'),
])
def test_bad_instances_fail_before_any_request(requests_mock, parse, options, message):
    options = dict({'api_key': API_KEY}, **options)
    with pytest.raises(AnsibleError) as raised:
        parse(options)
    if message is None:  # two urls of the same host and port: the same derived name
        message = 'two entries of urls have the same instance name (a.test)'
    assert message in str(raised.value)
    assert requests_mock.call_count == 0


# ---------------------------------------------------------------- constructed
def test_compose_groups_and_keyed_groups(kibana, parse):
    kibana.expect('GET', '/api/spaces/space', answer=SPACES)

    inventory = parse({
        'url': BASE_URL, 'api_key': API_KEY,
        'compose': {'owner': "'securitySolution' if space_id.startswith('security') else 'cases'",
                    'ml_enabled': "'ml' not in space_disabled_features"},
        'groups': {'teams': "space_id.startswith('team-') or space_id.endswith('-team')",
                   'ml': 'ml_enabled'},
        'keyed_groups': [{'key': 'space_disabled_features', 'prefix': 'without'},
                         {'key': 'owner', 'prefix': 'owner'}],
    })

    assert host_vars(inventory, 'security-team')['owner'] == 'securitySolution'
    assert host_vars(inventory, 'ops')['owner'] == 'cases'
    assert group_hosts(inventory, 'teams') == ['security-team', 'team-sandbox']
    assert group_hosts(inventory, 'ml') == ['default', 'ops', 'team-sandbox']
    assert group_hosts(inventory, 'without_ml') == ['security-team']
    assert group_hosts(inventory, 'without_canvas') == ['security-team']
    assert group_hosts(inventory, 'without_siem') == ['team-sandbox']
    assert group_hosts(inventory, 'owner_securitySolution') == ['security-team']
    assert group_hosts(inventory, 'owner_cases') == ['default', 'ops', 'team-sandbox']


def test_strict_fails_on_an_undefined_variable(kibana, parse):
    kibana.expect('GET', '/api/spaces/space', answer=[OPS])
    with pytest.raises(AnsibleError, match='no_such_variable'):
        parse({'url': BASE_URL, 'api_key': API_KEY, 'strict': True, 'compose': {'x': 'no_such_variable.y'}})


def test_without_strict_an_undefined_variable_is_skipped(kibana, parse):
    kibana.expect('GET', '/api/spaces/space', answer=[OPS])
    inventory = parse({'url': BASE_URL, 'api_key': API_KEY, 'compose': {'x': 'no_such_variable.y'}})
    assert 'x' not in host_vars(inventory, 'ops')


def test_space_names_from_kibana_are_not_templated(kibana, parse):
    kibana.expect('GET', '/api/spaces/space', answer=[dict(OPS, name="{{ lookup('env', 'HOME') }}")])
    inventory = parse({'url': BASE_URL, 'api_key': API_KEY, 'compose': {'shown': 'space_name'}})
    assert host_vars(inventory, 'ops')['shown'] == "{{ lookup('env', 'HOME') }}"


# ---------------------------------------------------------------- cache
def cache_options(tmp_path, **extra):
    return dict({'url': BASE_URL, 'api_key': API_KEY, 'cache': True,
                 'cache_plugin': 'jsonfile', 'cache_connection': str(tmp_path / 'cache')}, **extra)


def test_cache_serves_the_second_parse_without_a_request(kibana, parse, tmp_path):
    kibana.expect('GET', '/api/spaces/space', answer=SPACES)

    first = parse(cache_options(tmp_path))
    second = parse(cache_options(tmp_path, exclude_spaces=['team-*']))  # filters apply after the cache

    assert sorted(first.hosts) == ['default', 'ops', 'security-team', 'team-sandbox']
    assert sorted(second.hosts) == ['default', 'ops', 'security-team']
    assert host_vars(second, 'security-team')['space_disabled_features'] == ['ml', 'canvas']
    cached = ''.join(path.read_text(encoding='utf-8') for path in (tmp_path / 'cache').iterdir())
    assert 'security-team' in cached and API_KEY not in cached and 'color' not in cached


def test_cache_is_refreshed_when_ansible_asks(kibana, parse, tmp_path):
    kibana.expect('GET', '/api/spaces/space', answer=[OPS])
    kibana.expect('GET', '/api/spaces/space', answer=[OPS, SECURITY])
    kibana.expect('GET', '/api/spaces/space', answer=[])

    parse(cache_options(tmp_path))
    refreshed = parse(cache_options(tmp_path), cache=False)  # --flush-cache, meta: refresh_inventory
    after = parse(cache_options(tmp_path))
    uncached = parse(cache_options(tmp_path, cache=False))

    assert sorted(refreshed.hosts) == sorted(after.hosts) == ['ops', 'security-team']
    assert list(uncached.hosts) == []


def test_cache_reads_only_a_new_url(requests_mock, parse, tmp_path):
    requests_mock.get('https://kibana-a.test/api/spaces/space', json=[OPS])
    requests_mock.get('https://kibana-b.test/api/spaces/space', json=[SECURITY])
    options = cache_options(tmp_path)
    del options['url']

    parse(dict(options, urls=['https://kibana-a.test']))
    inventory = parse(dict(options, urls=['https://kibana-a.test', 'https://kibana-b.test']))

    assert sorted(inventory.hosts) == ['kibana-a.test.ops', 'kibana-b.test.security-team']
    assert [call.hostname for call in requests_mock.request_history] == ['kibana-a.test', 'kibana-b.test']


# ---------------------------------------------------------------- errors
def test_kibana_error_is_an_ansible_error_without_credentials(kibana, parse):
    kibana.expect('GET', '/api/spaces/space', status=401, answer=kibana_error(401, 'Unauthorized'))
    with pytest.raises(AnsibleError) as raised:
        parse({'url': BASE_URL, 'username': 'elastic', 'password': PASSWORD})
    message = str(raised.value)
    assert 'cannot list the spaces of %s' % BASE_URL in message
    assert 'GET /api/spaces/space failed: 401 Unauthorized' in message
    assert PASSWORD not in message


@pytest.mark.parametrize('answer', [{'id': 'default'}, [{'name': 'no id'}], [{'id': ''}], 'spaces'])
def test_answer_that_is_not_a_list_of_spaces_fails(kibana, parse, answer):
    kibana.expect('GET', '/api/spaces/space', answer=answer)
    with pytest.raises(AnsibleError, match='did not answer a list of spaces with ids'):
        parse({'url': BASE_URL, 'api_key': API_KEY})


@pytest.mark.parametrize('options, message', [
    ({'api_key': API_KEY, 'username': 'elastic', 'password': PASSWORD}, 'mutually exclusive: api_key|username'),
    ({'api_key': API_KEY, 'bearer_token': API_KEY}, 'mutually exclusive: api_key|bearer_token'),
    ({'username': 'elastic'}, 'username and password go together'),
])
def test_connection_option_rules_of_the_modules(requests_mock, parse, options, message):
    with pytest.raises(AnsibleError) as raised:
        parse(dict({'url': BASE_URL}, **options))
    assert message in str(raised.value)
    assert PASSWORD not in str(raised.value) and API_KEY not in str(raised.value)
    assert requests_mock.call_count == 0


def test_missing_requests_is_reported(parse, monkeypatch):
    monkeypatch.setattr(spaces, 'HAS_REQUESTS', False)
    with pytest.raises(AnsibleError, match=r'Failed to import the required Python library \(requests\)'):
        parse({'url': BASE_URL, 'api_key': API_KEY})


def test_wrong_plugin_name_is_refused(parse):
    with pytest.raises(Exception, match='Incorrect plugin name'):
        parse({'plugin': 'kibana.cases.other'})


def test_plain_http_with_credentials_warns(kibana, parse):
    warnings = []
    kibana.expect('GET', '/api/spaces/space', answer=[OPS])
    plugin = make_plugin()
    plugin.display = type('D', (), {'warning': staticmethod(warnings.append), 'vvv': staticmethod(lambda msg: None)})()
    parse({'url': 'http://kibana.test:5601', 'api_key': API_KEY}, plugin=plugin)
    assert warnings == ['kibana.cases.spaces: url is plain http://: the credentials are sent unencrypted; use https://.']
