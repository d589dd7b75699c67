#!/usr/bin/env bash
# Copy the collection (tracked + untracked-not-ignored files, as git sees them) to
# <dest> for ansible-test, which needs .../ansible_collections/kibana/cases/ and
# refuses a symlink to the repo. Then prove the copy is not empty: fail if it has
# no files or lacks any plugin file that the repo has.
#
# Usage: hack/sanity-copy.sh <dest>   (run from the repo root)
set -euo pipefail
dest=${1:?usage: $0 <dest>}
rm -rf "$dest"
mkdir -p "$dest"
# Files deleted in the work tree but still in the index are skipped.
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf - | tar -xf - -C "$dest"

count=$(find "$dest" -type f | wc -l)
if [ "$count" -eq 0 ]; then
  echo "FAIL: the sanity copy in $dest has no files" >&2
  exit 1
fi
plugins=0
while IFS= read -r -d '' f; do
  [ -f "$f" ] || continue
  if ! [ -f "$dest/$f" ]; then
    echo "FAIL: plugin file $f is missing from the sanity copy" >&2
    exit 1
  fi
  plugins=$((plugins + 1))
done < <(git ls-files -z --cached --others --exclude-standard -- plugins)
if [ "$plugins" -eq 0 ]; then
  echo "FAIL: no plugin files under plugins/ to test" >&2
  exit 1
fi
echo "sanity copy: $count files ($plugins under plugins/) in $dest"
