"""The simulator against the contract (/work/shared/kibana-cases-api.md), over real HTTP."""

import base64
import json

import pytest

from kibana_simulator import control

NONE_CONNECTOR = {"id": "none", "name": "none", "type": ".none", "fields": None}

SPACES = [None, "team-a"]  # None: default space as /api/...; "team-a": /s/team-a/api/...


def err(status, message):
    reasons = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               409: "Conflict"}
    return {"statusCode": status, "error": reasons[status], "message": message}


def decoded_version(v):
    return json.loads(base64.b64decode(v))


@pytest.fixture
def team_space(simulator):
    simulator.add_space("team-a", "Team A")


# ---------------------------------------------------------------- paths in both spaces

@pytest.mark.parametrize("space", SPACES)
def test_create_get_patch_in_space(api, team_space, space):
    created = api.create(space=space)
    assert set(created) == {"id", "version", "owner", "closure_type", "connector", "customFields",
                            "templates", "observableTypes", "mappings", "error", "created_at",
                            "created_by", "updated_at", "updated_by"}
    assert created["created_by"] == {"email": control.ADMIN_EMAIL, "full_name": control.ADMIN_FULL_NAME,
                                     "username": control.ADMIN_USER}
    assert created["updated_at"] is None and created["updated_by"] is None
    assert created["mappings"] == [] and created["error"] is None
    assert created["created_at"].endswith("Z")
    seq, term = decoded_version(created["version"])
    assert term == 1

    r = api.call("GET", "/api/cases/configure", space=space, params={"owner": "cases"})
    assert r.status_code == 200 and r.json() == [created]
    other = "team-a" if space is None else None
    assert api.call("GET", "/api/cases/configure", space=other).json() == []

    r = api.patch(created["id"], {"version": created["version"], "closure_type": "close-by-pushing"},
                  space=space)
    assert r.status_code == 200, r.text
    patched = r.json()
    assert patched["closure_type"] == "close-by-pushing"
    assert patched["updated_by"]["username"] == control.ADMIN_USER and patched["updated_at"]
    assert decoded_version(patched["version"])[0] > seq


@pytest.mark.parametrize("space", SPACES)
def test_connectors_both_shapes_and_spaces(api, simulator, team_space, space):
    sid = space or "default"
    simulator.add_connector(sid, "jira-1", "Jira", ".jira", config={"apiUrl": "https://jira"})
    simulator.add_connector(sid, "slack-1", "Slack", ".slack")
    simulator.add_connector(sid, "hive-1", "Hive", ".thehive", isDeprecated=True)
    other = "team-a" if space is None else "default"
    simulator.add_connector(other, "sn-other", "Other space", ".servicenow")
    found = api.call("GET", "/api/cases/configure/connectors/_find", space=space).json()
    assert sorted(c["id"] for c in found) == ["hive-1", "jira-1"]
    jira = next(c for c in found if c["id"] == "jira-1")
    assert jira == {"id": "jira-1", "actionTypeId": ".jira", "name": "Jira", "isPreconfigured": False,
                    "isDeprecated": False, "isSystemAction": False, "referencedByCount": 0,
                    "isConnectorTypeDeprecated": False, "config": {"apiUrl": "https://jira"},
                    "isMissingSecrets": False}
    all_ = api.call("GET", "/api/actions/connectors", space=space).json()
    assert sorted(c["id"] for c in all_) == ["hive-1", "jira-1", "slack-1"]
    slack = next(c for c in all_ if c["id"] == "slack-1")
    assert slack == {"id": "slack-1", "name": "Slack", "connector_type_id": ".slack",
                     "is_preconfigured": False, "is_deprecated": False, "is_system_action": False,
                     "referenced_by_count": 0, "config": {}, "is_missing_secrets": False}


@pytest.mark.parametrize("space", SPACES)
def test_spaces_and_status(api, team_space, space):
    spaces = api.call("GET", "/api/spaces/space", space=space).json()
    assert [s["id"] for s in spaces] == ["default", "team-a"]
    assert spaces[0]["name"] == "Default" and spaces[1] == {"id": "team-a", "name": "Team A",
                                                            "disabledFeatures": []}
    status = api.call("GET", "/api/status", space=space).json()
    assert status == {"name": "kibana-sim", "version": {"number": "9.1.0", "build_flavor": "default"},
                      "status": {"overall": {"level": "available"}}}


