"""Conformance: run nbclient's own test notebooks through both faces of minijup on one LocalServer: the sync
`Jupyter.run_notebook`, and the asyncio `AsyncJupyter.run_notebook` (minijup.aio_run, each run under `asyncio.run`);
and through nbclient itself with minijup's kernel manager (`NotebookClient(nb, kernel_manager_class=
ServerKernelManager)`, minijup.kernelmanager), the kernel on the same server.

    .venv/bin/python .ci/conformance.py [FOLDER]    # default: ../shared/conformance/nbclient beside the repo

Each comparison notebook is run from a copy without outputs and execution counts, and must reproduce the stored
outputs and execution counts under nbclient's comparison rules (see the folder's README). Where nbclient's own run
here differs from the stored file, nbclient's run here is the expectation. The behaviour notebooks must behave as
described there. Prints one line per notebook and face (`PASS [sync] NAME`, `PASS [async] NAME`, `PASS [km] NAME`), then
`conformance: N passed, M failed`; exits 1 on any failure.
"""
import asyncio, base64, copy, os, re, shutil, sys, tempfile, threading, time, traceback
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from minijup.core import *
from minijup.run import CellExecutionError
from minijup.aio import AsyncJupyter
import minijup.aio_run   # (AsyncJupyter.run_notebook)
from minijup.kernelmanager import ServerKernelManager

# notebook -> run_notebook options, as nbclient's suite runs them
COMPARE = {
    'Other Comms.ipynb': {}, 'Clear Output.ipynb': {}, 'Empty Cell.ipynb': {}, 'Factorials.ipynb': {},
    'HelloWorld.ipynb': {}, 'Inline Image.ipynb': {}, 'Interrupt.ipynb': dict(timeout=3, interrupt_on_timeout=True, allow_errors=True),
    'JupyterWidgets.ipynb': {}, 'Skip Exceptions with Cell Tags.ipynb': {}, 'Skip Exceptions.ipynb': dict(allow_errors=True),
    'Skip Execution with Cell Tag.ipynb': {}, 'SVG.ipynb': {}, 'Unicode.ipynb': {}, 'UnicodePy3.ipynb': {},
    'update-display-id.ipynb': {}, 'Check History in Memory.ipynb': {},
}

# ---- nbclient's comparison rules -------------------------------------------------------------------------------
_HEX = re.compile(r'0x[0-9a-fA-F]{7,16}')
_ANSI = re.compile(r'\x1b\[[0-9;]*[A-Za-z]')
_MARKERS = [re.compile(r'<ipython-input-\d+-[0-9a-f]+> in <module>'), re.compile(r'Cell In\s*\[\d+\], line \d+'),
            re.compile(r'Input In \[\d+\]')]

def _text(t): return ''.join(t) if isinstance(t, list) else (t or '')

def _xml(s):
    "An SVG as a comparable tree: (tag, attributes, text, children)"
    def walk(e): return (e.tag, sorted(e.attrib.items()), (e.text or '').strip(), [walk(c) for c in e])
    return walk(ET.fromstring(s))

def _data(d):
    res = {}
    for mime,v in d.items():
        v = _text(v) if isinstance(v, (str, list)) else v
        if mime == 'text/plain': v = _HEX.sub('<HEXADDR>', v)
        elif mime == 'image/svg+xml': v = _xml(v)
        elif mime.startswith('image/') or mime == 'application/pdf':
            v = base64.b64encode(base64.b64decode(v)).decode()
        elif mime == 'application/vnd.jupyter.widget-view+json': v = {**v, 'model_id': '<MODEL_ID>'}
        res[mime] = v
    return res

def _tb(lines):
    out = []
    for l in lines:
        l = _ANSI.sub('', l)
        for m in _MARKERS: l = m.sub('<IPY-INPUT>', l)
        out.append(l)
    return out

def normalize(outputs):
    "Outputs as comparable values: metadata dropped, each run of streams as its stdout plus its stderr"
    res, run = [], None
    for o in outputs:
        t = o['output_type']
        if t == 'stream':
            if run is None: run = {'stdout': '', 'stderr': ''}; res.append(run)
            run[o['name']] += _HEX.sub('<HEXADDR>', _text(o['text']))
            continue
        run = None
        if t == 'error': res.append(('error', o['ename'], o['evalue'], _tb(o.get('traceback', []))))
        else: res.append((t, _data(o.get('data', {})), o.get('execution_count')))
    return [('stream', r['stdout'] + r['stderr']) if isinstance(r, dict) else r for r in res]

def cell_differences(got, want):
    "Where the executed notebook `got` differs from `want`: a list of (cell index or None, why); empty: the same"
    if len(got.cells) != len(want.cells): return [(None, f'{len(got.cells)} cells, expected {len(want.cells)}')]
    diffs = []
    for i,(g,w) in enumerate(zip(got.cells, want.cells)):
        if w.cell_type != 'code': continue
        if g.get('execution_count') != w.get('execution_count'):
            diffs.append((i, f"cell {i}: execution_count {g.get('execution_count')}, expected {w.get('execution_count')}"))
        go,wo = normalize(g.get('outputs', [])), normalize(w.get('outputs', []))
        if go != wo: diffs.append((i, f'cell {i}: outputs differ:\n    got      {go!r:.300}\n    expected {wo!r:.300}'))
    return diffs

