"""Benchmark: executing code through minijup vs its references, measured in one run.

    .venv/bin/pip install -e ".[dev,bench]" && .venv/bin/python bench/kernels.py [--n 200] [--big-mb 50]

References: jupyter_client talking ZMQ straight to a local ipykernel (the limit: no server in between), a plain
websocket-client loop through the same server as minijup (JSON framing, what a hand-rolled client does), and
jupyter-kernel-client (Datalayer) through the same server. Prints each figure and its ratio to the ZMQ figure.
Not a test: nothing here asserts.
"""
import argparse, json, statistics, sys, time, uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from minijup.core import LocalServer, Jupyter
from minijup.websockets import new_msg
import websocket
from jupyter_client.manager import start_new_kernel

BIG = "import sys; sys.stdout.write('x' * {n}); sys.stdout.flush()"


def zmq_figures(n, big):
    t0 = time.perf_counter()
    km, kc = start_new_kernel(kernel_name='python3')
    start = time.perf_counter() - t0
    def run(code):
        kc.execute_interactive(code, output_hook=lambda m: None, timeout=120)
    run('pass')
    lat = []
    for _ in range(n):
        t = time.perf_counter(); run('pass'); lat.append(time.perf_counter() - t)
    t = time.perf_counter()
    ids = [kc.execute('pass') for _ in range(n)]
    left_reply, left_idle = set(ids), set(ids)
    while left_reply: left_reply.discard(kc.get_shell_msg(timeout=60)['parent_header'].get('msg_id'))
    while left_idle:
        m = kc.get_iopub_msg(timeout=60)
        if m['msg_type'] == 'status' and m['content']['execution_state'] == 'idle':
            left_idle.discard(m['parent_header'].get('msg_id'))
    pipe = n / (time.perf_counter() - t)
    t = time.perf_counter(); run(BIG.format(n=big)); big_t = time.perf_counter() - t
    kc.stop_channels(); km.shutdown_kernel(now=True)
    return dict(start=start, median=statistics.median(lat), seq=n / sum(lat), pipe=pipe, big=big_t)


def minijup_figures(jp, n, big, protocol=None):
    t0 = time.perf_counter()
    k = jp.connect(jp.start_kernel('python3'), protocol=protocol)
    k.kernel_info()
    start = time.perf_counter() - t0
    k.execute('pass')
    lat = []
    for _ in range(n):
        t = time.perf_counter(); k.execute('pass'); lat.append(time.perf_counter() - t)
    t = time.perf_counter()
    rs = [k.submit('pass') for _ in range(n)]
    for r in rs: k.wait(r)
    pipe = n / (time.perf_counter() - t)
    t = time.perf_counter(); r = k.execute(BIG.format(n=big)); big_t = time.perf_counter() - t
    assert len(r.outputs[0].text) == big, 'the big output did not arrive whole'
    kid = k.kernel_id; k.close(); jp.shutdown_kernel(kid)
    return dict(start=start, median=statistics.median(lat), seq=n / sum(lat), pipe=pipe, big=big_t)


def plain_ws_figures(srv, n, big):
    "What a hand-rolled client does: websocket-client, JSON framing, a loop until reply and idle"
    import requests
    h = {'Authorization': f'token {srv.token}'}
    t0 = time.perf_counter()
    kid = requests.post(srv.url + 'api/kernels', json={'name': 'python3'}, headers=h).json()['id']
    sid = uuid.uuid4().hex
    ws = websocket.create_connection(f"ws{srv.url[4:]}api/kernels/{kid}/channels?session_id={sid}",
                                     header=[f'Authorization: token {srv.token}'])
    def run(code, msg_type='execute_request'):
        m = new_msg(msg_type, {'code': code, 'silent': False} if code is not None else {}, sid)
        ws.send(json.dumps(m))
        reply = idle = False
        while not (reply and idle):
            r = json.loads(ws.recv())
            if r['parent_header'].get('msg_id') != m['header']['msg_id']: continue
            if r['channel'] == 'shell': reply = True
            elif r['msg_type'] == 'status' and r['content']['execution_state'] == 'idle': idle = True
    run(None, 'kernel_info_request')
    start = time.perf_counter() - t0
    run('pass')
    lat = []
    for _ in range(n):
        t = time.perf_counter(); run('pass'); lat.append(time.perf_counter() - t)
    t = time.perf_counter(); run(BIG.format(n=big)); big_t = time.perf_counter() - t
    ws.close(); requests.delete(srv.url + f'api/kernels/{kid}', headers=h)
    return dict(start=start, median=statistics.median(lat), seq=n / sum(lat), pipe=None, big=big_t)


def jkc_figures(srv, n, big):
    try: from jupyter_kernel_client import JupyterKernelClient
    except ImportError: return None
    t0 = time.perf_counter()
    kc = JupyterKernelClient(server_url=srv.url, token=srv.token)
    kc.start()
    kc.execute('pass')
    start = time.perf_counter() - t0
    lat = []
    for _ in range(n):
        t = time.perf_counter(); kc.execute('pass'); lat.append(time.perf_counter() - t)
    t = time.perf_counter(); kc.execute(BIG.format(n=big), timeout=300); big_t = time.perf_counter() - t
    t = time.perf_counter(); kc.stop(); stop = time.perf_counter() - t
    return dict(start=start, median=statistics.median(lat), seq=n / sum(lat), pipe=None, big=big_t, stop=stop)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--n', type=int, default=200)
    p.add_argument('--big-mb', type=float, default=50)
    p.add_argument('--skip-jkc', action='store_true')
    a = p.parse_args()
    big = int(a.big_mb * 1_000_000)
    res = {'zmq (jupyter_client, local ipykernel)': zmq_figures(a.n, big)}
    # no IOPub rate limit: this measures transport, not the server's protection against floods
    with LocalServer(args=['--ZMQChannelsWebsocketConnection.limit_rate=False']) as srv:
        jp = Jupyter(srv.url_with_token)
        res['minijup (v1 subprotocol)'] = minijup_figures(jp, a.n, big)
        res['minijup (JSON framing)'] = minijup_figures(jp, a.n, big, protocol='json')
        res['plain websocket-client loop'] = plain_ws_figures(srv, a.n, big)
        if not a.skip_jkc:
            r = jkc_figures(srv, min(a.n, 50), big)
            if r: res['jupyter-kernel-client'] = r
    ref = res['zmq (jupyter_client, local ipykernel)']
    rows = [('kernel start until it answers', 'start', 's', False), ("execute('pass') median round trip", 'median', 'ms', False),
            ('sequential executions/s', 'seq', '/s', True), ('pipelined executions/s', 'pipe', '/s', True),
            (f'{a.big_mb:g} MB of output', 'big', 's', False)]
    print(f'n={a.n} executions per figure; ratios are against the ZMQ figure (for times: lower is better; '
          f'for rates: higher is better)\n')
    for title, key, unit, _ in rows:
        print(title)
        for name, r in res.items():
            v = r.get(key)
            if v is None: continue
            shown = f'{v*1000:8.2f} ms' if unit == 'ms' else f'{v:8.3f} s' if unit == 's' else f'{v:8.1f}{unit}'
            print(f'  {name:40s} {shown}   {v / ref[key]:5.2f}x')
        print()
    if 'jupyter-kernel-client' in res: print(f"jupyter-kernel-client stop(): {res['jupyter-kernel-client']['stop']:.2f} s")


if __name__ == '__main__': main()
