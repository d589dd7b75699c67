"""Makes the collection importable as ``ansible_collections.kibana.cases`` and the simulator as ``kibana_simulator``.

The repository root is the collection root, so a link named ``ansible_collections/kibana/cases``
pointing at it (in a temporary folder) lets plain pytest import the plugins the way Ansible does.
"""

import os
import sys
import tempfile

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
COLLECTION_ROOT = os.path.dirname(TESTS_DIR)


def _link_collection():
    parent = os.path.join(tempfile.mkdtemp(prefix='kibana-cases-pytest-'), 'ansible_collections', 'kibana')
    os.makedirs(parent)
    os.symlink(COLLECTION_ROOT, os.path.join(parent, 'cases'))
    return os.path.dirname(os.path.dirname(parent))


sys.path.insert(0, _link_collection())
sys.path.insert(0, TESTS_DIR)
