"""The exact HTTP conversation a test expects, played on requests_mock: any other call fails the test."""

import json
from urllib.parse import parse_qs, urlsplit

import requests
import requests_mock

BASE_URL = 'https://kibana.test:5601'


class Conversation:
    """Expected calls in order, each with the answer Kibana gives; ``assert_complete`` checks none is left."""

    def __init__(self, mocker):
        self.expected = []
        self.seen = []
        mocker.register_uri(requests_mock.ANY, requests_mock.ANY, content=self._answer)

    def expect(self, method, path, query=None, body=None, status=200, answer=None, headers=None, raw=None,
               exc=None):
        """Expect ``method path`` (query dict of lists, JSON body); answer ``status`` with JSON ``answer``,
        a ``raw`` text body, or raise ``exc`` (a requests exception) as a lost answer."""
        self.expected.append(dict(method=method, path=path, query=query or {}, body=body, status=status,
                                  answer=answer, headers=headers or {}, raw=raw, exc=exc))
        return self

    def _answer(self, request, context):
        sent = urlsplit(request.url)
        call = dict(method=request.method, path=sent.path, query=parse_qs(sent.query),
                    body=json.loads(request.body) if request.body else None)
        self.seen.append(dict(call, headers=dict(request.headers)))
        assert self.expected, 'unexpected extra request %s %s' % (request.method, request.url)
        expected = self.expected.pop(0)
        assert call == dict((key, expected[key]) for key in ('method', 'path', 'query', 'body')), \
            'request %d differs from the expected one' % len(self.seen)
        if expected['exc'] is not None:
            raise expected['exc']
        context.status_code = expected['status']
        context.headers.update(expected['headers'])
        if expected['raw'] is not None:
            return expected['raw'].encode()
        context.headers.setdefault('Content-Type', 'application/json')
        return json.dumps(expected['answer']).encode()

    def assert_complete(self):
        assert not self.expected, 'expected requests never sent: %s' % [
            '%s %s' % (call['method'], call['path']) for call in self.expected]


def kibana_error(status, message):
    """Kibana's error body."""
    reasons = {400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict',
               502: 'Bad Gateway', 503: 'Service Unavailable'}
    return {'statusCode': status, 'error': reasons[status], 'message': message}


LOST_ANSWER = requests.exceptions.ConnectionError('Connection aborted: RemoteDisconnected')
