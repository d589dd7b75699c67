#!/usr/bin/env bash
# Generate the reference of every module and plugin of kibana.cases (docs/reference/*.md) from
# the documentation in their source, or check that the committed reference is up to date.
#
# Usage: hack/build-docs.sh [--check] [<venv bin dir>]   (run from anywhere; default bin: .venv/bin)
#
#   1. `antsibull-docs lint-collection-docs --plugin-docs` validates every plugin's DOCUMENTATION,
#      EXAMPLES and RETURN (schema, markup, references between options and plugins): a doc error fails.
#   2. `ansible-doc --metadata-dump` reads the docs as Ansible sees them (doc fragments merged), and
#      hack/build_docs_md.py renders them as Markdown with antsibull-docs-parser.
#   3. Without --check: docs/reference/ is replaced by the new files.
#      With --check: the files are generated into a temp dir and the script fails, showing the
#      diff, when they differ from docs/reference/ (so the committed reference cannot drift).
#
# The collection is read from this work tree (tracked and untracked-not-ignored files, as git
# sees them), copied to a temp ansible_collections/kibana/cases tree, not from an installed
# tarball, so the reference is the one of the source being committed.
set -euo pipefail

check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/.venv/bin}
bin=$(cd "$bin" && pwd)
for tool in antsibull-docs ansible-doc python; do
  [ -x "$bin/$tool" ] || { echo "FAIL: $bin/$tool not found (make venv, or pass the venv's bin dir)" >&2; exit 1; }
done
collection=kibana.cases
reference=$root/docs/reference

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tree=$tmp/collections/ansible_collections/kibana/cases
: >"$tmp/ansible.cfg"
mkdir -p "$tree"
(cd "$root" && git ls-files -z --cached --others --exclude-standard -- galaxy.yml meta plugins |
  while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf - | tar -xf - -C "$tree")

# antsibull-docs runs `ansible` and `ansible-doc` from PATH; no user config may get in.
export PATH=$bin:$PATH ANSIBLE_COLLECTIONS_PATH=$tmp/collections ANSIBLE_CONFIG=$tmp/ansible.cfg \
  ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_DEPRECATION_WARNINGS=0 ANSIBLE_LOCAL_TEMP=$tmp/ansible-tmp

if ! (cd "$tree" && antsibull-docs lint-collection-docs --plugin-docs . >"$tmp/lint.txt" 2>&1); then
  echo "FAIL: antsibull-docs lint-collection-docs found documentation errors:" >&2
  cat "$tmp/lint.txt" >&2
  exit 1
fi
if [ -s "$tmp/lint.txt" ]; then
  echo "FAIL: antsibull-docs lint-collection-docs reported:" >&2; cat "$tmp/lint.txt" >&2; exit 1
fi

(cd "$tmp" && ansible-doc --metadata-dump "$collection" >"$tmp/dump.json" 2>"$tmp/dump.err") || {
  echo "FAIL: ansible-doc --metadata-dump $collection failed:" >&2; cat "$tmp/dump.err" >&2; exit 1; }
python "$root/hack/build_docs_md.py" "$tmp/dump.json" "$collection" "$tmp/reference"

if [ "$check" -eq 1 ]; then
  if ! diff -ru "$reference" "$tmp/reference" >"$tmp/diff.txt" 2>&1; then
    echo "FAIL: docs/reference/ is out of date with the plugin documentation; run hack/build-docs.sh (make docs) and commit docs/reference/:" >&2
    cat "$tmp/diff.txt" >&2
    exit 1
  fi
  echo "docs: docs/reference/ is up to date ($(find "$reference" -name '*.md' | wc -l) files)"
else
  rm -rf "$reference"
  mkdir -p "$(dirname "$reference")"
  cp -R "$tmp/reference" "$reference"
  echo "docs: wrote $(find "$reference" -name '*.md' | wc -l) files to docs/reference/"
fi
