"""TLS against the simulator served over HTTPS with a CA and certificates made here: verification on by
default, ca_path, validate_certs false (with a warning), mutual TLS, and the plain-http warning."""

from __future__ import annotations

import pytest

from kibana_simulator.control import Simulator

from resilience_helpers import CONFIGURE, admin_connection, client, make_pki

from ansible_collections.kibana.cases.plugins.module_utils.kibana_client import KibanaError, connection_warnings
from ansible_collections.kibana.cases.plugins.module_utils.kibana_client import CONNECTION_ARGUMENT_SPEC


@pytest.fixture(scope='module')
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp('pki'))


@pytest.fixture(scope='module')
def https_sim(pki):
    with Simulator.start(pki['dir'], cert=pki['cert'], key=pki['key']) as sim:
        yield sim


@pytest.fixture(scope='module')
def mtls_sim(pki):
    with Simulator.start(pki['dir'], cert=pki['cert'], key=pki['key'], client_ca=pki['ca']) as sim:
        yield sim


def read(kibana):
    return kibana.get(CONFIGURE, query={'owner': 'cases'})


def params(**given):
    values = dict((name, spec.get('default')) for name, spec in CONNECTION_ARGUMENT_SPEC.items())
    values.update(given)
    return values


def test_unknown_ca_fails_by_default_with_a_clear_message(https_sim):
    assert https_sim.url.startswith('https://127.0.0.1:')
    with pytest.raises(KibanaError) as caught:
        read(client(https_sim, retries=0))
    message = str(caught.value)
    assert 'certificate verify failed' in message.lower() and 'SSLError' in message, message
    assert caught.value.status is None


def test_ca_path_succeeds(https_sim, pki):
    assert read(client(https_sim, ca_path=pki['ca'])) == []


def test_validate_certs_false_succeeds_with_a_warning(https_sim):
    assert read(client(https_sim, validate_certs=False)) == []
    warnings = connection_warnings(params(url=https_sim.url, username='u', validate_certs=False))
    assert any('validate_certs is false' in warning for warning in warnings), warnings
    assert connection_warnings(params(url=https_sim.url, username='u')) == []


def test_mutual_tls_needs_the_client_certificate(mtls_sim, pki):
    kibana = client(mtls_sim, ca_path=pki['ca'], client_cert=pki['client_cert'], client_key=pki['client_key'])
    assert read(kibana) == []
    with pytest.raises(KibanaError) as caught:
        read(client(mtls_sim, ca_path=pki['ca'], retries=0))
    assert caught.value.status is None and 'no answer from Kibana' in str(caught.value), str(caught.value)


def test_plain_http_with_credentials_warns():
    for credentials in (dict(api_key='k'), dict(username='u', password='p'), dict(bearer_token='t')):
        warnings = connection_warnings(params(url='http://kibana.example.com:5601', **credentials))
        assert any('plain http://' in warning for warning in warnings), (credentials, warnings)
    assert connection_warnings(params(url='http://kibana.example.com:5601')) == []


def test_tls_end_to_end(https_sim, mtls_sim, simulator, pki, playbook):
    """ansible-playbook: default verification fails, ca_path works, validate_certs false works and warns,
    mutual TLS works with the client certificate and fails without it; http:// with credentials warns."""
    module = 'kibana.cases.case_configuration_info'
    run = playbook([
        (module, admin_connection(https_sim, retries=0)),
        (module, admin_connection(https_sim, ca_path=pki['ca'])),
        (module, admin_connection(https_sim, validate_certs=False)),
        (module, admin_connection(mtls_sim, ca_path=pki['ca'], client_cert=pki['client_cert'], client_key=pki['client_key'])),
        (module, admin_connection(mtls_sim, ca_path=pki['ca'], retries=0)),
        (module, admin_connection(simulator)),
    ])
    unknown_ca, ca_path, no_verify, mutual, mutual_without_cert, plain = run.results
    assert unknown_ca.get('failed') and 'certificate verify failed' in unknown_ca['msg'].lower(), unknown_ca
    for ok in (ca_path, no_verify, mutual, plain):
        assert not ok.get('failed'), run.tail()
    assert mutual_without_cert.get('failed') and 'no answer from Kibana' in mutual_without_cert['msg'], mutual_without_cert
    flat = run.flat_output()
    assert '[WARNING]: validate_certs is false' in flat, run.tail()
    assert '[WARNING]: url is plain http://' in flat, run.tail()
    assert flat.count('validate_certs is false') == 1 and flat.count('url is plain http://') == 1
    assert 'Traceback' not in run.output
