"""Build README.md and an offline docs site from the notebooks, without Quarto.

    python .ci/build_docs.py readme   # nbs/index.ipynb -> README.md (what nbdev_readme does with Quarto)
    python .ci/build_docs.py site     # nbdev_proc_nbs -> _proc/, rendered with nbconvert into _docs/, then checked

Look at it: open _docs/index.html, or `chromium --headless --no-sandbox --screenshot=page.png --window-size=1280,2400
file://$PWD/_docs/core.html`.

The GitHub deploy workflow renders the site with Quarto; Quarto cannot be installed on machines without the
internet, so this builds the same processed notebooks (`_proc/`) with nbconvert and the template in
`.ci/docs_template/` (nbconvert's lab page, plus the site's navigation on every page). `site` fails (exit 1) when a
page is missing its navigation, an exported name has no API entry (with its docstring) on its module's page, or an
internal link points to a page or anchor that does not exist.
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
    names = [n for n in getattr(mod, '__all__', []) if callable(getattr(mod, n, None))   # constants have no show_doc,
             and getattr(getattr(mod, n), '__module__', mod.__name__) == mod.__name__]  # names passed on have theirs where defined
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


def _site_url():
    "The published site's URL, from settings.ini (nbdev's doclinks point there)"
    from configparser import ConfigParser
    cfg = ConfigParser(); cfg.read(ROOT/'settings.ini')
    return cfg['DEFAULT']['doc_host'].rstrip('/') + cfg['DEFAULT']['doc_baseurl'].rstrip('/') + '/'


def _pages():
    "[(notebook stem, page file, title, summary)] in the sidebar's order (index first)"
    import yaml, nbformat
    order = yaml.safe_load((NBS/'sidebar.yml').read_text())['website']['sidebar']['contents']
    res = []
    for name in order:
        nb = nbformat.read(PROC/name, as_version=4)
        fm = yaml.safe_load(nb.cells[0].source.strip().strip('-')) if nb.cells and nb.cells[0].cell_type == 'raw' else {}
        stem = Path(name).stem
        res.append((stem, 'index.html' if stem == 'index' else re.sub(r'^\d+[a-z]?_', '', stem) + '.html',
                    'Overview' if stem == 'index' else (fm or {}).get('title', stem), (fm or {}).get('description', '')))
    return res


_re_showdoc = re.compile(r'^\s*show_doc\((.+)\)\s*$', re.MULTILINE)

def _api_names(nb) -> list:
    "The names a processed notebook (or one cell) documents with show_doc"
    cells = nb.cells if 'cells' in nb else [nb]
    return [m.group(1).strip() for c in cells if c.cell_type == 'code' for m in _re_showdoc.finditer(c.source)]


def _docments_table(obj) -> str:
    "A markdown table of the parameters of `obj` with their type, default and docments comment ('' if none has one)"
    from fastcore.docments import docments
    try: dm = docments(obj, full=True)
    except Exception: return ''
    rows = [(k, v) for k, v in dm.items() if k != 'return' and k != 'self']
    if not any(v.get('docment') for _, v in rows): return ''
    def cell(x): return str(x).replace('|', '\\|').replace('\n', ' ')
    def typ(a): return '' if a is inspect._empty else getattr(a, '__name__', None) or str(a)
    def dflt(d): return '' if d is inspect._empty else f'`{d!r}`'
    lines = ['| | type | default | |', '|---|---|---|---|']
    lines += [f'| **{cell(k)}** | {cell(typ(v["anno"]))} | {cell(dflt(v["default"]))} | {cell(v.get("docment") or "")} |' for k, v in rows]
    return '\n'.join(lines)


def _for_html(nb, mod, anchors:dict, site_url:str):
    """What Quarto does with a processed notebook: a title from the front matter, hidden `echo: false` inputs,
    API entries as blocks with a parameter table, doclinks relative (and unlinked where no entry documents them)"""
    import nbformat
    def relink(text):
        def sub(m):
            page, anchor = m.group(2), (m.group(3) or '')[1:]
            if page in anchors and (not anchor or anchor in anchors[page]): return f'[{m.group(1)}]({page}{m.group(3) or ""})'
            return m.group(1)   # no entry to link to (a private name): just the name
        text = re.sub(r'\]\((\d\d[a-z]?_|index)(\w*)\.ipynb', lambda m: '](' + ('index' if m.group(1) == 'index' else m.group(2)) + '.html', text)
        return re.sub(r'\[([^\]]*)\]\(' + re.escape(site_url) + r'([\w.-]+\.html)(#[\w.-]*)?\)', sub, text)
    cells = []
    for c in nb.cells:
        if c.cell_type == 'raw' and c.source.startswith('---'):   # front matter: title and description
            import yaml
            fm = yaml.safe_load(c.source.strip().strip('-')) or {}
            head = f"# {fm.get('title', '')}" + (f"\n\n> {fm['description']}" if fm.get('description') else '')
            cells.append(nbformat.v4.new_markdown_cell(head)); continue
        if c.cell_type == 'markdown': c.source = relink(c.source)
        if c.cell_type == 'code':
            if re.search(r'(?m)^#\|\s*echo:\s*false', c.source): c.metadata['transient'] = {'remove_source': True}
            api = _api_names(c)
            c.source = _re_directive.sub('', c.source)
            for o in c.get('outputs', []):
                md = o.get('data', {}).get('text/markdown')
                if not md: continue
                md = re.sub(r'\{target="_blank"[^}]*\}', '', ''.join(md))
                # a signature is code: doclinks put into its comments would show as raw markdown, keep the name only
                md = re.sub(r'```.*?```', lambda m: re.sub(r'\[`?([^\]`]*)`?\]\([^)]*\)', r'\1', m.group(0)), md, flags=re.S)
                if api:   # an API entry: an anchor as nbdev's doclinks spell it, and the parameter table
                    c.metadata.setdefault('tags', []).append('minijup-api')
                    obj = eval(api[0], vars(mod)) if mod else None
                    md = re.sub(r'^(#+ .*)$', lambda m: f'<a id="{api[0].lower()}"></a>\n\n{m.group(1)}', md, count=1, flags=re.M)
                    tbl = _docments_table(obj) if obj is not None else ''
                    if tbl: md = md.rstrip() + '\n\n' + tbl + '\n'
                o['data']['text/markdown'] = relink(md)
        cells.append(c)
    nb.cells = cells
    return nb


def _check(pages, problems):
    "Every page has the navigation; every internal link resolves to a page and an anchor that exist"
    ids = {f: set(re.findall(r'\bid="([^"]+)"', (DOCS/f).read_text())) for _, f, _, _ in pages}
    links = 0
    for _, f, _, _ in pages:
        raw = (DOCS/f).read_text()
        nav = re.search(r'<nav [^>]*id="minijup-nav".*?</nav>', raw, re.S)
        if not nav or any(f'href="{g}"' not in nav.group(0) for _, g, _, _ in pages):
            problems.append(f'{f}: the navigation is missing or lacks a page')
        if re.search(r'jp-(In|Out)putPrompt[^>]*>\s*(In|Out)', raw): problems.append(f'{f}: shows In/Out prompts')
        for href in re.findall(r'<a [^>]*href="([^"]*)"', raw):
            if re.match(r'[a-z]+:', href): continue   # http(s), mailto: not ours
            page, _, anchor = html.unescape(href).partition('#')
            page = page or f
            links += 1
            if page not in ids: problems.append(f'{f}: a link to {href}: no page {page}')
            elif anchor and anchor not in ids[page]: problems.append(f'{f}: a link to {href}: no anchor {anchor!r} there')
    return links


def site():
    "Process the notebooks (nbdev_proc_nbs), render each with nbconvert into a site, and check it"
    import nbformat
    from nbconvert import HTMLExporter
    proc_nbs()
    DOCS.mkdir(exist_ok=True)
    exporter = HTMLExporter(template_name='minijup', extra_template_basedirs=[str(ROOT/'.ci'/'docs_template')],
                            exclude_input_prompt=True, exclude_output_prompt=True)
    pages, problems, checked = _pages(), [], 0
    site_url = _site_url()
    anchors = {f: {n.lower() for n in _api_names(nbformat.read(PROC/f'{s}.ipynb', as_version=4))} for s, f, _, _ in pages}
    nav = [dict(href=f, title=t, summary=d.replace('`', '')) for _, f, t, d in pages]
    for i, (stem, f, title, _) in enumerate(pages):
        try: mod = None if stem == 'index' else importlib.import_module(f'minijup.{f[:-5]}')
        except ImportError:   # (a notebook that exports nothing, a story of the API, has no module)
            if '#| default_exp' in (NBS/f'{stem}.ipynb').read_text(): problems.append(f'{f}: no module minijup.{f[:-5]}')
            mod = None
        nb = _for_html(nbformat.read(PROC/f'{stem}.ipynb', as_version=4), mod, anchors, site_url)
        res = {'metadata': {'name': f'minijup: {title}'},
               'minijup': dict(pages=nav, current=f, prev=nav[i-1] if i else None, next=nav[i+1] if i+1 < len(nav) else None)}
        body, _ = exporter.from_notebook_node(nb, resources=res)
        # headings' anchors as Quarto spells them (lower case), which is how the notebooks link to sections
        body = re.sub(r'(<h[1-6] id="|class="anchor-link" href="#)([^"]+)"', lambda m: m.group(1) + m.group(2).lower() + '"', body)
        (DOCS/f).write_text(body)
    for stem, f, title, _ in pages:   # each exported name has its entry, with its docstring, on its module's page
        if stem == 'index': continue
        try: mod = importlib.import_module(f'minijup.{f[:-5]}')
        except ImportError: continue
        raw = (DOCS/f).read_text()
        text = re.sub(r'\s+', '', html.unescape(re.sub(r'<[^>]+>', '', raw)))
        for name in _documented_names(mod):
            obj = mod
            for p in name.split('.'): obj = getattr(obj, p, None)
            doc = ' '.join((inspect.getdoc(obj) or '').replace('`', '').replace('*', '').split()[:5])
            if f'id="{name.lower()}"' not in raw: problems.append(f'{f}: no API entry for {name}')
            elif doc and re.sub(r'\s+', '', doc) not in text: problems.append(f'{f}: the docstring of {name} is not shown')
        checked += 1
    links = _check(pages, problems)
    print(f'docs: {len(pages)} pages in {DOCS.relative_to(ROOT)}/, {checked} module pages checked, {links} internal links resolved')
    for p in problems: print('docs problem:', p)
    return not problems


if __name__ == '__main__':
    what = sys.argv[1] if len(sys.argv) > 1 else 'site'
    if what == 'readme': readme()
    elif what == 'site': sys.exit(0 if site() else 1)
    else: sys.exit(f'usage: {sys.argv[0]} readme|site')
