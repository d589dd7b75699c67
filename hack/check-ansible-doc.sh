#!/usr/bin/env bash
# Check that ansible-doc renders every plugin of the installed kibana.cases collection.
#
# Usage: hack/check-ansible-doc.sh <bin dir of the venv>
# Needs ANSIBLE_COLLECTIONS_PATH pointing at the collection tree the build installed.
# The plugin list comes from the repo's files (plugins/modules/*.py,
# plugins/inventory/*.py), never from a hard-coded list. ansible-doc exits 0 even
# when it cannot find a plugin, so its output is checked, not only its exit code:
# each page must show an OPTIONS section with the option every plugin of that type
# is known to have (modules: `url`, from the shared connection doc fragment;
# inventory plugins: `plugin`), and `ansible-doc -l` must list every module.
set -euo pipefail

bin=${1:?usage: $0 <venv bin dir>}
: "${ANSIBLE_COLLECTIONS_PATH:?ANSIBLE_COLLECTIONS_PATH must point at the installed collection}"
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
collection=kibana.cases
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

plugin_names() {  # $1 = plugins/<type> directory
  local f name
  for f in "$1"/*.py; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .py)
    case $name in __init__|_*) continue ;; esac
    echo "$name"
  done
}

failed=0
checked=0
check_type() {  # $1 = plugin type, $2 = option every plugin of that type has
  local type=$1 option=$2 name out
  for name in $(plugin_names "plugins/$type"); do
    [ "$type" = modules ] && t=module || t=$type
    out="$tmp/$t-$name.txt"
    if ! "$bin/ansible-doc" -t "$t" "$collection.$name" >"$out" 2>&1; then
      echo "FAIL: ansible-doc -t $t $collection.$name exited non-zero:" >&2; cat "$out" >&2; failed=1; continue
    fi
    if ! grep -q '^OPTIONS' "$out" || ! grep -Eq "^[=-] $option( |$)" "$out"; then
      echo "FAIL: ansible-doc -t $t $collection.$name shows no option '$option':" >&2; cat "$out" >&2; failed=1; continue
    fi
    echo "ok: ansible-doc -t $t $collection.$name ($(grep -Ec '^ *[=-] [a-z_]+' "$out") option lines)"
    checked=$((checked + 1))
  done
}

check_type modules url
check_type inventory plugin

modules=$(plugin_names plugins/modules)
if [ -z "$modules" ]; then
  echo "FAIL: no modules in plugins/modules" >&2
  exit 1
fi
"$bin/ansible-doc" -t module -l "$collection" >"$tmp/list.txt" 2>&1 || { cat "$tmp/list.txt" >&2; exit 1; }
for name in $modules; do
  if ! grep -Eq "^$collection\.$name( |$)" "$tmp/list.txt"; then
    echo "FAIL: ansible-doc -l $collection does not list $collection.$name:" >&2; cat "$tmp/list.txt" >&2; failed=1
  fi
done
[ "$failed" = 0 ] || exit 1
echo "ansible-doc: $checked plugin page(s) rendered; ansible-doc -l lists all $(echo "$modules" | wc -l) module(s)"
