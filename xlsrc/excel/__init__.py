"""Excel adapters: xlwings formulas, the workbook buttons and the template builder."""
