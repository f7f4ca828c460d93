"""What runs once an order's rows are written with Core (registration.services._write_order),
which no session hook sees. Domains above registration register here (checkin's search terms);
this module imports nothing, so registering makes no import cycle."""
from __future__ import annotations

from collections.abc import Callable

# Each is called with (connection, the order's new registrations).
ORDER_ROWS_WRITTEN: list[Callable] = []
