"""What the client puts on the wire and how it reports failures (transport mocked)."""

import pytest

from ansible_collections.kibana.cases.plugins.module_utils.kibana_client import (
    KibanaClient,
    KibanaError,
    connection_warnings,
    space_path,
    with_environment_credentials,
)
from conversation import BASE_URL, LOST_ANSWER, kibana_error

SECRET = 'c2VjcmV0LWtleS12YWx1ZQ=='


def client(**options):
    return KibanaClient(BASE_URL, **options)


@pytest.mark.parametrize('space_id, expected', [
    (None, '/api/cases/configure'), ('default', '/api/cases/configure'),
    ('security-team', '/s/security-team/api/cases/configure'), ('a/b', '/s/a%2Fb/api/cases/configure'),
])
def test_space_path(space_id, expected):
    assert space_path(space_id, '/api/cases/configure') == expected


@pytest.mark.parametrize('options, header', [
    (dict(api_key=SECRET), 'ApiKey ' + SECRET),
    (dict(bearer_token=SECRET), 'Bearer ' + SECRET),
    (dict(username='elastic', password='pw'), 'Basic ZWxhc3RpYzpwdw=='),
])
def test_authorization_header(kibana, options, header):
    kibana.expect('GET', '/api/spaces/space', answer=[])
    client(**options).get('/api/spaces/space', 'a list of objects')
    assert kibana.seen[0]['headers']['Authorization'] == header
    assert 'kbn-xsrf' not in kibana.seen[0]['headers']


def test_writes_carry_kbn_xsrf_and_json(kibana):
    kibana.expect('PATCH', '/s/ops/api/cases/configure/c1', body={'version': 'v'}, answer={'id': 'c1'})
    assert client(api_key=SECRET).patch('/api/cases/configure/c1', {'version': 'v'}, space_id='ops') == {'id': 'c1'}
    assert kibana.seen[0]['headers']['kbn-xsrf'] == 'true'
    assert kibana.seen[0]['headers']['Content-Type'] == 'application/json'


def test_error_names_method_path_status_and_kibana_message(kibana):
    kibana.expect('GET', '/api/cases/configure', query={'owner': ['x']}, status=403,
                  answer=kibana_error(403, 'Unauthorized to access case configurations with owners: "x"'))
    with pytest.raises(KibanaError) as raised:
        client(api_key=SECRET).get('/api/cases/configure', 'a list of objects', query={'owner': 'x'})
    assert str(raised.value).startswith(
        'GET /api/cases/configure failed: 403 Forbidden: Unauthorized to access case configurations with owners: "x"')
    assert raised.value.status == 403 and not raised.value.outcome_unknown
    assert SECRET not in str(raised.value)


def test_html_error_page_from_a_proxy_is_reported_readably(kibana):
    kibana.expect('GET', '/api/spaces/space', status=502, headers={'Content-Type': 'text/html'},
                  raw='<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>')
    with pytest.raises(KibanaError) as raised:
        client(api_key=SECRET).get('/api/spaces/space', 'a list of objects')
    assert str(raised.value) == ('GET /api/spaces/space failed: 502 Bad Gateway: answer is not a Kibana error '
                                 '(Content-Type text/html): <html><body><h1>502 Bad Gateway</h1> <p>nginx</p></body></html>')
    assert raised.value.outcome_unknown


def test_success_that_is_not_json_is_an_error(kibana):
    kibana.expect('GET', '/api/spaces/space', headers={'Content-Type': 'text/plain'}, raw='not json')
    with pytest.raises(KibanaError, match=r'GET /api/spaces/space: Kibana answered 200 with a body that is not JSON'):
        client(api_key=SECRET).get('/api/spaces/space', 'a list of objects')


def test_no_answer_is_an_error_of_unknown_outcome(kibana):
    kibana.expect('POST', '/api/cases/configure', body={}, exc=LOST_ANSWER)
    with pytest.raises(KibanaError) as raised:
        client(api_key=SECRET).post('/api/cases/configure', {})
    assert raised.value.outcome_unknown
    assert 'POST /api/cases/configure: no answer from Kibana at https://kibana.test:5601' in str(raised.value)


