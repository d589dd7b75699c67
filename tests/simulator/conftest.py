"""Puts the tests dir on sys.path and loads the simulator fixtures for the simulator's own tests."""

import os
import sys

import pytest
import requests

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)

from kibana_simulator import control  # noqa: E402
from kibana_simulator.pytest_fixtures import simulator, simulator_process  # noqa: E402,F401  pylint: disable=unused-import

NONE_CONNECTOR = {"id": "none", "name": "none", "type": ".none", "fields": None}


class Api:
    """requests against the simulator; `space` None means the default space URL form."""

    def __init__(self, sim):
        self.sim = sim
        self.session = requests.Session()
        self.auth = (control.ADMIN_USER, control.ADMIN_PASSWORD)

    def url(self, path, space=None):
        return self.sim.url + (f"/s/{space}" if space else "") + path

    def call(self, method, path, *, space=None, json=None, data=None, params=None,
             auth="default", xsrf=True, headers=None):
        h = {"kbn-xsrf": "true"} if xsrf else {}
        h.update(headers or {})
        kwargs = {}
        if auth == "default":
            kwargs["auth"] = self.auth
        elif isinstance(auth, tuple):
            kwargs["auth"] = auth
        elif isinstance(auth, str):
            h["Authorization"] = auth
        return self.session.request(method, self.url(path, space), json=json, data=data,
                                    params=params, headers=h, timeout=10, **kwargs)

    def create(self, owner="cases", space=None, **extra):
        body = {"owner": owner, "closure_type": "close-by-user", "connector": NONE_CONNECTOR}
        body.update(extra)
        r = self.call("POST", "/api/cases/configure", space=space, json=body)
        assert r.status_code == 200, r.text
        return r.json()

    def patch(self, cid, body, space=None, **kw):
        return self.call("PATCH", f"/api/cases/configure/{cid}", space=space, json=body, **kw)


@pytest.fixture
def api(simulator):
    a = Api(simulator)
    yield a
    a.session.close()
