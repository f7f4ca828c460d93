def test_payments_check_reports_missing_secrets_without_printing_them(app, db):
    runner = app.test_cli_runner()
    saved = {k: app.config.get(k) for k in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")}
    try:
        app.config.update(STRIPE_SECRET_KEY="", STRIPE_WEBHOOK_SECRET="")
        result = runner.invoke(args=["payments", "check"])
        assert result.exit_code == 1 and "card payments are off" in result.output
        app.config.update(STRIPE_SECRET_KEY="sk_test_secretvalue", STRIPE_WEBHOOK_SECRET="whsec_secretvalue")
        result = runner.invoke(args=["payments", "check"])
        assert result.exit_code == 0 and "Stripe mode: test" in result.output
        assert "/payments/stripe/webhook" in result.output
        assert "secretvalue" not in result.output
    finally:
        app.config.update(saved)


def test_payments_reconcile_command_runs(app, db):
    result = app.test_cli_runner().invoke(args=["payments", "reconcile"])
    assert result.exit_code == 0 and "refunds sent: 0" in result.output
