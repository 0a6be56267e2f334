__version__ = "0.0.1"

# core and local are all that the `minijup` command needs to start its embedded server, and they import quickly. The
# later sections add their methods to `Jupyter` with @patch and import nbformat, which takes seconds (through jsonschema):
# they are imported by `import_all`, which runs the first time a `Jupyter` is asked for a method it does not have yet
# (`Jupyter.__getattr__`, in core), so `from minijup.core import *` still gives everything; the `minijup` command
# calls it while its server boots. Importing one of them by name (`import minijup.contents`) imports it alone.
from . import core, local

def import_all():
    "Import every section of minijup, so that `Jupyter` has all its methods"
    from . import contents
    from . import sessions, messages, websockets
    from . import cleanup, run, cli
    from . import reach
    from . import parallel
