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
