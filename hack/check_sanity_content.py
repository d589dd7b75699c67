"""Fail unless ansible-test sees the files of the sanity copy it is about to test.

Run with the venv's Python from the copy's root (.../ansible_collections/kibana/cases), with
ANSIBLE_TEST_CONTENT_ROOT set as for the sanity run. ansible-test lists a collection's files
through git when it finds a repository above the collection; for a git-ignored copy that
list is empty and every sanity test then passes having checked nothing. This asks
ansible-test's own content layout (the one its sanity tests use) which files it sees, and
requires the collection kibana.cases and every plugin file of the copy among them.
"""

import os
import sys

from ansible_test._internal.data import data_context  # internal API of ansible-test (ansible-core 2.16-2.19)


def main() -> int:
    """Compare ansible-test's view with the files on disk; return the exit code."""
    content = data_context().content
    seen = set(content.all_files())
    name = content.collection.full_name if content.collection else None
    on_disk = set()
    for root, dirs, files in os.walk('plugins'):
        dirs[:] = [d for d in dirs if d != '__pycache__']
        on_disk.update(os.path.join(root, f) for f in files if not f.endswith('.pyc'))
    missing = sorted(on_disk - seen)
    if name != 'kibana.cases' or not seen or not on_disk or missing:
        print('FAIL: ansible-test sees collection %s with %d files; plugin files on disk: %d, not seen: %s'
              % (name, len(seen), len(on_disk), ', '.join(missing) or 'none'), file=sys.stderr)
        return 1
    print('ansible-test sees %s: %d files, all %d plugin files among them' % (name, len(seen), len(on_disk)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