def test_user_info_in_the_url_never_reaches_a_message():
    assert KibanaClient('https://elastic:hunter2@kibana.test:5601/').base_url == 'https://kibana.test:5601'
    assert KibanaClient('https://[::1]:5601/kibana/').base_url == 'https://[::1]:5601/kibana'


def test_url_is_required():
    with pytest.raises(KibanaError, match='url is required: set the url option or the KIBANA_URL environment variable'):
        KibanaClient(None)


@pytest.mark.parametrize('url', ['kibana.test:5601', 'ftp://kibana.test', 'https://', 'https://kibana.test:port'])
def test_url_must_be_http_or_https(url):
    with pytest.raises(KibanaError, match='url must be an http:// or https:// URL'):
        KibanaClient(url)


def test_verification_settings():
    assert client().verify is True
    assert client(ca_path='/ca.pem').verify == '/ca.pem'
    assert client(validate_certs=False, ca_path='/ca.pem').verify is False
    assert client(client_cert='/c.pem', client_key='/k.pem').cert == ('/c.pem', '/k.pem')
    assert client(client_cert='/both.pem').cert == '/both.pem'


def test_warnings_for_weakened_security():
    base = dict(url='https://k', validate_certs=True, api_key=None, username=None, bearer_token=None)
    assert connection_warnings(base) == []
    assert 'not verified' in connection_warnings(dict(base, validate_certs=False))[0]
    assert 'unencrypted' in connection_warnings(dict(base, url='HTTP://k', api_key=SECRET))[0]
    assert connection_warnings(dict(base, url='http://k')) == []


NO_CREDENTIALS = dict(api_key=None, username=None, password=None, bearer_token=None)
ENVIRONMENT = {'KIBANA_API_KEY': 'env-key', 'KIBANA_PASSWORD': 'env-pw', 'KIBANA_USERNAME': 'env-user'}


@pytest.mark.parametrize('options, environment, credentials, taken', [
    # nothing set as an option: the environment gives them
    ({}, {'KIBANA_USERNAME': 'env-user', 'KIBANA_PASSWORD': 'env-pw'}, dict(username='env-user', password='env-pw'),
     ['env-pw']),
    ({}, {'KIBANA_BEARER_TOKEN': 'env-token'}, dict(bearer_token='env-token'), ['env-token']),
    ({}, {}, {}, []),
    # an option wins over every credential variable
    (dict(api_key='opt-key'), ENVIRONMENT, dict(api_key='opt-key'), []),
    (dict(bearer_token='opt-token'), ENVIRONMENT, dict(bearer_token='opt-token'), []),
    # a username option takes its password from the environment, nothing else
    (dict(username='opt-user'), ENVIRONMENT, dict(username='opt-user', password='env-pw'), ['env-pw']),
    (dict(username='opt-user', password='opt-pw'), ENVIRONMENT, dict(username='opt-user', password='opt-pw'), []),
])
def test_credentials_from_options_win_over_the_environment_as_a_whole(options, environment, credentials, taken):
    params = dict(NO_CREDENTIALS, url='https://k', **options)
    merged, secrets = with_environment_credentials(params, environment)
    assert dict((name, value) for name, value in merged.items() if value and name != 'url') == credentials
    assert secrets == taken


@pytest.mark.parametrize('options, environment, message', [
    ({}, ENVIRONMENT, 'the environment sets more than one kind of credentials (KIBANA_API_KEY, KIBANA_USERNAME)'),
    ({}, {'KIBANA_USERNAME': 'env-user'}, 'username and password go together'),
    (dict(password='opt-pw'), {}, 'username and password go together'),
])
def test_ambiguous_or_incomplete_credentials_fail(options, environment, message):
    with pytest.raises(KibanaError) as raised:
        with_environment_credentials(dict(NO_CREDENTIALS, url='https://k', **options), environment)
    assert message in str(raised.value)
    assert 'env-pw' not in str(raised.value) and 'env-key' not in str(raised.value)
