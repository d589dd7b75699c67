# -*- coding: utf-8 -*-
# Copyright: kibana.cases contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The HTTP client of the collection: one requests Session that speaks to Kibana."""

from __future__ import annotations

import traceback
import warnings
from http import HTTPStatus
from urllib.parse import quote, urlsplit, urlunsplit

from ansible.module_utils.basic import env_fallback

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import InsecureRequestWarning, MaxRetryError
    from urllib3.util.retry import Retry
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None


CONNECTION_ARGUMENT_SPEC = dict(
    # Required, but checked by KibanaClient: the inventory plugin shares these options and may use urls instead.
    url=dict(type='str', fallback=(env_fallback, ['KIBANA_URL'])),
    # Credentials: no env_fallback, see with_environment_credentials.
    api_key=dict(type='str', no_log=True),
    username=dict(type='str'),
    password=dict(type='str', no_log=True),
    bearer_token=dict(type='str', no_log=True),
    validate_certs=dict(type='bool', default=True),
    ca_path=dict(type='path'),
    client_cert=dict(type='path'),
    client_key=dict(type='path', no_log=False),
    timeout=dict(type='int', default=30),
    retries=dict(type='int', default=3),
)
# Options given in the task cannot mix kinds of credentials.
CONNECTION_MUTUALLY_EXCLUSIVE = [('api_key', 'username', 'bearer_token')]
CREDENTIAL_KINDS = ('api_key', 'username', 'bearer_token')
CREDENTIAL_VARIABLES = (('api_key', 'KIBANA_API_KEY'), ('username', 'KIBANA_USERNAME'),
                        ('password', 'KIBANA_PASSWORD'), ('bearer_token', 'KIBANA_BEARER_TOKEN'))

# Faults worth another try: the request did not reach Kibana, or Kibana (or a proxy) said "later".
TRANSIENT_STATUSES = frozenset((429, 502, 503, 504))
# POST is left out: it replaces the configuration, so after a lost answer the caller re-reads instead.
RETRIED_METHODS = frozenset(('GET', 'PATCH'))
BACKOFF_FACTOR = 0.5
# What an answer of Kibana may be, by the name callers give.
ANSWER_SHAPES = {
    'an object': lambda answer: isinstance(answer, dict),
    'a list of objects': lambda answer: isinstance(answer, list) and all(isinstance(item, dict) for item in answer),
}


class KibanaError(Exception):
    """A request to Kibana failed; the message names the method and path, never a credential."""

    def __init__(self, message, method=None, path=None, status=None, kibana_message=None):
        super().__init__(message)
        self.method = method
        self.path = path
        self.status = status
        self.kibana_message = kibana_message

    @property
    def outcome_unknown(self):
        """True when the request may have been applied although no success came back."""
        return self.status is None or self.status >= 500


def space_path(space_id, path):
    """The API path of ``path`` in a space: ``/api/...`` for the default space, ``/s/<id>/api/...`` otherwise."""
    if space_id in (None, '', 'default'):
        return path
    return '/s/%s%s' % (quote(space_id, safe=''), path)


