from tests.support.payments import localstripe  # noqa: F401  (fixture)
