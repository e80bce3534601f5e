"""The Nghị định 30 layout checker: reads any .docx and imports nothing of the pipeline."""
