"""The demo: the company of ``examples/org``, the example processes, sign-ins and running instances.

``seed_demo(runtime)`` makes a database the demo (``orgflow demo-data``,
``orgflow serve --demo``, the quick start); running it again changes nothing.
The walk-through printed by ``orgflow demo`` is :mod:`orgflow.cli.demo`.
"""

from __future__ import annotations

from orgflow.demo.accounts import DEMO_ACCOUNTS, DemoAccount
from orgflow.demo.scenes import SCENES, Scene
from orgflow.demo.seeding import DemoInstance, DemoSeeded, default_examples, seed_demo

__all__ = [
    "DEMO_ACCOUNTS",
    "SCENES",
    "DemoAccount",
    "DemoInstance",
    "DemoSeeded",
    "Scene",
    "default_examples",
    "seed_demo",
]
