"""Benchmark: papermill and nbconvert with their local kernels vs the same with minijup's kernel on a Jupyter Server.

    .venv/bin/python bench/papermill.py [--cells 30] [--rounds 5] [--no-nbconvert]

The same notebook of small cells (assignments, prints, expressions, a parameters cell) is run, in alternating rounds,
by the real commands in subprocesses, as a user runs them (each one's whole run: start of the command, kernel start,
execution, saves, kernel shutdown):
- `papermill in.ipynb out.ipynb -p n 3` (its local kernel) vs the same with `--engine minijup`;
- `jupyter nbconvert --to notebook --execute` (its local kernel) vs the same with
  `--ExecutePreprocessor.kernel_manager_class=minijup.kernelmanager.ServerKernelManager`.
The server is $JUPYTER_URL (with $JUPYTER_TOKEN or $JUPYTER_TOKEN_FILE) if set, else an embedded `LocalServer`
started once beforehand (papermill's local machinery is not counted either). The median of each and the ratio are
printed. Goal (issue 24): both ratios <= 1.1x. Not a test.
"""
import argparse, os, statistics, subprocess, sys, tempfile, time
from pathlib import Path
import nbformat
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BIN = Path(sys.executable).parent

def notebook(n):
    src = ['x = {i}', 'print("cell", {i})', '{i} * n']
    cells = [nbformat.v4.new_code_cell('n = 1', metadata={'tags': ['parameters']})]
    cells += [nbformat.v4.new_code_cell(src[i % 3].format(i=i)) for i in range(n)]
    return nbformat.v4.new_notebook(cells=cells, metadata={'kernelspec': {'name': 'python3',
                                    'display_name': 'Python 3', 'language': 'python'}})

def timed(cmd, env, cwd) -> float:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
    dt = time.perf_counter() - t0
    if r.returncode: sys.exit(f'failed: {" ".join(map(str, cmd))}\n{r.stderr[-3000:]}')
    return dt

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--cells', type=int, default=30)
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--no-nbconvert', action='store_true', help='only papermill')
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix='minijup-bench-pm-'))
    nbformat.write(notebook(a.cells), tmp/'in.ipynb')
    env, srv = dict(os.environ), None
    if not env.get('JUPYTER_URL'):
        from minijup.core import LocalServer
        srv = LocalServer().start()
        (tmp/'token').write_text(srv.token); (tmp/'token').chmod(0o600)
        env.update(JUPYTER_URL=srv.url, JUPYTER_TOKEN_FILE=str(tmp/'token')); env.pop('JUPYTER_TOKEN', None)
    pm = [str(BIN/'papermill'), 'in.ipynb', 'out.ipynb', '-p', 'n', '3', '--no-progress-bar']
    nbc = [str(BIN/'jupyter'), 'nbconvert', '--to', 'notebook', '--execute', 'in.ipynb', '--output', 'nbc-out']
    kmc = '--ExecutePreprocessor.kernel_manager_class=minijup.kernelmanager.ServerKernelManager'
    pairs = {'papermill': (pm, pm + ['--engine', 'minijup'])}
    if not a.no_nbconvert: pairs['nbconvert --execute'] = (nbc, nbc + [kmc])
    times = {k: ([], []) for k in pairs}
    try:
        for name, (local, remote) in pairs.items():   # a warm-up of each, not counted
            timed(local, env, tmp); timed(remote, env, tmp)
        for r in range(a.rounds):
            for name, (local, remote) in pairs.items():
                order = [(0, local), (1, remote)] if r % 2 == 0 else [(1, remote), (0, local)]
                for i, cmd in order: times[name][i].append(timed(cmd, env, tmp))
    finally:
        if srv: srv.stop()
    print(f'{a.cells + 1} cells, {a.rounds} rounds, server {"embedded" if srv else env["JUPYTER_URL"]}')
    for name, (lt, rt) in times.items():
        ml, mr = statistics.median(lt), statistics.median(rt)
        print(f'{name:22} local kernel {ml:6.2f} s   minijup {mr:6.2f} s   ratio {mr/ml:.2f}x  (goal <= 1.1x)')

if __name__ == '__main__': main()
