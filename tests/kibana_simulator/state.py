"""Simulator state: spaces, connectors, principals, configurations, versions, faults, log.

All access goes through one lock (`State.lock`); callers hold it while reading or
writing anything in here.
"""

from __future__ import annotations

import base64
import copy
import datetime
import threading
import uuid

from .validation import OWNERS

DEFAULT_KIBANA_VERSION = "9.1.0"

DEFAULT_SPACE = {
    "id": "default",
    "name": "Default",
    "description": "This is your default space!",
    "color": "#00bfb3",
    "disabledFeatures": [],
    "_reserved": True,
}

ALL_OWNERS = {"*": "all"}
DEFAULT_PRINCIPALS = [
    {"username": "elastic", "password": "changeme", "full_name": "Elastic Admin",
     "email": "elastic@example.com", "privileges": ALL_OWNERS},
    {"username": "sim-api-key-owner", "api_key": "c2ltLWFwaS1rZXk=", "full_name": None,
     "email": None, "privileges": ALL_OWNERS},
    {"username": "sim-bearer-user", "bearer_token": "sim-bearer-token", "full_name": None,
     "email": None, "privileges": ALL_OWNERS},
    {"username": "viewer", "password": "viewerpass", "full_name": "Read Only",
     "email": "viewer@example.com", "privileges": {"*": "read"}},
    {"username": "cases_only", "password": "casespass", "full_name": "Cases Only",
     "email": "cases_only@example.com", "privileges": {"cases": "all"}},
]

CASES_CONNECTOR_TYPES = (".cases-webhook", ".jira", ".resilient", ".servicenow",
                         ".servicenow-sir", ".swimlane", ".thehive")

CONCURRENT_WRITER = {"email": None, "full_name": None, "username": "concurrent-writer"}


def _m(source, target, action="overwrite"):
    return {"action_type": action, "source": source, "target": target}


# server/connectors/*/mapping.ts (jira per the contract; the others as Kibana's defaults
# recalled, not looked up)
MAPPINGS = {
    ".none": [],
    ".jira": [_m("title", "summary"), _m("description", "description"),
              _m("tags", "labels"), _m("comments", "comments", "append")],
    ".servicenow": [_m("title", "short_description"), _m("description", "description"),
                    _m("comments", "work_notes", "append")],
    ".servicenow-sir": [_m("title", "short_description"), _m("description", "description"),
                        _m("comments", "work_notes", "append")],
    ".resilient": [_m("title", "name"), _m("description", "description"),
                   _m("comments", "comments", "append")],
    ".swimlane": [_m("title", "caseName"), _m("description", "description"),
                  _m("comments", "comments", "append")],
    ".cases-webhook": [_m("title", "title"), _m("description", "description"),
                       _m("tags", "tags"), _m("comments", "comments", "append")],
    ".thehive": [_m("title", "title"), _m("description", "description"),
                 _m("tags", "tags"), _m("comments", "comments", "append")],
}

NONE_CONNECTOR = {"id": "none", "name": "none", "type": ".none", "fields": None}


def now_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def encode_version(seq_no: int, primary_term: int = 1) -> str:
    return base64.b64encode(f"[{seq_no},{primary_term}]".encode()).decode()


