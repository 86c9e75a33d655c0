"""What students see in nbgrader's feedback: their code, the self-checks' lines and their score,
never the hidden tests (issue 22).

nbgrader's ``generate_feedback`` renders the autograded notebook, whose test cells have their
hidden tests put back and whose tracebacks quote the failing line. :class:`HideHiddenTests`,
run by the course's nbgrader_config.py before the HTML is made, removes the hidden regions
(nbgrader's ``ClearHiddenTests``) and shortens each error of a graded cell to its last line;
an error raised by a hidden test says only that one failed.
"""
from __future__ import annotations

from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests

SELF_CHECK_FAILED = "not yet right"  # the visible assert of every test cell: "not yet right: see the ✗ lines above"
HIDDEN_FAILED = "a hidden test failed (hidden tests are not shown; the self-check's lines above say what it checks)"


class HideHiddenTests(ClearHiddenTests):
    """Hidden test code removed from graded cells; their errors cut to one line (see the module docstring)."""

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.cell_type == "code" and utils.is_grade(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    if not str(output.get("evalue", "")).startswith(SELF_CHECK_FAILED):
                        output["evalue"] = HIDDEN_FAILED
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output['evalue']}"]
        return cell, resources
