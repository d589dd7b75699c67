"""io-ts style validation of case configuration request bodies.

Mirrors Kibana's runtime types in
x-pack/platform/plugins/shared/cases/common/types/api/configure/v1.ts and the
error formatting of Kibana's `formatErrors` (each failure becomes
`Invalid value "<v>" supplied to "<comma,joined,path>"` unless the codec gives
its own message; numeric path entries (array / union / intersection indexes)
are dropped; duplicates removed; all joined with ",").

Unions report the errors of *every* member when none matches, as io-ts does.
"""

from __future__ import annotations

import json
import math
import re

MISSING = object()  # JS `undefined`

CLOSURE_TYPES = ("close-by-user", "close-by-pushing")
OWNERS = ("cases", "securitySolution", "observability")
SEVERITIES = ("low", "medium", "high", "critical")
KEY_RE = re.compile(r"[a-z0-9_-]+")  # fullmatch: JavaScript's /^...$/ does not match before a final newline
# JavaScript's String.prototype.trim() whitespace (Python's str.strip() differs, e.g. on U+FEFF)
JS_WHITESPACE = ("\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                 "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff")
# common/types/api/configure/v1.ts (regexStringRt message)
KEY_MESSAGE = "Key must be lower case, a-z, 0-9, '_', and '-' are allowed"
MAX_SAFE_INTEGER = 2**53 - 1

# connector type -> {field: kind}; kind: "str", "bool", "num", "strlist"
CONNECTOR_FIELDS = {
    ".none": None,
    ".cases-webhook": None,
    ".jira": {"issueType": "str", "priority": "str", "parent": "str"},
    ".resilient": {"incidentTypes": "strlist", "severityCode": "str"},
    ".servicenow": {"impact": "str", "severity": "str", "urgency": "str",
                    "category": "str", "subcategory": "str"},
    ".servicenow-sir": {"category": "str", "destIp": "bool", "malwareHash": "bool",
                        "malwareUrl": "bool", "priority": "str", "sourceIp": "bool",
                        "subcategory": "str"},
    ".swimlane": {"caseId": "str"},
    ".thehive": {"tlp": "num"},
}
CONNECTOR_TYPE_ORDER = [".cases-webhook", ".jira", ".none", ".resilient", ".servicenow",
                        ".servicenow-sir", ".swimlane", ".thehive"]


def parse_version(number: str) -> tuple:
    parts = []
    for p in str(number).split("-", maxsplit=1)[0].split("."):
        try:
            parts.append(int(p))
        except ValueError:
            parts.append(0)
    while len(parts) < 3:
        parts.append(0)
    return tuple(parts[:3])


class Features:
    """What a given Kibana version accepts (see the contract's "Version notes")."""

    def __init__(self, number: str):
        v = parse_version(number)
        self.custom_fields = v >= (8, 11, 0)
        self.templates = v >= (8, 15, 0)
        self.thehive = v >= (8, 16, 0)
        self.number_fields = v >= (8, 17, 0)
        self.observable_types = v >= (8, 18, 0)

    def connector_types(self):
        return [t for t in CONNECTOR_TYPE_ORDER if t != ".thehive" or self.thehive]

    def custom_field_types(self):
        return ["text", "toggle"] + (["number"] if self.number_fields else [])


class BadRequest(Exception):
    """A 400 with the given message."""


# --------------------------------------------------------------------------- helpers

def js(value) -> str:
    """String conversion as JavaScript's template literals do (objects: JSON.stringify)."""
    if value is MISSING:
        return "undefined"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def inv(value, path) -> str:
    return f'Invalid value "{js(value)}" supplied to "{",".join(path)}"'


def dedupe(errors):
    seen, out = set(), []
    for e in errors:
        if e not in seen:
            seen.add(e)
            out.append(e)
    return out


def js_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def get(obj, key):
    return obj.get(key, MISSING) if isinstance(obj, dict) else MISSING


# --------------------------------------------------------------------------- codecs
# each codec: (value, path) -> list of error strings

def c_string(v, path):
    return [] if isinstance(v, str) else [inv(v, path)]


def c_bool(v, path):
    return [] if isinstance(v, bool) else [inv(v, path)]


def c_number(v, path):
    return [] if is_num(v) else [inv(v, path)]


def c_null(v, path):
    return [] if v is None else [inv(v, path)]


def c_literal(*values):
    def codec(v, path):
        return [] if isinstance(v, str) and v in values else [inv(v, path)]
    return codec


def union(*codecs):
    def codec(v, path):
        errors = []
        for c in codecs:
            e = c(v, path)
            if not e:
                return []
            errors.extend(e)
        return errors
    return codec


def nullable(c):
    return union(c, c_null)


def limited_string(field, mn, mx):
    # common/schema/index.ts limitedStringSchema
    def codec(v, path):
        if not isinstance(v, str):
            return [inv(v, path)]
        n = js_len(v.strip(JS_WHITESPACE))
        if n == 0 and n < mn:
            return [f"The {field} field cannot be an empty string."]
        if n < mn:
            return [f"The length of the {field} is too short. The minimum length is {mn}."]
        if n > mx:
            return [f"The length of the {field} is too long. The maximum length is {mx}."]
        return []
    return codec


def key_string(mx=36):
    base = limited_string("key", 1, mx)

    def codec(v, path):
        e = base(v, path)
        if e:
            return e
        return [] if KEY_RE.fullmatch(v) else [KEY_MESSAGE]
    return codec


def limited_array(item, field, mn, mx):
    # common/schema/index.ts limitedArraySchema
    def codec(v, path):
        if not isinstance(v, list):
            return [inv(v, path)]
        errors = []
        for el in v:
            errors.extend(item(el, path))  # the index is dropped from the path
        if errors:
            return errors
        if len(v) < mn:
            return [f"The length of the field {field} is too short. Array must be of length >= {mn}."]
        if len(v) > mx:
            return [f"The length of the field {field} is too long. Array must be of length <= {mx}."]
        return []
    return codec


def array(item):
    def codec(v, path):
        if not isinstance(v, list):
            return [inv(v, path)]
        errors = []
        for el in v:
            errors.extend(item(el, path))
        return errors
    return codec


def obj(required=(), optional=()):
    """rt.strict / rt.exact(rt.partial): required and optional (name, codec) pairs."""
    def codec(v, path):
        if not isinstance(v, dict):
            return [inv(v, path)]
        errors = []
        for name, c in required:
            errors.extend(c(v.get(name, MISSING), path + [name]))
        for name, c in optional:
            if name in v:
                errors.extend(c(v[name], path + [name]))
        return errors
    return codec


def safe_integer(field):
    # common/types/api/custom_field/v1.ts CaseCustomFieldNumberWithValidationValueRt
    def codec(v, path):
        if not is_num(v):
            return [inv(v, path)]
        if not (float(v).is_integer() and -MAX_SAFE_INTEGER <= v <= MAX_SAFE_INTEGER):
            return [f"The {field} field should be an integer between -(2^53 - 1) and 2^53 - 1, inclusive."]
        return []
    return codec


# --------------------------------------------------------------------------- domain codecs

def connector_codec(features: Features):
    kinds = {"str": nullable(c_string), "bool": nullable(c_bool), "num": nullable(c_number),
             "strlist": nullable(array(c_string))}
    members = []
    for t in features.connector_types():
        spec = CONNECTOR_FIELDS[t]
        if spec is None:
            fields = c_null
        else:
            fields = nullable(obj(required=[(k, kinds[kind]) for k, kind in spec.items()]))
        members.append(obj(required=[("type", c_literal(t)), ("fields", fields)]))
    typed = union(*members)
    base = obj(required=[("id", c_string), ("name", c_string)])

    def codec(v, path):
        if not isinstance(v, dict):
            return [inv(v, path)]
        return base(v, path) + typed(v, path)
    return codec


def custom_field_config_codec(features: Features):
    common = [("key", key_string(36)), ("label", limited_string("label", 1, 50)),
              ("required", c_bool)]
    default_value = {
        "text": nullable(limited_string("defaultValue", 1, 160)),
        "toggle": nullable(c_bool),
        "number": nullable(safe_integer("defaultValue")),
    }
    members = [obj(required=[("type", c_literal(t))] + common,
                   optional=[("defaultValue", default_value[t])])
               for t in features.custom_field_types()]
    return union(*members)


def case_custom_field_codec(features: Features):
    value = {
        "text": nullable(limited_string("value", 1, 160)),
        "toggle": nullable(c_bool),
        "number": nullable(safe_integer("value")),
    }
    return union(*[obj(required=[("key", c_string), ("type", c_literal(t)), ("value", value[t])])
                   for t in features.custom_field_types()])


def case_fields_codec(features: Features):
    # common/types/api/case/v1.ts CaseBaseOptionalFieldsRequestRt
    return obj(optional=[
        ("title", limited_string("title", 1, 160)),
        ("description", limited_string("description", 1, 30000)),
        ("tags", limited_array(limited_string("tag", 1, 256), "tags", 0, 200)),
        ("severity", c_literal(*SEVERITIES)),
        ("assignees", limited_array(obj(required=[("uid", c_string)]), "assignees", 0, 10)),
        ("category", nullable(limited_string("category", 1, 50))),
        ("customFields", limited_array(case_custom_field_codec(features), "customFields", 0, 10)),
        ("settings", obj(required=[("syncAlerts", c_bool)])),
        ("connector", connector_codec(features)),
    ])


def template_codec(features: Features):
    # caseFields is optional here: the contract lists it as `caseFields?`
    return obj(
        required=[("key", key_string(36)), ("name", limited_string("name", 1, 50))],
        optional=[
            ("caseFields", nullable(case_fields_codec(features))),
            ("description", limited_string("description", 0, 1000)),
            ("tags", limited_array(limited_string("template's tag", 1, 50), "template's tags", 0, 10)),
        ])


def observable_type_codec():
    return obj(required=[("key", key_string(36)), ("label", limited_string("label", 1, 50))])


def optional_props(features: Features):
    props = []
    if features.custom_fields:
        props.append(("customFields", limited_array(custom_field_config_codec(features),
                                                    "customFields", 0, 10)))
    if features.templates:
        props.append(("templates", limited_array(template_codec(features), "templates", 0, 10)))
    if features.observable_types:
        props.append(("observableTypes", limited_array(observable_type_codec(),
                                                       "observableTypes", 0, 10)))
    return props


# --------------------------------------------------------------------------- excess keys

def _excess_connector(conn, prefix, features):
    if not isinstance(conn, dict):
        return []
    out = [f"{prefix}{k}" for k in conn if k not in ("id", "name", "type", "fields")]
    spec = CONNECTOR_FIELDS.get(conn.get("type")) if conn.get("type") in features.connector_types() else None
    fields = conn.get("fields")
    if spec is not None and isinstance(fields, dict):
        out += [f"{prefix}fields.{k}" for k in fields if k not in spec]
    return out


def excess_keys(body, allowed, features):
    """Unknown keys: top level, and (per the contract: strict) inside `connector`."""
    out = [k for k in body if k not in allowed]
    if "connector" in allowed and "connector" in body:
        out += _excess_connector(body["connector"], "connector.", features)
    return out


def _decode(body, required, optional, features):
    if not isinstance(body, dict):
        raise BadRequest(inv(body, []))
    allowed = [name for name, _codec in required] + [name for name, _codec in optional]
    extra = excess_keys(body, allowed, features)
    if extra:
        # common/schema excess(): invalid keys are reported before any value check
        raise BadRequest(f'invalid keys "{",".join(extra)}"')
    errors = obj(required=required, optional=optional)(body, [])
    if errors:
        raise BadRequest(",".join(dedupe(errors)))
    return body


def decode_post(body, features: Features):
    required = [("connector", connector_codec(features)),
                ("closure_type", c_literal(*CLOSURE_TYPES)),
                ("owner", c_string)]
    return _decode(body, required, optional_props(features), features)


def decode_patch(body, features: Features):
    optional = [("closure_type", c_literal(*CLOSURE_TYPES)),
                ("connector", connector_codec(features))] + optional_props(features)
    # ConfigurationPatchRequestRt: intersection([partial..., strict({version})])
    if not isinstance(body, dict):
        raise BadRequest(inv(body, []))
    allowed = [name for name, _codec in optional] + ["version"]
    extra = excess_keys(body, allowed, features)
    if extra:
        raise BadRequest(f'invalid keys "{",".join(extra)}"')
    errors = obj(optional=optional)(body, []) + obj(required=[("version", c_string)])(body, [])
    if errors:
        raise BadRequest(",".join(dedupe(errors)))
    return body


# --------------------------------------------------------------------------- semantic checks

def duplicated_keys(items, field_name):
    # server/client/validators.ts validateDuplicatedKeysInRequest
    seen, dup = set(), []
    for it in items or []:
        k = it.get("key")
        if k in seen:
            if k not in dup:
                dup.append(k)
        else:
            seen.add(k)
    if dup:
        raise BadRequest(f"Invalid duplicated {field_name} keys in request: {','.join(dup)}")


# common/constants/observables.ts OBSERVABLE_TYPES_BUILTIN (looked up)
OBSERVABLE_TYPES_BUILTIN = [
    ("observable-type-ipv4", "IPv4"), ("observable-type-ipv6", "IPv6"),
    ("observable-type-url", "URL"), ("observable-type-hostname", "Host name"),
    ("observable-type-file-hash", "File hash"), ("observable-type-file-path", "File path"),
    ("observable-type-email", "Email"), ("observable-type-domain", "Domain"),
]


def duplicated_observable_types(items):
    # server/client/validators.ts validateDuplicatedObservableTypesInRequest
    if not items:
        return
    labels = {lbl.lower() for _key, lbl in OBSERVABLE_TYPES_BUILTIN}
    keys = {k.lower() for k, _label in OBSERVABLE_TYPES_BUILTIN}
    dup = []
    for it in items:
        lbl, key = it["label"].lower(), it["key"].lower()
        if key in keys:
            if lbl not in dup:
                dup.append(lbl)
        else:
            keys.add(key)
        if lbl in labels:
            if lbl not in dup:
                dup.append(lbl)
        else:
            labels.add(lbl)
    if dup:
        raise BadRequest(f"Invalid duplicated observable types in request: {','.join(dup)}")


def custom_field_type_changes(request_fields, original_fields):
    # server/client/configure/validators.ts validateCustomFieldTypesInRequest
    if not isinstance(request_fields, list) or not original_fields:
        return
    bad = []
    for rf in request_fields:
        of = next((o for o in original_fields if o["key"] == rf["key"]), None)
        if of is not None and of["type"] != rf["type"]:
            bad.append(f'"{rf["label"]}"')
    if bad:
        raise BadRequest(
            f"Invalid custom field types in request for the following labels: {', '.join(bad)}")


def templates_checks(templates, custom_fields):
    """custom_fields: the configuration's custom fields, or None when there are none given.

    server/client/configure/client.ts validateTemplates ->
    validateDuplicatedKeysInRequest(templates) + validators.ts validateTemplatesCustomFieldsInRequest
    (which uses server/client/cases/validators.ts for keys and types).
    """
    if templates is None:
        return
    duplicated_keys(templates, "templates")
    for index, template in enumerate(templates):
        case_fields = template.get("caseFields") or {}
        req_cfs = case_fields.get("customFields") or []
        if not req_cfs:
            # Kibana's transformTemplateCustomFields fills in missing template custom
            # fields before this check, so "No custom fields added to template." is not
            # reproduced here.
            continue
        if custom_fields is None:
            raise BadRequest("No custom fields configured.")
        duplicated_keys(req_cfs, f"templates[{index}]'s customFields")
        config_keys = {c["key"] for c in custom_fields}
        unknown = [c["key"] for c in req_cfs if c["key"] not in config_keys]
        if unknown:
            raise BadRequest(f"Invalid custom field keys: {','.join(unknown)}")
        wrong = [f'"{c.get("label") or "Unknown"}"' for c in custom_fields
                 if any(r["key"] == c["key"] and r["type"] != c["type"] for r in req_cfs)]
        if wrong:
            raise BadRequest(
                "The following custom fields have the wrong type in the request: " + ", ".join(wrong))
