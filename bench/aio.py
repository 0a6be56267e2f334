"""Benchmark: minijup's async face driving many kernels from one event loop, against its references, in one run.

    .venv/bin/pip install -e ".[dev,bench]"
    .venv/bin/python bench/aio.py                   # --n 300 --kernels 1,10,50 --rounds 3 (4-5 minutes)
    .venv/bin/python bench/aio.py --quick           # --n 80 --kernels 1,10 --rounds 2 (under a minute)
    .venv/bin/python bench/aio.py --profile 1       # then cProfile a process that runs only the async face
    .venv/bin/python bench/aio.py --probe-quickack  # and a fourth client: the async face with TCP_QUICKACK

For each number of kernels K, N small executions per round are spread evenly over K kernels (N/K on each, one
after the other, all K kernels at once) by three clients:
- zmq: jupyter_client's `AsyncKernelManager`/`AsyncKernelClient` on K local ipykernels, straight over ZMQ, from
  this process's event loop (the limit: no server in between);
- sync: minijup's `Jupyter`/`KernelConnection` through the server, a thread per kernel, each on its own connection;
- async: minijup's `AsyncJupyter`/`AsyncKernelConnection` through the server, K tasks on this process's one loop.
Two workloads: `x = 1` (no output) and `print('ok')` (one stream output). Each round the clients take their turns
in a shuffled order, so that a busy moment of this shared 2-core machine hits them all alike. The minijup clients
connect their K websockets before their turn and close them after it (the server relays every iopub message to
every websocket of a kernel, so the two faces must not be connected to the same kernels at once); every
connection runs one untimed `pass` first.

Printed for each K: executions per second (the median over rounds) with the ratios async/zmq and async/sync; the
CPU one execution cost in this process (the client), in the server and in the kernels; at one kernel the median
round trip (of every execution, each timed alone). Then the threads and RSS of a process that runs only the async
face, with 1, 10 and 50 kernels connected (and the names of its threads besides the main one). Goals (issue 23):
at 1 kernel, the async round trip within 1.15x of zmq's; at 10 and 50 kernels, async >= the sync client's
throughput and >= 0.6x zmq's. Not a test: nothing is asserted, but each execution must answer what it should.

--probe-quickack is a diagnosis: a fourth client, the async face with Linux's TCP_QUICKACK re-armed on each read
of its sockets (patched in here, for that client's turns only), as minijup's sync face sets it before each read.
The server (tornado, without TCP_NODELAY) writes each message of an execution as its own small packet, and each
packet after the first waits for the ACK of the one before, which the client's kernel may delay by up to 40 ms.

All kernels are started at once (the server's through the async face, the local ones through AsyncKernelManager),
with their IPython history in memory (as nbclient starts its kernels); the server's IOPub rate limit is off (this
measures transport). Every kernel and the server are stopped on the way out, also on an error or Ctrl-C.
"""
import argparse, asyncio, cProfile, json, os, pstats, random, shutil, statistics, subprocess, sys
import tempfile, threading, time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from minijup.aio import AsyncJupyter
from minijup.core import LocalServer, Jupyter, JupyterError
from minijup.local import descendants

WORKS = [('x = 1', ''), ("print('ok')", 'ok\n')]   # (code, the stdout it prints)
CLIENTS = {'zmq': 'zmq: jupyter_client AsyncKernelClient', 'sync': 'minijup sync: a thread per kernel',
           'async': 'minijup async: one event loop'}
PROBE = {'async+qa': 'async + TCP_QUICKACK (probe)'}
TIMEOUT = 120   # seconds an execution may take before the run is called broken


def proc_status() -> dict:
    "This process's threads (Python's and the OS's) and resident memory (Linux /proc)"
    st = dict(l.split(':', 1) for l in Path('/proc/self/status').read_text().splitlines() if ':' in l)
    return dict(py_threads=threading.active_count(), os_threads=int(st['Threads']),
                rss_mb=int(st['VmRSS'].split()[0]) / 1024,
                names=[t.name for t in threading.enumerate() if t is not threading.main_thread()])

