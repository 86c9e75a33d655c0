"""The package reads the way a course package must (issue 23): one meaning per name, a plain step
beside the fast one, no switches hidden in module globals, instructor tooling apart, short functions."""
import ast
import pathlib
import subprocess
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "hopfield_lab"
MODULES = sorted(PACKAGE.rglob("*.py"))
LONGEST = 50  # lines, from def to the last line, docstring included


def parsed(path):
    return ast.parse(path.read_text(encoding="utf-8"))


def public_functions(tree):
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")]


def test_no_two_modules_share_a_public_function_name():
    where = {}
    for path in MODULES:
        for name in public_functions(parsed(path)):
            where.setdefault(name, []).append(str(path.relative_to(PACKAGE)))
    shared = {name: files for name, files in where.items() if len(files) > 1}
    assert not shared, f"public functions defined in more than one module: {shared}"


def test_the_check_finds_a_shared_name(tmp_path):
    # the rule above must be able to fail: two modules defining sweep() are found
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text("def sweep():\n    pass\n")
    names = [public_functions(parsed(p)) for p in sorted(tmp_path.glob("*.py"))]
    assert names == [["sweep"], ["sweep"]]


# the names the review found with two meanings, and what they became
RENAMED = {"sweep": "param_sweep", "sweeps": "fast/async_chunks", "dense": "paper_algorithm",
           "dense_memory": "dense_associative + modern_hopfield", "memory": "sizing", "rules": "update_rules",
           "learning": "learning_rules", "fields": "fast/arithmetic", "parallel": "fast/parallel_step"}


def test_no_module_name_means_two_things():
    stems = {path.stem for path in MODULES}
    assert not stems & set(RENAMED), f"modules with two meanings are back: {stems & set(RENAMED)}"


def module_switches(tree):
    """Module-level names bound to True or False: switches that a caller would flip."""
    found = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        value = getattr(node, "value", None)
        if isinstance(value, ast.Constant) and isinstance(value.value, bool):
            found += [t.id for t in targets if isinstance(t, ast.Name)]
    return found


def test_no_module_global_switches():
    switches = {str(p.relative_to(PACKAGE)): module_switches(parsed(p)) for p in MODULES}
    assert not {k: v for k, v in switches.items() if v}, switches
    assert module_switches(ast.parse("INT8 = True\nALIGN = 16\n")) == ["INT8"]  # the check can fail


def test_import_hopfield_lab_loads_no_instructor_or_notebook_file_code():
    code = ("import sys, hopfield_lab; print(sorted(m for m in sys.modules if m.startswith('hopfield_lab.instructor') "
            "or m in ('nbformat', 'nbgrader', 'nbconvert')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]", f"import hopfield_lab loaded {out}"


def function_lengths(tree):
    return [(node.end_lineno - node.lineno + 1, node.name) for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_function_is_shorter_than_50_lines(path):
    long = [(n, name) for n, name in function_lengths(parsed(path)) if n >= LONGEST]
    assert not long, f"{path.name}: functions of {LONGEST} lines or more: {long}"


def test_the_length_check_counts_lines():
    body = "\n".join(f"    x{i} = {i}" for i in range(50))
    assert function_lengths(ast.parse(f"def f():\n{body}\n")) == [(51, "f")]
