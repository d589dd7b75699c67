"""HTTP plumbing: routing, authentication, kbn-xsrf, spaces, faults, request log."""

from __future__ import annotations

import http
import json
import re
import socket
import ssl
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import validation as v
from .state import State, transform_template_custom_fields

FAULT_ACTIONS = ("status", "drop", "drop_after", "status_after", "delay", "html", "bad_json",
                 "missing_version", "concurrent_write")

SPACE_PREFIX = re.compile(r"^/s/([^/]+)(/.*)$")
PATCH_PATH = re.compile(r"^/api/cases/configure/([^/]+)$")


class HttpError(Exception):
    def __init__(self, status, message=None, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message if message is not None else reason(status)
        self.headers = headers or {}


def reason(status):
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_body(status, message=None):
    return {"statusCode": status, "error": reason(status),
            "message": message if message is not None else reason(status)}


def _route(method, rest):
    """-> route name, or None (404 Not Found)."""
    if rest == "/api/status" and method == "GET":
        return "status"
    if rest == "/api/cases/configure" and method in ("GET", "POST"):
        return "configure_" + method.lower()
    if rest == "/api/cases/configure/connectors/_find" and method == "GET":
        return "connectors_find"
    if PATCH_PATH.match(rest) and method == "PATCH":
        return "configure_patch"
    if rest == "/api/actions/connectors" and method == "GET":
        return "actions_connectors"
    if rest == "/api/spaces/space" and method == "GET":
        return "spaces"
    return None


def _owners_message(owners):
    return '"' + ", ".join(owners) + '"'


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY, as Kibana's Node.js server: with Nagle on, a response written in two sends on a
    # kept-alive connection waits ~40 ms for the client's delayed ACK.
    disable_nagle_algorithm = True
    server_version = "kibana-sim"
    sys_version = ""

    # quiet
    def log_message(self, fmt, *args):
        pass

    @property
    def state(self) -> State:
        return self.server.state

    def do_GET(self):
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    # ------------------------------------------------------------------ output helpers
    def _send(self, status, body: bytes, content_type="application/json; charset=utf-8", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, val in (headers or {}).items():
            self.send_header(k, str(val))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, status, obj, headers=None):
        self._send(status, json.dumps(obj).encode(), headers=headers)

    def _drop(self):
        self.close_connection = True
        try:
            self.wfile.flush()
        except Exception:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except Exception:
            pass

    def _read_body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    # ------------------------------------------------------------------ dispatch
    def _dispatch(self):
        raw = self._read_body()
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query, keep_blank_values=True)
        if path == "/_sim" or path.startswith("/_sim/"):
            return self._control(path, raw)
        self._api(path, query, raw)

    def _api(self, path, query, raw):
        method = self.command
        st = self.state
        with st.lock:
            fault = self._take_fault(method, path)
        action = fault["action"] if fault else None
        auth_header = self.headers.get("Authorization")
        scheme = st.authenticate(auth_header)[1] if auth_header else None
        entry = {
            "method": method, "path": path, "query": query,
            "body": _logged_body(raw), "status": None,
            "xsrf": self.headers.get("kbn-xsrf") is not None,
            "auth_scheme": scheme if scheme else _scheme_name(auth_header),
        }
        if fault:
            entry["fault"] = action

        def log(status):
            entry["status"] = status
            with st.lock:
                st.requests.append(entry)

        if action == "status":
            status = int(fault.get("status", 503))
            body = fault.get("body")
            log(status)
            if body is None:
                return self._send_json(status, error_body(status), fault.get("headers"))
            if isinstance(body, str):
                return self._send(status, body.encode(), "text/plain; charset=utf-8", fault.get("headers"))
            return self._send_json(status, body, fault.get("headers"))
        if action == "drop":
            log(None)
            return self._drop()
        if action == "html":
            status = int(fault.get("status", 502))
            log(status)
            page = (f"<html><head><title>{status} {reason(status)}</title></head><body>"
                    f"<center><h1>{status} {reason(status)}</h1></center><hr><center>nginx</center>"
                    "</body></html>")
            return self._send(status, page.encode(), "text/html", fault.get("headers"))
        if action == "bad_json":
            log(200)
            return self._send(200, b'{"id": "truncated', "application/json; charset=utf-8")
        if action == "delay":
            time.sleep(float(fault.get("seconds", 1)))

        with st.lock:
            if action == "concurrent_write":
                self._apply_concurrent(fault, path, query, raw)
            try:
                status, body, headers = self._process(method, path, query, raw)
            except HttpError as e:
                status, body, headers = e.status, error_body(e.status, e.message), e.headers
        if action == "missing_version" and status == 200:
            if isinstance(body, dict):
                body.pop("version", None)
            elif isinstance(body, list):
                for item in body:
                    if isinstance(item, dict):
                        item.pop("version", None)
        if action == "drop_after":
            log(None)
            return self._drop()
        if action == "status_after":
            status = int(fault.get("status", 502))
            log(status)
            return self._send_json(status, error_body(status), fault.get("headers"))
        log(status)
        self._send_json(status, body, headers)

    def _take_fault(self, method, path):
        for f in self.state.faults:
            if f.get("method") and f["method"].upper() != method:
                continue
            if f.get("path") and not re.search(f["path"], path):
                continue
            f["count"] -= 1
            if f["count"] <= 0:
                self.state.faults.remove(f)
            return dict(f)
        return None

    def _apply_concurrent(self, fault, path, query, raw):
        st = self.state
        m = SPACE_PREFIX.match(path)
        space_id, rest = (m.group(1), m.group(2)) if m else ("default", path)
        owner = fault.get("owner")
        if owner is None:
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                body = {}
            pm = PATCH_PATH.match(rest)
            if isinstance(body, dict) and isinstance(body.get("owner"), str):
                owner = body["owner"]
            elif pm and pm.group(1) in st.configurations:
                owner = st.configurations[pm.group(1)]["owner"]
            elif query.get("owner"):
                owner = query["owner"][0]
        if owner is not None and space_id in st.spaces:
            st.concurrent_write(space_id, owner, fault.get("changes") or {})

    # ------------------------------------------------------------------ the API
    def _process(self, method, path, query, raw):
        """Runs with the state lock held. -> (status, body, headers)."""
        st = self.state
        m = SPACE_PREFIX.match(path)
        space_id, rest = (m.group(1), m.group(2)) if m else ("default", path)
        route = _route(method, rest)
        if route is None:
            # hapi answers unknown routes before authentication
            raise HttpError(404)
        principal = st.authenticate(self.headers.get("Authorization"))[0]
        if principal is None:
            raise HttpError(401, headers={"WWW-Authenticate": 'Basic realm="kibana"'})
        if method not in ("GET", "HEAD") and self.headers.get("kbn-xsrf") is None:
            raise HttpError(400, "Request must contain a kbn-xsrf header.")
        if space_id not in st.spaces:
            # spaces plugin on_post_auth_interceptor: wrapError of the saved objects 404
            # (message recalled, not looked up)
            raise HttpError(404, f"Saved object [space/{space_id}] not found")
        body = None
        if method in ("POST", "PATCH"):
            if raw.strip():
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise HttpError(400, "Invalid request payload JSON format")
            else:
                body = {}
        try:
            return getattr(self, "_r_" + route)(st, space_id, principal, rest, query, body)
        except v.BadRequest as e:
            raise HttpError(400, str(e))

    def _r_status(self, st, space_id, principal, rest, query, body):
        return 200, {"name": "kibana-sim",
                     "version": {"number": st.kibana_version, "build_flavor": "default"},
                     "status": {"overall": {"level": "available"}}}, None

    def _r_spaces(self, st, space_id, principal, rest, query, body):
        return 200, list(st.spaces.values()), None

    def _r_connectors_find(self, st, space_id, principal, rest, query, body):
        types = [t for t in v.Features(st.kibana_version).connector_types() if t != ".none"]
        return 200, [st.connector_camel(c) for c in st.connectors_in(space_id)
                     if c["actionTypeId"] in types], None

    def _r_actions_connectors(self, st, space_id, principal, rest, query, body):
        return 200, [st.connector_snake(c) for c in st.connectors_in(space_id)], None

    def _r_configure_get(self, st, space_id, principal, rest, query, body):
        extra = [k for k in query if k != "owner"]
        if extra:
            raise v.BadRequest(f'invalid keys "{",".join(extra)}"')
        owners = query.get("owner")
        if owners:
            denied = []
            for o in owners:
                if not st.can_read(principal, o) and o not in denied:
                    denied.append(o)
            if denied:
                raise HttpError(403, "Unauthorized to access case configurations with owners: "
                                + _owners_message(denied))
        else:
            owners = [o for o in v.OWNERS if st.can_read(principal, o)]
        return 200, [st.render(r) for r in st.configs_in(space_id, owners)], None

    def _r_configure_post(self, st, space_id, principal, rest, query, body):
        f = st.features()
        v.decode_post(body, f)
        v.duplicated_keys(body.get("customFields"), "customFields")
        v.templates_checks(body.get("templates"), body.get("customFields"))
        v.duplicated_observable_types(body.get("observableTypes"))
        if not st.can_write(principal, body["owner"]):
            raise HttpError(403, "Unauthorized to create case configuration with owners: "
                            + _owners_message([body["owner"]]))
        rec = st.create_config(space_id, body, st.user_of(principal))
        return 200, st.render(rec), None

    def _r_configure_patch(self, st, space_id, principal, rest, query, body):
        config_id = PATCH_PATH.match(rest).group(1)
        f = st.features()
        # PATCH order of checks as in the contract
        v.decode_patch(body, f)
        v.duplicated_keys(body.get("customFields"), "customFields")
        v.duplicated_keys(body.get("templates"), "templates")
        v.duplicated_observable_types(body.get("observableTypes"))
        rec = st.configurations.get(config_id)
        if rec is None or rec["space_id"] != space_id:
            raise HttpError(404, f"Saved object [cases-configure/{config_id}] not found")
        v.custom_field_type_changes(body.get("customFields"), rec["customFields"])
        changes = {k: val for k, val in body.items() if k != "version"}
        if f.templates:
            # server/client/configure/client.ts update(): the stored templates are rebuilt from the
            # request's templates and customFields only; an absent one counts as empty, so a PATCH
            # without templates stores [] (`updatedTemplates && {templates}` with [] truthy in JS).
            changes["templates"] = transform_template_custom_fields(body.get("templates"),
                                                                    body.get("customFields"))
            v.templates_checks(changes["templates"], body.get("customFields"))
        if not st.can_write(principal, rec["owner"]):
            raise HttpError(403, "Unauthorized to update case configuration with owners: "
                            + _owners_message([rec["owner"]]))
        if body["version"] != rec["version"]:
            raise HttpError(409, "This configuration has been updated. Please refresh before "
                                 "saving additional updates.")
        st.update_config(rec, changes, st.user_of(principal))
        return 200, st.render(rec), None

    # ------------------------------------------------------------------ control API
    def _control(self, path, raw):
        st = self.state
        method = self.command
        try:
            data = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return self._send_json(400, {"error": "body is not JSON"})
        try:
            with st.lock:
                result = self._control_locked(st, method, path, data)
        except (ValueError, KeyError, TypeError, re.error) as e:
            return self._send_json(400, {"error": f"{type(e).__name__}: {e}"})
        if result is None:
            return self._send_json(404, {"error": f"no control route {method} {path}"})
        self._send_json(200, result)

    def _control_locked(self, st, method, path, data):
        if path == "/_sim/reset" and method == "POST":
            st.reset()
            return {"ok": True}
        if path == "/_sim/state" and method == "GET":
            return st.dump()
        if path == "/_sim/spaces" and method == "POST":
            return st.add_space(data)
        if path == "/_sim/connectors" and method == "POST":
            conn = st.add_connector(data)
            return dict(conn)
        if path == "/_sim/kibana_version" and method == "PUT":
            number = data["number"]
            if not isinstance(number, str):
                raise ValueError("number must be a string")
            st.kibana_version = number
            return {"number": number}
        if path == "/_sim/configurations" and method == "POST":
            space_id = data.get("space_id", "default")
            if space_id not in st.spaces:
                raise ValueError(f"unknown space {space_id}")
            rec = st.concurrent_write(space_id, data["owner"], data.get("changes") or {})
            return st.render(rec)
        if path == "/_sim/faults" and method == "POST":
            if data.get("action") not in FAULT_ACTIONS:
                raise ValueError(f"action must be one of {FAULT_ACTIONS}")
            if data.get("path"):
                re.compile(data["path"])
            fault = dict(data)
            fault["count"] = int(data.get("count", 1))
            if fault.get("method"):
                fault["method"] = fault["method"].upper()
            st.faults.append(fault)
            return fault
        if path == "/_sim/faults" and method == "DELETE":
            st.faults.clear()
            return {"ok": True}
        if path == "/_sim/requests" and method == "GET":
            return list(st.requests)
        if path == "/_sim/requests" and method == "DELETE":
            st.requests.clear()
            return {"ok": True}
        return None


def _scheme_name(header):
    if not header:
        return None
    s = header.split(" ", 1)[0].lower()
    return {"basic": "Basic", "apikey": "ApiKey", "bearer": "Bearer"}.get(s)


def _logged_body(raw: bytes):
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, state: State, ssl_context: ssl.SSLContext | None = None):
        self.state = state
        self.ssl_context = ssl_context
        super().__init__(addr, Handler)

    def finish_request(self, request, client_address):
        # TLS handshake in the worker thread, so a bad client cannot block accept()
        if self.ssl_context is not None:
            try:
                request.settimeout(10)
                request = self.ssl_context.wrap_socket(request, server_side=True)
                request.settimeout(None)
            except (ssl.SSLError, OSError):
                try:
                    request.close()
                except OSError:
                    pass
                return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        pass  # client resets etc. are expected in fault tests


def make_ssl_context(cert, key, client_ca=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    if client_ca:
        ctx.load_verify_locations(client_ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx
