"""HTTPS, mutual TLS (certificates made with the `cryptography` package), seeds and --kibana-version."""

import datetime
import ipaddress
import signal

import pytest
import requests

from kibana_simulator.control import Simulator

x509 = pytest.importorskip("cryptography.x509")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject, key, issuer, issuer_key, *, ca=False, san_ip=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    b = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(minutes=5))
         .not_valid_after(now + datetime.timedelta(days=1))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if san_ip:
        b = b.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(san_ip))]),
                            critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def _write(path, cert=None, key=None):
    data = b""
    if cert is not None:
        data += cert.public_bytes(serialization.Encoding.PEM)
    if key is not None:
        data += key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    path.write_bytes(data)
    return str(path)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("sim-ca", ca_key, "sim-ca", ca_key, ca=True)
    srv_key = ec.generate_private_key(ec.SECP256R1())
    srv = _cert("127.0.0.1", srv_key, "sim-ca", ca_key, san_ip="127.0.0.1")
    cli_key = ec.generate_private_key(ec.SECP256R1())
    cli = _cert("client", cli_key, "sim-ca", ca_key)
    other_key = ec.generate_private_key(ec.SECP256R1())
    other = _cert("other-ca-client", other_key, "other-ca", other_key)
    return {
        "ca": _write(d / "ca.pem", ca),
        "cert": _write(d / "server.pem", srv), "key": _write(d / "server.key", key=srv_key),
        "client_cert": _write(d / "client.pem", cli), "client_key": _write(d / "client.key", key=cli_key),
        "other_cert": _write(d / "other.pem", other), "other_key": _write(d / "other.key", key=other_key),
        "dir": d,
    }


AUTH = ("elastic", "changeme")


def test_https(pki):
    with Simulator.start(pki["dir"], cert=pki["cert"], key=pki["key"]) as sim:
        assert sim.url.startswith("https://127.0.0.1:")
        r = requests.get(sim.url + "/api/status", auth=AUTH, verify=pki["ca"], timeout=10)
        assert r.status_code == 200
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(sim.url + "/api/status", auth=AUTH, timeout=10)  # unknown CA
        assert sim.state()["kibana_version"] == "9.1.0"  # control helpers over HTTPS


def test_mutual_tls(pki):
    with Simulator.start(pki["dir"], cert=pki["cert"], key=pki["key"], client_ca=pki["ca"]) as sim:
        r = requests.get(sim.url + "/api/status", auth=AUTH, verify=pki["ca"], timeout=10,
                         cert=(pki["client_cert"], pki["client_key"]))
        assert r.status_code == 200
        for cert in (None, (pki["other_cert"], pki["other_key"])):
            with pytest.raises((requests.exceptions.SSLError, requests.exceptions.ConnectionError)):
                requests.get(sim.url + "/api/status", auth=AUTH, verify=pki["ca"], timeout=10, cert=cert)


def test_seed_and_kibana_version_flag(tmp_path):
    seed = {
        "spaces": [{"id": "default", "name": "Default"}, {"id": "ops", "name": "Ops"}],
        "connectors": [{"space_id": "ops", "id": "sn", "name": "SN", "actionTypeId": ".servicenow"},
                       {"space_id": "default", "id": "pre", "name": "Pre", "actionTypeId": ".jira",
                        "isPreconfigured": True}],
        "principals": [{"username": "alice", "password": "pw", "full_name": "Alice", "email": "a@x",
                        "privileges": {"observability": "all"}}],
        "kibana_version": "8.15.2",
    }
    with Simulator.start(tmp_path, seed=seed, kibana_version="8.16.0") as sim:
        r = requests.get(sim.url + "/s/ops/api/cases/configure/connectors/_find", auth=("alice", "pw"),
                         timeout=10)
        assert sorted(c["id"] for c in r.json()) == ["pre", "sn"]  # preconfigured: every space
        pre = next(c for c in r.json() if c["id"] == "pre")
        assert pre["isPreconfigured"] is True and "config" not in pre
        assert requests.get(sim.url + "/api/status", auth=AUTH, timeout=10).status_code == 401
        r = requests.get(sim.url + "/api/status", auth=("alice", "pw"), timeout=10)
        assert r.json()["version"]["number"] == "8.16.0"  # the flag beats the seed
        r = requests.get(sim.url + "/api/spaces/space", auth=("alice", "pw"), timeout=10)
        assert [s["id"] for s in r.json()] == ["default", "ops"]


def test_sigterm_stops_cleanly(tmp_path):
    sim = Simulator.start(tmp_path)
    sim.proc.send_signal(signal.SIGTERM)
    assert sim.proc.wait(10) == 0
