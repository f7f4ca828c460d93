from tests.support.payments import checkout, gateway, localstripe  # noqa: F401  (fixtures)
