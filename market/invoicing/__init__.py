"""CFDI 4.0 invoices: each producer invoices its own part of a sale with its own CSD, stamped by a PAC."""
