"""A smoke test of a runtime-only install of minijup (no dev extras) against a real server.

    python .ci/smoke.py serve TOKEN_FILE   # (the dev venv) start a LocalServer; print its URL; stop at stdin's end
    python .ci/smoke.py check URL TOKEN_FILE   # (a runtime venv) the walkthrough's steps through the client

`check` prints the versions it ran with and ends with `smoke: ok`; any failure is a traceback and exit 1.
"""
import asyncio, os, sys
from pathlib import Path

def serve(token_file):
    from minijup.core import LocalServer
    with LocalServer() as srv:
        Path(token_file).touch(mode=0o600); Path(token_file).write_text(srv.token)
        print(srv.url, flush=True)
        sys.stdin.read()   # until the caller closes our stdin

def check(url, token_file):
    from importlib.metadata import version
    import nbformat
    from minijup.core import Jupyter
    print(f"python {sys.version.split()[0]}, " +
          ', '.join(f'{p} {version(p)}' for p in ('fastcore', 'requests', 'websocket-client', 'nbformat')))
    jp = Jupyter(url, token=Path(token_file).read_text().strip())
    assert jp.status().kernels == 0
    name = f'smoke-{os.getpid()}.ipynb'
    jp.save(name, nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('21 * 2')]))
    assert name in [e.name for e in jp.ls()]
    with jp.new_session(name, kernel_name='python3') as s, jp.connect(s) as k:
        r = k.execute('21 * 2', timeout=60)
        assert (r.status, r.outputs[0].data['text/plain']) == ('ok', '42'), r
    nb = jp.run_notebook(name, timeout=60)
    assert nb.cells[0].outputs[0].data['text/plain'] == '42'
    jp.delete(name)
    assert jp.kernels() == [] and jp.sessions() == []
    try: import aiohttp
    except ImportError: aiohttp = None   # (the async face is an extra: minijup[aio])
    if aiohttp is not None: asyncio.run(check_aio(url, Path(token_file).read_text().strip()))
    print('smoke: ok')

async def check_aio(url, token):
    "The async face, where minijup[aio] is installed: an execution, and one interrupted by its timeout"
    from minijup.core import JupyterTimeoutError
    from minijup.aio import AsyncJupyter
    async with AsyncJupyter(url, token=token) as jp:
        k = await jp.connect(await jp.start_kernel('python3'))
        assert (await k.execute('21 * 2', timeout=60)).text == '42\n'
        try: await k.execute('import time; time.sleep(30)', timeout=1); assert False, 'no timeout'
        except JupyterTimeoutError as e: assert 'interrupted' in str(e), e
        assert (await k.execute('1 + 1', timeout=30)).text == '2\n'
    print(f'aio: ok (aiohttp {aiohttp_version()})')

def aiohttp_version():
    from importlib.metadata import version
    return version('aiohttp')

if __name__ == '__main__':
    cmd, *args = sys.argv[1:]
    {'serve': serve, 'check': check}[cmd](*args)