def cpu_of(pids) -> float:
    "CPU seconds used so far by the processes `pids` (all their threads; Linux /proc)"
    tot = 0
    for p in pids:
        try: f = open(f'/proc/{p}/stat').read().rsplit(')', 1)[1].split()
        except OSError: continue
        tot += int(f[11]) + int(f[12])
    return tot / os.sysconf('SC_CLK_TCK')

def check(status, text, want, who):
    if status != 'ok' or text != want:
        raise RuntimeError(f'{who}: an execution answered {status!r} with {text!r}, not ok with {want!r}')


# ---------------------------------------------------------------- the three clients' turns
class Meter:
    "Wall time, this process's CPU, the server's and the kernels' CPU over one measured stretch"
    def __init__(self, server_pid, kernel_pids): self.spid,self.kpids = server_pid,kernel_pids
    def start(self):
        self.t,self.c = time.perf_counter(),time.process_time()
        self.s,self.k = cpu_of([self.spid]) if self.spid else 0, cpu_of(self.kpids)
    def stop(self, n) -> dict:
        wall = time.perf_counter() - self.t
        return dict(rate=n / wall, client=(time.process_time() - self.c) / n,
                    server=(cpu_of([self.spid]) - self.s) / n if self.spid else None,
                    kernels=(cpu_of(self.kpids) - self.k) / n)

async def zmq_exec(kc, code) -> tuple:
    "One execution over ZMQ, until its reply and its idle status: (status, stdout)"
    mid = kc.execute(code)
    status,out = None, []
    while status is None:
        m = await kc.get_shell_msg(timeout=TIMEOUT)
        if m['parent_header'].get('msg_id') == mid: status = m['content']['status']
    while True:
        m = await kc.get_iopub_msg(timeout=TIMEOUT)
        if m['parent_header'].get('msg_id') != mid: continue
        if m['msg_type'] == 'stream': out.append(m['content']['text'])
        elif m['msg_type'] == 'status' and m['content']['execution_state'] == 'idle': return status, ''.join(out)

async def zmq_turn(kcs, share, meter, lats) -> list:
    "Both workloads on the ZMQ clients `kcs`, `share` executions on each"
    await asyncio.gather(*(zmq_exec(kc, 'pass') for kc in kcs))
    res = []
    for (code, want), lat in zip(WORKS, lats):
        async def one(kc):
            for _ in range(share):
                t = time.perf_counter()
                st, out = await zmq_exec(kc, code)
                lat.append(time.perf_counter() - t); check(st, out, want, 'zmq')
        meter.start(); await asyncio.gather(*(one(kc) for kc in kcs)); res.append(meter.stop(share * len(kcs)))
    return res

class QuickAck:
    "While it lasts, aiohttp's client sockets re-arm TCP_QUICKACK before each read (a probe; Linux only)"
    def __enter__(self):
        import socket
        from aiohttp.client_proto import ResponseHandler
        self.orig = orig = ResponseHandler.data_received
        def data_received(proto, data):
            sock = proto.transport.get_extra_info('socket') if proto.transport is not None else None
            if sock is not None:
                try: sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
                except OSError: pass
            return orig(proto, data)
        ResponseHandler.data_received = data_received
    def __exit__(self, *exc):
        from aiohttp.client_proto import ResponseHandler
        ResponseHandler.data_received = self.orig

async def async_turn(jp, kerns, share, meter, lats, quickack=False) -> list:
    "Both workloads through minijup's async face: a connection to each of `kerns`, `share` executions on each"
    if quickack:
        with QuickAck(): return await async_turn(jp, kerns, share, meter, lats)
    ks = []
    try:
        for c in await asyncio.gather(*(jp.connect(kern) for kern in kerns), return_exceptions=True):
            if isinstance(c, BaseException): raise c
            ks.append(c)
        await asyncio.gather(*(k.execute('pass', timeout=TIMEOUT) for k in ks))
        res = []
        for (code, want), lat in zip(WORKS, lats):
            async def one(k):
                for _ in range(share):
                    t = time.perf_counter()
                    r = await k.execute(code, timeout=TIMEOUT)
                    lat.append(time.perf_counter() - t); check(r.status, r.text, want, 'async')
            meter.start(); await asyncio.gather(*(one(k) for k in ks)); res.append(meter.stop(share * len(ks)))
        return res
    finally:
        await asyncio.gather(*(k.close() for k in ks), return_exceptions=True)
        jp.owned[:] = [o for o in jp.owned if o not in ks]   # (closed: no need to keep them)

