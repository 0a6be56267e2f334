"""Benchmark: running a notebook with minijup on a LocalServer vs nbclient on a local kernel, in one run.

    .venv/bin/python bench/run.py [--cells 50] [--rounds 5]

A notebook of small cells (assignments, prints, expressions) is run by both, in interleaved rounds, and the
median of each figure is printed with its ratio to nbclient's:
- execution alone: the cells on a kernel that is already running (nbclient: `execute_cell` inside
  `setup_kernel()`; minijup: `KernelConnection.execute_notebook` on a kernel started on the server);
- the whole run: kernel start, execution and kernel shutdown (nbclient: `NotebookClient.execute()`; minijup:
  `Jupyter.run_notebook(path, save=False)`, which also reads the notebook from the server).
minijup's async face (`AsyncKernelConnection.execute_notebook`, `AsyncJupyter.run_notebook`, in an event loop of
its own for each run) is measured the same way, in the same rounds.
The server is started once beforehand, as nbclient's local machinery is not counted either. Not a test.
Targets (issues 5 and 23): execution alone <= 1.1x nbclient on both faces; the whole run <= 1.1x nbclient.
"""
import argparse, asyncio, copy, statistics, sys, tempfile, time
from pathlib import Path
import nbformat
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from minijup.core import LocalServer, Jupyter
from minijup.aio import AsyncJupyter
from nbclient import NotebookClient

def notebook(n):
    src = ['x = {i}', 'print("cell", {i})', '{i} * {i}']
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src[i % 3].format(i=i)) for i in range(n)],
        metadata={'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}})

def nbclient_exec(nb):
    nb = copy.deepcopy(nb); c = NotebookClient(nb, kernel_name='python3')
    with c.setup_kernel():
        t0 = time.perf_counter()
        for i,cell in enumerate(nb.cells): c.execute_cell(cell, i)
        return time.perf_counter() - t0

def nbclient_total(nb):
    nb = copy.deepcopy(nb); t0 = time.perf_counter()
    NotebookClient(nb, kernel_name='python3').execute()
    return time.perf_counter() - t0

def minijup_exec(jp, nb):
    nb = copy.deepcopy(nb)
    with jp.start_kernel('python3') as kern, jp.connect(kern) as k:
        k.kernel_info()
        t0 = time.perf_counter(); k.execute_notebook(nb); return time.perf_counter() - t0

def minijup_total(jp, path):
    t0 = time.perf_counter(); nb = jp.run_notebook(path, save=False); dt = time.perf_counter() - t0
    assert nb.cells[-1].execution_count == len(nb.cells)
    return dt

def aio_exec(srv, nb):
    async def run():
        async with AsyncJupyter(srv.url, token=srv.token) as jp:
            k = await jp.connect(await jp.start_kernel('python3'))
            await k.kernel_info()
            t0 = time.perf_counter(); await k.execute_notebook(copy.deepcopy(nb)); return time.perf_counter() - t0
    return asyncio.run(run())

def aio_total(srv, path):
    async def run():
        t0 = time.perf_counter()
        async with AsyncJupyter(srv.url, token=srv.token) as jp: nb = await jp.run_notebook(path, save=False)
        assert nb.cells[-1].execution_count == len(nb.cells)
        return time.perf_counter() - t0
    return asyncio.run(run())

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--cells', type=int, default=50); ap.add_argument('--rounds', type=int, default=5)
    a = ap.parse_args()
    nb = notebook(a.cells)
    # the server's kernels keep their history in memory, as nbclient starts its kernels (--HistoryManager.hist_file=:memory:):
    # otherwise every cell of minijup's kernel is also written to an sqlite file, and that is not what is compared here
    ipy = Path(tempfile.mkdtemp())/'ipython'
    (ipy/'profile_default').mkdir(parents=True)
    (ipy/'profile_default'/'ipython_kernel_config.py').write_text("c.HistoryManager.hist_file = ':memory:'\n")
    with LocalServer(env={'IPYTHONDIR': str(ipy)}) as srv:
        jp = Jupyter(srv.url_with_token)
        jp.save('bench.ipynb', nb)
        runs = {k: [] for k in ('nbclient exec', 'minijup exec', 'async exec', 'nbclient total', 'minijup total',
                                'async total')}
        minijup_total(jp, 'bench.ipynb'); nbclient_total(nb); aio_total(srv, 'bench.ipynb')   # warm-up (imports, caches)
        for r in range(a.rounds):
            runs['nbclient exec'].append(nbclient_exec(nb)); runs['minijup exec'].append(minijup_exec(jp, nb))
            runs['async exec'].append(aio_exec(srv, nb))
            runs['minijup total'].append(minijup_total(jp, 'bench.ipynb')); runs['nbclient total'].append(nbclient_total(nb))
            runs['async total'].append(aio_total(srv, 'bench.ipynb'))
    med = {k: statistics.median(v) for k,v in runs.items()}
    print(f'{a.cells} small cells, {a.rounds} rounds, medians (jupyter_server on 127.0.0.1 for minijup):')
    for what in ('exec', 'total'):
        label = 'execution alone' if what == 'exec' else 'with kernel start and shutdown'
        n,m,x = med[f'nbclient {what}'], med[f'minijup {what}'], med[f'async {what}']
        print(f'  {label:32} nbclient {n*1000:7.0f} ms   minijup {m*1000:7.0f} ms ({m/n:.2f}x)   '
              f'async face {x*1000:7.0f} ms ({x/n:.2f}x)   (target <= 1.1x: sync {"met" if m/n <= 1.1 else "NOT met"}, '
              f'async {"met" if x/n <= 1.1 else "NOT met"})')

if __name__ == '__main__': main()
