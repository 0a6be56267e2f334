"""Real notebooks run by nbclient and by minijup, compared cell by cell.

    .venv/bin/python .ci/realworld.py [--async N] [--sample K] DIR [DIR ...]

Every notebook found in the folders is run, with its outputs removed, by nbclient on a local kernel and by
`Jupyter.run_notebook` on a LocalServer, each in its own copy of the folders (the originals are not touched), in the
notebook's folder, with errors allowed and at most TIMEOUT s per cell; a notebook's own `%pip install` lines are
commented out in both (they would change this environment), and the marks of an earlier failed papermill run are
taken out of both (minijup takes them out, as papermill does; nbclient keeps them). The runs are compared under
nbclient's rules (conformance.py's normalisation), the widget state in the metadata included (model ids masked). A cell whose outputs
differ between two runs of nbclient itself (random numbers, times) is not compared. A notebook for another language,
one that nbformat cannot read, and one whose nbclient run needs a package that is not installed or the internet,
is skipped, saying why. Every notebook compared (or the first N, `--async N`: each costs one more run) is also run by
the asyncio face, `AsyncJupyter.run_notebook` (minijup.aio_run, under `asyncio.run`), and compared with nbclient's run the
same way. Prints a line per notebook and face (`PASS [sync] ...`, `PASS [async] ...`), then
`realworld: N passed, M failed (K skipped)`; exits 1 on any failure. `--sample K` runs every K-th notebook only, in
sorted order, starting at one chosen by the day of the year (CI's sample: the whole set is covered over K days).
"""
import asyncio, json, os, re, shutil, sys, tempfile, time
from pathlib import Path
import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conformance import blank, cell_differences, kernel_env, nbclient_run
from minijup.core import *
from minijup.aio import AsyncJupyter
import minijup.aio_run   # (AsyncJupyter.run_notebook)

TIMEOUT = 30   # per cell; not 60: papermill's keyboard_interrupt.ipynb sleeps 60 s, and a race with it decided which run timed out
_NEEDS_PACKAGE = ('ModuleNotFoundError',)
_NEEDS_INTERNET = ('URLError', 'ConnectionError', 'gaierror', 'HTTPError', 'ConnectTimeout', 'MaxRetryError')
_FAILURES = {'CellTimeoutError': 'a cell timed out', 'DeadKernelError': 'the kernel died', 'KernelDiedError': 'the kernel died'}

def failure(e) -> str:
    "What went wrong in a run, in words both runners share"
    return _FAILURES.get(type(e).__name__, type(e).__name__)

def needs(nb):
    "Why the nbclient run `nb` cannot be compared here (a missing package, the internet), or None"
    for c in nb.cells:
        for o in c.get('outputs', []):
            if o.output_type != 'error': continue
            if o.ename in _NEEDS_PACKAGE: return f'needs a package: {o.evalue}'
            if o.ename in _NEEDS_INTERNET or 'name resolution' in o.evalue: return f'needs the internet: {o.ename}'

_INSTALL = re.compile(r'^(\s*[%!]\s*(pip|conda|mamba)\s+install\b)', re.M)

def no_installs(nb) -> bool:
    "Comment out the notebook's own `%pip install` lines (they would change this environment); True if it had some"
    had = False
    for c in nb.cells:
        if c.cell_type == 'code' and _INSTALL.search(c.source): c.source, had = _INSTALL.sub(r'# \1', c.source), True
    return had

def widget_models(nb) -> list:
    "The widget models stored in `nb`'s metadata, model ids masked, in a comparable order"
    state = nb.metadata.get('widgets', {}).get('application/vnd.jupyter.widget-state+json', {}).get('state', {})
    return sorted(re.sub(r'[0-9a-f]{32}', '<MODEL_ID>', json.dumps(m, sort_keys=True)) for m in state.values())

def unrooted(nb, copy:Path):
    "`nb` with the path of the runner's own copy of the folders written as <COPY>, so that the two runs compare"
    return nbformat.from_dict(json.loads(json.dumps(nb).replace(str(copy), '<COPY>')))

def compare(got, want) -> dict:
    "Where `got` differs from `want`: {cell index (or None, or 'widgets'): why}"
    diffs = dict(cell_differences(got, want))
    if widget_models(got) != widget_models(want): diffs['widgets'] = 'the widget state differs'
    return diffs

def async_run(srv, path:str, **opts):
    "`path` run by the asyncio face, under `asyncio.run`"
    async def run():
        async with AsyncJupyter(srv.url, token=srv.token, timeout=(5, 120)) as jp:
            return await jp.run_notebook(path, save=False, **opts)
    return asyncio.run(run())

