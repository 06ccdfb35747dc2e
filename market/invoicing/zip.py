"""A month's stamped invoices in one ZIP: each invoice's XML and its PDF, named by its UUID."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from market.invoicing.models import Invoice
from market.invoicing.queries import file_name


def month_zip(invoices: list[Invoice], pdf: Callable[[Invoice], bytes] | None) -> bytes:
    """The ZIP of these invoices; without `pdf`, the XML alone."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for invoice in invoices:
            assert invoice.stamped_xml is not None
            name = file_name(invoice)
            archive.writestr(f"{name}.xml", invoice.stamped_xml)
            if pdf is not None:
                archive.writestr(f"{name}.pdf", pdf(invoice))
    return buffer.getvalue()
