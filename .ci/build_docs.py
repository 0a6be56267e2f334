"""Build README.md and an offline docs site from the notebooks, without Quarto.

    python .ci/build_docs.py readme   # nbs/index.ipynb -> README.md (what nbdev_readme does with Quarto)
    python .ci/build_docs.py site     # nbdev_proc_nbs -> _proc/, rendered with nbconvert into _docs/, then checked

The GitHub deploy workflow renders the site with Quarto; Quarto cannot be installed on machines without the
internet, so this builds the same processed notebooks with nbconvert. `site` fails (exit 1) when a notebook has no
page or an exported name is not documented (by its show_doc heading and docstring) on its module's page.
"""
import html, importlib, inspect, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBS, PROC, DOCS = ROOT/'nbs', ROOT/'_proc', ROOT/'_docs'
_re_directive = re.compile(r'^\s*#\s*\|.*$\n?', re.MULTILINE)


def _directives(src):
    return {m.group(1).strip().split(':')[0] for m in re.finditer(r'^\s*#\s*\|\s*([\w-]+:?)', src, re.MULTILINE)}


def readme():
    "Write README.md from nbs/index.ipynb: markdown as it is, visible code cells with their text outputs"
    import nbformat
    nb = nbformat.read(NBS/'index.ipynb', as_version=4)
    parts = []
    for c in nb.cells:
        src = c.source.strip()
        if not src: continue
        if c.cell_type == 'markdown': parts.append(src)
        elif c.cell_type == 'code':
            if _directives(src) & {'hide', 'export', 'exporti', 'default_exp'}: continue
            parts.append('```python\n' + _re_directive.sub('', src).strip() + '\n```')
            for o in c.get('outputs', []):
                text = o.get('text') if o.output_type == 'stream' else o.get('data', {}).get('text/plain')
                if text: parts.append('    ' + ''.join(text).rstrip().replace('\n', '\n    '))
    (ROOT/'README.md').write_text('\n\n'.join(parts) + '\n')


def _documented_names(mod):
    "Names that need their own show_doc on the module's page: `__all__`, and methods added to a class with @patch"
    from minijup._modidx import d
    names = [n for n in getattr(mod, '__all__', []) if callable(getattr(mod, n, None))]   # constants have no show_doc
    for sym in d['syms'].get(mod.__name__, {}):
        parts = sym.split('.')[2:]
        if len(parts) != 2 or parts[1].startswith('_'): continue
        obj = inspect.getattr_static(getattr(mod, parts[0]), parts[1], None)
        obj = getattr(obj, 'fget', getattr(obj, '__func__', obj))
        try: line = inspect.getsourcelines(obj)[0][0]
        except (TypeError, OSError): continue
        if not line[:1].isspace(): names.append('.'.join(parts))   # defined at top level: a patched method
    return names


def proc_nbs():
    "What `nbdev_proc_nbs` does, without its attempt to download and install Quarto (and pip install -e) first"
    import os, nbdev.doclinks
    from nbdev.quarto import refresh_quarto_yml, nbdev_sidebar
    from nbdev.serve import proc_nbs as _proc
    os.chdir(ROOT)
    refresh_quarto_yml()
    nbdev.doclinks._build_modidx()
    nbdev_sidebar.__wrapped__(path=NBS)
    _proc(NBS, force=True)


def _for_html(nb):
    "What Quarto would do with a processed notebook: a title from the front matter, hidden `echo: false` inputs"
    import nbformat
    cells = []
    for c in nb.cells:
        if c.cell_type == 'raw' and c.source.startswith('---'):   # front matter: title and description
            import yaml
            fm = yaml.safe_load(c.source.strip().strip('-')) or {}
            head = f"# {fm.get('title', '')}" + (f"\n\n> {fm['description']}" if fm.get('description') else '')
            cells.append(nbformat.v4.new_markdown_cell(head)); continue
        if c.cell_type == 'code':
            if re.search(r'(?m)^#\|\s*echo:\s*false', c.source): c.metadata['transient'] = {'remove_source': True}
            c.source = _re_directive.sub('', c.source)
            for o in c.get('outputs', []):
                md = o.get('data', {}).get('text/markdown')
                if md: o['data']['text/markdown'] = re.sub(r'\{target="_blank"[^}]*\}', '', ''.join(md))
        cells.append(c)
    nb.cells = cells
    return nb


def site():
    "Process the notebooks (nbdev_proc_nbs), render each with nbconvert, write an index, and check the pages"
    import nbformat
    from nbconvert import HTMLExporter
    proc_nbs()
    DOCS.mkdir(exist_ok=True)
    exporter = HTMLExporter(template_name='lab')
    pages, problems, checked = [], [], 0
    for src in sorted(NBS.glob('*.ipynb')):
        proc = PROC/src.name
        if not proc.exists(): problems.append(f'{src.name}: no processed notebook in _proc/'); continue
        nb = _for_html(nbformat.read(proc, as_version=4))
        title = re.sub(r'^\d+_', '', src.stem)
        body, _ = exporter.from_notebook_node(nb, resources={'metadata': {'name': title}})
        page = DOCS/('index.html' if src.stem == 'index' else f'{title}.html')
        page.write_text(body)
        pages.append((src.stem, title, page))
    nav = '\n'.join(f'<li><a href="{p.name}">{html.escape(t)}</a> ({html.escape(s)}.ipynb)</li>'
                    for s, t, p in pages if s != 'index')
    idx = DOCS/'index.html'
    if idx.exists():
        text = idx.read_text()
        text = re.sub(r'(<body[^>]*>)', r'\1<nav id="minijup-pages"><h2>Pages</h2><ul>' + nav.replace('\\', '\\\\')
                      + '</ul></nav>', text, count=1)
        idx.write_text(text)
    else: problems.append('index.ipynb: no index page')
    for stem, title, page in pages:
        if stem == 'index': continue
        text = re.sub(r'\s+', '', html.unescape(re.sub(r'<[^>]+>', '', page.read_text())))
        raw = page.read_text()
        try: mod = importlib.import_module(f'minijup.{title}')
        except ImportError: problems.append(f'{page.name}: no module minijup.{title}'); continue
        for name in _documented_names(mod):
            obj = mod
            for p in name.split('.'): obj = getattr(obj, p, None)
            doc = ' '.join((inspect.getdoc(obj) or '').replace('`', '').replace('*', '').split()[:5])
            if not re.search(rf'<h3 id="{re.escape(name)}">\s*{re.escape(name)}\s*<', raw):
                problems.append(f'{page.name}: no show_doc heading for {name}')
            elif doc and re.sub(r'\s+', '', doc) not in text:
                problems.append(f'{page.name}: the docstring of {name} is not shown')
        checked += 1
    print(f'docs: {len(pages)} pages in {DOCS.relative_to(ROOT)}/, {checked} module pages checked')
    for p in problems: print('docs problem:', p)
    return not problems


if __name__ == '__main__':
    what = sys.argv[1] if len(sys.argv) > 1 else 'site'
    if what == 'readme': readme()
    elif what == 'site': sys.exit(0 if site() else 1)
    else: sys.exit(f'usage: {sys.argv[0]} readme|site')
