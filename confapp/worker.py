"""The job worker's entry point: `huey_consumer confapp.worker.huey`.

Importing the app's task modules registers every task and periodic task with huey.
"""
from __future__ import annotations

from . import DOMAINS, optional_module, create_app
from .jobs import huey, use_app_factory  # noqa: F401
from . import mail  # noqa: F401  (deliver_email)

for _domain in DOMAINS:
    optional_module(f"{_domain}.tasks")

use_app_factory(create_app)
