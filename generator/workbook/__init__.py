"""The workbook: its layout, file checks, the reader into the plan model, and the writers of
blank, annotated, re-encoded and rolled-over copies."""
