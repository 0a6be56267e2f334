"""The layout rules, checked: modules meet through public names only, export cells stay short, and each notebook
reads in the right order (issue 22).

    python .ci/layout.py            # the rules; exit 1 if any is broken
    python .ci/layout.py --measure  # also print each notebook's reading-order figures
    python .ci/layout.py --report   # the reading-order rules only reported, not failed

The rules:
- no module of `minijup/` imports a private name of another (`from .x import _y`, `from minijup.x import _y`);
- no export cell of `nbs/*.ipynb` is over 45 lines (its source, the `#| export` line included);
- a notebook's first example of its main verb (MAIN_VERB; else any visible code cell with a stored output) comes
  within 250 words of prose;
- no markdown cell ending in ':' stands right before an export cell that defines only private names (the docs hide
  that cell, so the sentence would point at nothing);
- no visible example uses a private name (`_x`; dunders are fine);
- no private method is added with `@patch` (a class's internals live in its class);
- at most 8% of the library's lines are over 100 characters.
"""
import ast, io, json, re, sys, tokenize
from pathlib import Path

root = Path(__file__).resolve().parent.parent
MAX_LINES, MAX_WORDS, MAX_LONG, LONG = 45, 250, 0.08, 100
problems, reading, figures = [], [], []   # (reading: the reading-order rules of issue 22)
ENFORCE_READING = '--report' not in sys.argv   # (issue 22's rules: enforced since the redesign landed)

private_import = re.compile(r'^\s*from\s+(\.|minijup\.)[\w.]*\s+import\s+(.*)$')
lib = [p for p in sorted((root/'minijup').glob('*.py')) if p.name != '_modidx.py']
n_lines = n_long = 0
for py in lib:
    for n, line in enumerate(py.read_text().splitlines(), 1):
        n_lines += 1; n_long += len(line) > LONG
        m = private_import.match(line)
        if m and any(name.strip().startswith('_') for name in m.group(2).strip('()').split(',')):
            problems.append(f'{py.relative_to(root)}:{n}: imports a private name of another module: {line.strip()}')
if n_lines and n_long / n_lines > MAX_LONG:
    reading.append(f'minijup/: {n_long} of {n_lines} lines ({n_long/n_lines:.1%}) are over {LONG} characters '
                    f'(at most {MAX_LONG:.0%})')
figures.append(f'library: {n_long/n_lines:.1%} of {n_lines} lines over {LONG} characters')

def src(c): return ''.join(c['source'])
def flags(s): return set(re.findall(r'^#\|\s*([\w-]+)', s, re.M))
def is_export(s): return bool(flags(s) & {'export', 'exports', 'exporti'})
def hidden(s): return bool(flags(s) & {'hide', 'exporti', 'export', 'default_exp', 'eval'}) and 'exports' not in flags(s)

def defined(s):
    "Names an export cell defines at its top level"
    try: tree = ast.parse(re.sub(r'^#\|.*$', '', s, flags=re.M))
    except SyntaxError: return []
    out = []
    for n in tree.body:
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): out.append(n.name)
        elif isinstance(n, (ast.Assign, ast.AnnAssign)):
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target]):
                out += [x.id for x in ast.walk(t) if isinstance(x, ast.Name)]
    return out

def private_names(s):
    "Private names (`_x`, not dunders, not `_`) a code cell uses, outside strings and comments"
    try: toks = list(tokenize.generate_tokens(io.StringIO(s).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError): return set()
    return {t.string for t in toks if t.type == tokenize.NAME and re.fullmatch(r'_[A-Za-z]\w*', t.string)
            and not t.string.endswith('__')}

def words(s): return len(re.findall(r"[A-Za-z][\w'-]*", re.sub(r'```.*?```', '', s, flags=re.S)))

MAIN_VERB = {   # the call each notebook is about: its first example must come within MAX_WORDS of the top
    '00_core': 'Jupyter(', '00a_local': 'LocalServer(', '01_contents': '.ls(', '02_sessions': '.kernelspecs(',
    '03_websockets': '.execute(', '04_cleanup': '.close(', '05_run': 'run_notebook(', '05a_params': 'parameterize_notebook(',
    '07_reach': 'JupyterHub(', '08_parallel': 'run_notebooks(', '10_magics': '%remote'}

MAIN_VERB.update({'01a_saves': '.save(', '01b_transfers': '.upload('})
MAIN_VERB.update({'03c_aio': '.execute('})
MAIN_VERB.update({'11_kernelmanager': 'NotebookClient('})
MAIN_VERB.update({'13_runs': 'start_run(', '13a_driver': 'drive(', '14_hub': 'hub=jh'})

patch_private = re.compile(r'@patch[^\n]*\n(?:@[^\n]*\n)*def\s+(_\w+)\s*\(')
for nb in sorted((root/'nbs').glob('*.ipynb')):
    cells = json.loads(nb.read_text())['cells']
    name, prose, first, colons, privs, patched = nb.relative_to(root), 0, None, 0, 0, 0
    for i, cell in enumerate(cells):
        s = src(cell)
        if cell['cell_type'] == 'markdown':
            prose += words(s) if first is None else 0
            nxt = cells[i+1] if i+1 < len(cells) else None
            if s.rstrip().endswith(':') and nxt and nxt['cell_type'] == 'code' and is_export(src(nxt)) \
               and 'exports' not in flags(src(nxt)):
                names = defined(src(nxt))
                if names and all(n.startswith('_') for n in names):
                    colons += 1
                    reading.append(f'{name}: markdown cell {cell.get("id")} ends in ":" before cell {nxt.get("id")}, '
                                    f'which the docs hide (it defines only {", ".join(names)})')
            continue
        if cell['cell_type'] != 'code': continue
        if len(s.splitlines()) > MAX_LINES and is_export(s):
            problems.append(f"{name}: export cell {cell.get('id')} has {len(s.splitlines())} lines (at most {MAX_LINES})")
        for m in patch_private.finditer(s):
            patched += 1
            reading.append(f'{name}: cell {cell.get("id")} adds the private method {m.group(1)} with @patch')
        if hidden(s) or not s.strip() or s.lstrip().startswith(('from ', 'import ')) or 'show_doc' in s: continue
        if first is None and cell.get('outputs') and MAIN_VERB.get(nb.stem, '') in s: first = prose
        used = private_names(s)
        if used:
            privs += 1
            reading.append(f'{name}: visible example {cell.get("id")} uses private names: {", ".join(sorted(used))}')
    if first is None: first = prose
    if 'index' not in nb.name and first > MAX_WORDS:
        reading.append(f'{name}: its first example comes after {first} words of prose (at most {MAX_WORDS})')
    figures.append(f'{str(name):28} first example after {first:5} words; {colons} ":"-before-hidden; '
                   f'{privs} examples with private names; {patched} private @patch')

if '--measure' in sys.argv: print('\n'.join(figures))
if ENFORCE_READING: problems += reading
elif reading: print(f'reading order: {len(reading)} to fix (python .ci/layout.py lists them)')
print('\n'.join(problems))
print(f'layout: {len(problems)} problems')
sys.exit(1 if problems else 0)
