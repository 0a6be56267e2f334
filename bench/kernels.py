"""Benchmark: executing code through minijup vs its references, measured in one run.

    .venv/bin/pip install -e ".[dev,bench]" && .venv/bin/python bench/kernels.py [--n 200] [--big-mb 50]

References: jupyter_client talking ZMQ straight to a local ipykernel (the limit: no server in between), a plain
websocket-client loop through the same server as minijup (JSON framing, what a hand-rolled client does), and
jupyter-kernel-client (Datalayer) through the same server. All clients are alive at once and measured in
interleaved rounds (in a shuffled order each round), so that a busy moment of this 2-core machine hits them all
alike. Prints each figure (a median over rounds) and its ratio to the ZMQ figure. Not a test: nothing asserts.
"""
import argparse, json, random, statistics, sys, time, uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from minijup.core import LocalServer, Jupyter
from minijup.websockets import new_msg
import requests, websocket
from jupyter_client.manager import start_new_kernel

BIG = "import sys; sys.stdout.write('x' * {n}); sys.stdout.flush()"


class Zmq:
    name = 'zmq (jupyter_client, local ipykernel)'
    def start(self):
        self.km, self.kc = start_new_kernel(kernel_name='python3')
    def run(self, code): self.kc.execute_interactive(code, output_hook=lambda m: None, timeout=300)
    def pipeline(self, n):
        ids = [self.kc.execute('pass') for _ in range(n)]
        left_reply, left_idle = set(ids), set(ids)
        while left_reply: left_reply.discard(self.kc.get_shell_msg(timeout=60)['parent_header'].get('msg_id'))
        while left_idle:
            m = self.kc.get_iopub_msg(timeout=60)
            if m['msg_type'] == 'status' and m['content']['execution_state'] == 'idle':
                left_idle.discard(m['parent_header'].get('msg_id'))
    def stop(self): self.kc.stop_channels(); self.km.shutdown_kernel(now=True)


class Minijup:
    def __init__(self, jp, protocol=None):
        self.jp, self.protocol = jp, protocol
        self.name = f"minijup ({'JSON framing' if protocol == 'json' else 'v1 subprotocol'})"
    def start(self):
        self.k = self.jp.connect(self.jp.start_kernel('python3'), protocol=self.protocol)
        self.k.kernel_info()
    def run(self, code):
        r = self.k.execute(code)
        assert r.status == 'ok' and not r.truncated
    def pipeline(self, n):
        rs = [self.k.submit('pass') for _ in range(n)]
        for r in rs: self.k.wait(r)
    def stop(self):
        kid = self.k.kernel_id; self.k.close(); self.jp.shutdown_kernel(kid)


class PlainWs:
    "What a hand-rolled client does: websocket-client, JSON framing, a loop until reply and idle"
    name = 'plain websocket-client loop'
    def __init__(self, srv): self.srv = srv
    def start(self):
        h = {'Authorization': f'token {self.srv.token}'}
        self.kid = requests.post(self.srv.url + 'api/kernels', json={'name': 'python3'}, headers=h).json()['id']
        self.sid = uuid.uuid4().hex
        self.ws = websocket.create_connection(f"ws{self.srv.url[4:]}api/kernels/{self.kid}/channels?session_id={self.sid}",
                                              header=[f'Authorization: token {self.srv.token}'])
        self._req('kernel_info_request', {})
    def _req(self, msg_type, content):
        m = new_msg(msg_type, content, self.sid)
        self.ws.send(json.dumps(m))
        reply = idle = False
        while not (reply and idle):
            r = json.loads(self.ws.recv())
            if r['parent_header'].get('msg_id') != m['header']['msg_id']: continue
            if r['channel'] == 'shell': reply = True
            elif r['msg_type'] == 'status' and r['content']['execution_state'] == 'idle': idle = True
    def run(self, code): self._req('execute_request', {'code': code, 'silent': False})
    pipeline = None
    def stop(self):
        self.ws.close()
        requests.delete(self.srv.url + f'api/kernels/{self.kid}', headers={'Authorization': f'token {self.srv.token}'})


