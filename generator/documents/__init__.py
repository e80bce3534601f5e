"""What to make from a plan: one job per output document, each with its template and context."""
