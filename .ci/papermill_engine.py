"""papermill's own test notebooks, run by the real `papermill` command twice: with its local kernel, and with
`--engine minijup` on a Jupyter Server; the two executed notebooks compared cell by cell, and the exit codes.

    python .ci/papermill_engine.py                  # every notebook papermill ships (a LocalServer of its own)
    python .ci/papermill_engine.py broken1 sysexit1 # some of them
    JUPYTER_URL=... JUPYTER_TOKEN_FILE=... python .ci/papermill_engine.py   # on that server instead

Compared: each cell's type, source, tags, execution count and outputs, with what differs from run to run masked
(memory addresses, the kernel's temporary file names in tracebacks, times); the parameters papermill recorded; the
exit code and the kind of error papermill ended with. Prints one line per notebook and `papermill-engine: N passed,
M failed` (exit status 1 if any failed).
"""
import json, os, re, shutil, subprocess, sys, tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import papermill

NOTEBOOKS = Path(papermill.__file__).parent/'tests'/'notebooks'
ARGS = {   # the arguments each notebook is run with (papermill's own tests run them so)
    'simple_execute': ['-p', 'msg', 'Hello'],
    'complex_parameters': ['-p', 'msg', 'Hello', '-p', 'a', '3.5', '-y', 'b: [1, 2]'],
    'report_mode_test': ['--report-mode', '-p', 'a', '1'],
    'keyboard_interrupt': ['--execution-timeout', '2'],   # (it sleeps 60 s: papermill's test interrupts it)
    'binder': ['-p', 'msg', 'Hello'],
    'test_logging': ['--log-output'],
}
EXPLAINED = {   # differences by design, with the reason
    'notimplemented_translator': {
        'ended with NoSuchKernel locally, NotFoundError with minijup':
        "its kernelspec is one neither has: locally jupyter_client's NoSuchKernel, on the server minijup's "
        "NotFoundError that lists the server's kernelspecs (same exit code, no kernel started)"},
}
_MASKS = [(re.compile(r'0x[0-9a-f]{6,}'), '0xADDR'), (re.compile(r'/tmp/ipykernel_\d+/\d+\.py'), 'IPYKERNEL.py'),
          (re.compile(r'\x1b\[[0-9;]*m'), ''), (re.compile(r'\d\d:\d\d:\d\d(\.\d+)?'), 'HH:MM:SS')]

def _mask(x):
    if isinstance(x, str):
        for rx, rep in _MASKS: x = rx.sub(rep, x)
        return x
    if isinstance(x, list): return [_mask(v) for v in x]
    if isinstance(x, dict): return {k: _mask(v) for k, v in x.items()}
    return x

def cells_of(path) -> list:
    "The executed notebook's cells as compared: what papermill and the kernel made of them, masked"
    nb = json.loads(Path(path).read_text())
    def one(c):
        outs = []
        for o in c.get('outputs', []):   # a stream's chunks as one (they split where the kernel flushed)
            o = {k: (''.join(v) if k == 'text' else v) for k, v in o.items() if k != 'metadata'}
            if outs and o['output_type'] == 'stream' and outs[-1]['output_type'] == 'stream' \
               and outs[-1]['name'] == o['name']: outs[-1] = {**outs[-1], 'text': outs[-1]['text'] + o['text']}
            else: outs.append(o)
        return _mask(dict(type=c['cell_type'], source=''.join(c['source']), tags=c['metadata'].get('tags', []),
                          count=c.get('execution_count'), outputs=outs,
                          status=c['metadata'].get('papermill', {}).get('status')))
    return [one(c) for c in nb['cells']] + [nb['metadata'].get('papermill', {}).get('parameters')]

def ended(r) -> str:
    "The kind of error papermill's process ended with ('' if none): the exception after its last traceback"
    lines = r.stderr.splitlines()
    tb = max((i for i, l in enumerate(lines) if l.startswith('Traceback (most recent call last)')), default=None)
    if tb is None: return ''
    last = next((l for l in lines[tb + 1:] if l and not l[0].isspace()), '')
    return last.split(':')[0].rpartition('.')[2]

