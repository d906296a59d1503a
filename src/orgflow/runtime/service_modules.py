"""Load service task handlers from the modules an installation names (``ORGFLOW_SERVICES``).

Each entry is an importable module name (``acme.orgflow_handlers``) or the path
of a ``.py`` file (``examples/services.py``). The module defines
``register(registry)``, which registers its handlers by name, so one module
can serve many processes and the engine never imports user code itself.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from orgflow.errors import ConfigurationError
from orgflow.runtime.services import ServiceRegistry


def load_services(entries: Iterable[str], registry: ServiceRegistry | None = None) -> ServiceRegistry:
    """A registry with the handlers of every named module.

    Raises:
        ConfigurationError: A module cannot be found or imported, or has no ``register`` function.
    """
    registry = registry if registry is not None else ServiceRegistry()
    for entry in entries:
        module = _import(entry)
        register = getattr(module, "register", None)
        if not callable(register):
            raise ConfigurationError(f"服务模块 {entry} 没有 register(registry) 函数")
        register(registry)
    return registry


def _import(entry: str) -> ModuleType:
    try:
        if entry.endswith(".py"):
            path = Path(entry)
            if not path.is_file():
                raise ConfigurationError(f"服务模块文件 {entry} 不存在")
            spec = importlib.util.spec_from_file_location(f"orgflow_services_{path.stem}", path)
            if spec is None or spec.loader is None:
                raise ConfigurationError(f"无法加载服务模块文件 {entry}")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
        return importlib.import_module(entry)
    except ConfigurationError:
        raise
    except Exception as error:
        raise ConfigurationError(f"无法加载服务模块 {entry}：{type(error).__name__}: {error}") from None
