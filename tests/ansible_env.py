"""How the tests and the benchmark run Ansible's commands: which executable, which copy of the collection,
and an environment free of the user's own Ansible configuration and Kibana credentials.

Importable as ``ansible_env`` from every test folder (tests/conftest.py puts tests/ on sys.path).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

COLLECTION_ROOT = Path(__file__).resolve().parent.parent


def ansible_command(name):
    """An Ansible command (``ansible-playbook``...) of the Python running the tests (its venv), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which(name)
    if not found:
        raise RuntimeError('%s is neither beside %s nor on PATH' % (name, sys.executable))
    return found


def collections_path(scratch_dir):
    """ANSIBLE_COLLECTIONS_PATH from the environment (`make`: the installed tarball), else a folder in
    ``scratch_dir`` whose ansible_collections/kibana/cases links to this repository."""
    configured = os.environ.get('ANSIBLE_COLLECTIONS_PATH') or os.environ.get('ANSIBLE_COLLECTIONS_PATHS')
    if configured:
        roots = [root for root in configured.split(os.pathsep) if root]
        if not any(os.path.isdir(os.path.join(root, 'ansible_collections', 'kibana', 'cases')) for root in roots):
            raise RuntimeError('ANSIBLE_COLLECTIONS_PATH=%s has no ansible_collections/kibana/cases: build and install '
                               'the collection first (make build), or unset it to test the repository' % configured)
        return configured
    parent = Path(scratch_dir) / 'ansible_collections' / 'kibana'
    parent.mkdir(parents=True, exist_ok=True)
    link = parent / 'cases'
    if not link.exists():
        link.symlink_to(COLLECTION_ROOT, target_is_directory=True)
    return str(scratch_dir)


def ansible_environment(work_dir, collections, **variables):
    """The environment of an Ansible command run in ``work_dir`` (an empty ansible.cfg and a local temp
    folder are made there) with the collection at ``collections``; ``variables`` are added."""
    work_dir = Path(work_dir)
    (work_dir / 'ansible.cfg').write_text('[defaults]\n', encoding='utf-8')
    (work_dir / 'ansible-tmp').mkdir(exist_ok=True)
    env = dict((key, value) for key, value in os.environ.items()
               if not key.startswith('KIBANA_') and key != 'ANSIBLE_COLLECTIONS_PATHS')
    env.update(
        ANSIBLE_CONFIG=str(work_dir / 'ansible.cfg'),
        ANSIBLE_COLLECTIONS_PATH=collections,
        ANSIBLE_LOCAL_TEMP=str(work_dir / 'ansible-tmp'),
        ANSIBLE_FORCE_COLOR='0',
        ANSIBLE_NOCOLOR='1',
        ANSIBLE_LOCALHOST_WARNING='false',
        ANSIBLE_INVENTORY_UNPARSED_WARNING='false',
        ANSIBLE_RETRY_FILES_ENABLED='false',
    )
    env.update(variables)
    return env
