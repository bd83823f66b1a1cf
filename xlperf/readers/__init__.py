"""Readers: identify a file, check its zip container, read its cells, with one zip view
and one XML parser, so that what is checked is what is read (docs/untrusted-input.md).

Only modules in this package read spreadsheet files.
"""
