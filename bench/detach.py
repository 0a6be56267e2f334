"""Benchmark: a detached run (start_run, then attach) vs the same notebook run attached, and vs nbclient, in one run.

    .venv/bin/python bench/detach.py [--cells 50] [--rounds 5]

A notebook of small cells (assignments, prints, expressions) is run, in interleaved rounds, by:
- nbclient on a local kernel (`NotebookClient.execute()`: kernel start, cells, shutdown), the reference;
- `Jupyter.run_notebook(path)` on a LocalServer (attached: kernel start, cells, save, shutdown);
- `Jupyter.start_run(path)` then `attach(run)` (detached: two kernels started, the driver sent, the cells run by
  it while the journal is read back, the notebook saved, the run collected).
Printed: the median of each, with its ratio to nbclient's and the detached run's to the attached one; how long
`start_run` takes to return; and the lag of a live output: the time from a cell's print in the kernel to `attach`'s
`on_output` (a cell prints the time; the journal is polled every `poll` s). Not a test.
"""
import argparse, copy, statistics, sys, time
from pathlib import Path
import nbformat
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from minijup.core import LocalServer, Jupyter
import minijup.run, minijup.runs
from nbclient import NotebookClient

SPEC = {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}

def notebook(n):
    src = ['x = {i}', 'print("cell", {i})', '{i} * {i}']
    cells = [nbformat.v4.new_code_cell(src[i % 3].format(i=i)) for i in range(n)]
    return nbformat.v4.new_notebook(cells=cells, metadata={'kernelspec': SPEC})

def timed(f):
    t0 = time.perf_counter(); f(); return time.perf_counter() - t0

def lag(jp, rounds:int=5) -> list:
    "Seconds from a print in the kernel to attach's on_output, a print every 0.5 s"
    nb = nbformat.v4.new_notebook(metadata={'kernelspec': SPEC}, cells=[nbformat.v4.new_code_cell(
        f'import time\nfor i in range({rounds}):\n    print(time.time(), flush=True)\n    time.sleep(0.5)')])
    jp.save('lag.ipynb', nb)
    seen = []
    def heard(i, out):
        seen.extend(time.time() - float(l) for l in out.text.split())
    jp.attach(jp.start_run('lag.ipynb', output_path='lag-out.ipynb'), on_output=heard)
    return seen

def main():
    p = argparse.ArgumentParser(); p.add_argument('--cells', type=int, default=50)
    p.add_argument('--rounds', type=int, default=5); a = p.parse_args()
    nb = notebook(a.cells)
    figs = {'nbclient': [], 'attached': [], 'detached': [], 'start_run returns': []}
    with LocalServer() as srv, Jupyter(srv.url_with_token) as jp:
        jp.save('bench.ipynb', nb)
        for _ in range(a.rounds):
            figs['nbclient'].append(timed(lambda: NotebookClient(copy.deepcopy(nb), kernel_name='python3').execute()))
            figs['attached'].append(timed(lambda: jp.run_notebook('bench.ipynb', output_path='att.ipynb')))
            t0 = time.perf_counter(); run = jp.start_run('bench.ipynb', output_path='det.ipynb')
            figs['start_run returns'].append(time.perf_counter() - t0)
            jp.attach(run); figs['detached'].append(time.perf_counter() - t0)
            assert jp.runs() == [] and jp.kernels() == []
        lags = lag(jp)
    med = {k: statistics.median(v) for k,v in figs.items()}
    print(f"{a.cells} small cells, {a.rounds} rounds (medians)")
    for k in ('nbclient', 'attached', 'detached'):
        print(f"  {k:10} {med[k]:6.2f} s   {med[k] / med['nbclient']:.2f}x nbclient")
    print(f"  detached / attached: {med['detached'] / med['attached']:.2f}x")
    print(f"  start_run returns after {med['start_run returns']:.2f} s (two kernels started, the driver sent)")
    print(f"  live output lag in attach: median {statistics.median(lags) * 1000:.0f} ms, "
          f"max {max(lags) * 1000:.0f} ms (poll every 0.25 s)")

if __name__ == '__main__': main()
