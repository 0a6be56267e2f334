"""The layout rules of issue 12, checked: modules meet through public names only, and export cells stay short.

    python .ci/layout.py

- no module of `minijup/` imports a private name of another (`from .x import _y`, `from minijup.x import _y`);
- no export cell of `nbs/*.ipynb` is over 45 lines (its source, the `#| export` line included).
Prints what breaks a rule and `layout: N problems`; exit 1 if any.
"""
import json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
MAX_LINES = 45
problems = []

private_import = re.compile(r'^\s*from\s+(\.|minijup\.)[\w.]*\s+import\s+(.*)$')
for py in sorted((root/'minijup').glob('*.py')):
    for n, line in enumerate(py.read_text().splitlines(), 1):
        m = private_import.match(line)
        if m and any(name.strip().startswith('_') for name in m.group(2).strip('()').split(',')):
            problems.append(f'{py.relative_to(root)}:{n}: imports a private name of another module: {line.strip()}')

for nb in sorted((root/'nbs').glob('*.ipynb')):
    for cell in json.loads(nb.read_text())['cells']:
        src = ''.join(cell['source'])
        if cell['cell_type'] != 'code' or not re.match(r'#\|\s*export', src): continue
        lines = src.splitlines()
        if len(lines) > MAX_LINES:
            problems.append(f"{nb.relative_to(root)}: export cell {cell.get('id')} has {len(lines)} lines "
                            f"(at most {MAX_LINES}): {lines[1][:60] if len(lines) > 1 else ''}")

print('\n'.join(problems))
print(f'layout: {len(problems)} problems')
sys.exit(1 if problems else 0)
