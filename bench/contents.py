"""Benchmark minijup's contents section against the same Jupyter Server driven with plain `requests`.

    .venv/bin/python bench/contents.py           # everything, in one run (about a minute)
    .venv/bin/python bench/contents.py --reps 3  # fewer repetitions

What it measures, each against a reference measured in the same run on the same server:

- upload of a 50 MiB file: `jp.upload` vs one base64 PUT, and vs the JupyterLab-style 1 MiB chunked PUT (the reference);
- download of it: `jp.download` (the default for a file over 16 MiB: size, and `last_modified` unchanged after the
  transfer; `verify='hash'`: size and the server's sha256 of the file; `verify=False`: size only) vs a base64 GET of
  the contents model, and vs a raw streamed GET of /files/<path> written to a local file (the reference), each to a
  new local file. Replacing an existing local file costs more: `download` writes a temporary file and renames it over the
  old one, and on ext4 that rename makes the kernel write the new data out first (`auto_da_alloc`); one line shows it;
- listing a directory of 5000 files: `jp.ls` vs a plain GET of /api/contents/<dir> parsed as JSON (the reference);
- peak memory (VmHWM) of a child process doing nothing but `jp.upload` / `jp.download` of a 200 MB file.

Speeds are in MB/s (10**6 bytes a second), the median of the repetitions. minijup and its reference run interleaved,
in a new random order each round; the one-request base64 transfers (which allocate the whole file several times over
on both sides) run after them, so as not to disturb them. A ratio is minijup's speed over the reference's (listing:
minijup's time over the reference's). This is a script, not a test: nothing here fails on a slow machine.
"""
import argparse, base64, os, platform, random, statistics, subprocess, sys, tempfile, time
from pathlib import Path
import requests
import jupyter_server
from minijup.core import Jupyter, LocalServer

MiB = 2**20
HERE = Path(__file__).resolve()


def peak_rss() -> int:
    "Peak resident memory of this process in bytes (VmHWM; ru_maxrss where there is no /proc)"
    try: return int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0]) * 1024
    except OSError:
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == 'darwin' else 1024)


def child(direction, local, remote):
    "Run in a child process: one transfer, then print the peak memory before and after it"
    jp = Jupyter()  # JUPYTER_URL and JUPYTER_TOKEN from the environment
    jp.status()
    base = peak_rss()
    if direction == 'upload': jp.upload(local, remote, progress=False, overwrite=True)
    else: jp.download(remote, local, progress=False)
    print(base, peak_rss())


def run(fns, reps, between=None):
    "Time each of `fns` ({name: f}) `reps` times, interleaved in a new random order each round; medians"
    times = {k: [] for k in fns}
    for _ in range(reps):
        for k in random.sample(list(fns), len(fns)):
            t0 = time.perf_counter(); fns[k](); times[k].append(time.perf_counter() - t0)
            if between: between(k)
    return {k: statistics.median(v) for k, v in times.items()}


def line(label, value, unit, ratio=None, target=None, note=''):
    r = ''
    if ratio is not None:
        ok = '' if target is None else ('  target ' + target[0] + ' ' + f'{target[1]:g}x: ' +
                                        ('met' if (ratio >= target[1] if target[0] == '>=' else ratio <= target[1]) else 'MISSED'))
        r = f'  {ratio:5.2f}x{ok}'
    print(f'  {label:<52} {value:8.1f} {unit}{r}{note}')


