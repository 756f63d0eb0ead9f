"""Reading and writing workbook files (openpyxl, python-calamine, xlsxwriter). No Excel glue here."""
