"""Stand-in for the get-pip script that ansible-test downloads (kibana.cases get-pip bootstrap).

ansible-test creates empty virtual environments (``--venv`` and the per-test sanity
venvs) and bootstraps pip into them by running a cached get-pip script:

    <new venv python> quiet_pip.py --disable-pip-version-check pip==X [--no-setuptools] [--no-wheel]

with GET_PIP pointing at ~/.ansible/test/cache/get_pip_X.py. Downloading that script
fails on machines that reach only package registries, so `make sanity` installs this
file at that path instead. It installs pip into the running interpreter in two
separate processes:

1. ``python -m ensurepip`` installs the pip wheel bundled with CPython (no network).
   It must be a separate process: ensurepip strips the PIP_* environment and pip
   config for the process it runs in, and pip would then lose this machine's
   index/certificate settings.
2. ``python -m pip install pip==X ...`` brings pip to the exact version ansible-test
   asked for, from the package registry, with the normal pip configuration.
3. If ansible-test passed --no-setuptools / --no-wheel (as it does), the setuptools
   that ensurepip brings on Python < 3.12 is removed again, as get-pip would not
   have installed it.
"""

import subprocess
import sys

# get-pip.py options that have no meaning for `pip install`.
GET_PIP_ONLY_OPTIONS = {'--no-setuptools', '--no-wheel'}


def main() -> None:
    """Bootstrap pip into sys.executable's environment."""
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    subprocess.run([sys.executable, '-m', 'ensurepip', '--default-pip'], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, '-m', 'pip', 'install', '--quiet'] + args, check=True)
    unwanted = [name for name in ('setuptools', 'wheel') if '--no-%s' % name in sys.argv[1:]]
    if unwanted:
        subprocess.run([sys.executable, '-m', 'pip', 'uninstall', '--quiet', '--yes'] + unwanted,
                       check=True, stderr=subprocess.DEVNULL)


if __name__ == '__main__':
    main()