class Jkc:
    name = 'jupyter-kernel-client'
    def __init__(self, srv): self.srv = srv
    def start(self):
        from jupyter_kernel_client import JupyterKernelClient
        self.kc = JupyterKernelClient(server_url=self.srv.url.rstrip('/'), token=self.srv.token)
        self.kc.start()
        self.kc.execute('pass')
    def run(self, code): self.kc.execute(code, timeout=300)
    pipeline = None
    def stop(self): self.kc.stop()


def timed(f, *a):
    t = time.perf_counter(); f(*a); return time.perf_counter() - t


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--n', type=int, default=200, help='executions per client for the round-trip figures')
    p.add_argument('--big-mb', type=float, default=50)
    p.add_argument('--rounds', type=int, default=5)
    p.add_argument('--skip-jkc', action='store_true')
    a = p.parse_args()
    big = BIG.format(n=int(a.big_mb * 1_000_000))
    # no IOPub rate limit on this server: this measures transport, not the server's protection against floods
    with LocalServer(args=['--ZMQChannelsWebsocketConnection.limit_rate=False']) as srv:
        jp = Jupyter(srv.url_with_token)
        clients = [Zmq(), Minijup(jp), Minijup(jp, 'json'), PlainWs(srv)]
        if not a.skip_jkc:
            try: import jupyter_kernel_client; clients.append(Jkc(srv))
            except ImportError: print('jupyter-kernel-client is not installed (pip install -e ".[bench]"): skipped')
        start = {c.name: [] for c in clients}
        for rnd in range(3):   # kernel start until it answers, then stop: interleaved
            for c in random.sample(clients, len(clients)):
                start[c.name].append(timed(c.start))
                if rnd < 2: c.stop()
        for c in clients: c.run('pass')
        lat = {c.name: [] for c in clients}
        per = max(1, a.n // a.rounds)
        for _ in range(a.rounds):
            for c in random.sample(clients, len(clients)):
                lat[c.name] += [timed(c.run, 'pass') for _ in range(per)]
        pipe = {c.name: [] for c in clients if c.pipeline}
        for _ in range(3):
            for c in random.sample(clients, len(clients)):
                if c.pipeline: pipe[c.name].append(a.n / timed(c.pipeline, a.n))
        bigt = {c.name: [] for c in clients}
        for _ in range(3):
            for c in random.sample(clients, len(clients)):
                bigt[c.name].append(timed(c.run, big))
        stop = {}
        for c in clients: stop[c.name] = timed(c.stop)
    ref = clients[0].name
    def show(title, d, fmt, higher_better=False, agg=statistics.median):
        print(title)
        r = agg(d[ref]) if isinstance(d[ref], list) else d[ref]
        for name, v in d.items():
            v = agg(v) if isinstance(v, list) else v
            print(f'  {name:40s} {fmt(v)}   {v / r:5.2f}x')
        print()
    print(f'{a.n} executions per client for round trips, {a.rounds} interleaved rounds; medians over rounds; '
          f'ratios against the ZMQ figure\n')
    show('kernel start until it answers (s)', start, lambda v: f'{v:8.3f} s')
    show("execute('pass') round trip, reply and idle (median)", lat, lambda v: f'{v*1000:8.2f} ms')
    show('sequential executions/s (1 / mean round trip)', {k: len(v) / sum(v) for k, v in lat.items()},
         lambda v: f'{v:8.1f}/s')
    show(f'pipelined executions/s ({a.n} in flight)', pipe, lambda v: f'{v:8.1f}/s')
    show(f'{a.big_mb:g} MB of stdout in one execution (s)', bigt, lambda v: f'{v:8.3f} s')
    show('kernel stop (s)', stop, lambda v: f'{v:8.3f} s')


if __name__ == '__main__': main()
