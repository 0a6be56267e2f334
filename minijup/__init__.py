__version__ = "0.0.1"

# Every section, in reading order. Each adds its verbs to `Jupyter` (with @patch), so `import minijup`, or
# `from minijup.core import *`, gives the whole API, whatever the program is called. The import is cheap (no section
# imports nbformat before it is used: see "Importing what is used" in nbs/00_core.ipynb), so the `minijup` command
# pays nothing for it.
from . import core, deadlines, local
from . import contents, saves, transfers, sessions, messages, protocol, websockets, params
from . import cleanup, run, terminal, cli
from . import reach, parallel, runs, hub
local.restore_patches()   # records the package's own methods, for the notebooks run as tests (see 00a_local)

def import_all():
    "The sections are imported with the package: kept for callers of the time when the command imported them later"

def load_ipython_extension(ipython):
    "`%load_ext minijup`: the magics %remote, %%remote, %remote_push, %remote_pull (minijup.magics, imported only now)"
    from .magics import load_ipython_extension
    load_ipython_extension(ipython)

def unload_ipython_extension(ipython):
    "`%unload_ext minijup`: shut down the remote kernel the magics started, if any"
    from .magics import unload_ipython_extension
    unload_ipython_extension(ipython)
