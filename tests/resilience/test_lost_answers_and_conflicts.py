"""Lost answers and concurrent writers, in-process (sync_case_configuration against the simulator) and
end-to-end: the version guard keeps a retried PATCH from applying twice, a POST with a lost answer is
followed by a read and never by a blind second POST, a 409 leads to re-read and re-diff, bounded to MAX_ROUNDS rounds.
"""

from __future__ import annotations

import pytest

from resilience_helpers import CONFIGURE, admin_connection, api_log, client, module_params

from ansible_collections.kibana.cases.plugins.module_utils.configuration_sync import MAX_ROUNDS, sync_case_configuration
from ansible_collections.kibana.cases.plugins.module_utils.kibana_client import KibanaError

GET = 'GET %s -> 200' % CONFIGURE
PATCH = 'PATCH %s/<id> -> ' % CONFIGURE
POST = 'POST %s -> ' % CONFIGURE
FIELD = {'key': 'ticket', 'label': 'Ticket', 'type': 'text', 'required': False}


def seed_configuration(sim, **changes):
    changes.setdefault('closure_type', 'close-by-user')
    configuration = sim.write_configuration('default', 'cases', changes)
    sim.clear_requests()
    return configuration


def configurations(sim):
    return [c for c in sim.state()['configurations'] if c['owner'] == 'cases' and c['space_id'] == 'default']


@pytest.mark.parametrize('fault', [dict(action='drop_after'), dict(action='status_after', status=502)])
def test_patch_with_lost_answer_applies_once_and_reports_changed(simulator, fault):
    before = seed_configuration(simulator)
    seq_before = simulator.state()['seq_no']
    action = fault.pop('action')
    simulator.inject_fault(action, method='PATCH', path=CONFIGURE, **fault)

    outcome = sync_case_configuration(client(simulator, retries=2), module_params(
        **admin_connection(simulator), closure_type='close-by-pushing'))

    assert outcome.changed is True
    assert outcome.configuration['closure_type'] == 'close-by-pushing'
    assert outcome.configuration['id'] == before['id']
    lost = 'None' if action == 'drop_after' else '502'
    # urllib3 re-sends the PATCH; the version guard answers 409; the flow re-reads and finds nothing to write
    assert api_log(simulator) == [GET, PATCH + lost, PATCH + '409', GET]
    assert simulator.state()['seq_no'] == seq_before + 1, 'more than one write was applied'
    [stored] = configurations(simulator)
    assert stored['closure_type'] == 'close-by-pushing' and stored['version'] == outcome.configuration['version']


def test_patch_with_lost_answer_end_to_end(simulator, playbook):
    seed_configuration(simulator)
    seq_before = simulator.state()['seq_no']
    simulator.inject_fault('drop_after', method='PATCH', path=CONFIGURE)
    run = playbook([('kibana.cases.case_configuration',
                     dict(admin_connection(simulator), closure_type='close-by-pushing', custom_fields=[FIELD]))],
                   '--diff')
    result = run.result
    assert not result.get('failed'), run.tail()
    assert result['changed'] is True
    assert result['configuration']['closure_type'] == 'close-by-pushing'
    assert [f['key'] for f in result['configuration']['customFields']] == ['ticket']
    assert result['diff']['after']['closure_type'] == 'close-by-pushing'
    assert simulator.state()['seq_no'] == seq_before + 1
    assert api_log(simulator) == [GET, PATCH + 'None', PATCH + '409', GET]


@pytest.mark.parametrize('fault', [dict(action='drop_after'), dict(action='status_after', status=502),
                                   dict(action='status_after', status=504)])
def test_post_with_lost_answer_is_followed_by_a_read_not_a_second_post(simulator, fault):
    action = fault.pop('action')
    simulator.inject_fault(action, method='POST', path=CONFIGURE, **fault)
    outcome = sync_case_configuration(client(simulator, retries=2), module_params(
        **admin_connection(simulator), closure_type='close-by-pushing'))
    assert outcome.changed is True
    assert outcome.configuration['closure_type'] == 'close-by-pushing'
    lost = 'None' if action == 'drop_after' else str(fault['status'])
    assert api_log(simulator) == [GET, POST + lost, GET]
    assert len(configurations(simulator)) == 1


