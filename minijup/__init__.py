__version__ = "0.0.1"

# the later sections add their methods to `Jupyter` with @patch: import them so `from minijup.core import *` has them all
# core first: it imports LocalServer from local at its end, and local imports core
from . import core, local
from . import contents
from . import sessions, messages, websockets
from . import params
from . import cleanup, run, cli
from . import reach
from . import parallel

def load_ipython_extension(ipython):
    "`%load_ext minijup`: the magics %remote, %%remote, %remote_push, %remote_pull (minijup.magics, imported only now)"
    from .magics import load_ipython_extension
    load_ipython_extension(ipython)

def unload_ipython_extension(ipython):
    "`%unload_ext minijup`: shut down the remote kernel the magics started, if any"
    from .magics import unload_ipython_extension
    unload_ipython_extension(ipython)
