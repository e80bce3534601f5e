"""Writing outputs: atomic writes, the manifest of what was written from what, the forms' index, PDFs."""