def main(reps):
    tmp = Path(tempfile.mkdtemp(prefix='minijup-bench-'))
    with LocalServer() as srv:
        jp = Jupyter(srv.url_with_token)
        S = requests.Session(); S.headers['Authorization'] = f'token {srv.token}'
        api, files = srv.url + 'api/contents/', srv.url + 'files/'
        print(f'minijup contents benchmark: jupyter_server {jupyter_server.__version__}, Python {platform.python_version()}, '
              f'{os.cpu_count()} CPUs; medians of {reps} interleaved runs')

        # upload
        size = 50 * MiB
        src = tmp / 'src.bin'; src.write_bytes(os.urandom(size))

        def one_put():
            S.put(api + 'one.bin', json={'type': 'file', 'format': 'base64',
                                         'content': base64.b64encode(src.read_bytes()).decode()}).raise_for_status()

        def chunked_put(cs=MiB):
            n = -(-size // cs)
            with open(src, 'rb') as f:
                for i in range(1, n + 1):
                    S.put(api + 'chunked.bin', json={'type': 'file', 'format': 'base64', 'chunk': -1 if i == n else i,
                                                     'content': base64.b64encode(f.read(cs)).decode()}).raise_for_status()

        ups = {'chunked': chunked_put, 'minijup': lambda: jp.upload(src, 'minijup.bin', progress=False)}
        names = {'one': 'one.bin', 'chunked': 'chunked.bin', 'minijup': 'minijup.bin'}
        t = run(ups, reps, between=lambda k: jp.delete(names[k]))
        t.update(run({'one': one_put}, reps, between=lambda k: jp.delete(names[k])))
        mbs = {k: size / v / 1e6 for k, v in t.items()}
        print(f'upload {size // MiB} MiB')
        line('plain requests: one base64 PUT', mbs['one'], 'MB/s', mbs['one'] / mbs['chunked'])
        line('plain requests: 1 MiB chunked PUT (reference)', mbs['chunked'], 'MB/s')
        line('minijup upload (1 MiB chunks, verified by size+hash)', mbs['minijup'], 'MB/s',
             mbs['minijup'] / mbs['chunked'], ('>=', 0.9))

        # download, each time to a new local file (removed, untimed, after each run)
        jp.upload(src, 'down.bin', progress=False)
        out = tmp / 'out.bin'
        def rm(k): out.unlink()

        def b64_get():
            r = S.get(api + 'down.bin', params={'format': 'base64'}); r.raise_for_status()
            out.write_bytes(base64.b64decode(r.json()['content']))

        def raw_get():
            with S.get(files + 'down.bin', stream=True) as r, open(out, 'wb') as f:
                r.raise_for_status()
                for b in r.iter_content(MiB): f.write(b)

        downs = {'raw': raw_get, 'minijup': lambda: jp.download('down.bin', out, progress=False),
                 'minijup_hash': lambda: jp.download('down.bin', out, progress=False, verify='hash'),
                 'minijup_size': lambda: jp.download('down.bin', out, progress=False, verify=False)}
        t = run(downs, reps, between=rm)
        t.update(run({'b64': b64_get}, reps, between=rm))
        out.write_bytes(b'old')
        t.update(run({'replace': lambda: jp.download('down.bin', out, progress=False, verify=False, overwrite=True)}, reps))
        mbs = {k: size / v / 1e6 for k, v in t.items()}
        print(f'download {size // MiB} MiB')
        line('plain requests: base64 GET of the model', mbs['b64'], 'MB/s', mbs['b64'] / mbs['raw'])
        line('plain requests: raw GET /files/ to a file (reference)', mbs['raw'], 'MB/s')
        line('minijup download (default: size, last_modified)', mbs['minijup'], 'MB/s',
             mbs['minijup'] / mbs['raw'], ('>=', 0.8))
        line("minijup download (verify='hash': size, server's hash)", mbs['minijup_hash'], 'MB/s',
             mbs['minijup_hash'] / mbs['raw'])
        line('minijup download (verify=False: size only)', mbs['minijup_size'], 'MB/s',
             mbs['minijup_size'] / mbs['raw'], ('>=', 0.8))
        line('  the same, replacing an existing local file', mbs['replace'], 'MB/s', mbs['replace'] / mbs['raw'])

        # listing
        d = srv.root_dir / 'many'; d.mkdir()
        for i in range(5000): (d / f'file{i:05d}.txt').write_text('x')
        t = run({'plain': lambda: S.get(api + 'many').json()['content'], 'minijup': lambda: jp.ls('many')}, reps)
        print('listing a directory of 5000 files')
        line('plain requests: GET /api/contents/many, .json()', t['plain'] * 1000, 'ms ')
        line('minijup ls', t['minijup'] * 1000, 'ms ', t['minijup'] / t['plain'], ('<=', 1.1))

        # peak memory for 200 MB, in child processes that do only the transfer
        big = tmp / 'big.bin'
        with open(big, 'wb') as f:
            for _ in range(200): f.write(os.urandom(10**6))
        env = {**os.environ, 'JUPYTER_URL': srv.url, 'JUPYTER_TOKEN': srv.token}
        print('peak memory (VmHWM) of a child process moving a 200 MB file')
        for direction, a, b in [('upload', big, 'big.bin'), ('download', tmp / 'big-back.bin', 'big.bin')]:
            t0 = time.perf_counter()
            r = subprocess.run([sys.executable, str(HERE), '--child', direction, str(a), b], env=env,
                               capture_output=True, text=True, check=True)
            dt = time.perf_counter() - t0
            base, peak = map(int, r.stdout.split())
            print(f'  {direction:<9} after imports {base / MiB:6.1f} MiB, peak {peak / MiB:6.1f} MiB: '
                  f'+{(peak - base) / MiB:.1f} MiB for the transfer ({dt:.1f} s including start-up)')
        if (tmp / 'big-back.bin').read_bytes() != big.read_bytes(): print('  ERROR: the 200 MB file did not round-trip')
    for p in tmp.iterdir(): p.unlink()
    tmp.rmdir()


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--reps', type=int, default=9, help='repetitions of each measurement (default 9)')
    p.add_argument('--child', nargs=3, metavar=('DIRECTION', 'LOCAL', 'REMOTE'), help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child: child(*a.child)
    else: main(a.reps)
