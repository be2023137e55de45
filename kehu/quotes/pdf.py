"""The quote as a PDF (reportlab), in the language that is active when it is built.

Chinese renders with reportlab's built-in CID font STSong-Light, so no font files are needed.
All user text goes through `para()`, which escapes <, > and & (reportlab's Paragraph reads
markup). The quote number is also the PDF's title, so a document search finds it.
"""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kehu.core.common import money
from kehu.quotes.models import Quote, QuoteSettings
from kehu.web.templatetags.money_tags import plain_number

FONT = "STSong-Light"
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=13, wordWrap="CJK")
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11,
                                textColor=colors.HexColor("#475569")),
        "company": ParagraphStyle("company", parent=base, fontSize=15, leading=20),
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=24,
                                alignment=TA_RIGHT),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "h": ParagraphStyle("h", parent=base, fontSize=10, leading=14,
                            textColor=colors.HexColor("#0f172a")),
    }


def para(text: object, style: ParagraphStyle) -> Paragraph:
    """User text as a Paragraph: escaped, line breaks kept."""
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "—"


def build_pdf(*, quote: Quote, settings: QuoteSettings, compress: bool = True) -> bytes:
    st = _styles()
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm,
                            topMargin=14 * mm, bottomMargin=16 * mm, title=quote.number,
                            subject=quote.title, author=settings.company_name or "",
                            creator="Kehu CRM", pageCompression=1 if compress else 0)
    cur = quote.currency
    fmt = lambda amount: money.format_money(amount, cur)  # noqa: E731
    story: list = []

    company = settings.company_name or str(quote.organization)
    details = [x for x in (
        settings.company_address,
        " · ".join(v for v in (
            settings.company_phone and f"{_('Phone')}: {settings.company_phone}",
            settings.tax_number and f"{_('Tax number')}: {settings.tax_number}") if v),
        settings.bank_account and f"{_('Bank account')}: {settings.bank_account}") if x]
    head = Table([[[para(company, st["company"]), *[para(d, st["small"]) for d in details]],
                   [para(_("QUOTATION"), st["title"]),
                    para(quote.number, st["right"])]]],
                 colWidths=[110 * mm, 68 * mm])
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor("#0f172a")),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    story += [head, Spacer(1, 5 * mm)]

    contact = quote.contact
    customer_rows = [
        [para(_("Customer"), st["small"]), para(quote.customer.name, st["base"]),
         para(_("Quote date"), st["small"]),
         para(_date(timezone.localdate(quote.created_at)), st["base"])],
        [para(_("Contact"), st["small"]),
         para(" ".join(x for x in (contact.name, contact.mobile or contact.phone) if x)
              if contact else "—", st["base"]),
         para(_("Valid until"), st["small"]), para(_date(quote.valid_until), st["base"])],
        [para(_("Address"), st["small"]), para(quote.customer.address or "—", st["base"]),
         para(_("Revision"), st["small"]), para(str(quote.revision), st["base"])],
        [para(_("Subject"), st["small"]), para(quote.title, st["base"]),
         para(_("Currency"), st["small"]), para(cur, st["base"])],
    ]
    info = Table(customer_rows, colWidths=[20 * mm, 86 * mm, 24 * mm, 48 * mm])
    info.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    story += [info, Spacer(1, 5 * mm)]

    header = [_("#"), _("Product"), _("Qty"), _("Unit"), _("Unit price"), _("Discount"),
              _("Tax rate"), _("Amount")]
    rows = [[para(h, st["small"]) for h in header]]
    for i, line in enumerate(quote.lines.order_by("position", "id"), start=1):
        name = escape(line.name) + (f'<br/><font size="7" color="#64748b">{escape(line.sku)}'
                                    "</font>" if line.sku else "")
        rows.append([para(i, st["base"]), Paragraph(name, st["base"]),
                     para(plain_number(line.quantity), st["right"]), para(line.unit, st["base"]),
                     para(fmt(line.unit_price), st["right"]),
                     para(f"{plain_number(line.discount_percent)}%", st["right"]),
                     para(f"{plain_number(line.tax_rate)}%", st["right"]),
                     para(fmt(line.total), st["right"])])
    lines = Table(rows, colWidths=[8 * mm, 62 * mm, 14 * mm, 12 * mm, 24 * mm, 16 * mm,
                                   16 * mm, 26 * mm], repeatRows=1)
    lines.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f1f5f9")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#cbd5e1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [lines, Spacer(1, 3 * mm)]

    totals = [(_("Subtotal"), fmt(quote.subtotal)), (_("Discount"), "-" + fmt(
        quote.discount_total)), (_("Tax"), fmt(quote.tax_total)), (_("Total"), fmt(quote.total))]
    total_table = Table([[para(k, st["right"]), para(v, st["right"])] for k, v in totals],
                        colWidths=[40 * mm, 34 * mm], hAlign="RIGHT")
    total_table.setStyle(TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black)]))
    story += [total_table, Spacer(1, 6 * mm)]

    if quote.terms:
        story += [para(_("Terms"), st["h"]), para(quote.terms, st["base"]), Spacer(1, 4 * mm)]
    if quote.notes:
        story += [para(_("Notes"), st["h"]), para(quote.notes, st["base"]), Spacer(1, 4 * mm)]

    sign = Table([[para(_("Seller (signature and stamp)"), st["small"]),
                   para(_("Customer (signature and stamp)"), st["small"])],
                  [Spacer(1, 16 * mm), Spacer(1, 16 * mm)],
                  [para(_("Date"), st["small"]), para(_("Date"), st["small"])]],
                 colWidths=[89 * mm, 89 * mm])
    sign.setStyle(TableStyle([("LINEBELOW", (0, 1), (-1, 1), 0.5, colors.black),
                              ("RIGHTPADDING", (0, 0), (0, -1), 10 * mm)]))
    story += [Spacer(1, 6 * mm), sign]

    doc.build(story)
    return buffer.getvalue()
