"""Test-side helpers: start the simulator as a process and drive its /_sim/ control API."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

TESTS_DIR = str(Path(__file__).resolve().parent.parent)

ADMIN_USER = "elastic"
ADMIN_PASSWORD = "changeme"
ADMIN_FULL_NAME = "Elastic Admin"
ADMIN_EMAIL = "elastic@example.com"
API_KEY = "c2ltLWFwaS1rZXk="
API_KEY_USER = "sim-api-key-owner"
BEARER_TOKEN = "sim-bearer-token"
BEARER_USER = "sim-bearer-user"
VIEWER_USER = "viewer"
VIEWER_PASSWORD = "viewerpass"
CASES_ONLY_USER = "cases_only"
CASES_ONLY_PASSWORD = "casespass"
CONCURRENT_WRITER = "concurrent-writer"
DEFAULT_KIBANA_VERSION = "9.1.0"


class SimulatorError(RuntimeError):
    pass


class Simulator:
    def __init__(self, proc: subprocess.Popen, url: str, stderr_path: Path):
        self.proc = proc
        self.url = url
        self._stderr_path = stderr_path
        self._ctx = None
        if url.startswith("https"):
            self._ctx = ssl.create_default_context()
            self._ctx.check_hostname = False
            self._ctx.verify_mode = ssl.CERT_NONE

    # ------------------------------------------------------------------ process
    @classmethod
    def start(cls, tmp_dir, *, cert=None, key=None, client_ca=None, seed=None,
              kibana_version=None) -> "Simulator":
        tmp_dir = Path(tmp_dir)
        tmp_dir.mkdir(parents=True, exist_ok=True)
        stamp = f"{os.getpid()}-{time.monotonic_ns()}"
        url_file = tmp_dir / f"sim-url-{stamp}"
        stderr_path = tmp_dir / f"sim-stderr-{stamp}"
        cmd = [sys.executable, "-m", "kibana_simulator", "--host", "127.0.0.1", "--port", "0",
               "--url-file", str(url_file)]
        if cert:
            cmd += ["--cert", str(cert), "--key", str(key)]
        if client_ca:
            cmd += ["--client-ca", str(client_ca)]
        if seed is not None:
            if isinstance(seed, (dict, list)):
                seed_path = tmp_dir / f"sim-seed-{stamp}.json"
                seed_path.write_text(json.dumps(seed), encoding="utf-8")
            else:
                seed_path = Path(seed)
            cmd += ["--seed", str(seed_path)]
        if kibana_version:
            cmd += ["--kibana-version", kibana_version]
        env = dict(os.environ)
        env["PYTHONPATH"] = TESTS_DIR + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        err = open(stderr_path, "wb")
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        err.close()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if url_file.exists():
                url = url_file.read_text(encoding="utf-8").strip()
                if url:
                    return cls(proc, url, stderr_path)
            if proc.poll() is not None:
                raise SimulatorError(f"simulator exited with {proc.returncode}: "
                                     f"{stderr_path.read_text(errors='replace')}")
            time.sleep(0.05)
        proc.kill()
        proc.wait()
        raise SimulatorError(f"simulator did not start in 15 s: {stderr_path.read_text(errors='replace')}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # ------------------------------------------------------------------ control API
    def _call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10, context=self._ctx) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            raise SimulatorError(f"{method} {path} -> {e.code}: {e.read().decode(errors='replace')}")

    def reset(self):
        return self._call("POST", "/_sim/reset", {})

    def state(self):
        return self._call("GET", "/_sim/state")

    def add_space(self, id, name, disabled_features=()):
        return self._call("POST", "/_sim/spaces",
                          {"id": id, "name": name, "disabledFeatures": list(disabled_features)})

    def add_connector(self, space_id, id, name, action_type_id, **extra):
        body = {"space_id": space_id, "id": id, "name": name, "actionTypeId": action_type_id}
        body.update(extra)
        return self._call("POST", "/_sim/connectors", body)

    def set_kibana_version(self, number):
        return self._call("PUT", "/_sim/kibana_version", {"number": number})

    def write_configuration(self, space_id, owner, changes):
        return self._call("POST", "/_sim/configurations",
                          {"space_id": space_id, "owner": owner, "changes": changes})

    def inject_fault(self, action, *, method=None, path=None, count=1, **extra):
        body = {"action": action, "count": count}
        if method:
            body["method"] = method
        if path:
            body["path"] = path
        body.update(extra)
        return self._call("POST", "/_sim/faults", body)

    def clear_faults(self):
        return self._call("DELETE", "/_sim/faults")

    def requests(self):
        return self._call("GET", "/_sim/requests")

    def clear_requests(self):
        return self._call("DELETE", "/_sim/requests")
