from datetime import timedelta

import pytest

from tests.support.payments import checkout, gateway, localstripe  # noqa: F401  (fixtures)


@pytest.fixture
def now():
    """Webhooks are applied at the real time (the view's clock), so these tests place orders
    relative to it rather than on the fixed clock."""
    from confapp.types import utcnow

    return utcnow().replace(microsecond=0) - timedelta(seconds=1)