def test_unknown_space_and_unknown_path(api):
    r = api.call("GET", "/api/cases/configure", space="nope")
    assert r.status_code == 404 and r.json() == err(404, "Saved object [space/nope] not found")
    for path in ("/api/nothing", "/s/default/_sim/state"):
        r = api.call("GET", path)
        assert r.status_code == 404
        assert r.json() == {"statusCode": 404, "error": "Not Found", "message": "Not Found"}
    assert api.call("DELETE", "/api/cases/configure").status_code == 404


# ---------------------------------------------------------------- replace, versions, conflicts

def test_post_replaces_configuration_of_the_owner(api):
    first = api.create()
    keep = api.create(owner="securitySolution")
    second = api.create(closure_type="close-by-pushing")
    assert second["id"] != first["id"]
    r = api.patch(first["id"], {"version": first["version"]})
    assert r.status_code == 404
    assert r.json() == err(404, f"Saved object [cases-configure/{first['id']}] not found")
    listed = api.call("GET", "/api/cases/configure").json()
    assert [c["id"] for c in listed] == [second["id"], keep["id"]]  # newest first
    both = api.call("GET", "/api/cases/configure?owner=cases&owner=securitySolution").json()
    assert len(both) == 2


def test_noop_patch_bumps_version_and_stale_version_conflicts(api):
    c = api.create()
    r1 = api.patch(c["id"], {"version": c["version"]})
    assert r1.status_code == 200
    v1 = r1.json()["version"]
    assert v1 != c["version"] and r1.json()["updated_at"] is not None
    r2 = api.patch(c["id"], {"version": c["version"], "closure_type": "close-by-pushing"})
    assert r2.status_code == 409
    assert r2.json() == err(409, "This configuration has been updated. Please refresh before saving "
                                 "additional updates.")
    assert api.patch(c["id"], {"version": v1}).status_code == 200


def test_cross_space_patch_is_404(api, team_space):
    c = api.create(space="team-a")
    r = api.patch(c["id"], {"version": c["version"]})
    assert r.status_code == 404
    assert r.json() == err(404, f"Saved object [cases-configure/{c['id']}] not found")


def test_jira_mappings_and_mapping_error(api, simulator):
    simulator.add_connector("default", "jira-1", "Jira", ".jira", mapping_error="Jira is broken")
    conn = {"id": "jira-1", "name": "Jira", "type": ".jira",
            "fields": {"issueType": None, "priority": None, "parent": None}}
    c = api.create(connector=conn)
    assert c["mappings"] == [
        {"action_type": "overwrite", "source": "title", "target": "summary"},
        {"action_type": "overwrite", "source": "description", "target": "description"},
        {"action_type": "overwrite", "source": "tags", "target": "labels"},
        {"action_type": "append", "source": "comments", "target": "comments"},
    ]
    assert c["error"] == "Jira is broken"
    assert c["connector"] == conn


def test_concurrent_writer_control(api, simulator):
    c = api.create()
    w = simulator.write_configuration("default", "cases", {"closure_type": "close-by-pushing"})
    assert w["id"] == c["id"] and w["version"] != c["version"]
    assert w["updated_by"]["username"] == control.CONCURRENT_WRITER
    assert api.patch(c["id"], {"version": c["version"]}).status_code == 409


# ---------------------------------------------------------------- 400s

VALID = {"owner": "cases", "closure_type": "close-by-user", "connector": NONE_CONNECTOR}


def cf(key="k1", label="Label", type="text", required=False, **extra):
    d = {"key": key, "label": label, "type": type, "required": required}
    d.update(extra)
    return d


