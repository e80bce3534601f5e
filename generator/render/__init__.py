"""Rendering templates: tag checks, the prepared-template engine, batches in parallel."""
