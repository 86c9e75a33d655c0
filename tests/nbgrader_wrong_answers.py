"""Wrong answers for the nbgrader workflow test: grade_id of a solution cell -> what a student
who got it wrong writes in place of the stub (``# YOUR CODE HERE`` / ``raise
NotImplementedError()``) of the released notebook; indented like the stub by the test. A cell
with several solution regions takes a tuple, one answer per region, in order.

Each is a mistake students make (issue 12 names the first three); autograde must score the
graded test cell after it below full points. Every code solution cell of every exercise
notebook needs an entry: the workflow test names the ones that have none.
"""

WRONG = {
    # 05: checks the first pattern only - the all-vs-one distinction the notebook teaches
    "all_patterns_stable_solution": """\
p = xi.shape[1]
h = xi @ (xi.T @ xi[:, :1]) - p * xi[:, :1]
return bool((h * xi[:, :1] > 0).all())""",

    # 04: torch.sign maps a tie (a field of exactly 0) to 0 instead of keeping the neuron's state
    "jacobi_iteration_solution": """\
return torch.sign(xi @ m), xi.T @ S / xi.shape[0]""",

    # 04: updates half of round(kN) neurons ("at most round(kN)" is not "exactly")
    "hybrid_step_solution": """\
N = S.shape[0]
rows = torch.randperm(N, generator=gen)[: max(1, round(k * N) // 2)]
h = NJ[rows] @ S
S = S.clone()
S[rows] = torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, S[rows]))
return S""",
}
