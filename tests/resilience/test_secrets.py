"""No credential in any output: ansible-playbook -vvv for a success, a 401, a 403, a 400 and a connection
failure with api_key / password / bearer_token set to distinctive values; the whole output and every
registered result (msg, diff, warnings, configuration) is searched for each secret and its encoded forms.
401 and 403 say which is which."""

from __future__ import annotations

import base64
import json

import pytest

from kibana_simulator.control import Simulator

from resilience_helpers import CONFIGURE, client, free_port

from ansible_collections.kibana.cases.plugins.module_utils.kibana_client import KibanaError

ADMIN_USER, ADMIN_SECRET = 'resilience-admin', 'Pw-admin-7Qx2Lm9Zr4'
READER_USER, READER_SECRET = 'resilience-reader', 'Pw-reader-3Vb8Nc1Ks6'
API_KEY = 'QXBpS2V5LXNlY3JldC1aWjk4MzQ1'
BEARER = 'Bearer-secret-Hq72Wd01Pt'
WRONG_SECRET = 'Pw-wrong-5Jt9Rf2Ye8'
CONNECTION_SECRET = 'ApiKey-unreachable-8Ux3Gn6Sa1'
SECRETS = (ADMIN_SECRET, READER_SECRET, API_KEY, BEARER, WRONG_SECRET, CONNECTION_SECRET)


def encoded_forms(user, secret):
    return [base64.b64encode(('%s:%s' % (user, secret)).encode()).decode(),
            base64.b64encode(secret.encode()).decode()]


FORBIDDEN = list(SECRETS) + encoded_forms(ADMIN_USER, ADMIN_SECRET) + encoded_forms(READER_USER, READER_SECRET) \
    + encoded_forms(ADMIN_USER, WRONG_SECRET) + [base64.b64encode(s.encode()).decode() for s in (API_KEY, BEARER)]


@pytest.fixture(scope='module')
def secret_sim(tmp_path_factory):
    seed = {'principals': [
        {'username': ADMIN_USER, 'password': ADMIN_SECRET, 'full_name': 'Admin', 'email': None, 'privileges': {'*': 'all'}},
        {'username': 'key-owner', 'api_key': API_KEY, 'full_name': None, 'email': None, 'privileges': {'*': 'all'}},
        {'username': 'token-owner', 'bearer_token': BEARER, 'full_name': None, 'email': None, 'privileges': {'*': 'all'}},
        {'username': READER_USER, 'password': READER_SECRET, 'full_name': 'Reader', 'email': None, 'privileges': {'*': 'read'}},
    ], 'spaces': [{'id': 'default', 'name': 'Default'}, {'id': 'bad-request', 'name': 'Bad request'}]}
    with Simulator.start(tmp_path_factory.mktemp('secret-sim'), seed=seed) as sim:
        yield sim


def assert_no_secret(text, where):
    for secret in FORBIDDEN:
        assert secret not in text, 'a credential (%s...) appears in %s' % (secret[:6], where)


