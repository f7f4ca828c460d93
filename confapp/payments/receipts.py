"""Receipt PDFs: the receipt template rendered by WeasyPrint (no network: every style is inline)."""
from __future__ import annotations

from flask import make_response, render_template

from .queries import Receipt


def receipt_html(receipt: Receipt) -> str:
    return render_template("payments/receipt_pdf.html", receipt=receipt, event=receipt.event, order=receipt.order)


def receipt_pdf(receipt: Receipt) -> bytes:
    from weasyprint import HTML

    return HTML(string=receipt_html(receipt)).write_pdf()


def receipt_filename(receipt: Receipt) -> str:
    return f"receipt-{receipt.event.slug}-{receipt.order.code}.pdf"


def pdf_response(data: Receipt):
    """The receipt as an inline PDF, never cached (it names the buyer)."""
    response = make_response(receipt_pdf(data))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{receipt_filename(data)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