def differences(got, want):
    "Where the executed notebook `got` differs from `want` (a list of strings; empty: the same)"
    return [why for _,why in cell_differences(got, want)]

def blank(nb):
    "A copy of `nb` without outputs and execution counts"
    nb = copy.deepcopy(nb)
    for c in nb.cells:
        if c.cell_type == 'code': c.outputs, c.execution_count = [], None
    return nb

def nbclient_run(nb, folder, opts):
    "What nbclient itself makes of `nb` here (the expectation where it differs from the stored file)"
    from nbclient import NotebookClient
    nb = blank(nb)
    NotebookClient(nb, resources={'metadata': {'path': str(folder)}}, kernel_name='python3', **opts).execute()
    return nb

# ---- the runs ---------------------------------------------------------------------------------------------------
def kernel_env(tmp:Path) -> dict:
    "The kernels' environment, as nbclient's suite sets it: an 80x24 terminal, IPython's history in memory (under `tmp`)"
    ipy, par = tmp/'ipython', tmp/'parallel'
    (ipy/'profile_default').mkdir(parents=True); par.mkdir()
    (ipy/'profile_default'/'ipython_kernel_config.py').write_text("c.HistoryManager.hist_file = ':memory:'\n")
    return dict(COLUMNS='80', LINES='24', IPYTHONDIR=str(ipy), NBEXECUTE_TEST_PARALLEL_TMPDIR=str(par))

class SyncFace:
    "`Jupyter.run_notebook`; `run_all` runs several at once, a thread and a client each"
    name = 'sync'
    def __init__(self, srv): self.srv,self.jp = srv,Jupyter(srv.url_with_token, timeout=(5, 120))
    def run(self, path, **opts): return self.jp.run_notebook(path, save=False, **opts)
    def run_all(self, paths, **opts):
        res, errs = {}, []
        def run(p):
            try: res[p] = Jupyter(self.srv.url_with_token).run_notebook(p, save=False, **opts)
            except Exception as e: errs.append(f'{p}: {type(e).__name__}: {e}')
        ts = [threading.Thread(target=run, args=(p,)) for p in paths]
        for t in ts: t.start()
        for t in ts: t.join(60)
        return res, errs

class AsyncFace:
    "`AsyncJupyter.run_notebook`, each call under `asyncio.run`; `run_all` runs several at once on one event loop"
    name = 'async'
    def __init__(self, srv): self.srv = srv
    async def _run(self, paths, **opts):
        async with AsyncJupyter(self.srv.url, token=self.srv.token, timeout=(5, 120)) as jp:
            return await asyncio.gather(*[jp.run_notebook(p, save=False, **opts) for p in paths], return_exceptions=True)
    def run(self, path, **opts):
        got, = asyncio.run(self._run([path], **opts))
        if isinstance(got, BaseException): raise got
        return got
    def run_all(self, paths, **opts):
        got = asyncio.run(asyncio.wait_for(self._run(paths, **opts), 60))
        errs = [f'{p}: {type(r).__name__}: {r}' for p,r in zip(paths, got) if isinstance(r, BaseException)]
        return {p: r for p,r in zip(paths, got) if not isinstance(r, BaseException)}, errs

class KernelManagerFace:
    "nbclient's own `NotebookClient` with `ServerKernelManager`: the notebook read from the server's root folder"
    name = 'km'
    def __init__(self, srv, root): self.srv,self.root = srv,root
    def run(self, path, **opts):
        from nbclient import NotebookClient
        from traitlets.config import Config
        nb = blank(nbformat.read(self.root/path, as_version=4))
        c = Config({'ServerKernelManager': {'url': self.srv.url, 'token': self.srv.token}})
        NotebookClient(nb, kernel_manager_class=ServerKernelManager, kernel_name='python3', config=c, **opts).execute()
        return nb
    def run_all(self, paths, **opts):
        res, errs = {}, []
        def run(p):
            try: res[p] = self.run(p, **opts)
            except Exception as e: errs.append(f'{p}: {type(e).__name__}: {e}')
        ts = [threading.Thread(target=run, args=(p,)) for p in paths]
        for t in ts: t.start()
        for t in ts: t.join(60)
        return res, errs