def sync_turn(jp, kerns, share, meter, lats) -> list:
    "Both workloads through minijup's sync face: a thread per kernel, each on its own client and connection"
    K, res, errors = len(kerns), [], []
    gate = threading.Barrier(K + 1)   # every thread and this one: start, between the workloads, end
    def worker(i):
        k = None
        try:
            k = jp.clone().connect(kerns[i]); k.execute('pass', timeout=TIMEOUT)
            for (code, want), lat in zip(WORKS, lats):
                gate.wait()
                for _ in range(share):
                    t = time.perf_counter()
                    r = k.execute(code, timeout=TIMEOUT)
                    lat.append(time.perf_counter() - t); check(r.status, r.text, want, 'sync')
            gate.wait()
        except threading.BrokenBarrierError: pass
        except BaseException as e: errors.append(e); gate.abort()
        finally:
            if k is not None:
                try: k.close()
                except Exception: pass
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(K)]
    for t in threads: t.start()
    try:
        gate.wait()
        for _ in WORKS:
            meter.start(); gate.wait(); res.append(meter.stop(share * K))
    except threading.BrokenBarrierError: pass
    finally:
        for t in threads: t.join()
    if errors: raise errors[0]
    return res


# ---------------------------------------------------------------- the async face alone, in a process of its own
async def footprint(levels, kids, n) -> list:
    "In this process (nothing else in it): threads and RSS with 1, 10, 50... async connections, each used"
    rows = [('imported', proc_status())]
    async with AsyncJupyter(timeout=(10, 300)) as jp:   # (URL and token: $JUPYTER_URL, $JUPYTER_TOKEN)
        await jp.status()
        rows.append(('client, one request', proc_status()))
        ks = []
        for K in levels:
            ks += await asyncio.gather(*(jp.connect(kid) for kid in kids[len(ks):K]))
            async def one(k):
                for _ in range(n): await k.execute("print('ok')", timeout=TIMEOUT)
            await asyncio.gather(*(one(k) for k in ks))
            rows.append((f'{K} kernel{"s" if K > 1 else ""} connected, {n} executions on each', proc_status()))
        await asyncio.gather(*(k.close() for k in ks))
        rows.append(('all closed', proc_status()))
    return rows

