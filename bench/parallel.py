"""Benchmark: 16 notebooks that each sleep 1 s, run 4 at a time, in one run.

    .venv/bin/python bench/parallel.py

1. `jp.run_notebooks(paths, jobs=4)` on one LocalServer: 4 kernels at once;
2. `run_notebooks(paths, [jp1, jp2], jobs=2)` over two LocalServers: `jobs` is per server, so 2 kernels on each,
   4 at once in all, taking from one shared queue.
Both servers serve the same folder, so the same paths run on either. The ideal is 16 x 1 s / 4 = 4 s; each
figure is the wall time of the whole batch (kernel starts, executions, saves, shutdowns), with its ratio to the
ideal. Target (issue 6): <= 1.3x. The servers are started beforehand and not counted. Not a test.
"""
import sys, tempfile, time
from pathlib import Path
import nbformat
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from minijup.core import LocalServer, Jupyter
from minijup.parallel import run_notebooks

N, JOBS, IDEAL = 16, 4, 4.0

def main():
    root = Path(tempfile.mkdtemp(prefix='minijup-bench-'))
    paths = [f'sleep{i:02}.ipynb' for i in range(N)]
    for p in paths:
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('import time; time.sleep(1)')],
            metadata={'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}}), root/p)
    with LocalServer(root_dir=root) as s1, LocalServer(root_dir=root) as s2:
        jp1,jp2 = Jupyter(s1.url_with_token),Jupyter(s2.url_with_token)
        jp1.run_notebook(paths[0], save=False); jp2.run_notebook(paths[0], save=False)   # warm up both servers
        rows = []
        t0 = time.perf_counter()
        res = jp1.run_notebooks(paths, jobs=JOBS, progress=False)
        rows.append((f'1 server, jobs={JOBS}', time.perf_counter() - t0, res))
        t0 = time.perf_counter()
        res = run_notebooks(paths, [jp1, jp2], jobs=JOBS // 2, progress=False)
        rows.append((f'2 servers, jobs={JOBS // 2} each', time.perf_counter() - t0, res))
    print(f'{N} notebooks sleeping 1 s, {JOBS} at a time; ideal {IDEAL:.1f} s')
    for name,wall,res in rows:
        ok = sum(r.ok for r in res)
        per = sorted(r.seconds for r in res)
        split = {u: sum(r.server == u for r in res) for u in dict.fromkeys(r.server for r in res)}
        print(f'{name:22} wall {wall:5.2f} s  ratio {wall / IDEAL:4.2f}x  ok {ok}/{N}  per notebook '
              f'{per[0]:.2f}-{per[-1]:.2f} s  per server {list(split.values())}')

if __name__ == '__main__': main()