def with_environment_credentials(params, environment):
    """The connection params with credentials from the KIBANA_* variables filled in, and the secrets taken
    (to mask them as no_log options are; a user name is not one).

    Credentials given as options win over the environment as a whole (an env_fallback per option would
    mix an api_key option with a KIBANA_USERNAME variable and fail as ambiguous): the variables are used
    only when no option sets api_key, username or bearer_token, except KIBANA_PASSWORD for a username
    option. Raises KibanaError when the credentials are ambiguous or a username lacks its password.
    """
    given = [name for name in CREDENTIAL_KINDS if params.get(name)]
    if not given:
        usable = [name for name, _variable in CREDENTIAL_VARIABLES]
    else:
        usable = ['password'] if given == ['username'] else []
    taken = dict((name, environment[variable]) for name, variable in CREDENTIAL_VARIABLES
                 if name in usable and not params.get(name) and environment.get(variable))
    merged = dict(params, **taken)
    kinds = [name for name in CREDENTIAL_KINDS if merged.get(name)]
    if len(kinds) > 1:
        raise KibanaError('the environment sets more than one kind of credentials (%s): keep one of '
                          'KIBANA_API_KEY, KIBANA_USERNAME and KIBANA_BEARER_TOKEN, or give one as an option'
                          % ', '.join(dict(CREDENTIAL_VARIABLES)[name] for name in kinds))
    if bool(merged.get('username')) != bool(merged.get('password')):
        raise KibanaError('username and password go together (as options, or KIBANA_USERNAME and KIBANA_PASSWORD)')
    return merged, [value for name, value in taken.items() if CONNECTION_ARGUMENT_SPEC[name].get('no_log')]


def connection_warnings(params):
    """Warnings about connection settings that weaken security, from the module parameters."""
    warnings = []
    if not params['validate_certs']:
        warnings.append('validate_certs is false: the certificate of Kibana is not verified, '
                        'so anyone on the network path can read the credentials and the settings.')
    has_credentials = params['api_key'] or params['username'] or params['bearer_token']
    if has_credentials and urlsplit(params['url']).scheme.lower() == 'http':
        warnings.append('url is plain http://: the credentials are sent unencrypted; use https://.')
    return warnings


class KibanaClient:
    """One Session per task: authentication, TLS, timeouts and retries of transient faults."""

    def __init__(self, url, api_key=None, username=None, password=None, bearer_token=None,
                 validate_certs=True, ca_path=None, client_cert=None, client_key=None,
                 timeout=30, retries=3):
        if not url:
            raise KibanaError('url is required: set the url option or the KIBANA_URL environment variable')
        parts = urlsplit(url.strip())
        try:
            port = parts.port
        except ValueError:
            port = -1
        if parts.scheme.lower() not in ('http', 'https') or not parts.hostname or port == -1:
            raise KibanaError('url must be an http:// or https:// URL of Kibana, for example https://kibana.example.com:5601')
        # The user part of a URL would be a credential: keep it out of every message (and of every request).
        host = '[%s]' % parts.hostname if ':' in parts.hostname else parts.hostname
        netloc = host if port is None else '%s:%s' % (host, port)
        self.base_url = urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip('/'), '', ''))
        self.timeout = timeout
        self.retries = retries

        # Given with every request: requests lets REQUESTS_CA_BUNDLE override a Session's verify=False.
        self.verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)
        self.cert = (client_cert, client_key) if (client_cert and client_key) else client_cert

        session = requests.Session()
        session.headers['Accept'] = 'application/json'
        # An auth object (not a bare header) so that requests never swaps in credentials from ~/.netrc.
        if api_key:
            session.auth = _AuthorizationHeader('ApiKey %s' % api_key)
        elif bearer_token:
            session.auth = _AuthorizationHeader('Bearer %s' % bearer_token)
        elif username:
            session.auth = (username, password or '')
        retry = Retry(
            total=retries, connect=retries, read=retries, status=retries, other=0,
            allowed_methods=RETRIED_METHODS, status_forcelist=TRANSIENT_STATUSES,
            backoff_factor=BACKOFF_FACTOR, raise_on_status=False, respect_retry_after_header=True,
        )
        adapter = HTTPAdapter(max_retries=retry)
        session.mount('http://', adapter)
        session.mount('https://', adapter)
        self.session = session

    @classmethod
    def from_params(cls, params):
        return cls(**dict((name, params[name]) for name in CONNECTION_ARGUMENT_SPEC))

    def get(self, path, shape=None, space_id=None, query=None):
        return self.request('GET', path, shape, space_id=space_id, query=query)

    def post(self, path, body, space_id=None):
        return self.request('POST', path, 'an object', space_id=space_id, body=body)

    def patch(self, path, body, space_id=None):
        return self.request('PATCH', path, 'an object', space_id=space_id, body=body)

    def request(self, method, path, shape=None, space_id=None, query=None, body=None):
        """Send one request (retried on transient faults) and return the decoded JSON answer.

        ``shape`` (a key of ANSWER_SHAPES; None: any JSON) is what the answer must be; anything else is a
        KibanaError, so callers never trip over a proxy's or a broken server's answer.
        """
        full_path = space_path(space_id, path)
        headers = {} if method == 'GET' else {'kbn-xsrf': 'true'}
        try:
            with warnings.catch_warnings():
                if self.verify is False:
                    # The task already warned once about validate_certs: false; not once per request.
                    warnings.simplefilter('ignore', InsecureRequestWarning)
                response = self.session.request(method, self.base_url + full_path, params=query, json=body,
                                                headers=headers, timeout=self.timeout, verify=self.verify, cert=self.cert)
        except requests.exceptions.RequestException as exc:
            # urllib3 raises MaxRetryError once it gave up retrying; other errors were not retried.
            retried = ' after %d retries' % self.retries if isinstance(exc.args and exc.args[0], MaxRetryError) else ''
            raise KibanaError('%s %s: no answer from Kibana at %s%s: %s'
                              % (method, full_path, self.base_url, retried, _reason(exc)),
                              method=method, path=full_path)
        if response.status_code >= 400:
            raise _http_error(method, full_path, response)
        try:
            answer = response.json()
        except ValueError:
            raise KibanaError('%s %s: Kibana answered %d with a body that is not JSON (Content-Type %s): %s'
                              % (method, full_path, response.status_code, response.headers.get('Content-Type', 'none'),
                                 _excerpt(response.text)),
                              method=method, path=full_path, status=response.status_code)
        if shape is not None and not ANSWER_SHAPES[shape](answer):
            raise KibanaError('%s %s: Kibana answered %d with JSON that is not %s: %s'
                              % (method, full_path, response.status_code, shape, _excerpt(response.text)),
                              method=method, path=full_path, status=response.status_code)
        return answer