@pytest.mark.parametrize("change,message", [
    ({"closure_type": "x"}, 'Invalid value "x" supplied to "closure_type"'),
    ({"closure_type": None}, 'Invalid value "null" supplied to "closure_type"'),
    ({"notExist": 1}, 'invalid keys "notExist"'),
    ({"connector": {**NONE_CONNECTOR, "type": "x"}}, 'Invalid value "x" supplied to "connector,type"'),
    ({"connector": {"id": "s", "name": "s", "type": ".swimlane", "fields": {"caseId": None, "x": 1}}},
     'invalid keys "connector.fields.x"'),
    ({"customFields": [cf(key="k1"), cf(key="k1"), cf(key="k2"), cf(key="k2")]},
     "Invalid duplicated customFields keys in request: k1,k2"),
    ({"customFields": [cf(key=f"k{i}") for i in range(11)]},
     "The length of the field customFields is too long. Array must be of length <= 10."),
    ({"customFields": [cf(key="BAD")]}, "Key must be lower case, a-z, 0-9, '_', and '-' are allowed"
     ',Invalid value "text" supplied to "customFields,type"'),
    ({"customFields": [cf(label="  ")]}, "The label field cannot be an empty string."
     ',Invalid value "text" supplied to "customFields,type"'),
    ({"customFields": [cf(label="x" * 51)]}, "The length of the label is too long. The maximum length is 50."
     ',Invalid value "text" supplied to "customFields,type"'),
    ({"customFields": [cf(type="toggle", defaultValue=False), cf(key="n", type="number", defaultValue=1.5)]},
     'Invalid value "number" supplied to "customFields,type",'
     'Invalid value "1.5" supplied to "customFields,defaultValue",'
     "The defaultValue field should be an integer between -(2^53 - 1) and 2^53 - 1, inclusive."),
    ({"templates": [{"key": "t", "name": "T"}, {"key": "t", "name": "T2"}]},
     "Invalid duplicated templates keys in request: t"),
    ({"templates": [{"key": "t", "name": "x" * 51}]},
     "The length of the name is too long. The maximum length is 50."),
    ({"templates": [{"key": "t", "name": "T", "tags": ["a"] * 11}]},
     "The length of the field template's tags is too long. Array must be of length <= 10."),
    ({"templates": [{"key": "t", "name": "T",
                     "caseFields": {"customFields": [{"key": "k1", "type": "text", "value": "v"}]}}]},
     "No custom fields configured."),
    ({"customFields": [cf()], "templates": [{"key": "t", "name": "T", "caseFields": {
        "customFields": [{"key": "zz", "type": "text", "value": "v"}]}}]},
     "Invalid custom field keys: zz"),
    ({"customFields": [cf()], "templates": [{"key": "t", "name": "T", "caseFields": {
        "customFields": [{"key": "k1", "type": "toggle", "value": True}]}}]},
     'The following custom fields have the wrong type in the request: "Label"'),
    ({"observableTypes": [{"key": "a", "label": "Thing"}, {"key": "b", "label": "thing"}]},
     "Invalid duplicated observable types in request: thing"),
    ({"observableTypes": [{"key": f"o{i}", "label": f"L{i}"} for i in range(11)]},
     "The length of the field observableTypes is too long. Array must be of length <= 10."),
])
def test_post_400_messages(api, change, message):
    body = {**VALID, **change}
    r = api.call("POST", "/api/cases/configure", json=body)
    assert r.status_code == 400, r.text
    assert r.json() == err(400, message)


@pytest.mark.parametrize("connector,first", [
    ({"id": "none", "name": "none", "type": ".none"}, 'Invalid value "undefined" supplied to "connector,fields"'),
    ({**NONE_CONNECTOR, "fields": {}}, 'Invalid value "{}" supplied to "connector,fields"'),
    ({"id": "j", "name": "j", "type": ".jira", "fields": {"issueType": 1, "priority": None, "parent": None}},
     'Invalid value "1" supplied to "connector,fields,issueType"'),
])
def test_connector_union_errors(api, connector, first):
    # io-ts reports the failures of every member of the connector union
    r = api.call("POST", "/api/cases/configure", json={**VALID, "connector": connector})
    assert r.status_code == 400
    parts = r.json()["message"].split(',Invalid value')
    assert first in r.json()["message"]
    assert len(parts) == len(set(parts))  # no duplicates
    assert f'Invalid value "{connector["type"]}" supplied to "connector,type"' in r.json()["message"]


