"""Refresh the stored outputs of the notebooks: run each (as nbdev_test does, with execnb, in its folder) and save
the outputs of its visible cells back into it, with what changes from run to run masked.

    python .ci/refresh.py                    # every notebook in nbs/
    python .ci/refresh.py nbs/02_sessions.ipynb ...
    python .ci/refresh.py --check [NOTEBOOK ...]   # what CI checks: no shown value without its output, no leak

Cell ids, sources and metadata are kept; only outputs change. Hidden, export and show_doc cells keep no output
(the docs build makes show_doc's). Masked, so that running it twice leaves `git diff` empty: ports of 127.0.0.1,
temporary folders, tokens (the 48 hex characters a LocalServer makes), uuids and hex ids of kernels, sessions and
messages, dates and times, and durations printed as `N.N s` / `N ms`. A notebook that fails is not written.
"""
import re, sys, os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_MASKS = [
    (re.compile(r'(127\.0\.0\.1|localhost):(?!8888\b)\d{2,5}'), r'\1:PORT'),   # (8888: the usual port, in help texts)
    (re.compile(r'/tmp/[\w.-]+'), '/tmp/XXXX'),
    (re.compile(r'\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b'), 'UUID'),
    (re.compile(r'\b[0-9a-f]{48}\b'), '***'),
    (re.compile(r'\b[0-9a-f]{32}\b'), 'HEXID'),
    (re.compile(r'(202[5-9]|20[3-9]\d)-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?'), 'YYYY-MM-DDTHH:MM:SS'),   # (now: a literal date of the past is kept)
    (re.compile(r'\b\d+\.\d+ s\b'), 'N.N s'),
    (re.compile(r'\b\d+(\.\d+)? ms\b'), 'N ms'),
]

def mask(text:str) -> str:
    "`text` with what changes from run to run replaced by fixed placeholders"
    for rx, rep in _MASKS: text = rx.sub(rep, text)
    return text

def _mask_output(o):
    if 'text' in o: o['text'] = mask(''.join(o['text']))
    for k, v in list(o.get('data', {}).items()):
        if k.startswith('text/') or k in ('application/json',): o['data'][k] = mask(v if isinstance(v, str) else ''.join(v))
    if 'traceback' in o: o['traceback'] = [mask(l) for l in o['traceback']]
    o.pop('execution_count', None) if o.get('output_type') != 'execute_result' else o.update(execution_count=None)

def _shown(src:str) -> bool:
    "Is this code cell's output shown in the docs? (not hidden, exported or a show_doc)"
    return not re.search(r'^#\|\s*(hide|export|exporti|exports|default_exp|echo:\s*false)\b', src, re.M) and 'show_doc(' not in src

def refresh(path:Path) -> bool:
    "Run the notebook at `path`; on success write its masked outputs back; returns whether it ran"
    import nbformat
    from execnb.shell import CaptureShell
    from execnb.nbio import read_nb
    from fastcore.xtras import working_directory
    nb = nbformat.read(path, as_version=4)
    os.environ['IN_TEST'] = '1'
    sh = CaptureShell(path)
    run = read_nb(path)   # a copy to run, as execnb reads it: it fills the outputs
    try:
        with working_directory(path.parent):
            sh.run_all(run, exc_stop=True, preproc=lambda c: c.cell_type != 'code' or 'nbdev_export(' in c.source
                       or bool(re.search(r'^#\|\s*eval:\s*false', c.source, re.M)))
    except Exception:
        sys.stderr.write(sh.prettytb(fname=path) + '\n'); return False
    for c, r in zip(nb.cells, run.cells):
        if c.cell_type != 'code': continue
        c.outputs = [nbformat.from_dict(o) for o in r.get('outputs', [])] if _shown(c.source) else []
        for o in c.outputs: _mask_output(o)
        c.execution_count = None
    nbformat.write(nb, path)
    return True

_PRINTS = {'print', 'display', 'print_outputs', 'show'}
_LEAKS = re.compile(r'(127\.0\.0\.1|localhost):(?!8888\b)\d{2,5}|/tmp/minijup-\w+|\b[0-9a-f]{48}\b')

def check(path:Path) -> list:
    "Problems with the stored outputs of the notebook at `path`: a shown value without its output, an unmasked leak"
    import ast, nbformat
    nb, res = nbformat.read(path, as_version=4), []
    for i, c in enumerate(nb.cells):
        if c.cell_type != 'code' or not _shown(c.source): continue
        where = f'{path.name} cell {i} ({c.source.strip().splitlines()[0][:50] if c.source.strip() else ""!r})'
        for o in c.outputs:
            text = ''.join(o.get('text', '')) + ''.join(''.join(v) for k, v in o.get('data', {}).items() if k.startswith('text/'))
            if (m := _LEAKS.search(text)): res.append(f'{where}: its output shows {m.group(0)!r}, which changes from run to run (mask it)')
        try: body = ast.parse(re.sub(r'(?m)^\s*[%!].*$', '', c.source)).body
        except SyntaxError: continue
        if not body or not isinstance(body[-1], ast.Expr) or c.source.rstrip().endswith(';'): continue
        v = body[-1].value
        name = getattr(v.func, 'id', getattr(v.func, 'attr', None)) if isinstance(v, ast.Call) else None
        shows = not isinstance(v, (ast.Call, ast.Await, ast.Yield, ast.Constant)) or name in _PRINTS
        if shows and not c.outputs: res.append(f'{where}: it shows a value, but has no stored output (python .ci/refresh.py {path.relative_to(ROOT)})')
    return res

if __name__ == '__main__' and sys.argv[1:2] == ['--check']:
    paths = [Path(p).resolve() for p in sys.argv[2:]] or sorted((ROOT/'nbs').glob('*.ipynb'))
    problems = [p for path in paths for p in check(path)]
    for p in problems: print('outputs problem:', p)
    print(f'outputs: {len(paths)} notebooks checked, {len(problems)} problems')
    sys.exit(1 if problems else 0)

if __name__ == '__main__':
    paths = [Path(p).resolve() for p in sys.argv[1:]] or sorted((ROOT/'nbs').glob('*.ipynb'))
    failed = [p.name for p in paths if not (print(f'refreshing {p.name}', flush=True) or refresh(p))]
    os.system(f'cd {ROOT} && nbdev_clean')
    if failed: sys.exit(f'not refreshed (failed): {", ".join(failed)}')