def papermill_run(name, out, engine, env, tmp) -> subprocess.CompletedProcess:
    cmd = [str(Path(sys.executable).parent/'papermill'), str(NOTEBOOKS/f'{name}.ipynb'), str(out),
           '--no-progress-bar', *ARGS.get(name, []), *(['--engine', engine] if engine else [])]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp, timeout=300)

def compare(name, env, tmp) -> list:
    "The differences between the local run and the server run of notebook `name` (empty: the same)"
    local, remote = Path(tmp)/f'{name}.local.ipynb', Path(tmp)/f'{name}.minijup.ipynb'
    with ThreadPoolExecutor(2) as ex:
        a, b = ex.map(lambda x: papermill_run(name, *x, env, tmp), [(local, None), (remote, 'minijup')])
    diffs = []
    if a.returncode != b.returncode: diffs.append(f'exit code {a.returncode} locally, {b.returncode} with minijup')
    if ended(a) != ended(b): diffs.append(f'ended with {ended(a) or "success"} locally, {ended(b) or "success"} '
                                          'with minijup')
    token = env.get('JUPYTER_TOKEN') or Path(env['JUPYTER_TOKEN_FILE']).read_text().strip()
    if token and token in b.stdout + b.stderr: diffs.append("the token is in papermill's output")
    if local.exists() != remote.exists(): diffs.append('an output notebook only from one run')
    elif local.exists():
        ca, cb = cells_of(local), cells_of(remote)
        if token and token in remote.read_text(): diffs.append('the token is in the saved notebook')
        if len(ca) != len(cb): diffs.append(f'{len(ca)} cells locally, {len(cb)} with minijup')
        cells = [f'cell {i}: {str(x)[:300]} locally, {str(y)[:300]} with minijup'
                 for i, (x, y) in enumerate(zip(ca, cb)) if x != y]
        diffs += cells[:3] + ([f'... and {len(cells) - 3} more cells'] if len(cells) > 3 else [])
    if diffs and os.environ.get('PAPERMILL_ENGINE_VERBOSE'): diffs += [a.stderr[-2000:], b.stderr[-2000:]]
    return diffs

def main(names):
    names = names or sorted(p.stem for p in NOTEBOOKS.glob('*.ipynb'))
    srv, work = None, Path(tempfile.mkdtemp(prefix='minijup-pme-'))
    env = dict(os.environ)
    if not env.get('JUPYTER_URL'):   # a server of our own, its root the folder both runs run in (same cwd)
        from minijup.core import LocalServer
        (work/'runs').mkdir()
        srv = LocalServer(root_dir=work/'runs').start()
        tf = work/'token'
        tf.write_text(srv.token); tf.chmod(0o600)
        env.update(JUPYTER_URL=srv.url, JUPYTER_TOKEN_FILE=str(tf))
        env.pop('JUPYTER_TOKEN', None)
    # (each papermill process imports nbformat, whose jsonschema builds the grammar of its optional rfc3987_syntax in
    # 2 s, for a format nbformat never checks: both runs go without it, as minijup's LocalServer does)
    shim = work/'no-rfc3987'; shim.mkdir()
    (shim/'rfc3987_syntax.py').write_text("raise ImportError('skipped')")
    env['PYTHONPATH'] = os.pathsep.join([str(shim)] + ([env['PYTHONPATH']] if env.get('PYTHONPATH') else []))
    passed = failed = 0
    try:
        for name in names:
            runs = work/'runs' if srv else Path(tempfile.mkdtemp(prefix='minijup-pme-', dir=work))
            diffs = compare(name, env, runs)
            why = [EXPLAINED.get(name, {}).get(d) for d in diffs]
            same = 'the same' if not diffs else 'the same but for: ' + '; '.join(why) if all(why) else None
            passed, failed = passed + bool(same), failed + (not same)
            print(f'{name}: ' + (same or 'DIFFERENT\n  ' + '\n  '.join(diffs)), flush=True)
    finally:
        if srv: srv.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f'papermill-engine: {passed} passed, {failed} failed')
    return 1 if failed else 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