@pytest.mark.parametrize('execution', [(), ('-e', 'kibana_cases_run_on_controller=false')], ids=['controller', 'module'])
def test_no_secret_in_verbose_output_results_diffs_and_warnings(secret_sim, playbook, execution):
    secret_sim.reset()
    secret_sim.inject_fault('status', path=r'^/s/bad-request/', status=400,
                            body={'statusCode': 400, 'error': 'Bad Request', 'message': 'Invalid value "x" supplied to "closure_type"'})
    url = secret_sim.url
    module = 'kibana.cases.case_configuration'
    common = dict(url=url, retries=0, timeout=5)
    tasks = [
        (module, dict(common, username=ADMIN_USER, password=ADMIN_SECRET, closure_type='close-by-pushing')),   # success (create)
        (module, dict(common, api_key=API_KEY, closure_type='close-by-user')),                            # success (update)
        (module, dict(common, bearer_token=BEARER, custom_fields=[{'key': 'k', 'label': 'K', 'type': 'text'}])),
        ('kibana.cases.case_configuration_info', dict(common, bearer_token=BEARER)),
        (module, dict(common, username=ADMIN_USER, password=WRONG_SECRET, closure_type='close-by-user')),  # 401
        (module, dict(common, username=READER_USER, password=READER_SECRET, closure_type='close-by-pushing')),  # 403
        (module, dict(common, api_key=API_KEY, space_id='bad-request', closure_type='close-by-user')),   # 400
        (module, dict(common, url='http://127.0.0.1:%d' % free_port(), api_key=CONNECTION_SECRET,
                      closure_type='close-by-user')),                                                      # no connection
    ]
    run = playbook(tasks, '-vvv', '--diff', *execution)
    created, updated, by_token, info, unauthorized, forbidden, bad_request, unreachable = run.results
    for ok in (created, updated, by_token, info):
        assert not ok.get('failed'), run.tail()
    assert created['changed'] and updated['changed'] and 'diff' in updated
    assert unauthorized.get('failed') and '401 Unauthorized' in unauthorized['msg']
    assert 'rejected the credentials' in unauthorized['msg'] and 'privilege' not in unauthorized['msg']
    assert forbidden.get('failed') and '403 Forbidden' in forbidden['msg']
    assert 'lack the Cases privilege' in forbidden['msg'] and 'rejected the credentials' not in forbidden['msg']
    assert bad_request.get('failed') and '400 Bad Request' in bad_request['msg']
    assert unreachable.get('failed') and 'no answer from Kibana' in unreachable['msg']
    log = secret_sim.requests()
    assert {entry['auth_scheme'] for entry in log} == {'Basic', 'ApiKey', 'Bearer'}, 'every auth kind was exercised'
    assert 'task path:' in run.output and run.output.count('"invocation"') >= len(tasks), 'not -vvv output?'
    assert_no_secret(run.output, 'the ansible-playbook -vvv output')
    assert_no_secret(json.dumps(run.results), 'the registered results')
    assert 'Traceback' not in run.output


@pytest.mark.parametrize('status', [401, 403, 400, 404, 503])
def test_no_secret_in_exception_text(secret_sim, status):
    """The client's errors never carry a credential, including one written into the URL."""
    secret_sim.reset()
    secret_sim.inject_fault('status', status=status, count=5)
    host = secret_sim.url.split('://', 1)[1]
    for kibana in (client('http://%s:%s@%s' % (ADMIN_USER, ADMIN_SECRET, host), retries=0, api_key=API_KEY),
                   client(secret_sim, retries=0, username=ADMIN_USER, password=ADMIN_SECRET),
                   client(secret_sim, retries=0, bearer_token=BEARER)):
        with pytest.raises(KibanaError) as caught:
            kibana.get(CONFIGURE)
        assert_no_secret(str(caught.value) + repr(caught.value.args) + repr(vars(caught.value)), 'the error')


@pytest.mark.parametrize('execution', [(), ('-e', 'kibana_cases_run_on_controller=false')], ids=['controller', 'module'])
def test_credentials_from_the_environment_are_masked_and_options_win(secret_sim, playbook, execution):
    secret_sim.reset()
    common = dict(url=secret_sim.url, retries=0, timeout=5)
    tasks = [
        ('kibana.cases.case_configuration', dict(common, closure_type='close-by-pushing')),   # env credentials
        ('kibana.cases.case_configuration_info', dict(common, api_key=API_KEY)),             # an option wins
        ('kibana.cases.case_configuration_info', dict(common, username=ADMIN_USER)),         # its env password
    ]
    run = playbook(tasks, '-vvv', '--diff', *execution,
                   env_extra={'KIBANA_USERNAME': ADMIN_USER, 'KIBANA_PASSWORD': ADMIN_SECRET})
    for result in run.results:
        assert not result.get('failed'), run.tail()
    assert [entry['auth_scheme'] for entry in secret_sim.requests()] == ['Basic', 'Basic', 'ApiKey', 'Basic']
    assert_no_secret(run.output, 'the ansible-playbook -vvv output')
    assert_no_secret(json.dumps(run.results), 'the registered results')