class _AuthorizationHeader:
    """requests auth callable that sets one Authorization header."""

    def __init__(self, value):
        self._value = value

    def __call__(self, request):
        request.headers['Authorization'] = self._value
        return request

    def __repr__(self):
        return '<Authorization header, value hidden>'


def _http_error(method, path, response):
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and 'message' in body:
        kibana_message = str(body['message'])
    else:
        kibana_message = 'answer is not a Kibana error (Content-Type %s): %s' % (
            response.headers.get('Content-Type', 'none'), _excerpt(response.text))
    status = response.status_code
    message = '%s %s failed: %d %s: %s' % (method, path, status, _status_phrase(status), kibana_message)
    if status == 401:
        message += ' (Kibana rejected the credentials: check api_key, username/password or bearer_token)'
    elif status == 403:
        message += ' (the credentials are valid but lack the Cases privilege needed for this owner in this space)'
    history = getattr(getattr(response, 'raw', None), 'retries', None)
    if history is not None and history.history:
        message += ' (after %d retries)' % len(history.history)
    return KibanaError(message, method=method, path=path, status=status, kibana_message=kibana_message)


def _status_phrase(status):
    # From the status code, not the answer's reason: HTTP/2 and some proxies send none.
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return 'HTTP error'


def _reason(exc):
    """The innermost cause of a requests exception, without the URL it wraps."""
    reason = exc
    while getattr(reason, 'args', None) and isinstance(reason.args[0], Exception):
        reason = reason.args[0]
    reason = getattr(reason, 'reason', reason)
    return '%s: %s' % (type(reason).__name__, reason)


def _excerpt(text, limit=200):
    text = ' '.join((text or '').split())
    return text if len(text) <= limit else text[:limit] + '...'
