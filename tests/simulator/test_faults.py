"""Fault injection and the request log."""

import time

import pytest
import requests

from kibana_simulator import control

NONE_CONNECTOR = {"id": "none", "name": "none", "type": ".none", "fields": None}

VALID = {"owner": "cases", "closure_type": "close-by-user", "connector": NONE_CONNECTOR}
CONFIGURE = "/api/cases/configure"


def configs(simulator):
    return simulator.state()["configurations"]


def test_status_fault_with_headers_and_count(api, simulator):
    simulator.inject_fault("status", method="POST", path="^/api/cases/configure$", count=2,
                           status=503, headers={"Retry-After": "1"})
    for _attempt in range(2):
        r = api.call("POST", CONFIGURE, json=VALID)
        assert r.status_code == 503 and r.headers["Retry-After"] == "1"
        assert r.json() == {"statusCode": 503, "error": "Service Unavailable",
                            "message": "Service Unavailable"}
    assert configs(simulator) == []  # not processed
    assert api.call("POST", CONFIGURE, json=VALID).status_code == 200  # consumed


def test_fault_filters_by_method_and_path_and_custom_body(api, simulator):
    simulator.inject_fault("status", method="PATCH", status=500, body={"oops": True})
    assert api.call("GET", CONFIGURE).status_code == 200  # other method: not matched
    c = api.create()
    r = api.patch(c["id"], {"version": c["version"]})
    assert r.status_code == 500 and r.json() == {"oops": True}
    simulator.inject_fault("status", path="/connectors", status=502)
    assert api.call("GET", CONFIGURE).status_code == 200
    assert api.call("GET", "/api/actions/connectors").status_code == 502


def test_faults_consumed_in_order_and_cleared(api, simulator):
    simulator.inject_fault("status", status=500)
    simulator.inject_fault("status", status=502)
    simulator.inject_fault("status", status=504)
    assert [api.call("GET", CONFIGURE).status_code for _attempt in range(2)] == [500, 502]
    simulator.clear_faults()
    assert api.call("GET", CONFIGURE).status_code == 200


def test_drop_does_not_process(api, simulator):
    simulator.inject_fault("drop", method="POST")
    with pytest.raises(requests.ConnectionError):
        api.call("POST", CONFIGURE, json=VALID)
    assert configs(simulator) == []


def test_drop_after_processes(api, simulator):
    simulator.inject_fault("drop_after", method="POST")
    with pytest.raises(requests.ConnectionError):
        api.call("POST", CONFIGURE, json=VALID)
    assert len(configs(simulator)) == 1
    log = simulator.requests()
    assert log[-1]["status"] is None and log[-1]["method"] == "POST"


def test_status_after_processes(api, simulator):
    c = api.create()
    simulator.inject_fault("status_after", method="PATCH", status=504)
    r = api.patch(c["id"], {"version": c["version"], "closure_type": "close-by-pushing"})
    assert r.status_code == 504 and r.json()["error"] == "Gateway Timeout"
    stored = configs(simulator)[0]
    assert stored["closure_type"] == "close-by-pushing" and stored["version"] != c["version"]


def test_delay(api, simulator):
    simulator.inject_fault("delay", seconds=1.0)
    with pytest.raises(requests.Timeout):
        api.session.get(api.url(CONFIGURE), auth=api.auth, timeout=0.3)
    deadline = time.monotonic() + 3  # the server still answers it later: wait, so no later test sees it
    while not simulator.requests() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert simulator.requests()[0]["status"] == 200
    simulator.inject_fault("delay", seconds=0.4)
    t = time.monotonic()
    assert api.call("GET", CONFIGURE).status_code == 200
    assert time.monotonic() - t >= 0.35


def test_html_and_bad_json(api, simulator):
    simulator.inject_fault("html")
    r = api.call("GET", CONFIGURE)
    assert r.status_code == 502 and r.headers["Content-Type"].startswith("text/html")
    assert "<html>" in r.text
    simulator.inject_fault("bad_json")
    r = api.call("GET", CONFIGURE)
    assert r.status_code == 200
    with pytest.raises(ValueError):
        r.json()


def test_missing_version(api, simulator):
    api.create()
    simulator.inject_fault("missing_version", method="GET")
    listed = api.call("GET", CONFIGURE).json()
    assert len(listed) == 1 and "version" not in listed[0]
    simulator.inject_fault("missing_version", method="POST")
    created = api.call("POST", CONFIGURE, json=VALID).json()
    assert "version" not in created and created["owner"] == "cases"


def test_concurrent_write_fault(api, simulator):
    c = api.create()
    simulator.inject_fault("concurrent_write", method="PATCH",
                           changes={"closure_type": "close-by-pushing"})
    r = api.patch(c["id"], {"version": c["version"]})
    assert r.status_code == 409
    stored = configs(simulator)[0]
    assert stored["closure_type"] == "close-by-pushing"
    assert stored["updated_by"]["username"] == control.CONCURRENT_WRITER
    assert api.patch(c["id"], {"version": stored["version"]}).status_code == 200


def test_request_log_without_credentials(api, simulator):
    simulator.add_space("team-a", "Team A")
    api.call("GET", CONFIGURE, space="team-a", params={"owner": ["cases", "observability"]},
             auth=f"ApiKey {control.API_KEY}", xsrf=False)
    api.call("POST", CONFIGURE, json=VALID, auth=f"Bearer {control.BEARER_TOKEN}")
    api.call("POST", CONFIGURE, data="not json", xsrf=False)
    simulator.state()  # control requests are not logged
    log = simulator.requests()
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("GET", "/s/team-a/api/cases/configure", 200),
        ("POST", CONFIGURE, 200),
        ("POST", CONFIGURE, 400),
    ]
    assert log[0]["query"] == {"owner": ["cases", "observability"]}
    assert log[0]["auth_scheme"] == "ApiKey" and log[0]["body"] is None and log[0]["xsrf"] is False
    assert log[1]["auth_scheme"] == "Bearer" and log[1]["body"] == VALID and log[1]["xsrf"] is True
    assert log[2]["auth_scheme"] == "Basic" and log[2]["body"] == "not json" and log[2]["xsrf"] is False
    text = repr(log)
    for secret in (control.API_KEY, control.BEARER_TOKEN, control.ADMIN_PASSWORD, "ZWxhc3RpYzpjaGFuZ2VtZQ=="):
        assert secret not in text
    simulator.clear_requests()
    assert simulator.requests() == []


def test_reset_restores_seed(api, simulator):
    simulator.add_space("x", "X")
    simulator.set_kibana_version("8.15.0")
    simulator.inject_fault("status", status=500, count=5)
    api.call("GET", CONFIGURE)
    simulator.reset()
    st = simulator.state()
    assert [s["id"] for s in st["spaces"]] == ["default"]
    assert st["kibana_version"] == "9.1.0" and st["faults"] == [] and st["configurations"] == []
    assert simulator.requests() == []
    assert api.call("GET", CONFIGURE).status_code == 200
