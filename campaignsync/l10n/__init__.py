"""Stage 2, localize: gettext catalogs, the strict PO reader, what translations must keep."""
