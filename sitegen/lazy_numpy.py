"""numpy, imported when first used rather than when the modules that use it are.

Ranking related news needs numpy; a rebuild that takes the ranking from the build cache
(related_cache.py) does not, and importing numpy costs 0.14 s, a twentieth of such a rebuild at
10,000 articles. The modules of the ranking import `np` from here: the standard library's lazy
loader (importlib.util.LazyLoader) runs numpy's own import on the first attribute asked of it.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def _lazy(name: str) -> ModuleType:
    found = sys.modules.get(name)
    if found is not None:
        return found
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"No module named '{name}'")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


np = _lazy("numpy")
