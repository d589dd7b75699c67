"""The floor under (A): the module's own logic and HTTP per space, without Ansible.

Calls the task function that the case_configuration action plugin calls (argument validation with the
module's argument spec, a new KibanaClient, case_configuration_task) once per space, in one process,
against the benchmark's simulator: what a space costs when Ansible adds nothing. Compare with bench/run.py's
per-space slope of A to see how much of A is Ansible's per-loop-item work.

    python bench/direct_cost.py [--spaces 200]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench_run  # noqa: E402  pylint: disable=wrong-import-position


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--spaces', type=int, default=200)
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix='kibana-cases-direct-'))
    sim = bench_run.start_simulator(workdir, nagle=False)
    try:
        bench = bench_run.Bench(bench_run.parse_args(['--sizes', '1']), sim, workdir)
        spaces = bench.create_group('d', args.spaces)
        sys.path.insert(0, bench.env['ANSIBLE_COLLECTIONS_PATH'].split(':')[0])
        # pylint: disable=import-outside-toplevel,import-error
        from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
        from ansible_collections.kibana.cases.plugins.module_utils.argument_specs import (
            ARGUMENT_CONSTRAINTS, CASE_CONFIGURATION_ARGUMENT_SPEC)
        from ansible_collections.kibana.cases.plugins.module_utils.configuration_sync import case_configuration_task
        from ansible_collections.kibana.cases.plugins.module_utils.kibana_client import KibanaClient

        validator = ArgumentSpecValidator(CASE_CONFIGURATION_ARGUMENT_SPEC, **ARGUMENT_CONSTRAINTS)
        for pass_name, closure_type in (('noop', bench_run.CLOSURE_TYPES[0]), ('change', bench_run.CLOSURE_TYPES[1])):
            sim.clear_requests()
            times = []
            for space in spaces:
                start = time.perf_counter()
                params = validator.validate(dict(
                    url=sim.url, username=bench_run.control.ADMIN_USER, password=bench_run.control.ADMIN_PASSWORD,
                    space_id=space, owner='cases', closure_type=closure_type)).validated_parameters
                result = case_configuration_task(KibanaClient.from_params(params), params)[0]
                times.append(time.perf_counter() - start)
                assert result['changed'] == (pass_name == 'change'), result
            requests = len(sim.requests())
            print('%-6s %d spaces: %.1f ms per space (median %.1f ms), %.2f requests per space' % (
                pass_name, len(spaces), 1000 * sum(times) / len(times), 1000 * statistics.median(times),
                requests / len(spaces)))
        return 0
    finally:
        sim.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
