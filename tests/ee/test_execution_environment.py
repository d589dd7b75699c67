"""The execution environment definition: ansible-builder makes a build context that installs kibana.cases and requests.

No container engine is needed: ``ansible-builder create`` only writes the context (Containerfile and
_build/). The Python requirements of the collections are found at build time, inside the image, by
the context's own _build/scripts/introspect.py; the test runs that script on the collection installed
from the same tarball, which is what the build does, and requires requests in its output.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ansible_env import ansible_command

ROOT = Path(__file__).resolve().parents[2]
EE_DEFINITION = Path(__file__).resolve().parent / 'execution-environment.yml'
COLLECTION_META = ROOT / 'meta' / 'execution-environment.yml'
TIMEOUT = 300

pytestmark = pytest.mark.skipif(importlib.util.find_spec('ansible_builder') is None,
                                reason='ansible-builder is not importable (pip install ansible-builder>=3.1; '
                                       'tests/requirements.txt lists it)')


def run(command, cwd):
    completed = subprocess.run([str(part) for part in command], cwd=str(cwd), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT, check=False)
    output = completed.stdout.decode('utf-8', errors='replace')
    shown = ' '.join(map(str, command))
    assert completed.returncode == 0, '%s exited %d:\n%s' % (shown, completed.returncode, output[-4000:])
    return output


def requirement_names(lines):
    names = []
    for line in lines:
        line = line.split('#', 1)[0].strip()
        if line:
            for separator in '<>=!~;[ ':
                line = line.split(separator, 1)[0]
            names.append(line.lower())
    return names


@pytest.fixture(scope='module')
def tarball(tmp_path_factory):
    """kibana.cases built from this checkout with ansible-galaxy, as a release would be."""
    out = tmp_path_factory.mktemp('tarball')
    run([ansible_command('ansible-galaxy'), 'collection', 'build', '--output-path', out, ROOT], cwd=out)
    built = sorted(out.glob('kibana-cases-*.tar.gz'))
    assert len(built) == 1, built
    return built[0]


def test_collection_meta_declares_requests():
    """meta/execution-environment.yml is valid v3 and names a requirements file with requests, as introspection needs."""
    from ansible_builder.ee_schema import validate_schema  # pylint: disable=import-outside-toplevel

    meta = yaml.safe_load(COLLECTION_META.read_text(encoding='utf-8'))
    assert meta['version'] == 3
    validate_schema(dict(meta))
    python = meta['dependencies']['python']
    # ansible-builder's introspection takes a collection's dependencies.python as a path relative
    # to the collection root (os.path.isabs on it: an inline list fails the image build).
    assert isinstance(python, str) and not Path(python).is_absolute(), python
    assert 'requests' in requirement_names((ROOT / python).read_text(encoding='utf-8').splitlines())


def test_tarball_ships_the_dependency_files(tarball):
    import tarfile  # pylint: disable=import-outside-toplevel

    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    assert 'meta/execution-environment.yml' in names
    assert 'requirements.txt' in names


def test_ansible_builder_create(tarball, tmp_path):
    """`ansible-builder create` on tests/ee/execution-environment.yml, then the context's introspection."""
    definition = yaml.safe_load(EE_DEFINITION.read_text(encoding='utf-8'))
    assert definition['version'] == 3
    assert definition['images']['base_image']['name']

    work = tmp_path / 'ee'
    work.mkdir()
    shutil.copy(EE_DEFINITION, work / 'execution-environment.yml')
    shutil.copy(tarball, work / 'kibana-cases.tar.gz')
    context = work / 'context'
    output = run([ansible_command('ansible-builder'), 'create', '-f', work / 'execution-environment.yml', '-c', context,
                  '--output-filename', 'Containerfile', '-v', '3'], cwd=work)

    containerfile = context / 'Containerfile'
    assert containerfile.is_file(), output
    text = containerfile.read_text(encoding='utf-8')
    assert 'ARG EE_BASE_IMAGE="%s"' % definition['images']['base_image']['name'] in text
    assert 'COPY _build /build' in text    # the galaxy stage: _build/collections/ becomes /build/collections/
    assert 'ansible-galaxy collection install' in text
    assert 'introspect' in text            # the build step that collects the collections' Python requirements
    assert (context / '_build' / 'collections' / 'kibana-cases.tar.gz').is_file()
    assert (context / '_build' / 'scripts' / 'introspect.py').is_file()
    galaxy = yaml.safe_load((context / '_build' / 'requirements.yml').read_text(encoding='utf-8'))
    assert galaxy['collections'] == [{'name': '/build/collections/kibana-cases.tar.gz', 'type': 'file'}]
    assert 'ansible-core' in text and 'ansible-runner' in text

    # What the image build does after `ansible-galaxy collection install`: introspect the
    # installed collections. Here on the collection installed from the same tarball.
    collections = tmp_path / 'collections'
    run([ansible_command('ansible-galaxy'), 'collection', 'install', '--force', '-p', collections, tarball], cwd=tmp_path)
    pip_file = tmp_path / 'introspected-requirements.txt'
    report = run([sys.executable, context / '_build' / 'scripts' / 'introspect.py', 'introspect', collections,
                  '--write-pip', pip_file], cwd=tmp_path)
    introspected = pip_file.read_text(encoding='utf-8').splitlines()
    assert 'requests' in requirement_names(introspected), report
    assert any('kibana.cases' in line for line in introspected), introspected
