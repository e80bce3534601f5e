"""Returned report forms read back, matched to agency and period, consolidated per period into the
tracking workbook, its JSON, the consolidated report draft and the reminder letter."""
