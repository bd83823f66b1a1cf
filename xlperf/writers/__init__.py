"""Writers: the template / filled workbook, the consolidated workbook, atomic output.

Only modules in this package import xlsxwriter.
"""
