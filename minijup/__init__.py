__version__ = "0.0.1"
import os, sys

def import_all():
    "Import the later sections: they add their methods to `Jupyter` with @patch, so `from minijup.core import *` has them all"
    from . import contents
    from . import sessions, messages, protocol, websockets
    from . import params
    from . import cleanup, run, cli
    from . import reach
    from . import parallel

# core first: it imports LocalServer from local at its end, and local imports core
from . import core, local
# The `minijup` command (its console script: the program is called `minijup`) imports the later sections itself, while
# its embedded server boots (see "The embedded server" in nbs/06_cli.ipynb); a program that imports minijup gets them all now.
if os.path.splitext(os.path.basename((getattr(sys, 'argv', None) or [''])[0]))[0] != 'minijup': import_all()

def load_ipython_extension(ipython):
    "`%load_ext minijup`: the magics %remote, %%remote, %remote_push, %remote_pull (minijup.magics, imported only now)"
    from .magics import load_ipython_extension
    load_ipython_extension(ipython)

def unload_ipython_extension(ipython):
    "`%unload_ext minijup`: shut down the remote kernel the magics started, if any"
    from .magics import unload_ipython_extension
    unload_ipython_extension(ipython)