def test_post_dropped_before_kibana_applied_it_is_sent_again_after_the_read(simulator):
    """'drop' loses the request itself: the read shows nothing, so one more POST is right (and only one)."""
    simulator.inject_fault('drop', method='POST', path=CONFIGURE)
    outcome = sync_case_configuration(client(simulator, retries=2), module_params(
        **admin_connection(simulator), closure_type='close-by-pushing'))
    assert outcome.changed is True and outcome.configuration['closure_type'] == 'close-by-pushing'
    assert api_log(simulator) == [GET, POST + 'None', GET, POST + '200']


def test_post_with_lost_answer_end_to_end(simulator, playbook):
    simulator.inject_fault('status_after', method='POST', path=CONFIGURE, status=503)
    run = playbook([('kibana.cases.case_configuration',
                     dict(admin_connection(simulator), closure_type='close-by-pushing'))])
    result = run.result
    assert not result.get('failed'), run.tail()
    assert result['changed'] is True and result['configuration']['closure_type'] == 'close-by-pushing'
    assert api_log(simulator) == [GET, POST + '503', GET]


def test_conflict_rereads_rediffs_and_keeps_the_concurrent_change(simulator):
    """Another writer adds a custom field (not managed by the task) just before our PATCH: 409, re-read, PATCH
    again with the new version; the other writer's custom field survives."""
    seed_configuration(simulator)
    simulator.inject_fault('concurrent_write', method='PATCH', path=CONFIGURE, changes={'customFields': [FIELD]})
    outcome = sync_case_configuration(client(simulator), module_params(
        **admin_connection(simulator), closure_type='close-by-pushing'))
    assert outcome.changed is True
    assert api_log(simulator) == [GET, PATCH + '409', GET, PATCH + '200']
    patches = [entry for entry in simulator.requests() if entry['method'] == 'PATCH']
    assert patches[0]['body']['version'] != patches[1]['body']['version'], 'the second PATCH must carry the new version'
    [stored] = configurations(simulator)
    assert stored['closure_type'] == 'close-by-pushing'
    assert [f['key'] for f in stored['customFields']] == ['ticket'], 'the concurrent writer\'s change was lost'
    assert stored['version'] == outcome.configuration['version']


def test_conflict_where_the_other_writer_already_did_it_writes_nothing_more(simulator):
    seed_configuration(simulator)
    simulator.inject_fault('concurrent_write', method='PATCH', path=CONFIGURE,
                           changes={'closure_type': 'close-by-pushing'})
    outcome = sync_case_configuration(client(simulator), module_params(
        **admin_connection(simulator), closure_type='close-by-pushing'))
    assert outcome.configuration['closure_type'] == 'close-by-pushing'
    assert api_log(simulator) == [GET, PATCH + '409', GET]


def test_conflicts_beyond_the_rounds_fail_naming_the_conflict(simulator):
    seed_configuration(simulator)
    simulator.inject_fault('concurrent_write', method='PATCH', path=CONFIGURE, count=10,
                           changes={'customFields': [FIELD]})
    with pytest.raises(KibanaError) as caught:
        sync_case_configuration(client(simulator), module_params(
            **admin_connection(simulator), closure_type='close-by-pushing'))
    message = str(caught.value)
    assert '%d rounds' % MAX_ROUNDS in message and '409' in message and 'another writer' in message, message
    assert caught.value.status == 409
    assert api_log(simulator) == [GET, PATCH + '409'] * MAX_ROUNDS


def test_conflicts_beyond_the_rounds_end_to_end(simulator, playbook):
    seed_configuration(simulator)
    simulator.inject_fault('concurrent_write', method='PATCH', path=CONFIGURE, count=10,
                           changes={'customFields': [FIELD]})
    run = playbook([('kibana.cases.case_configuration',
                     dict(admin_connection(simulator), closure_type='close-by-pushing'))])
    assert run.result.get('failed') is True
    assert 'gave up after %d rounds' % MAX_ROUNDS in run.result['msg'] and 'Conflict' in run.result['msg'], run.result['msg']
    assert 'Traceback' not in run.output
