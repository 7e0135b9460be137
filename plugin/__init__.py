__version__ = "0.1.0"

from plugin import speedups as _speedups  # noqa: F401 - before any model is instantiated
