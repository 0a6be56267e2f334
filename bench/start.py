"""Benchmark: the README's main job, `minijup run examples/hello.ipynb` (embedded server), vs `jupyter execute`.

    .venv/bin/python bench/start.py [--runs 5] [--breakdown] [--notebook examples/hello.ipynb]

Both commands run as a person types them, from the venv of this checkout, in a temporary copy of `examples/` (so
nothing is written in the checkout), alternately, `--runs` times each. Printed: each run's seconds, the medians
and the ratio minijup / jupyter execute (of the medians). Target (issue 14): ratio <= 1.0.
`--breakdown` sets $MINIJUP_TIMING for minijup's runs: the command then prints when it reached each phase on stderr,
and the median time of each phase since the launch is printed too. Not a test: nothing asserts.
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent   # the venv's scripts: minijup, jupyter

def run(cmd, cwd, env) -> tuple:
    "Run `cmd`; (seconds, {phase: seconds since the launch}) from its `minijup-timing` lines"
    t0 = time.time()
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    dt = time.time() - t0
    if p.returncode != 0: sys.exit(f'{" ".join(cmd)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}')
    phases = {}
    for l in p.stderr.splitlines():
        if l.startswith('minijup-timing '):
            _,t,phase = l.split(' ', 2)
            phases[phase] = float(t) - t0
    return dt, phases

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--runs', type=int, default=5, help='runs of each command (default: 5)')
    ap.add_argument('--breakdown', action='store_true', help="also time minijup's phases ($MINIJUP_TIMING)")
    ap.add_argument('--notebook', default='examples/hello.ipynb', help='a notebook under examples/ (default: hello)')
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix='bench-start-'))
    try:
        shutil.copytree(ROOT/'examples', tmp/'examples')
        env = {k:v for k,v in os.environ.items() if k not in ('JUPYTER_URL', 'JUPYTER_TOKEN', 'JUPYTER_TOKEN_FILE', 'MINIJUP_TIMING')}
        menv = {**env, 'MINIJUP_TIMING': '1'} if a.breakdown else env
        cmds = {'minijup run': ([str(BIN/'minijup'), 'run', a.notebook], menv),
                'jupyter execute': ([str(BIN/'jupyter'), 'execute', a.notebook], env)}
        times,phases = {k: [] for k in cmds},[]
        print(f'load average before: {os.getloadavg()[0]:.2f}')
        for i in range(a.runs):
            for name,(cmd,e) in (cmds.items() if i % 2 == 0 else reversed(cmds.items())):   # alternate who goes first
                dt,ph = run(cmd, tmp, e)
                times[name].append(dt)
                if ph: phases.append(ph)
                print(f'  run {i+1}  {name:16} {dt:6.2f} s', flush=True)
        print(f'load average after: {os.getloadavg()[0]:.2f}')
    finally: shutil.rmtree(tmp, ignore_errors=True)
    med = {k: statistics.median(v) for k,v in times.items()}
    for k,v in med.items(): print(f'median {k:16} {v:6.2f} s')
    print(f'ratio minijup run / jupyter execute: {med["minijup run"] / med["jupyter execute"]:.2f}x (target <= 1.0x)')
    if phases:
        print('minijup run, median seconds since the launch at which each phase was reached:')
        for ph in phases[0]:
            print(f'  {ph:18} {statistics.median(p[ph] for p in phases if ph in p):6.2f}')

if __name__ == '__main__': main()