def test_post_missing_fields_and_bad_json(api):
    r = api.call("POST", "/api/cases/configure", json={"owner": "cases", "connector": NONE_CONNECTOR})
    assert r.json() == err(400, 'Invalid value "undefined" supplied to "closure_type"')
    r = api.call("POST", "/api/cases/configure", data="{not json",
                 headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json() == err(400, "Invalid request payload JSON format")


def test_patch_400s_in_contract_order(api):
    c = api.create(customFields=[cf(key="k1", label="Lbl", type="text")])
    r = api.patch(c["id"], {"version": c["version"], "owner": "cases"})
    assert r.json() == err(400, 'invalid keys "owner"')
    r = api.patch(c["id"], {"closure_type": "close-by-user"})
    assert r.json() == err(400, 'Invalid value "undefined" supplied to "version"')
    # duplicates are checked before the saved object is loaded
    r = api.patch("missing-id", {"version": "x", "customFields": [cf(), cf()]})
    assert r.json() == err(400, "Invalid duplicated customFields keys in request: k1")
    r = api.patch(c["id"], {"version": c["version"],
                            "customFields": [cf(key="k1", label="Lbl", type="toggle")]})
    assert r.json() == err(400, 'Invalid custom field types in request for the following labels: "Lbl"')
    # type change is checked before the version (stale version still gives 400)
    r = api.patch(c["id"], {"version": "stale",
                            "customFields": [cf(key="k1", label="Lbl", type="toggle")]})
    assert r.status_code == 400
    # templates are checked against the request's custom fields (Kibana's update() uses only those)
    k1 = [cf(key="k1", label="Lbl", type="text")]
    tpl = [{"key": "t", "name": "T",
            "caseFields": {"customFields": [{"key": "k1", "type": "toggle", "value": None}]}}]
    r = api.patch(c["id"], {"version": c["version"], "customFields": k1, "templates": tpl})
    assert r.json() == err(400, 'The following custom fields have the wrong type in the request: "Lbl"')
    tpl[0]["caseFields"]["customFields"][0].update(type="text", value="hello")
    r = api.patch(c["id"], {"version": c["version"], "customFields": k1, "templates": tpl})
    assert r.status_code == 200, r.text
    assert r.json()["templates"] == tpl


def test_patch_rebuilds_templates_from_the_request_like_kibana(api):
    fields = [cf(key="k1", label="Text", type="text"), cf(key="k2", label="Toggle", type="toggle"),
              dict(cf(key="k3", label="Num", type="number"), defaultValue=7)]
    c = api.create(customFields=fields)
    tpl = [{"key": "t", "name": "T", "caseFields": {"customFields": [{"key": "k1", "type": "text", "value": "v"}]}}]
    r = api.patch(c["id"], {"version": c["version"], "customFields": fields, "templates": tpl})
    assert r.json()["templates"][0]["caseFields"]["customFields"] == [
        {"key": "k1", "type": "text", "value": "v"}, {"key": "k2", "type": "toggle", "value": False},
        {"key": "k3", "type": "number", "value": 7}]
    # templates without customFields in the request lose their values
    r = api.patch(c["id"], {"version": r.json()["version"], "templates": tpl})
    assert r.json()["templates"][0]["caseFields"]["customFields"] == []
    # a PATCH without templates stores none
    r = api.patch(c["id"], {"version": r.json()["version"], "closure_type": "close-by-pushing"})
    assert r.status_code == 200 and r.json()["templates"] == []


def test_get_unknown_query_key(api):
    r = api.call("GET", "/api/cases/configure", params={"owner": "cases", "foo": "1"})
    assert r.status_code == 400 and r.json() == err(400, 'invalid keys "foo"')


def test_xsrf_required_after_authentication(api):
    r = api.call("POST", "/api/cases/configure", json=VALID, xsrf=False)
    assert r.status_code == 400 and r.json() == err(400, "Request must contain a kbn-xsrf header.")
    r = api.call("POST", "/api/cases/configure", json=VALID, xsrf=False, auth=None)
    assert r.status_code == 401
    assert api.call("GET", "/api/cases/configure", xsrf=False).status_code == 200


# ---------------------------------------------------------------- auth

UNAUTH = {"statusCode": 401, "error": "Unauthorized", "message": "Unauthorized"}


@pytest.mark.parametrize("auth", [None, ("elastic", "wrong"), "ApiKey nope", "Bearer nope", "Basic !!!"])
def test_401(api, auth):
    r = api.call("GET", "/api/cases/configure", auth=auth)
    assert r.status_code == 401 and r.json() == UNAUTH


@pytest.mark.parametrize("auth,username", [
    (f"ApiKey {control.API_KEY}", control.API_KEY_USER),
    (f"Bearer {control.BEARER_TOKEN}", control.BEARER_USER),
    ((control.ADMIN_USER, control.ADMIN_PASSWORD), control.ADMIN_USER),
])
def test_auth_schemes(api, auth, username):
    r = api.call("POST", "/api/cases/configure", json=VALID, auth=auth)
    assert r.status_code == 200 and r.json()["created_by"]["username"] == username


def test_403_per_method(api):
    viewer = (control.VIEWER_USER, control.VIEWER_PASSWORD)
    cases_only = (control.CASES_ONLY_USER, control.CASES_ONLY_PASSWORD)
    r = api.call("POST", "/api/cases/configure", json=VALID, auth=viewer)
    assert r.json() == err(403, 'Unauthorized to create case configuration with owners: "cases"')
    c = api.create()
    s = api.create(owner="securitySolution")
    r = api.patch(c["id"], {"version": c["version"]}, auth=viewer)
    assert r.json() == err(403, 'Unauthorized to update case configuration with owners: "cases"')
    # 403 comes before the version check
    r = api.patch(s["id"], {"version": "stale"}, auth=cases_only)
    assert r.json() == err(403, 'Unauthorized to update case configuration with owners: "securitySolution"')
    r = api.call("GET", "/api/cases/configure", params={"owner": "securitySolution"}, auth=cases_only)
    assert r.json() == err(403, 'Unauthorized to access case configurations with owners: "securitySolution"')
    r = api.call("GET", "/api/cases/configure", auth=cases_only)
    assert [x["owner"] for x in r.json()] == ["cases"]
    assert len(api.call("GET", "/api/cases/configure", auth=viewer).json()) == 2
    r = api.call("POST", "/api/cases/configure", json={**VALID, "owner": "madeUp"})
    assert r.json() == err(403, 'Unauthorized to create case configuration with owners: "madeUp"')


# ---------------------------------------------------------------- version gating

def test_version_gating(api, simulator):
    simulator.set_kibana_version("8.14.0")
    r = api.call("POST", "/api/cases/configure", json={**VALID, "templates": []})
    assert r.json() == err(400, 'invalid keys "templates"')
    r = api.call("POST", "/api/cases/configure", json={**VALID, "customFields": [cf(type="number")]})
    assert r.status_code == 400
    assert 'Invalid value "number" supplied to "customFields,type"' in r.json()["message"]
    r = api.call("POST", "/api/cases/configure",
                 json={**VALID, "connector": {"id": "h", "name": "h", "type": ".thehive", "fields": None}})
    assert r.json() == err(400, 'Invalid value ".thehive" supplied to "connector,type"')
    c = api.create()
    assert "templates" not in c and "observableTypes" not in c and "customFields" in c
    assert api.call("GET", "/api/status").json()["version"]["number"] == "8.14.0"
    simulator.set_kibana_version("8.17.0")
    r = api.call("POST", "/api/cases/configure", json={**VALID, "observableTypes": []})
    assert r.json() == err(400, 'invalid keys "observableTypes"')
    c = api.create(customFields=[cf(type="number", defaultValue=3)], templates=[])
    assert "templates" in c and "observableTypes" not in c
    simulator.set_kibana_version("8.18.0")
    assert "observableTypes" in api.create(observableTypes=[{"key": "o", "label": "Obs"}])
