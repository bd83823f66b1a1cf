"""Readers: identify a file, check its container, read its cells (python-calamine).

Only modules in this package import a spreadsheet-reading library.
"""
