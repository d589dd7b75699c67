"""The controller-side runner fills options from the task's environment as env_fallback would (credentials are
resolved by with_environment_credentials, see test_kibana_client)."""

from ansible_collections.kibana.cases.plugins.module_utils.argument_specs import CASE_CONFIGURATION_ARGUMENT_SPEC
from ansible_collections.kibana.cases.plugins.plugin_utils.controller_task import _apply_env_fallbacks


def test_an_unset_url_comes_from_the_environment_and_credentials_are_left_alone():
    args = {'url': None, 'password': 'from-the-task'}
    _apply_env_fallbacks(CASE_CONFIGURATION_ARGUMENT_SPEC, args, {
        'KIBANA_URL': 'https://kibana.test', 'KIBANA_PASSWORD': 'from-the-environment', 'KIBANA_USERNAME': 'elastic'})
    assert args == {'url': 'https://kibana.test', 'password': 'from-the-task'}


def test_a_set_url_stays():
    args = {'url': 'https://from-the-task.test'}
    _apply_env_fallbacks(CASE_CONFIGURATION_ARGUMENT_SPEC, args, {'KIBANA_URL': 'https://kibana.test'})
    assert args == {'url': 'https://from-the-task.test'}


def test_options_without_a_variable_are_left_unset():
    args = {}
    _apply_env_fallbacks(CASE_CONFIGURATION_ARGUMENT_SPEC, args, {'KIBANA_OWNER': 'cases', 'HOME': '/root'})
    assert args == {}
