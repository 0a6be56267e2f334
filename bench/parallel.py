"""Benchmark: 16 notebooks that each sleep 1 s, run 4 at a time, in one run.

    .venv/bin/python bench/parallel.py            # 3 rounds of each (about a minute)
    .venv/bin/python bench/parallel.py --rounds 5

1. `jp.run_notebooks(paths, jobs=4)` on one LocalServer: 4 kernels at once;
2. `run_notebooks(paths, [jp1, jp2], jobs=2)` over two LocalServers: `jobs` is per server, so 2 kernels on each,
   4 at once in all, taking from one shared queue.
Both servers serve the same folder, so the same paths run on either. The ideal is 16 x 1 s / 4 = 4 s; each
figure is the wall time of the whole batch (kernel starts, executions, saves, shutdowns), with its ratio to the
ideal: the median of the rounds, which alternate between the two set-ups, and the fastest and slowest. Every
notebook gets a fresh kernel, so the batch starts and stops 16 kernels: a kernel's start-up costs about 0.3 s of CPU
and its shutdown about 0.15 s, so on 2 CPUs the kernels alone keep the machine busy for most of the ideal 4 s. The
CPU seconds each set-up used (the servers with their kernels, and this process) are printed too, on Linux. Target
(issue 6): <= 1.3x. The servers are started beforehand and not counted. Not a test.
"""
import argparse, os, statistics, sys, tempfile, time
from pathlib import Path
import nbformat
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from minijup.core import LocalServer, Jupyter
from minijup.parallel import run_notebooks

N, JOBS, IDEAL = 16, 4, 4.0

def server_cpu(*servers) -> float:
    "CPU seconds used by the servers' processes and the kernels they started and reaped (Linux /proc), else 0"
    total = 0.0
    for s in servers:
        try: f = open(f'/proc/{s.pid}/stat').read().rsplit(')', 1)[1].split()
        except OSError: return 0.0
        total += sum(int(x) for x in f[11:15]) / os.sysconf('SC_CLK_TCK')
    return total

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--rounds', type=int, default=3)
    rounds = ap.parse_args().rounds
    root = Path(tempfile.mkdtemp(prefix='minijup-bench-'))
    paths = [f'sleep{i:02}.ipynb' for i in range(N)]
    for p in paths:
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('import time; time.sleep(1)')],
            metadata={'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}}), root/p)
    with LocalServer(root_dir=root) as s1, LocalServer(root_dir=root) as s2:
        jp1,jp2 = Jupyter(s1.url_with_token),Jupyter(s2.url_with_token)
        jp1.run_notebook(paths[0], save=False); jp2.run_notebook(paths[0], save=False)   # warm up both servers
        rows = {f'1 server, jobs={JOBS}': lambda: jp1.run_notebooks(paths, jobs=JOBS, progress=False),
                f'2 servers, jobs={JOBS // 2} each': lambda: run_notebooks(paths, [jp1, jp2], jobs=JOBS // 2, progress=False)}
        walls,cpus,last = {k: [] for k in rows},{k: [] for k in rows},{}
        for _ in range(rounds):
            for name,f in rows.items():
                c0,p0,t0 = server_cpu(s1, s2),time.process_time(),time.perf_counter()
                last[name] = f()
                walls[name].append(time.perf_counter() - t0)
                cpus[name].append((server_cpu(s1, s2) - c0, time.process_time() - p0))
        assert not jp1.kernels() and not jp2.kernels()
    print(f'{N} notebooks sleeping 1 s, {JOBS} at a time; ideal {IDEAL:.1f} s; {rounds} rounds, medians')
    for name,ws in walls.items():
        res,wall = last[name],statistics.median(ws)
        ok = sum(r.ok for r in res)
        per = sorted(r.seconds for r in res)
        split = {u: sum(r.server == u for r in res) for u in dict.fromkeys(r.server for r in res)}
        print(f'{name:22} wall {wall:5.2f} s  ratio {wall / IDEAL:4.2f}x  (fastest {min(ws) / IDEAL:4.2f}x, slowest '
              f'{max(ws) / IDEAL:4.2f}x)  target <= 1.3x: {"met" if wall / IDEAL <= 1.3 else "MISSED"}  ok {ok}/{N}  '
              f'per notebook {per[0]:.2f}-{per[-1]:.2f} s  per server {list(split.values())}')
        srv_cpu,own_cpu = (statistics.median(c[i] for c in cpus[name]) for i in (0, 1))
        if srv_cpu: print(f'{"":22} CPU: servers and kernels {srv_cpu:.1f} s, minijup {own_cpu:.1f} s, of '
                          f'{(os.cpu_count() or 1) * wall:.1f} s the {os.cpu_count()} CPUs had in that time')

if __name__ == '__main__': main()
