"""Rollout benchmark of kibana.cases: the collection's module against hand-written uri tasks.

Starts the Kibana simulator (tests/kibana_simulator), creates the spaces, and measures, in one
run and alternating within each repetition:

  A         kibana.cases.case_configuration looped over the spaces (action plugin: the module's
            logic in the controller process, as on any local connection)
  A-module  the same with kibana_cases_run_on_controller=false (the classic module process)
  B         the hand-written equivalent: ansible.builtin.uri GET, then a PATCH (kbn-xsrf, version)
            where the closure type differs or a POST where there is no configuration

each on a no-op pass (already converged) and a change pass (closure_type toggled), for N spaces;
and the inventory-driven form (hosts = spaces) of A and B with forks 1 and 10.

It prints medians, A/B wall-time ratios and HTTP requests per space (from the simulator's request
log; the spaces' setup is not counted). It is a benchmark, not a timed test: it exits non-zero only
when a playbook run fails, a space does not end in the wanted state, A's requests per space are not
the minimum (no-op: 1 GET; change: 1 GET + 1 PATCH), or the time budget (--budget) runs out.

    python bench/run.py            # N = 10, 50, 200; inventory form with 20 spaces (~8 min here)
    python bench/run.py --quick    # N = 10, 50; inventory form with 10 spaces (~1.5 min)

Repetitions (bounded so the full run takes minutes): A, the cheap one, runs --reps times (3) at
every N; A-module and B start a module process per space and per request (~0.4 s each), so they
run --slow-reps times (2) for N < 50, once for N >= 50, and at N >= 200 on the no-op pass only
(the target's pass; --large-change adds the change pass, ~4 more minutes).
    python bench/run.py --json out.json

ANSIBLE_COLLECTIONS_PATH is used when set (make: the installed tarball); otherwise a temporary
ansible_collections/kibana/cases link to this checkout. ansible-playbook is the one beside the
running Python, else the first on PATH.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT / 'tests'))

import ansible_env  # noqa: E402  pylint: disable=wrong-import-position
from kibana_simulator import control  # noqa: E402  pylint: disable=wrong-import-position

CLOSURE_TYPES = ('close-by-user', 'close-by-pushing')
RUN_TIMEOUT = 600
PASSES = ('noop', 'change')


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--quick', action='store_true',
                        help='smoke run: N = 10, 50, inventory form with 10 spaces, 2 repetitions')
    parser.add_argument('--sizes', type=lambda s: [int(x) for x in s.split(',')], default=None,
                        help='comma-separated N of the looped form (default 10,50,200)')
    parser.add_argument('--reps', type=int, default=None, help='repetitions (default 3; --quick 2)')
    parser.add_argument('--slow-reps', type=int, default=None,
                        help='repetitions of A-module and B (a module process per space: seconds per run) '
                             'for N < 50; for N >= 50 they run once (default 2; --quick 1)')
    parser.add_argument('--large-n', type=int, default=200,
                        help='from this N, A-module and B run the no-op pass only (B change at N=200 takes ~3 min)'
                             ' unless --large-change')
    parser.add_argument('--large-change', action='store_true',
                        help='also run A-module and B on the change pass at N >= --large-n')
    parser.add_argument('--inventory-size', type=int, default=None,
                        help='spaces of the inventory-driven form (default 50; --quick 10; 0 skips it)')
    parser.add_argument('--forks', type=lambda s: [int(x) for x in s.split(',')], default=[1, 10])
    parser.add_argument('--inventory', choices=('auto', 'plugin', 'static'), default='auto',
                        help='inventory-driven form: the kibana.cases.spaces plugin, a generated static '
                             'YAML inventory with the same host vars, or the plugin when it works (default)')
    parser.add_argument('--budget', type=float, default=1800.0,
                        help='seconds; no new run starts after this and the benchmark fails (default 1800)')
    parser.add_argument('--json', dest='json_path', help='also write the raw figures to this file')
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = [10, 50] if args.quick else [10, 50, 200]
    if args.reps is None:
        args.reps = 2 if args.quick else 3
    if args.slow_reps is None:
        args.slow_reps = 1 if args.quick else 2
    if args.inventory_size is None:
        args.inventory_size = 10 if args.quick else 20
    if args.reps < 1 or any(n < 1 for n in args.sizes):
        parser.error('--reps and --sizes must be >= 1')
    return args


class BenchError(RuntimeError):
    pass


class Bench:
    def __init__(self, args, sim, workdir):
        self.args = args
        self.sim = sim
        self.workdir = workdir
        self.started = time.monotonic()
        self.records = []          # one dict per playbook run
        self.current = {}          # group name -> closure type all its spaces have now
        self.env = self._environment()
        self.playbook = ansible_env.ansible_command('ansible-playbook')

    # ------------------------------------------------------------------ setup
    def _environment(self):
        return ansible_env.ansible_environment(
            self.workdir, ansible_env.collections_path(self.workdir / 'collections'),
            KIBANA_URL=self.sim.url, KIBANA_USERNAME=control.ADMIN_USER, KIBANA_PASSWORD=control.ADMIN_PASSWORD)

    def create_group(self, name, count):
        """Spaces <name>-0001..; each gets a cases configuration with the first closure type."""
        spaces = ['%s-%04d' % (name, i) for i in range(1, count + 1)]
        for space in spaces:
            self.sim.add_space(space, 'Bench %s' % space)
            self._kibana('POST', '/s/%s/api/cases/configure' % space, {
                'owner': 'cases', 'closure_type': CLOSURE_TYPES[0],
                'connector': {'id': 'none', 'name': 'none', 'type': '.none', 'fields': None}})
        self.current[name] = CLOSURE_TYPES[0]
        return spaces

    def _kibana(self, method, path, body=None):
        token = base64.b64encode(('%s:%s' % (control.ADMIN_USER, control.ADMIN_PASSWORD)).encode()).decode()
        request = urllib.request.Request(
            self.sim.url + path, method=method, data=None if body is None else json.dumps(body).encode(),
            headers={'Authorization': 'Basic ' + token, 'kbn-xsrf': 'bench', 'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b'null')

    # ------------------------------------------------------------------ one run
    def run(self, form, variant, group, spaces, pass_name, *, forks=None, inventory=None, rep=0):
        elapsed = time.monotonic() - self.started
        if elapsed > self.args.budget:
            raise BenchError('time budget of %.0f s exhausted after %.0f s (use --budget, --sizes or --quick)'
                             % (self.args.budget, elapsed))
        if pass_name == 'change':
            self.current[group] = CLOSURE_TYPES[1 - CLOSURE_TYPES.index(self.current[group])]
        wanted = self.current[group]
        extra = {'bench_closure_type': wanted, 'kibana_url': self.sim.url,
                 'kibana_user': control.ADMIN_USER, 'kibana_password': control.ADMIN_PASSWORD,
                 'kibana_cases_run_on_controller': variant != 'A-module'}
        if form == 'loop':
            extra['bench_spaces'] = spaces
            playbook = 'loop_uri.yml' if variant == 'B' else 'loop_module.yml'
        else:
            playbook = 'hosts_uri.yml' if variant == 'B' else 'hosts_module.yml'
        vars_file = self.workdir / 'extra-vars.json'
        vars_file.write_text(json.dumps(extra), encoding='utf-8')
        command = [self.playbook, str(BENCH_DIR / playbook), '-e', '@%s' % vars_file]
        if form == 'loop':
            command += ['-i', 'localhost,']
        else:
            command += ['-i', str(inventory), '-f', str(forks)]
        self.sim.clear_requests()
        start = time.perf_counter()
        completed = subprocess.run(command, cwd=str(self.workdir), env=self.env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=RUN_TIMEOUT,
                                   check=False)
        seconds = time.perf_counter() - start
        output = completed.stdout.decode('utf-8', errors='replace')
        log = self.sim.requests()
        label = '%s %s N=%d %s%s' % (form, variant, len(spaces), pass_name, '' if forks is None else ' forks=%d' % forks)
        if completed.returncode != 0 or 'failed=0' not in output:
            tail = '\n'.join(output.splitlines()[-60:])
            raise BenchError('%s: ansible-playbook exited %d\n%s' % (label, completed.returncode, tail))
        per_space, other = count_requests(log, spaces)
        self._check_state(label, spaces, wanted)
        minimum = ['GET'] if pass_name == 'noop' else ['GET', 'PATCH']
        wrong = {s: seq for s, seq in per_space.items() if seq != minimum}
        if variant != 'B' and wrong:
            sample = dict(list(wrong.items())[:3])
            raise BenchError('%s: requests per space are not the minimum %s, e.g. %s' % (label, minimum, sample))
        record = dict(form=form, variant=variant, n=len(spaces), pass_=pass_name, forks=forks, rep=rep,
                      seconds=seconds, requests=sum(len(seq) for seq in per_space.values()),
                      other_requests=other, minimal=not wrong)
        self.records.append(record)
        print('  %-38s %8.2f s  %5.2f req/space%s' % (
            label, seconds, record['requests'] / max(len(spaces), 1),
            '' if not other else '  (+%d not per space: %s)' % (len(other), ', '.join(sorted(set(other))))),
            flush=True)
        return record

    def _check_state(self, label, spaces, wanted):
        for space in spaces:
            configs = self._kibana('GET', '/s/%s/api/cases/configure?owner=cases' % space)
            if len(configs) != 1 or configs[0]['closure_type'] != wanted:
                raise BenchError('%s: space %s ends with %s, wanted closure_type %s' % (label, space, configs, wanted))


def count_requests(log, spaces):
    """Per space: the list of methods of its configure requests, in order; plus the other requests."""
    wanted = set(spaces)
    per_space = {space: [] for space in spaces}
    other = []
    for entry in log:
        path = entry['path']
        parts = path.split('/')
        if len(parts) > 3 and parts[1] == 's' and parts[2] in wanted:
            per_space[parts[2]].append(entry['method'])
            if entry['status'] != 200:
                per_space[parts[2]].append('status %s' % entry['status'])
        else:
            other.append('%s %s' % (entry['method'], path))
    return per_space, other


def ansible_version(bench):
    out = subprocess.run([bench.playbook, '--version'], env=bench.env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, check=False).stdout.decode(errors='replace')
    first = out.splitlines()[0] if out else '?'
    return first.replace('ansible-playbook ', '').strip('[] ')


# ---------------------------------------------------------------------- inventory
def static_inventory(bench, group, spaces):
    """The host vars the kibana.cases.spaces plugin gives, as a static YAML (JSON is YAML) inventory."""
    hosts = {space: {'space_id': space, 'space_name': 'Bench %s' % space, 'space_disabled_features': [],
                     'kibana_url': bench.sim.url, 'kibana_instance': None, 'ansible_connection': 'local'}
             for space in spaces}
    path = bench.workdir / ('%s-static.yml' % group)
    path.write_text(json.dumps({'all': {'hosts': hosts}}, indent=1), encoding='utf-8')
    return path


def plugin_inventory(bench, group, spaces):
    """A kibana_spaces.yml source of the kibana.cases.spaces plugin limited to the group; None if it does not work."""
    path = bench.workdir / ('%s.kibana_spaces.yml' % group)
    path.write_text('plugin: kibana.cases.spaces\ninclude_spaces:\n  - "%s-*"\n' % group, encoding='utf-8')
    inventory = ansible_env.ansible_command('ansible-inventory')
    completed = subprocess.run([inventory, '-i', str(path), '--list'], env=bench.env, cwd=str(bench.workdir),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120, check=False)
    try:
        hostvars = json.loads(completed.stdout)['_meta']['hostvars']
    except (ValueError, KeyError):
        return None, completed.stderr.decode(errors='replace').strip()[-500:]

    def plain(value):
        # ansible-inventory --list shows variables from a plugin as {"__ansible_unsafe": value}
        return value.get('__ansible_unsafe') if isinstance(value, dict) else value

    if sorted(hostvars) != sorted(spaces) or any(
            plain(hostvars[s].get('space_id')) != s or plain(hostvars[s].get('kibana_url')) != bench.sim.url
            for s in spaces):
        return None, 'the plugin gave hosts %s...' % sorted(hostvars)[:3]
    return path, None


# ---------------------------------------------------------------------- figures
def median(records, **match):
    times = [r['seconds'] for r in records if all(r[k] == v for k, v in match.items())]
    return (statistics.median(times), len(times)) if times else (None, 0)


def per_space(records, **match):
    rows = [r for r in records if all(r[k] == v for k, v in match.items())]
    return rows[0]['requests'] / rows[0]['n'] if rows else None


def fmt(value, pattern='%.2f'):
    return '-' if value is None else pattern % value


def report(bench, args, inventory_kind, meta):
    records = bench.records
    lines = ['', 'kibana.cases rollout benchmark: %s' % meta, '',
             'Looped over N spaces on localhost (one ansible-playbook run each; medians of the repetitions, seconds)',
             '%-7s %5s %12s %12s %12s %9s %9s %10s %10s' % ('pass', 'N', 'A', 'A-module', 'B', 'A/B',
                                                            'Amod/B', 'req/sp A', 'req/sp B')]
    summary = {'loop': {}, 'hosts': {}}
    for pass_name in PASSES:
        for n in args.sizes:
            cells = {}
            for variant in ('A', 'A-module', 'B'):
                cells[variant] = median(records, form='loop', variant=variant, n=n, pass_=pass_name)
            a, am, b = cells['A'][0], cells['A-module'][0], cells['B'][0]
            ratio = a / b if a is not None and b else None
            ratio_m = am / b if am is not None and b else None
            summary['loop'][(pass_name, n)] = dict(A=a, A_module=am, B=b, ratio=ratio, ratio_module=ratio_m,
                                                   reps={k: v[1] for k, v in cells.items()},
                                                   req_A=per_space(records, form='loop', variant='A', n=n,
                                                                   pass_=pass_name),
                                                   req_B=per_space(records, form='loop', variant='B', n=n,
                                                                   pass_=pass_name))
            s = summary['loop'][(pass_name, n)]
            lines.append('%-7s %5d %12s %12s %12s %9s %9s %10s %10s' % (
                pass_name, n, '%s (x%d)' % (fmt(a), cells['A'][1]), '%s (x%d)' % (fmt(am), cells['A-module'][1]),
                '%s (x%d)' % (fmt(b), cells['B'][1]), fmt(ratio, '%.3f'), fmt(ratio_m, '%.3f'),
                fmt(s['req_A']), fmt(s['req_B'])))
    if args.inventory_size:
        title = 'Inventory-driven, hosts = %d spaces (%s inventory), seconds' % (args.inventory_size, inventory_kind)
        lines += ['', title,
                  '%-7s %6s %10s %10s %9s %10s %10s' % ('pass', 'forks', 'A', 'B', 'A/B', 'req/sp A', 'req/sp B')]
        for pass_name in PASSES:
            for forks in args.forks:
                a = median(records, form='hosts', variant='A', pass_=pass_name, forks=forks)[0]
                b = median(records, form='hosts', variant='B', pass_=pass_name, forks=forks)[0]
                ratio = a / b if a is not None and b else None
                summary['hosts'][(pass_name, forks)] = dict(A=a, B=b, ratio=ratio)
                lines.append('%-7s %6d %10s %10s %9s %10s %10s' % (
                    pass_name, forks, fmt(a), fmt(b), fmt(ratio, '%.3f'),
                    fmt(per_space(records, form='hosts', variant='A', pass_=pass_name, forks=forks)),
                    fmt(per_space(records, form='hosts', variant='B', pass_=pass_name, forks=forks))))
    # Targets
    lines += ['', 'Targets']
    minimal = all(r['minimal'] for r in records if r['variant'] != 'B')
    lines.append('  requests per space of A minimal (no-op 1, change 2): %s' % ('met' if minimal else 'NOT met'))
    largest = max(args.sizes)
    noop_large = summary['loop'].get(('noop', largest), {})
    ratio = noop_large.get('ratio')
    if ratio is not None:
        lines.append('  A/B wall-time ratio, no-op pass, N=%d: %.3f (target <= 0.1: %s)' % (
            largest, ratio, 'not judged: the target is at N = 200' if largest < 200 else
            ('met' if ratio <= 0.1 else 'NOT met')))
    if len(args.sizes) >= 3:
        for variant, key in (('A', 'A'), ('A-module', 'A_module'), ('B', 'B')):
            for pass_name in PASSES:
                pts = [(n, summary['loop'][(pass_name, n)][key]) for n in sorted(args.sizes)]
                pts = [(n, t) for n, t in pts if t is not None]
                if len(pts) < 3:
                    continue
                slopes = [(t2 - t1) / (n2 - n1) for (n1, t1), (n2, t2) in zip(pts, pts[1:])]
                spread = slopes[-1] / slopes[0] if slopes[0] > 0 else float('nan')
                if min(later[1] - earlier[1] for earlier, later in zip(pts, pts[1:])) < 0.5:
                    verdict = 'a step under 0.5 s: within the noise of the fixed start-up, judge on the largest N'
                else:
                    verdict = 'linear' if 0.67 <= spread <= 1.5 else 'NOT linear'
                lines.append('  linear in N, %-8s %-6s: ms per added space %s between N=%s (last/first %.2f: %s)' % (
                    variant, pass_name, ' -> '.join('%.1f' % (s * 1000) for s in slopes),
                    ','.join(str(point[0]) for point in pts), spread, verdict))
    startup = median(records, form='loop', variant='A', n=0, pass_='noop')[0]
    if startup is not None:
        lines.append('  fixed cost: ansible-playbook with an empty loop (A, N=0): %.2f s' % startup)
    lines.append('  load average at the end (1, 5, 15 min): %.2f %.2f %.2f on %d cores (other work on the machine '
                 'slows the module-process variants most)' % (os.getloadavg() + (os.cpu_count() or 0,)))
    print('\n'.join(lines), flush=True)
    return summary


# ---------------------------------------------------------------------- main
def main(argv=None):
    args = parse_args(argv)
    # SIGTERM (a stopped make, a CI time-out) ends the run through the finally below: no simulator left behind.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    workdir = Path(tempfile.mkdtemp(prefix='kibana-cases-bench-'))
    sim = None
    try:
        sim = control.Simulator.start(workdir)
        bench = Bench(args, sim, workdir)
        meta = '%d cores, Python %s, ansible-core %s, %s' % (os.cpu_count() or 0, platform.python_version(),
                                                             ansible_version(bench), platform.platform())
        print('kibana.cases rollout benchmark (%s)\nsimulator %s, collections %s' % (
            meta, sim.url, bench.env['ANSIBLE_COLLECTIONS_PATH']), flush=True)
        groups = {n: bench.create_group('n%d' % n, n) for n in args.sizes}
        inventory_kind = None
        if args.inventory_size:
            inv_spaces = bench.create_group('inv', args.inventory_size)
            inventory = None
            if args.inventory in ('auto', 'plugin'):
                inventory, why = plugin_inventory(bench, 'inv', inv_spaces)
                if inventory is None:
                    if args.inventory == 'plugin':
                        raise BenchError('the kibana.cases.spaces inventory plugin does not work here: %s' % why)
                    print('inventory plugin kibana.cases.spaces not usable (%s); using a static YAML inventory '
                          'with the same host vars' % why.splitlines()[-1] if why else '?', flush=True)
                else:
                    inventory_kind = 'kibana.cases.spaces plugin'
            if inventory is None:
                inventory = static_inventory(bench, 'inv', inv_spaces)
                inventory_kind = 'static YAML'
        sim.clear_requests()

        variants = ('A', 'A-module', 'B')

        def slow_reps(n):
            return args.slow_reps if n < 50 else 1

        for rep in range(args.reps):
            print('repetition %d/%d' % (rep + 1, args.reps), flush=True)
            order = variants if rep % 2 == 0 else tuple(reversed(variants))
            bench.current['empty'] = CLOSURE_TYPES[0]
            bench.run('loop', 'A', 'empty', [], 'noop', rep=rep)
            for n in args.sizes:
                for pass_name in PASSES:
                    for variant in order:
                        if variant != 'A' and (rep >= slow_reps(n) or (
                                n >= args.large_n and pass_name == 'change' and not args.large_change)):
                            continue
                        bench.run('loop', variant, 'n%d' % n, groups[n], pass_name, rep=rep)
            if args.inventory_size:
                for forks in args.forks:
                    for pass_name in PASSES:
                        for variant in (('A', 'B') if rep % 2 == 0 else ('B', 'A')):
                            if variant == 'B' and rep >= slow_reps(args.inventory_size):
                                continue
                            bench.run('hosts', variant, 'inv', inv_spaces, pass_name, forks=forks,
                                      inventory=inventory, rep=rep)
        if args.json_path:
            # the raw records first, so that they survive a failure of the report
            Path(args.json_path).write_text(json.dumps({'meta': meta, 'inventory': inventory_kind,
                                                        'records': bench.records}, indent=1), encoding='utf-8')
        summary = report(bench, args, inventory_kind, meta)
        print('total %.0f s' % (time.monotonic() - bench.started))
        if args.json_path:
            Path(args.json_path).write_text(json.dumps({
                'meta': meta, 'inventory': inventory_kind, 'records': bench.records,
                'summary': {form: {'%s/%s' % k: v for k, v in rows.items()} for form, rows in summary.items()},
            }, indent=1), encoding='utf-8')
        return 0
    except (RuntimeError, subprocess.TimeoutExpired) as exc:  # BenchError, SimulatorError, ansible_env
        print('BENCH FAILED: %s' % exc, file=sys.stderr, flush=True)
        return 1
    finally:
        if sim is not None:
            sim.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
