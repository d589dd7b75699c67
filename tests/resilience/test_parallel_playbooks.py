"""N ansible-playbook processes at once against the same space and owner (the configuration exists, so
each write is a versioned PATCH): different keys all end as asked; the same key ends as one of the asked
values; no run fails."""

from __future__ import annotations

from resilience_helpers import admin_connection, finish_playbook, start_playbook

JIRA = {'id': 'jira-soc', 'name': 'Jira SOC', 'type': '.jira'}


def run_all(simulator, collections_path, tmp_path, option_sets):
    started = [start_playbook([('kibana.cases.case_configuration', dict(admin_connection(simulator, retries=3), **options))],
                              collections_path, tmp_path / str(index))
               for index, options in enumerate(option_sets)]
    runs = [finish_playbook(proc) for proc in started]
    for options, run in zip(option_sets, runs):
        assert run.returncode == 0 and len(run.results) == 1 and not run.results[0].get('failed'), (
            'the run with %r failed:\n%s' % (options, run.tail()))
    return runs


def stored(simulator):
    [configuration] = [c for c in simulator.state()['configurations'] if c['owner'] == 'cases']
    return configuration


def test_parallel_runs_managing_different_keys_all_win(simulator, collections_path, tmp_path):
    simulator.add_connector('default', JIRA['id'], JIRA['name'], JIRA['type'])
    simulator.write_configuration('default', 'cases', {'closure_type': 'close-by-user'})
    option_sets = [
        dict(closure_type='close-by-pushing'),
        dict(connector=JIRA),
        dict(custom_fields=[{'key': 'ticket', 'label': 'Ticket', 'type': 'text'}]),
        dict(observable_types=[{'key': 'vessel-imo', 'label': 'Vessel IMO'}]),
        dict(templates=[{'key': 'malware', 'name': 'Malware', 'tags': ['soc']}]),
    ]
    run_all(simulator, collections_path, tmp_path, option_sets)
    final = stored(simulator)
    assert final['closure_type'] == 'close-by-pushing'
    assert final['connector']['id'] == JIRA['id']
    assert [f['key'] for f in final['customFields']] == ['ticket']
    assert [o['key'] for o in final['observableTypes']] == ['vessel-imo']
    assert [t['key'] for t in final['templates']] == ['malware'] and final['templates'][0]['tags'] == ['soc']
    patches = [e for e in simulator.requests() if e['method'] == 'PATCH']
    assert [e['status'] for e in patches].count(200) == 5, 'each run writes its key exactly once'
    assert not [e for e in simulator.requests() if e['method'] == 'POST']


def test_parallel_runs_setting_the_same_key_end_with_one_of_the_values(simulator, collections_path, tmp_path):
    simulator.write_configuration('default', 'cases', {'closure_type': 'close-by-user'})
    labels = ['Label from run %d' % index for index in range(5)]
    option_sets = [dict(custom_fields=[{'key': 'ticket', 'label': label, 'type': 'text'}]) for label in labels]
    runs = run_all(simulator, collections_path, tmp_path, option_sets)
    final = stored(simulator)
    assert len(final['customFields']) == 1 and final['customFields'][0]['label'] in labels
    for run, label in zip(runs, labels):
        assert run.results[0]['configuration']['customFields'][0]['label'] == label, (
            'each run reports the value it wrote')
