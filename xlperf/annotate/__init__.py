"""The copies of a submitted workbook that go back to the people who fill and check it
(docs/review-loop.md):

* the review copy (``xlperf review FILE``, ``xlperf merge --annotate DIR``): the county's
  own workbook with every finding as a comment and a highlight on its cell and the
  ``审核意见`` sheet first (:func:`~xlperf.annotate.review.review_file`,
  :mod:`xlperf.annotate.batch`);
* the show-read copy (``xlperf review FILE --show-read``): every cell coloured by what
  import took it for, with the ``识别图例`` sheet first.

The copies are written by openpyxl in an isolated worker process
(:mod:`xlperf.annotate.copy`); what openpyxl cannot keep is found by comparing the two
packages and reported (:mod:`xlperf.annotate.package`).
"""

from __future__ import annotations

from .review import ReviewOutcome, copy_name, review_file

__all__ = ["ReviewOutcome", "copy_name", "review_file"]
