"""vanban: the official documents of a provincial administrative-reform plan, from one workbook."""

__version__ = "0.1.0"