def main(dirs, n_async=None, sample=1):
    tmp = Path(tempfile.mkdtemp(prefix='minijup-realworld-'))
    env = kernel_env(tmp)
    os.environ.update(env)   # for nbclient's kernels
    for side in ('nbclient', 'minijup'):
        for i,d in enumerate(dirs): shutil.copytree(d, tmp/side/str(i), ignore=shutil.ignore_patterns('.ipynb_checkpoints'))
    found = sorted(p.relative_to(tmp/'minijup') for p in (tmp/'minijup').rglob('*.ipynb'))
    found = found[time.localtime().tm_yday % sample::sample]
    counts = {'PASS': 0, 'FAIL': 0, 'SKIP': 0}
    def report(kind, rel, why='', face=None):
        counts[kind] += 1
        name = Path(dirs[int(rel.parts[0])]).joinpath(*rel.parts[1:])
        print(f'{kind} ' + (f'[{face}] ' if face else '') + f'{name}' + (f': {why}' if why else ''), flush=True)

    with LocalServer(root_dir=tmp/'minijup', env=env) as srv:
        jp = Jupyter(srv.url_with_token, timeout=(5, 120))
        for rel in found:
            folder = (tmp/'nbclient'/rel).parent
            try: nb = nbformat.read(tmp/'nbclient'/rel, as_version=4)
            except Exception as e: report('SKIP', rel, f'nbformat cannot read it ({type(e).__name__})'); continue
            # an earlier failed papermill run's marks: minijup takes them out before it runs, as papermill does (see
            # Failed runs in nbs/05_run.ipynb), and nbclient keeps them; both runs start from the notebook without them
            nb.cells = [c for c in nb.cells if 'papermill-error-cell-tag' not in c.metadata.get('tags', [])]
            lang = ((nb.metadata.get('kernelspec') or {}).get('language')
                    or (nb.metadata.get('language_info') or {}).get('name') or 'python')
            if lang.lower() != 'python': report('SKIP', rel, f'a {lang} notebook'); continue
            installs = no_installs(nb)
            t0 = time.monotonic()
            opts = dict(timeout=TIMEOUT, allow_errors=True)
            try: want = unrooted(nbclient_run(nb, folder, opts), tmp/'nbclient')
            except Exception as e: want = failure(e)
            if not isinstance(want, str) and needs(want): report('SKIP', rel, needs(want)); continue
            jp.save(rel.as_posix(), blank(nb), overwrite=True)   # the same start as nbclient's: no outputs
            faces = {'sync': lambda: jp.run_notebook(rel.as_posix(), save=False, kernel_name='python3', **opts)}
            if n_async is None or n_async > 0:
                faces['async'] = lambda: async_run(srv, rel.as_posix(), kernel_name='python3', **opts)
                n_async = n_async and n_async - 1
            varies = None
            for face,run in faces.items():
                t1 = time.monotonic()
                try: got = unrooted(run(), tmp/'minijup')
                except Exception as e: got = failure(e)
                if isinstance(want, str) or isinstance(got, str):
                    if got == want: report('PASS', rel, f'both runs ended the same way: {want}', face)
                    else: report('FAIL', rel, f"nbclient: {want if isinstance(want, str) else 'ran'}; "
                                              f"minijup: {got if isinstance(got, str) else 'ran'}", face)
                    continue
                diffs = compare(got, want)
                if diffs and varies is None:   # does nbclient itself give other outputs there from one run to the next?
                    try: varies = set(compare(unrooted(nbclient_run(nb, folder, opts), tmp/'nbclient'), want))
                    except Exception: varies = set()
                diffs = {k: v for k,v in diffs.items() if k not in (varies or set())}
                took = f'{time.monotonic()-t0:.1f} s for both' if face == 'sync' else f'{time.monotonic()-t1:.1f} s'
                note = f'; {len(varies)} cells vary from one nbclient run to the next, not compared' if varies else ''
                note += '; its install lines commented out' if installs else ''
                if diffs: report('FAIL', rel, '; '.join(diffs.values()) + note, face)
                else: report('PASS', rel, took + note, face)
        left = jp.kernels()
        if left: print(f'FAIL {len(left)} kernels left on the server'); counts['FAIL'] += 1
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"realworld: {counts['PASS']} passed, {counts['FAIL']} failed ({counts['SKIP']} skipped)")
    return 1 if counts['FAIL'] else 0

if __name__ == '__main__':
    args, n, k = sys.argv[1:], None, 1
    if args[:1] == ['--async']:
        if len(args) < 2: sys.exit(__doc__)
        n, args = (None if args[1] == 'all' else int(args[1])), args[2:]
    if args[:1] == ['--sample']:
        if len(args) < 2: sys.exit(__doc__)
        k, args = int(args[1]), args[2:]
    if not args: sys.exit(__doc__)
    sys.exit(main(args, n, k))