def main(folder):
    folder = Path(folder).resolve()
    tmp = Path(tempfile.mkdtemp(prefix='minijup-conformance-'))
    root = tmp/'root'
    shutil.copytree(folder, root)
    env = kernel_env(tmp)
    os.environ.update(env)   # for nbclient's own runs, where one is needed
    results = []
    def report(face, name, ok, why=''):
        results.append(ok)
        print(f"{'PASS' if ok else 'FAIL'} [{face.name}] {name}" + (f': {why}' if why else ''), flush=True)

    with LocalServer(root_dir=root, env=env) as srv:
        jp = Jupyter(srv.url_with_token, timeout=(5, 120))
        faces, refs = [SyncFace(srv), AsyncFace(srv), KernelManagerFace(srv, root)], {}
        for name,opts in COMPARE.items():
            if not (root/name).exists():
                for face in faces: report(face, name, False, 'missing')
                continue
            want = nbformat.read(root/name, as_version=4)
            jp.save(name, blank(want), overwrite=True)
            for face in faces:
                t0 = time.monotonic()
                try:
                    got = face.run(name, **opts)
                    diffs = differences(got, want)
                    if diffs:   # is it nbclient's own run here that differs from the stored file?
                        if name not in refs: refs[name] = nbclient_run(want, root, opts)
                        ref = refs[name]
                        if not differences(ref, want): report(face, name, False, '; '.join(diffs)); continue
                        diffs = differences(got, ref)
                        if diffs: report(face, name, False, 'differs from nbclient run here: ' + '; '.join(diffs)); continue
                        report(face, name, True, f'{time.monotonic()-t0:.1f} s (as nbclient runs it here; the stored outputs differ)')
                    else: report(face, name, True, f'{time.monotonic()-t0:.1f} s')
                except Exception as e: report(face, name, False, f'{type(e).__name__}: {e}')
            jp.save(name, want, overwrite=True)

        def behaviour(face, name, check):
            t0 = time.monotonic()
            try: why = check(face)
            except Exception as e: why = f'{type(e).__name__}: {e}'
            report(face, name, why is None, why or f'{time.monotonic()-t0:.1f} s')

        def error(face):
            from nbclient.exceptions import CellExecutionError as NbclientError
            try: face.run('Error.ipynb')
            except NbclientError as e:   # (nbclient's own, through the kernel manager)
                return None if 'ZeroDivisionError' in str(e) else f'the error does not name the exception: {e}'
            except CellExecutionError as e:
                if e.cell_index == 0 and 'ZeroDivisionError' in str(e) and 'Cell 1 (' in str(e): return None
                return f'the error does not name the cell and the exception: {e}'
            return 'no error raised'

        def autokill(face):
            t0 = time.monotonic()
            from nbclient.exceptions import DeadKernelError
            try: face.run('Autokill.ipynb', timeout=30)
            except (KernelDiedError, DeadKernelError): return None if time.monotonic() - t0 < 20 else 'reported, but only after 20 s'
            return 'no KernelDiedError'

        def stdin(face):
            nb = face.run('Disable Stdin.ipynb', timeout=20, allow_errors=True)
            outs = [o for c in nb.cells if c.cell_type == 'code' for o in c.outputs]
            if any(o.output_type == 'error' and o.ename == 'StdinNotImplementedError' for o in outs): return None
            return f'expected a StdinNotImplementedError output, got {outs!r:.200}'

        def sleep(face):
            nb = face.run('Sleep1s.ipynb')
            code = [c for c in nb.cells if c.cell_type == 'code']
            ts = lambda s: datetime.strptime(s, '%Y-%m-%dT%H:%M:%S.%fZ')
            ex = code[1].metadata.execution
            if sorted(ex) != sorted(['iopub.status.busy', 'iopub.execute_input', 'shell.execute_reply', 'iopub.status.idle']):
                return f'timing keys {sorted(ex)}'
            t0,t1 = ts(code[2].outputs[0].text), ts(code[3].outputs[0].text)
            if not (ts(ex['iopub.execute_input']) <= t0 and t1 <= ts(ex['shell.execute_reply'])):
                return 'the cell ran outside its recorded execute_input .. execute_reply'
            if (ts(ex['shell.execute_reply']) - ts(ex['iopub.execute_input'])).total_seconds() < 1: return 'less than 1 s recorded'

        def parallel(face):
            res, errs = face.run_all([f'Parallel Execute {n}.ipynb' for n in 'AB'], timeout=30)
            return '; '.join(errs) or (None if len(res) == 2 else 'did not finish')

        for face in faces:
            behaviour(face, 'Error.ipynb', error)
            behaviour(face, 'Autokill.ipynb', autokill)
            behaviour(face, 'Disable Stdin.ipynb', stdin)
            behaviour(face, 'Sleep1s.ipynb', sleep)
            behaviour(face, 'Parallel Execute A.ipynb + Parallel Execute B.ipynb', parallel)
        left = jp.kernels()
        if left: report(faces[0], 'no kernel left on the server', False, f'{len(left)} left')
    shutil.rmtree(tmp, ignore_errors=True)
    npass = sum(results)
    print(f'conformance: {npass} passed, {len(results) - npass} failed')
    return 0 if npass == len(results) else 1

if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent/'shared'/'conformance'/'nbclient'))
