"""The real `jupyter nbconvert --to notebook --execute` with minijup's kernel manager, on nbclient's own test
notebooks, against nbconvert's local run of the same files (issue 24's proof against the tool itself).

    .venv/bin/python .ci/nbconvert_km.py [FOLDER] [--sample N]   # default: ../shared/conformance/nbclient

For Output.ipynb and each comparison notebook of .ci/conformance.py, nbconvert runs it twice in subprocesses: once with
`--ExecutePreprocessor.kernel_manager_class=minijup.kernelmanager.ServerKernelManager` (the kernel on a LocalServer
named by JUPYTER_URL/JUPYTER_TOKEN, as a user sets them), once with its own local kernel; the two results must have
the same cells and outputs under nbclient's comparison rules (conformance.py's `differences`), the server's token
must appear in neither nbconvert's output nor the saved notebook, and no kernel may be left on the server. A
notebook whose metadata nbconvert's writer refuses (Output.ipynb lacks its kernelspec's name) is run from a copy
with the name added. Prints one line per notebook, then `nbconvert-km: N passed, M failed`; exits 1 on a failure.
"""
import json, os, shutil, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import nbformat

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
from conformance import COMPARE, differences, kernel_env
from minijup.core import LocalServer, Jupyter

FLAGS = {'timeout': lambda v: f'--ExecutePreprocessor.timeout={v}', 'allow_errors': lambda v: '--allow-errors',
         'interrupt_on_timeout': lambda v: f'--ExecutePreprocessor.interrupt_on_timeout={v}'}
JUPYTER = str(Path(sys.executable).parent/'jupyter')

def nbconvert(src, dest, flags, env, server):
    km = ['--ExecutePreprocessor.kernel_manager_class=minijup.kernelmanager.ServerKernelManager'] if server else []
    cmd = [JUPYTER, 'nbconvert', '--to', 'notebook', '--execute', *km, *flags, str(src), '--output', str(dest)]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=180)
    return p.returncode, p.stdout + p.stderr, (nbformat.read(dest, as_version=4) if Path(dest).exists() else None)

def main(folder, sample=None):
    tmp = Path(tempfile.mkdtemp(prefix='minijup-nbconvert-'))
    names = ['Output.ipynb', *COMPARE][:sample] if sample else ['Output.ipynb', *COMPARE]   # (+ Output widgets)
    env = kernel_env(tmp)
    for f in Path(folder).glob('*.png'): shutil.copy(f, tmp)   # (Inline Image reads python.png beside it)
    results = []
    with LocalServer(root_dir=tmp, env=env) as srv:
        env = {**os.environ, **env, 'JUPYTER_URL': srv.url, 'JUPYTER_TOKEN': srv.token}
        def one(name):
            nb = nbformat.read(Path(folder)/name, as_version=4)
            ks = nb.metadata.setdefault('kernelspec', {})
            ks.setdefault('name', 'python3'); ks.setdefault('display_name', 'Python 3')
            src = tmp/name.replace(' ', '_')
            nbformat.write(nb, src)
            flags = [FLAGS[k](v) for k,v in COMPARE.get(name, {}).items()]
            t0 = time.monotonic()
            rs, said, got = nbconvert(src, tmp/f's-{src.name}', flags, env, True)
            rl, _, local = nbconvert(src, tmp/f'l-{src.name}', flags, env, False)
            if got is None or local is None: return name, f'exit {rs} (server) / {rl} (local): {said[-300:]}'
            diffs = differences(got, local)
            if srv.token in said + json.dumps(got): diffs.append('the token is in the output')
            return name, '; '.join(diffs) or None, time.monotonic() - t0
        with ThreadPoolExecutor(2) as pool:
            for name, why, *t in pool.map(one, names):
                results.append(why is None)
                print(f"{'PASS' if why is None else 'FAIL'} {name}" + (f': {why}' if why else f': {t[0]:.1f} s'), flush=True)
        left = Jupyter(srv.url, token=srv.token).kernels()
        if left: results.append(False); print(f'FAIL no kernel left on the server: {len(left)} left')
    shutil.rmtree(tmp, ignore_errors=True)
    n = sum(results)
    print(f'nbconvert-km: {n} passed, {len(results) - n} failed')
    return 0 if n == len(results) else 1

if __name__ == '__main__':
    args = sys.argv[1:]
    sample = int(args[args.index('--sample') + 1]) if '--sample' in args else None
    if '--sample' in args: del args[args.index('--sample'):args.index('--sample') + 2]
    sys.exit(main(args[0] if args else ROOT.parent.parent/'shared'/'conformance'/'nbclient', sample))
