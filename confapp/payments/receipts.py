"""Receipt PDFs: the receipt template rendered by WeasyPrint (no network: every style is inline)."""
from __future__ import annotations

from flask import render_template

from .queries import Receipt


def receipt_html(receipt: Receipt) -> str:
    return render_template("payments/receipt_pdf.html", receipt=receipt, event=receipt.event, order=receipt.order)


def receipt_pdf(receipt: Receipt) -> bytes:
    from weasyprint import HTML

    return HTML(string=receipt_html(receipt)).write_pdf()


def receipt_filename(receipt: Receipt) -> str:
    return f"receipt-{receipt.event.slug}-{receipt.order.code}.pdf"
