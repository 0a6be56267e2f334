"""A smoke test of a runtime-only install of minijup (no dev extras) against a real server.

    python .ci/smoke.py serve TOKEN_FILE   # (the dev venv) start a LocalServer; print its URL; stop at stdin's end
    python .ci/smoke.py check URL TOKEN_FILE   # (a runtime venv) the walkthrough's steps through the client

`check` prints the versions it ran with and ends with `smoke: ok`; any failure is a traceback and exit 1.
"""
import os, sys
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
    print('smoke: ok')

if __name__ == '__main__':
    cmd, *args = sys.argv[1:]
    {'serve': serve, 'check': check}[cmd](*args)
