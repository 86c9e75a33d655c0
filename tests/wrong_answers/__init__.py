"""More wrong answers (and correct alternatives) per exercise notebook, for tests/test_wrong_answers.py.

Each module nbXX.py defines:

- ``MORE_WRONG = {grade_id of a solution cell: [(answer, phrase), ...]}``: ``answer`` is what a
  student writes between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (unindented; a cell with
  several regions takes a tuple of answers), ``phrase`` a piece of text the self-check must print
  for it (it names the mistake);
- ``RIGHT = {grade_id: [answer, ...]}``: correct answers written differently, which keep every point;
- optionally ``PRELUDE``: code the notebook's test cells need beyond its imports and function
  definitions (a variable such as ``N``).
"""