class State:
    def __init__(self, seed: dict | None = None, kibana_version: str | None = None):
        self.lock = threading.RLock()
        self.seed = copy.deepcopy(seed or {})
        self.cli_version = kibana_version
        self.reset()

    # ------------------------------------------------------------------ lifecycle
    def reset(self):
        with self.lock:
            seed = copy.deepcopy(self.seed)
            self.kibana_version = (self.cli_version or seed.get("kibana_version")
                                   or DEFAULT_KIBANA_VERSION)
            self.spaces = {}
            for sp in seed.get("spaces") or [dict(DEFAULT_SPACE)]:
                self.add_space(sp)
            if "default" not in self.spaces:
                self.add_space(dict(DEFAULT_SPACE))
            self.connectors = []
            for c in seed.get("connectors") or []:
                self.add_connector(c)
            self.principals = copy.deepcopy(seed.get("principals") or DEFAULT_PRINCIPALS)
            self.configurations = {}  # id -> record
            self.seq_no = 0
            self.faults = []
            self.requests = []
            self.created_counter = 0

    # ------------------------------------------------------------------ spaces/connectors
    def add_space(self, sp: dict):
        if not isinstance(sp, dict) or not isinstance(sp.get("id"), str) or not sp.get("id"):
            raise ValueError("space needs an id")
        space = {"id": sp["id"], "name": sp.get("name", sp["id"])}
        for k in ("description", "color", "initials", "imageUrl", "_reserved"):
            if k in sp:
                space[k] = sp[k]
        space["disabledFeatures"] = list(sp.get("disabledFeatures") or sp.get("disabled_features") or [])
        self.spaces[space["id"]] = space
        return space

    def add_connector(self, c: dict):
        for k in ("id", "name", "actionTypeId"):
            if not isinstance(c.get(k), str):
                raise ValueError(f"connector needs {k}")
        conn = {
            "space_id": c.get("space_id", "default"),
            "id": c["id"], "name": c["name"], "actionTypeId": c["actionTypeId"],
            "isPreconfigured": bool(c.get("isPreconfigured", False)),
            "isDeprecated": bool(c.get("isDeprecated", False)),
            "isSystemAction": bool(c.get("isSystemAction", False)),
            "referencedByCount": int(c.get("referencedByCount", 0)),
            "isConnectorTypeDeprecated": bool(c.get("isConnectorTypeDeprecated", False)),
            "isMissingSecrets": bool(c.get("isMissingSecrets", False)),
            "config": c.get("config", {}),
            "mapping_error": c.get("mapping_error"),
        }
        self.connectors = [x for x in self.connectors
                           if not (x["id"] == conn["id"] and x["space_id"] == conn["space_id"])]
        self.connectors.append(conn)
        return conn

    def connectors_in(self, space_id):
        # preconfigured connectors are visible in every space, as in Kibana
        return [c for c in self.connectors if c["space_id"] == space_id or c["isPreconfigured"]]

    @staticmethod
    def connector_camel(c):
        out = {k: c[k] for k in ("id", "actionTypeId", "name", "isPreconfigured", "isDeprecated",
                                 "isSystemAction", "referencedByCount", "isConnectorTypeDeprecated")}
        if not c["isPreconfigured"]:
            out["config"] = c["config"]
            out["isMissingSecrets"] = c["isMissingSecrets"]
        return out

    @staticmethod
    def connector_snake(c):
        out = {"id": c["id"], "name": c["name"], "connector_type_id": c["actionTypeId"],
               "is_preconfigured": c["isPreconfigured"], "is_deprecated": c["isDeprecated"],
               "is_system_action": c["isSystemAction"], "referenced_by_count": c["referencedByCount"]}
        if not c["isPreconfigured"]:
            out["config"] = c["config"]
            out["is_missing_secrets"] = c["isMissingSecrets"]
        return out

    # ------------------------------------------------------------------ principals
    def authenticate(self, header: str | None):
        """-> (principal or None, scheme or None)."""
        if not header or " " not in header:
            return None, None
        scheme, _space, cred = header.partition(" ")
        cred = cred.strip()
        low = scheme.lower()
        if low == "basic":
            try:
                user, _colon, pw = base64.b64decode(cred, validate=True).decode().partition(":")
            except Exception:
                return None, "Basic"
            for p in self.principals:
                if p.get("username") == user and p.get("password") is not None and p.get("password") == pw:
                    return p, "Basic"
            return None, "Basic"
        if low == "apikey":
            return next((p for p in self.principals if p.get("api_key") and p["api_key"] == cred), None), "ApiKey"
        if low == "bearer":
            return next((p for p in self.principals
                         if p.get("bearer_token") and p["bearer_token"] == cred), None), "Bearer"
        return None, None

    @staticmethod
    def privilege(principal, owner):
        if owner not in OWNERS:
            return None
        privs = principal.get("privileges") or {}
        return privs.get(owner, privs.get("*"))

    def can_read(self, principal, owner):
        return self.privilege(principal, owner) in ("read", "all")

    def can_write(self, principal, owner):
        return self.privilege(principal, owner) == "all"

    @staticmethod
    def user_of(principal):
        return {"email": principal.get("email"), "full_name": principal.get("full_name"),
                "username": principal.get("username")}

    # ------------------------------------------------------------------ configurations
    def features(self):
        from .validation import Features
        return Features(self.kibana_version)

    def next_version(self):
        self.seq_no += 1
        return encode_version(self.seq_no)

    def configs_in(self, space_id, owners=None):
        recs = [r for r in self.configurations.values()
                if r["space_id"] == space_id and (owners is None or r["owner"] in owners)]
        return sorted(recs, key=lambda r: (r["created_at"], r["_order"]), reverse=True)

    def find_config(self, space_id, owner):
        recs = self.configs_in(space_id, [owner])
        return recs[0] if recs else None

    def create_config(self, space_id, body, user):
        for rec in self.configs_in(space_id, [body["owner"]]):
            del self.configurations[rec["id"]]
        self.created_counter += 1
        rec = {
            "id": str(uuid.uuid4()),
            "space_id": space_id,
            "_order": self.created_counter,
            "owner": body["owner"],
            "closure_type": body["closure_type"],
            "connector": copy.deepcopy(body["connector"]),
            "customFields": copy.deepcopy(body.get("customFields") or []),
            "templates": copy.deepcopy(body.get("templates") or []),
            "observableTypes": copy.deepcopy(body.get("observableTypes") or []),
            "created_at": now_iso(),
            "created_by": user,
            "updated_at": None,
            "updated_by": None,
            "version": self.next_version(),
        }
        self.configurations[rec["id"]] = rec
        return rec

    def update_config(self, rec, changes, user):
        for k in ("closure_type", "connector", "customFields", "templates", "observableTypes"):
            if k in changes:
                rec[k] = copy.deepcopy(changes[k])
        rec["updated_at"] = now_iso()
        rec["updated_by"] = user
        rec["version"] = self.next_version()
        return rec

    def concurrent_write(self, space_id, owner, changes):
        rec = self.find_config(space_id, owner)
        if rec is None:
            body = {"owner": owner, "closure_type": "close-by-user", "connector": dict(NONE_CONNECTOR)}
            body.update(changes or {})
            rec = self.create_config(space_id, body, dict(CONCURRENT_WRITER))
        return self.update_config(rec, changes or {}, dict(CONCURRENT_WRITER))

    def render(self, rec):
        f = self.features()
        conn = rec["connector"] or NONE_CONNECTOR
        error = None
        for c in self.connectors_in(rec["space_id"]):
            if c["id"] == conn.get("id") and c.get("mapping_error"):
                error = c["mapping_error"]
        out = {
            "id": rec["id"],
            "version": rec["version"],
            "owner": rec["owner"],
            "closure_type": rec["closure_type"],
            "connector": copy.deepcopy(conn),
        }
        if f.custom_fields:
            out["customFields"] = copy.deepcopy(rec["customFields"])
        if f.templates:
            out["templates"] = copy.deepcopy(rec["templates"])
        if f.observable_types:
            out["observableTypes"] = copy.deepcopy(rec["observableTypes"])
        out.update({
            "mappings": copy.deepcopy(MAPPINGS.get(conn.get("type"), [])),
            "error": error,
            "created_at": rec["created_at"],
            "created_by": copy.deepcopy(rec["created_by"]),
            "updated_at": rec["updated_at"],
            "updated_by": copy.deepcopy(rec["updated_by"]),
        })
        return out

    def dump(self):
        return {
            "kibana_version": self.kibana_version,
            "seq_no": self.seq_no,
            "spaces": list(self.spaces.values()),
            "connectors": copy.deepcopy(self.connectors),
            "configurations": [dict(self.render(r), space_id=r["space_id"])
                               for r in sorted(self.configurations.values(), key=lambda r: r["_order"])],
            "faults": copy.deepcopy(self.faults),
            "principals": [p.get("username") for p in self.principals],
        }


def transform_template_custom_fields(templates, custom_fields):
    """Kibana's transformTemplateCustomFields (server/common/utils.ts): each template keeps the values
    of custom fields that still exist and gets the missing ones with the field's default value
    (false for a toggle without one, else null); no custom fields leaves every template with []."""
    if not templates:
        return []
    out = []
    for template in templates:
        template = copy.deepcopy(template)
        case_fields = dict(template.get("caseFields") or {})
        if not custom_fields:
            case_fields["customFields"] = []
        else:
            keys = {field["key"] for field in custom_fields}
            values = [value for value in case_fields.get("customFields") or [] if value["key"] in keys]
            present = {value["key"] for value in values}
            for field in custom_fields:
                if field["key"] not in present:
                    default = field.get("defaultValue")
                    if default is None and field["type"] == "toggle":
                        default = False
                    values.append({"key": field["key"], "type": field["type"], "value": default})
            case_fields["customFields"] = values
        template["caseFields"] = case_fields
        out.append(template)
    return out
