"""Instructor tooling, kept out of the student-facing ``hopfield_lab`` namespace.

``student``: the student versions of the notebooks (released by nbgrader) and the nbgrader
course directory; ``badges``: point the course at an instructor's fork;
``nbgrader_config.py``: the course's nbgrader settings (the execute timeout).
``import hopfield_lab`` does not import this package; the command line does:

    python -m hopfield_lab student [--course DIR]
    python -m hopfield_lab badges OWNER/REPO
"""
