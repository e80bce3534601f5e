"""Vietnamese text conventions: dates, numbering, slugs, legacy encodings, year mentions,
citations, cell hygiene."""
