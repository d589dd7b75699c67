"""Transient faults: each class is retried by urllib3 (GET and PATCH) within `retries` and then succeeds;
4xx other than 429 are sent exactly once; POST is never re-sent; a storm beyond the bound fails clearly.

urllib3's backoff with factor 0.5 sleeps 0 s before the first retry, then 1 s, 2 s: the tests keep
`retries` at 2 or 3 so the whole file stays within a few seconds.
"""

from __future__ import annotations

import time

import pytest

from resilience_helpers import CONFIGURE, LateForwarder, admin_connection, api_log, client, free_port, timed

from ansible_collections.kibana.cases.plugins.module_utils.kibana_client import KibanaError

GET_CONFIGURE = 'GET %s -> ' % CONFIGURE


def get_configuration(kibana):
    return kibana.get(CONFIGURE, query={'owner': 'cases'})


def test_connection_refused_is_retried_until_kibana_listens(simulator):
    """The first connections are refused (nothing listens yet); a later retry reaches Kibana."""
    port = free_port()
    host_port = simulator.url.rsplit(':', 1)[1]
    forwarder = LateForwarder(port, ('127.0.0.1', int(host_port)), delay=0.4)
    try:
        value, elapsed = timed(get_configuration, client('http://127.0.0.1:%d' % port, retries=3))
    finally:
        forwarder.stop()
    assert value == [], value
    assert forwarder.accepted >= 1
    assert elapsed >= 0.4, 'answered before anything listened?'
    assert api_log(simulator) == [GET_CONFIGURE + '200']


def test_connection_refused_beyond_the_bound_fails_clearly():
    port = free_port()
    error, elapsed = timed(get_configuration, client('http://127.0.0.1:%d' % port, retries=2))
    assert isinstance(error, KibanaError), error
    message = str(error)
    assert 'GET %s' % CONFIGURE in message and 'after 2 retries' in message, message
    assert 'refused' in message.lower() or 'NewConnectionError' in message, message
    assert error.status is None and error.outcome_unknown
    assert elapsed >= 0.9, 'retries 2 means a 0 s and a 1 s backoff; gave up after %.2f s' % elapsed


@pytest.mark.parametrize('method', ['GET', 'PATCH'])
def test_dropped_connection_is_retried(simulator, method):
    kibana = client(simulator, retries=2)
    if method == 'PATCH':
        created = kibana.post(CONFIGURE, {'owner': 'cases', 'closure_type': 'close-by-user',
                                          'connector': {'id': 'none', 'name': 'none', 'type': '.none', 'fields': None}})
        simulator.clear_requests()
    simulator.inject_fault('drop', method=method, path=r'^/api/cases/configure', count=2)
    if method == 'GET':
        assert get_configuration(kibana) == []
    else:
        # 'drop' closes the connection before Kibana applies anything, so the retry with the same version applies
        answer = kibana.patch('%s/%s' % (CONFIGURE, created['id']),
                              {'closure_type': 'close-by-pushing', 'version': created['version']})
        assert answer['closure_type'] == 'close-by-pushing'
    log = simulator.requests()
    assert [entry['method'] for entry in log] == [method] * 3
    assert [entry['status'] for entry in log] == [None, None, 200]


def test_timeout_is_retried(simulator):
    simulator.inject_fault('delay', method='GET', path=CONFIGURE, seconds=2.5)
    value, elapsed = timed(get_configuration, client(simulator, retries=2, timeout=1))
    assert value == [], value
    assert 1.0 <= elapsed < 2.5, 'the first try should time out after 1 s, then the retry answers at once: %.2f s' % elapsed
    time.sleep(1.6)  # let the delayed request finish so it is logged
    statuses = [entry.get('fault') for entry in simulator.requests()]
    assert sorted(statuses, key=str) == ['delay', 'None'] or sorted(map(str, statuses)) == ['None', 'delay'], statuses


def test_timeout_beyond_the_bound_fails_clearly(simulator):
    simulator.inject_fault('delay', method='GET', path=CONFIGURE, seconds=1.5, count=2)
    error, _elapsed = timed(get_configuration, client(simulator, retries=1, timeout=0.5))
    assert isinstance(error, KibanaError), error
    assert 'after 1 retries' in str(error) and 'ReadTimeout' in str(error), str(error)
    time.sleep(1.2)  # the delayed requests still finish on the server: keep them out of the next test's log


def test_429_retry_after_is_honoured(simulator):
    simulator.inject_fault('status', method='GET', path=CONFIGURE, status=429, headers={'Retry-After': '2'})
    value, elapsed = timed(get_configuration, client(simulator, retries=2))
    assert value == []
    # Without Retry-After the first retry would be immediate (backoff 0 s).
    assert 1.9 <= elapsed < 4.5, 'Retry-After: 2 not honoured: retried after %.2f s' % elapsed
    assert api_log(simulator) == [GET_CONFIGURE + '429', GET_CONFIGURE + '200']


