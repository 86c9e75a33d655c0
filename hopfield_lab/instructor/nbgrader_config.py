# nbgrader configuration of the hopfield-lab course.
#
# `python -m hopfield_lab student --course DIR` copies this file to DIR/nbgrader_config.py,
# where every `nbgrader ...` command run in DIR reads it. The course's student versions
# (student/*.ipynb) are made with the same settings.
c = get_config()  # noqa: F821  (nbgrader defines get_config when it reads this file)

c.CourseDirectory.course_id = "hopfield-lab"

# Seconds one cell may run under `nbgrader autograde` and `nbgrader validate`. nbgrader's
# default (30 s) stops cells of this course that run a minute or more at default sizes on a
# laptop CPU (the notebooks' own `make notebooks` allows 1800 s as well); a stopped cell
# scores zero. A cell that hangs is still interrupted after this time.
c.Execute.timeout = 1800

# What replaces the code between ### BEGIN SOLUTION / ### END SOLUTION and the model answer
# of a written question (nbgrader's defaults, stated here because student/ relies on them).
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Feedback (`nbgrader generate_feedback`): students see their code, the self-checks' lines and
# their points, not the hidden tests. nbgrader's default feedback shows the autograded notebook,
# hidden tests and the tracebacks that quote them included; hopfield_lab.instructor.feedback
# removes them (tests/test_nbgrader_workflow.py checks the HTML).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "hopfield_lab.instructor.feedback.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
