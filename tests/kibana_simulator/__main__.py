"""CLI: python -m kibana_simulator --host 127.0.0.1 --port 0 --url-file F [--cert C --key K [--client-ca CA]]
[--seed seed.json] [--kibana-version 9.1.0]"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading

from .server import SimServer, make_ssl_context
from .state import State


def main(argv=None):
    p = argparse.ArgumentParser(prog="kibana_simulator")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--url-file")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--client-ca")
    p.add_argument("--seed")
    p.add_argument("--kibana-version")
    args = p.parse_args(argv)
    if bool(args.cert) != bool(args.key):
        p.error("--cert and --key go together")
    if args.client_ca and not args.cert:
        p.error("--client-ca needs --cert/--key")

    seed = None
    if args.seed:
        with open(args.seed, encoding="utf-8") as fh:
            seed = json.load(fh)
    state = State(seed, args.kibana_version)
    ctx = make_ssl_context(args.cert, args.key, args.client_ca) if args.cert else None
    server = SimServer((args.host, args.port), state, ctx)
    host, port = server.server_address[:2]
    url = f"{'https' if ctx else 'http'}://{host}:{port}"

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    if args.url_file:
        tmp = f"{args.url_file}.tmp.{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(url)
        os.replace(tmp, args.url_file)
    print(url, flush=True)
    try:
        while not stop.wait(0.2):
            pass
    finally:
        server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