@pytest.mark.parametrize('status', [502, 503, 504])
def test_gateway_and_unavailable_statuses_are_retried(simulator, status):
    simulator.inject_fault('status', method='GET', path=CONFIGURE, status=status)
    assert get_configuration(client(simulator, retries=2)) == []
    assert api_log(simulator) == [GET_CONFIGURE + str(status), GET_CONFIGURE + '200']


def test_faults_up_to_exactly_the_bound_still_succeed(simulator):
    simulator.inject_fault('status', method='GET', path=CONFIGURE, status=503, count=2)
    assert get_configuration(client(simulator, retries=2)) == []
    assert api_log(simulator) == [GET_CONFIGURE + '503'] * 2 + [GET_CONFIGURE + '200']


def test_fault_storm_beyond_the_bound_fails_with_a_clear_message(simulator):
    simulator.inject_fault('status', method='GET', path=CONFIGURE, status=503, count=10)
    error, _elapsed = timed(get_configuration, client(simulator, retries=2))
    assert isinstance(error, KibanaError), error
    message = str(error)
    for part in ('GET', CONFIGURE, '503', 'Service Unavailable', 'after 2 retries'):
        assert part in message, 'missing %r in %r' % (part, message)
    assert error.status == 503
    assert len(simulator.requests()) == 3


@pytest.mark.parametrize('status', [400, 401, 403, 404])
@pytest.mark.parametrize('method', ['GET', 'PATCH'])
def test_client_errors_are_sent_exactly_once(simulator, status, method):
    simulator.inject_fault('status', method=method, path=CONFIGURE, status=status, count=5)
    kibana = client(simulator, retries=3)
    if method == 'GET':
        error = timed(get_configuration, kibana)[0]
    else:
        error = timed(kibana.patch, CONFIGURE + '/some-id', {'version': 'WzEsMV0=', 'closure_type': 'close-by-user'})[0]
    assert isinstance(error, KibanaError) and error.status == status, error
    assert len(simulator.requests()) == 1, api_log(simulator)
    assert 'retries' not in str(error), str(error)


@pytest.mark.parametrize('fault', [dict(action='status', status=503), dict(action='drop')])
def test_post_is_never_resent(simulator, fault):
    kibana = client(simulator, retries=3)
    action = fault.pop('action')
    simulator.inject_fault(action, method='POST', path=CONFIGURE, count=5, **fault)
    error = timed(kibana.post, CONFIGURE, {'owner': 'cases', 'closure_type': 'close-by-user',
                                           'connector': {'id': 'none', 'name': 'none', 'type': '.none', 'fields': None}})[0]
    assert isinstance(error, KibanaError) and error.outcome_unknown, error
    assert [entry['method'] for entry in simulator.requests()] == ['POST']


def test_module_end_to_end_rides_out_faults_of_every_class(simulator, playbook):
    """ansible-playbook: 503 + 502 + dropped + 429 on the reads, 504 on the PATCH; the task succeeds."""
    simulator.write_configuration('default', 'cases', {'closure_type': 'close-by-user'})
    for action, extra in (('status', dict(status=503)), ('drop', {}), ('status', dict(status=429, headers={'Retry-After': '1'}))):
        simulator.inject_fault(action, method='GET', path=CONFIGURE, **extra)
    simulator.inject_fault('status', method='PATCH', path=CONFIGURE, status=504)
    simulator.clear_requests()
    run = playbook([('kibana.cases.case_configuration',
                     dict(admin_connection(simulator, retries=3), closure_type='close-by-pushing'))])
    result = run.result
    assert not result.get('failed'), run.tail()
    assert result['changed'] is True and result['configuration']['closure_type'] == 'close-by-pushing'
    assert api_log(simulator) == [GET_CONFIGURE + '503', GET_CONFIGURE + 'None', GET_CONFIGURE + '429',
                                  GET_CONFIGURE + '200', 'PATCH %s/<id> -> 504' % CONFIGURE,
                                  'PATCH %s/<id> -> 200' % CONFIGURE]


def test_module_end_to_end_storm_fails_with_a_clear_message(simulator, playbook):
    simulator.inject_fault('status', method='GET', path=CONFIGURE, status=502, count=10)
    run = playbook([('kibana.cases.case_configuration',
                     dict(admin_connection(simulator, retries=1), closure_type='close-by-pushing'))])
    result = run.result
    assert result.get('failed') is True
    assert 'GET %s failed: 502 Bad Gateway' % CONFIGURE in result['msg'] and 'after 1 retries' in result['msg'], result['msg']
    assert 'Traceback' not in run.output
    assert len(simulator.requests()) == 2
