"""Helpers of the hardening tests: ansible-playbook runs, a KibanaClient factory, certificates, a late TCP forwarder."""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import re
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

import ansible_env
from kibana_simulator import control

from ansible_collections.kibana.cases.plugins.module_utils.kibana_client import KibanaClient

PLAYBOOK_TIMEOUT = 180
RESULT_MARK = 'RESILIENCE_RESULT_B64='
ADMIN = dict(username=control.ADMIN_USER, password=control.ADMIN_PASSWORD)
CONFIGURE = '/api/cases/configure'


def client(sim_or_url, retries=2, timeout=5, **kwargs):
    """A KibanaClient for the simulator (admin by default) with small retry/timeout values."""
    url = sim_or_url if isinstance(sim_or_url, str) else sim_or_url.url
    if not any(kwargs.get(name) for name in ('api_key', 'username', 'bearer_token')):
        kwargs.update(ADMIN)
    return KibanaClient(url, retries=retries, timeout=timeout, **kwargs)


def module_params(**options):
    """The module's params as its argument spec makes them (defaults, suboption defaults, type conversion)."""
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    from ansible_collections.kibana.cases.plugins.module_utils.argument_specs import (
        ARGUMENT_CONSTRAINTS, CASE_CONFIGURATION_ARGUMENT_SPEC)

    validator = ArgumentSpecValidator(CASE_CONFIGURATION_ARGUMENT_SPEC, **ARGUMENT_CONSTRAINTS)
    result = validator.validate(options)
    if result.error_messages:
        raise ValueError('argument spec rejects %r: %s' % (options, result.error_messages))
    return result.validated_parameters


def describe(entry):
    """A request of the simulator's log as 'METHOD path -> status' (configuration ids shown as <id>)."""
    path = re.sub(r'(/api/cases/configure/)(?!connectors/)[^/]+$', r'\1<id>', entry['path'])
    return '%s %s -> %s' % (entry['method'], path, entry['status'])


def api_log(sim):
    return [describe(entry) for entry in sim.requests()]


# ------------------------------------------------------------------ ansible-playbook

class PlaybookRun:
    def __init__(self, returncode, output, results):
        self.returncode = returncode
        self.output = output
        self.results = results

    @property
    def result(self):
        return self.results[0]

    def tail(self, lines=80):
        return '\n'.join(self.output.splitlines()[-lines:])

    def flat_output(self):
        """The output with line breaks and repeated spaces folded (warnings are wrapped)."""
        return ' '.join(self.output.split())


def playbook_text(tasks):
    """A playbook running each (module, args) task with ignore_errors and printing its registered result."""
    play_tasks = []
    for index, (module, args) in enumerate(tasks):
        play_tasks.append({'name': 'task %d under test' % index, module: args,
                           'register': 'result_%d' % index, 'ignore_errors': True})
        play_tasks.append({'name': 'report task %d' % index,
                           'ansible.builtin.debug': {'msg': RESULT_MARK + '{{ result_%d | to_json | b64encode }}' % index}})
    play = [{'name': 'resilience', 'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
             'vars': {'ansible_python_interpreter': '{{ ansible_playbook_python }}'}, 'tasks': play_tasks}]
    return json.dumps(play, indent=1)


def prepare(tasks, collections, tmp_path, env_extra=None):
    work = Path(tmp_path) / ('run-%s' % uuid.uuid4().hex[:8])
    work.mkdir(parents=True)
    (work / 'playbook.yml').write_text(playbook_text(tasks), encoding='utf-8')
    env = ansible_env.ansible_environment(work, collections, **(env_extra or {}))
    command = [ansible_env.ansible_command('ansible-playbook'), str(work / 'playbook.yml')]
    return command, work, env


def parse_run(returncode, output):
    results = [json.loads(base64.b64decode(found).decode('utf-8'))
               for found in re.findall(re.escape(RESULT_MARK) + r'([A-Za-z0-9+/=]+)', output)]
    return PlaybookRun(returncode, output, results)


def run_playbook(tasks, collections, tmp_path, *extra_args, env_extra=None):
    command, work, env = prepare(tasks, collections, tmp_path, env_extra)
    completed = subprocess.run(command + list(extra_args), cwd=str(work), env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=PLAYBOOK_TIMEOUT, check=False)
    run = parse_run(completed.returncode, completed.stdout.decode('utf-8', errors='replace'))
    assert len(run.results) == len(tasks), 'the playbook did not report every task:\n%s' % run.tail()
    return run


def start_playbook(tasks, collections, tmp_path, *extra_args, env_extra=None):
    """Start ansible-playbook without waiting; finish_playbook(started) returns its PlaybookRun."""
    command, work, env = prepare(tasks, collections, tmp_path, env_extra)
    return subprocess.Popen(command + list(extra_args), cwd=str(work), env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def finish_playbook(proc):
    out = proc.communicate(timeout=PLAYBOOK_TIMEOUT)[0]
    return parse_run(proc.returncode, out.decode('utf-8', errors='replace'))


def admin_connection(sim, **extra):
    args = dict(url=sim.url, username=control.ADMIN_USER, password=control.ADMIN_PASSWORD, timeout=5, retries=2)
    args.update(extra)
    return args


# ------------------------------------------------------------------ network helpers

def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class LateForwarder:
    """Listens on ``port`` only after ``delay`` seconds, then forwards each connection to ``target`` (host, port).

    Until then the port is closed: connections are refused, as with a Kibana that is restarting.
    """

    def __init__(self, port, target, delay):
        self.port, self.target, self.delay = port, target, delay
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        if self._stop.wait(self.delay):
            return
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(('127.0.0.1', self.port))
        server.listen(8)
        server.settimeout(0.2)
        with server:
            while not self._stop.is_set():
                try:
                    conn = server.accept()[0]
                except socket.timeout:
                    continue
                self.accepted += 1
                upstream = socket.create_connection(self.target)
                for src, dst in ((conn, upstream), (upstream, conn)):
                    threading.Thread(target=self._pipe, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        self._stop.set()
        self._thread.join(2)


# ------------------------------------------------------------------ certificates

def make_pki(directory):
    """A CA, a server certificate for 127.0.0.1 (SAN IP), a client certificate; returns a dict of PEM paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def cert(subject, key, issuer, issuer_key, ca=False, san_ip=None, usage=None):
        builder = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer))
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if ca:
            builder = builder.add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False),
                critical=True)
            builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        else:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
        if san_ip:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(san_ip))]), critical=False)
        if usage:
            builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    def write(filename, certificate=None, key=None):
        path = directory / filename
        if certificate is not None:
            path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        else:
            path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        return str(path)

    ca_key, server_key, client_key = (ec.generate_private_key(ec.SECP256R1()) for _index in range(3))
    ca = cert('resilience-test-ca', ca_key, 'resilience-test-ca', ca_key, ca=True)
    server = cert('127.0.0.1', server_key, 'resilience-test-ca', ca_key, san_ip='127.0.0.1',
                  usage=ExtendedKeyUsageOID.SERVER_AUTH)
    client_cert = cert('resilience-client', client_key, 'resilience-test-ca', ca_key,
                       usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    return {
        'dir': str(directory),
        'ca': write('ca.pem', ca),
        'cert': write('server.pem', server), 'key': write('server.key', key=server_key),
        'client_cert': write('client.pem', client_cert), 'client_key': write('client.key', key=client_key),
    }


def timed(function, *args, **kwargs):
    start = time.monotonic()
    try:
        value = function(*args, **kwargs)
    except Exception as exc:  # pylint: disable=broad-except
        return exc, time.monotonic() - start
    return value, time.monotonic() - start