async def profiled(kids, n) -> str:
    "cProfile of this process (the async face alone) running `n` executions over the kernels `kids`"
    async with AsyncJupyter(timeout=(10, 300)) as jp:
        ks = await asyncio.gather(*(jp.connect(kid) for kid in kids))
        await asyncio.gather(*(k.execute('pass', timeout=TIMEOUT) for k in ks))
        share = max(1, n // len(ks))
        async def one(k):
            for _ in range(share): await k.execute('x = 1', timeout=TIMEOUT)
        prof = cProfile.Profile()
        t, c = time.perf_counter(), time.process_time()
        prof.enable(); await asyncio.gather(*(one(k) for k in ks)); prof.disable()
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        await asyncio.gather(*(k.close() for k in ks))
    out = StringIO()
    n = share * len(ks)
    print(f'{n} executions of x = 1 over {len(ks)} kernel(s) under cProfile: {n / wall:.0f}/s; this process '
          f'was busy {cpu / wall:.0%} of the wall time ({cpu / n * 1e6:.0f} us of CPU per execution, profiler included)',
          file=out)
    st = pstats.Stats(prof, stream=out).strip_dirs()
    st.sort_stats('tottime').print_stats(25)
    st.sort_stats('cumulative').print_stats(30)
    return out.getvalue()

def child(mode: str):
    "The child process's side: read the job on stdin, print the answer as JSON"
    job = json.loads(sys.stdin.read())
    if mode == 'footprint': res = asyncio.run(footprint(job['levels'], job['kids'], job['n']))
    else: res = asyncio.run(profiled(job['kids'], job['n']))
    print(json.dumps(res))

async def in_child(srv, mode, job) -> object:
    "Run `child(mode)` in a new process with the server's URL and token in its environment"
    env = {**os.environ, 'JUPYTER_URL': srv.url, 'JUPYTER_TOKEN': srv.token}
    p = await asyncio.create_subprocess_exec(sys.executable, __file__, f'--child={mode}', env=env,
                                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        out, _ = await p.communicate(json.dumps(job).encode())
    finally:
        if p.returncode is None: p.kill(); await p.wait()
    if p.returncode: raise RuntimeError(f'the {mode} process failed (exit code {p.returncode})')
    return json.loads(out)


# ---------------------------------------------------------------- the run
class Resources:
    "What the run started, so that all of it is stopped on the way out"
    def __init__(self):
        self.srv,self.jp,self.ctx = None,None,None
        self.kerns,self.kms,self.kcs,self.procs = [],[],[],[]   # (server kernels; local: managers, clients, Popens)

    async def stop(self):
        for kc in self.kcs:
            try: kc.stop_channels()
            except Exception: pass
        waits = [km.shutdown_kernel(now=True) for km in self.kms]
        if self.jp is not None: waits += [self.jp.shutdown_kernel(k) for k in self.kerns]
        try: await asyncio.wait_for(asyncio.gather(*waits, return_exceptions=True), 60)
        except (asyncio.TimeoutError, asyncio.CancelledError): pass
        if self.jp is not None:
            try: await asyncio.wait_for(self.jp.close(), 30)
            except (Exception, asyncio.CancelledError): pass
        self.kms,self.kcs,self.kerns = [],[],[]
        self.last_resort()

    def last_resort(self):
        "Whatever is still running (an interrupted clean-up): killed"
        for p in self.procs:   # (their Popen: a pid that was reaped, and maybe reused, is not killed)
            if p.poll() is None: p.kill(); p.wait()
        self.procs = []
        if self.srv is not None: self.srv.stop(); self.srv = None
        if self.ctx is not None: self.ctx.destroy(linger=0); self.ctx = None

async def start_kernels(res, K):
    "K kernels on the server and K local ones, all started at once; each has run code (one that fails: replaced)"
    from jupyter_client.manager import AsyncKernelManager
    import zmq.asyncio
    res.ctx = zmq.asyncio.Context()
    async def local(tries=3):
        km = AsyncKernelManager(kernel_name='python3', context=res.ctx)
        res.kms.append(km)
        try:
            await km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)   # (its warnings)
            res.procs.append(km.provisioner.process)
            kc = km.client(context=res.ctx)
            res.kcs.append(kc)
            kc.start_channels(hb=False, stdin=False, control=False)
            await kc.wait_for_ready(timeout=300)
            await zmq_exec(kc, "print('ok')")
            return kc
        except Exception as e:   # (a kernel that dies as it starts on this busy machine: another one)
            if tries == 1: raise
            print(f'a local kernel failed to start ({type(e).__name__}: {e}); starting another', file=sys.stderr)
            try: await km.shutdown_kernel(now=True)
            except Exception: pass
            return await local(tries - 1)
    async def remote(tries=3):
        kern = await res.jp.start_kernel('python3')
        res.kerns.append(kern)
        try:
            k = await res.jp.connect(kern)
            try: await k.execute("print('ok')", timeout=300)   # (also this process's imports for outputs)
            finally:
                await k.close(); res.jp.owned.remove(k)
            return kern
        except JupyterError as e:
            if tries == 1: raise
            print(f'a kernel failed to start on the server ({type(e).__name__}: {e}); starting another',
                  file=sys.stderr)
            try: await res.jp.shutdown_kernel(kern)
            except JupyterError: pass
            res.kerns.remove(kern)
            return await remote(tries - 1)
    got = await asyncio.gather(*(local() for _ in range(K)), *(remote() for _ in range(K)), return_exceptions=True)
    for g in got:
        if isinstance(g, BaseException): raise g
    Jupyter(res.srv.url_with_token).connect(got[K]).close()   # (the sync face's imports and first connection)
    return got[:K], got[K:]

async def bench(a, res):
    levels, top = a.kernels, max(a.kernels)
    print(f'load average before: {load()} ({os.cpu_count()} CPUs)', flush=True)
    res.srv = LocalServer(args=['--ZMQChannelsWebsocketConnection.limit_rate=False'])
    await asyncio.to_thread(res.srv.start)
    res.jp = AsyncJupyter(res.srv.url, token=res.srv.token, timeout=(10, 300))
    sjp = Jupyter(res.srv.url_with_token, timeout=(10, 300))
    t = time.perf_counter()
    kcs, kerns = await start_kernels(res, top)
    print(f'{top} kernels on the server and {top} local ones started at once: all answered after '
          f'{time.perf_counter() - t:.1f} s', flush=True)
    spid = res.srv.pid
    local_pids, server_kids = [p.pid for p in res.procs if p.poll() is None], list(descendants(spid))
    clients = {**CLIENTS, **(PROBE if a.probe_quickack else {})}
    figs = {}   # (K, client) -> [per workload: [per round: dict]]
    lats = {}   # (K, client) -> [per workload: [seconds]]
    for K in levels:
        share = max(1, a.n // K)
        m_zmq, m_srv = Meter(None, local_pids), Meter(spid, server_kids)   # (the idle kernels: alike on both sides)
        for c in clients:
            figs[K, c] = [[] for _ in WORKS]; lats[K, c] = [[] for _ in WORKS]
        for _ in range(a.rounds):
            for c in random.sample(list(clients), len(clients)):
                if c == 'zmq': got = await zmq_turn(kcs[:K], share, m_zmq, lats[K, c])
                elif c.startswith('async'):
                    got = await async_turn(res.jp, kerns[:K], share, m_srv, lats[K, c], quickack=c == 'async+qa')
                else: got = await asyncio.to_thread(sync_turn, sjp, kerns[:K], share, m_srv, lats[K, c])
                for w, g in enumerate(got): figs[K, c][w].append(g)
        report(K, share, a.rounds, clients, figs, lats)
    if not a.no_footprint:
        rows = await in_child(res.srv, 'footprint', dict(levels=levels, kids=[k.id for k in kerns], n=20))
        print('\nthe async face alone in a process of its own (threading.active_count / /proc Threads / VmRSS):')
        for what, s in rows:
            print(f'  {what:45s} {s["py_threads"]:3d} / {s["os_threads"]:3d} threads  {s["rss_mb"]:6.1f} MB  '
                  f'{", ".join(s["names"])}')
    if a.profile:
        K = a.profile
        if K > top: raise SystemExit(f'--profile {K}: only {top} kernels were started')
        print(f'\ncProfile of a process that runs only the async face, {K} kernel{"s" if K > 1 else ""}:')
        print(await in_child(res.srv, 'profile', dict(kids=[k.id for k in kerns[:K]], n=a.n)))
    print(f'\nload average after: {load()}')

def load() -> str: return ' '.join(f'{x:.2f}' for x in os.getloadavg())

def med(rounds, key): return statistics.median(r[key] for r in rounds)

def report(K, share, rounds, clients, figs, lats):
    n = share * K
    print(f'\n== {K} kernel{"s" if K > 1 else ""}: {share} executions on each per round ({n} in all), '
          f'{rounds} rounds, medians ==')
    for w, (code, _) in enumerate(WORKS):
        print(f'  {code:38s} executions/s  vs zmq    CPU per execution, ms: client  server  kernels')
        for c, name in clients.items():
            rs = figs[K, c][w]
            srv = f'{med(rs, "server") * 1e3:6.3f}' if rs[0]['server'] is not None else '     -'
            rate = med(rs, 'rate')
            print(f'    {name:36s} {rate:9.1f}/s  {rate / med(figs[K, "zmq"][w], "rate"):5.2f}x'
                  f'   {"":21s}{med(rs, "client") * 1e3:6.3f}  {srv}  {med(rs, "kernels") * 1e3:7.3f}')
        az = med(figs[K, 'async'][w], 'rate') / med(figs[K, 'zmq'][w], 'rate')
        asy = med(figs[K, 'async'][w], 'rate') / med(figs[K, 'sync'][w], 'rate')
        goal = '' if K == 1 else (f'  (goals >= 0.6x and >= 1x: {"met" if az >= 0.6 else "NOT met"}, '
                                  f'{"met" if asy >= 1 else "NOT met"})')
        print(f'    async/zmq {az:.2f}x   async/sync {asy:.2f}x{goal}')
        if 'async+qa' in clients:
            q = med(figs[K, 'async+qa'][w], 'rate')
            print(f'    probe: async + TCP_QUICKACK / zmq {q / med(figs[K, "zmq"][w], "rate"):.2f}x, '
                  f'/ sync {q / med(figs[K, "sync"][w], "rate"):.2f}x')
        if K == 1:
            z, s, y = (statistics.median(lats[K, c][w]) for c in ('zmq', 'sync', 'async'))
            print(f'    round trip (median of {len(lats[K, "zmq"][w])}): zmq {z * 1e3:.3f} ms, '
                  f'sync {s * 1e3:.3f} ms '
                  f'({s / z:.2f}x), async {y * 1e3:.3f} ms ({y / z:.2f}x; goal <= 1.15x: '
                  f'{"met" if y / z <= 1.15 else "NOT met"})', end='')
            if 'async+qa' in clients:
                q = statistics.median(lats[K, 'async+qa'][w])
                print(f', probe {q * 1e3:.3f} ms ({q / z:.2f}x)', end='')
            print()
    sys.stdout.flush()

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n', type=int, default=300, help='executions per round for each client and kernel count')
    p.add_argument('--kernels', default='1,10,50', help='the kernel counts, comma-separated')
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--quick', action='store_true', help='--n 80 --kernels 1,10 --rounds 2')
    p.add_argument('--profile', type=int, default=0, metavar='K', help='then cProfile the async face on K kernels')
    p.add_argument('--probe-quickack', action='store_true', help='a fourth client: async + TCP_QUICKACK')
    p.add_argument('--no-footprint', action='store_true', help='skip the threads and RSS of the async face alone')
    p.add_argument('--child', help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child: return child(a.child)
    if a.quick: a.n, a.kernels, a.rounds = 80, '1,10', 2
    a.kernels = sorted({int(k) for k in a.kernels.split(',')})
    # the kernels' IPython history in memory (as nbclient's), and their connection files, in a folder of this run
    tmp = Path(tempfile.mkdtemp(prefix='minijup-bench-aio-'))
    (tmp/'ipython'/'profile_default').mkdir(parents=True)
    cfg = tmp/'ipython'/'profile_default'/'ipython_kernel_config.py'
    cfg.write_text("c.HistoryManager.hist_file = ':memory:'\n")
    os.environ.update(IPYTHONDIR=str(tmp/'ipython'), JUPYTER_RUNTIME_DIR=str(tmp/'runtime'))
    res = Resources()
    async def run():
        try: await bench(a, res)
        except Exception:
            if res.srv is not None: print(f"the server's log ends:\n{res.srv.log_tail(40)}", file=sys.stderr)
            raise
        finally: await res.stop()
    try: asyncio.run(run())
    except KeyboardInterrupt:
        print('\ninterrupted: kernels and server stopped', file=sys.stderr); sys.exit(130)
    finally:
        res.last_resort(); shutil.rmtree(tmp, ignore_errors=True)

if __name__ == '__main__': main()
