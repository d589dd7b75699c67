#!/usr/bin/env bash
# `make demo`: run examples/demo.yml against the Kibana simulator.
#
# Usage: hack/demo.sh <venv bin dir> <work dir>   (run from the repo root, after `make build`;
#        ANSIBLE_COLLECTIONS_PATH must point at the installed collection)
# Starts the simulator on a free port, seeds the spaces, runs the playbook with
# --check --diff, then for real, then again and fails unless the last run reports
# changed=0. The simulator is always stopped.
set -euo pipefail
bin=${1:?usage: $0 <venv bin dir> <work dir>}
work=${2:?usage: $0 <venv bin dir> <work dir>}
: "${ANSIBLE_COLLECTIONS_PATH:?ANSIBLE_COLLECTIONS_PATH must point at the installed collection}"

rm -rf "$work"
mkdir -p "$work"
url_file=$work/url

PYTHONPATH=tests "$bin/python" -m kibana_simulator --host 127.0.0.1 --port 0 --url-file "$url_file" \
  >"$work/simulator.log" 2>&1 &
sim_pid=$!
stop_simulator() {
  kill "$sim_pid" 2>/dev/null || true
  wait "$sim_pid" 2>/dev/null || true
}
trap stop_simulator EXIT

for _ in $(seq 1 100); do
  [ -s "$url_file" ] && break
  if ! kill -0 "$sim_pid" 2>/dev/null; then
    echo "FAIL: the Kibana simulator exited:" >&2; cat "$work/simulator.log" >&2; exit 1
  fi
  sleep 0.1
done
[ -s "$url_file" ] || { echo "FAIL: the simulator wrote no URL to $url_file in 10 s" >&2; cat "$work/simulator.log" >&2; exit 1; }
url=$(head -n1 "$url_file")
echo "Kibana simulator at $url"

"$bin/python" - "$url" <<'PY'
import sys
import requests

url = sys.argv[1].rstrip('/')
for space in ({'id': 'security-team', 'name': 'Security team'}, {'id': 'ops', 'name': 'Ops'}):
    response = requests.post(url + '/_sim/spaces', json=space, timeout=10)
    response.raise_for_status()
    print('seeded space %s' % space['id'])
PY

export KIBANA_URL=$url KIBANA_USERNAME=elastic KIBANA_PASSWORD=changeme
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_RETRY_FILES_ENABLED=0
playbook=("$bin/ansible-playbook" -i examples/inventory examples/demo.yml)

echo "=== 1/3: --check --diff (nothing is changed)"
"${playbook[@]}" --check --diff
echo "=== 2/3: apply (--diff)"
"${playbook[@]}" --diff | tee "$work/apply.log"
if grep -Eq '^localhost +: ok=[0-9]+ +changed=0 ' "$work/apply.log"; then
  echo "FAIL: the first apply changed nothing: did the --check run write to Kibana?" >&2
  exit 1
fi
echo "=== 3/3: apply again (must change nothing)"
"${playbook[@]}" --diff | tee "$work/rerun.log"
if ! grep -Eq '^localhost +: ok=[0-9]+ +changed=0 +unreachable=0 +failed=0' "$work/rerun.log"; then
  echo "FAIL: the second apply was not idempotent (expected changed=0 in the recap)" >&2
  exit 1
fi
echo "demo: OK (the second apply reported changed=0)"
