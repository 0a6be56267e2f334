__version__ = "0.0.1"
import os, sys

def import_all():
    "Import the later sections: they add their methods to `Jupyter` with @patch, so `from minijup.core import *` has them all"
    from . import contents
    from . import sessions, messages, websockets
    from . import cleanup, run, cli
    from . import reach
    from . import parallel

# core first: it imports LocalServer from local at its end, and local imports core
from . import core, local
# The `minijup` command (its console script: the program is called `minijup`) imports the later sections itself, while
# its embedded server boots; a program that imports minijup gets them all now. The command's own process, where no
# user code runs, also does without `rfc3987_syntax`, as its embedded server's does (see `_SKIP_IMPORTS` in
# nbs/00a_local.ipynb: nbformat's jsonschema would build its grammar, for seconds, and nbformat's schema has no `iri`).
# See "The embedded server" in nbs/06_cli.ipynb.
if os.path.splitext(os.path.basename((getattr(sys, 'argv', None) or [''])[0]))[0] == 'minijup':
    for _m in local._SKIP_IMPORTS.split(','): sys.modules.setdefault(_m, None)
else: import_all()
