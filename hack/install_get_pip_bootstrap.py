"""Install hack/get_pip_bootstrap.py where ansible-test looks for its cached get-pip script.

Run with the project venv's Python (the one that has ansible-test). It reads the pip
version(s) this ansible-test bootstraps from its own source and writes
~/.ansible/test/cache/get_pip_<version>.py for each. A real get-pip script already
cached there (one without our marker) is left alone.
"""

import importlib.util
import os
import pathlib
import re
import shutil
import sys

MARKER = 'kibana.cases get-pip bootstrap'


def main() -> int:
    """Install the bootstrap; return the exit code."""
    spec = importlib.util.find_spec('ansible_test')
    if spec is None or not spec.submodule_search_locations:
        print('ansible_test is not installed in this Python', file=sys.stderr)
        return 1
    source = pathlib.Path(list(spec.submodule_search_locations)[0], '_internal', 'python_requirements.py').read_text()
    versions = sorted(set(re.findall(r"""pip\s*=\s*['"]([0-9][0-9.]*)['"]""", source)))
    if not versions:
        print('could not find the pip version ansible-test bootstraps', file=sys.stderr)
        return 1
    bootstrap = pathlib.Path(__file__).with_name('get_pip_bootstrap.py')
    cache = pathlib.Path(os.path.expanduser('~/.ansible/test/cache'))
    cache.mkdir(parents=True, exist_ok=True)
    for version in versions:
        target = cache / ('get_pip_%s.py' % version.replace('.', '_'))
        if target.exists() and MARKER not in target.read_text(errors='replace'):
            print('keeping the existing get-pip script %s' % target)
            continue
        shutil.copyfile(bootstrap, target)
        print('installed the get-pip bootstrap for pip %s at %s' % (version, target))
    return 0


if __name__ == '__main__':
    sys.exit(main())
