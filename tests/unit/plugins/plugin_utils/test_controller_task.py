"""The controller-side runner fills connection options from the task's environment as env_fallback would."""

from ansible_collections.kibana.cases.plugins.module_utils.argument_specs import CASE_CONFIGURATION_ARGUMENT_SPEC
from ansible_collections.kibana.cases.plugins.plugin_utils.controller_task import _apply_env_fallbacks


def test_unset_options_come_from_the_environment_and_set_ones_stay():
    args = {'url': None, 'password': 'from-the-task'}
    _apply_env_fallbacks(CASE_CONFIGURATION_ARGUMENT_SPEC, args, {
        'KIBANA_URL': 'https://kibana.test', 'KIBANA_PASSWORD': 'from-the-environment', 'KIBANA_USERNAME': 'elastic'})
    assert args == {'url': 'https://kibana.test', 'password': 'from-the-task', 'username': 'elastic'}


def test_options_without_a_variable_are_left_unset():
    args = {}
    _apply_env_fallbacks(CASE_CONFIGURATION_ARGUMENT_SPEC, args, {'KIBANA_OWNER': 'cases', 'HOME': '/root'})
    assert args == {}
