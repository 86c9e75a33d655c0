"""Command line: ``python -m hopfield_lab simulate ...`` and ``python -m hopfield_lab bench``."""
from __future__ import annotations

import argparse
import json
import sys

from .dynamics import TIES, UPDATES, simulate


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m hopfield_lab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sim = sub.add_parser("simulate", help="run one simulation of [V20]'s experiment")
    sim.add_argument("--n", type=int, required=True, help="number of neurons N (>= 2)")
    sim.add_argument("--alpha", type=float, required=True, help="load p / N (> 0)")
    sim.add_argument("--lam", type=float, default=0.0, help="self-coupling J_ii = lam * alpha (default 0)")
    sim.add_argument("--m0", type=float, default=0.8, help="initial overlap of every probe, in [-1, 1]")
    sim.add_argument("--steps", type=int, default=100, help="maximum number of steps (default 100)")
    sim.add_argument("--update", choices=UPDATES, default="sync")
    sim.add_argument("--k", type=float, help="fraction of neurons per step for --update hybrid, in (0, 1]")
    sim.add_argument("--blocks", type=int, help="number of blocks for --update blocks, in [1, N]")
    sim.add_argument("--temperature", type=float, default=0.0, help="Glauber temperature T >= 0 (0: sign rule)")
    sim.add_argument("--tie", choices=TIES, default="random", help="rule for a field exactly 0")
    sim.add_argument("--seed", type=int, default=0)
    sim.add_argument("--device", choices=("cpu", "cuda", "mps"), help="default: the best available")
    sim.add_argument("--algorithm", choices=("engine", "dense"), default="engine",
                     help="engine (default) or the paper's plain dense algorithm, for comparison")
    sim.add_argument("--plain", action="store_true", help="run the plain step (speedups=False; the same run, slower)")
    sim.add_argument("--json", action="store_true", help="print one JSON line")
    sub.add_parser("bench", add_help=False, help="measure [V20]'s Fig. 2 timing table and sweep costs here "
                   "(options: python -m hopfield_lab bench --help)")
    student = sub.add_parser("student", help="write student versions of the exercise notebooks (nbgrader's release)")
    student.add_argument("--source", default="notebooks", help="folder of the course notebooks")
    student.add_argument("--out", default="student", help="folder to write the student notebooks to")
    student.add_argument("--course", help="also lay out an nbgrader course directory here: nbgrader_config.py "
                         "and source/hopfield/ with the exercise notebooks")
    badges = sub.add_parser("badges", help="point every Colab/Binder badge and setup cell at OWNER/REPO")
    badges.add_argument("repository", help="OWNER/REPO of your fork on GitHub")
    badges.add_argument("--root", default=".", help="the course folder (default: here)")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["bench"]:  # the one benchmark driver has its own options
        from .bench import command_line as bench_main

        try:
            return bench_main(argv[1:])
        except (ValueError, MemoryError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
    args = _parser().parse_args(_negative_numbers_attached(argv))
    try:
        if args.command == "simulate":
            return _simulate(args)
        if args.command == "student":
            return _student(args)
        if args.command == "badges":
            return _badges(args)
    except (ValueError, MemoryError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _negative_numbers_attached(argv: list[str]) -> list[str]:
    """``--lam -1e-3`` as ``--lam=-1e-3``: argparse takes "-1e-3" for an option (it knows negative
    numbers only as -1 or -0.5), so a value after an option that starts with "-" and reads as a
    number is attached to its option."""
    out = []
    for token in argv:
        if out and out[-1].startswith("--") and "=" not in out[-1] and token.startswith("-") and _is_number(token):
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _simulate(args) -> int:
    traj = simulate(args.n, args.alpha, lam=args.lam, m0=args.m0, steps=args.steps, update=args.update,
                    k=args.k, blocks=args.blocks, temperature=args.temperature, tie=args.tie, seed=args.seed,
                    device=args.device, algorithm=args.algorithm, speedups=not args.plain)
    summary = traj.summary()
    if args.json:
        print(json.dumps(summary))
        return 0
    print(f"N = {summary['n']}, p = {summary['p']} (alpha = {args.alpha}), lambda = {args.lam}, m0 = {args.m0}, "
          f"update = {args.update}, T = {args.temperature}, on {summary['device']}")
    print(f"{traj.steps_run} steps in {traj.seconds:.3f} s: mean final overlap {traj.mean_final_overlap:.4f}, "
          f"{100 * traj.fraction_converged:.1f}% of probes at a fixed point, "
          f"{100 * traj.fraction_two_cycle:.1f}% in a 2-cycle, {100 * traj.fraction_moving:.1f}% still moving")
    return 0


def _badges(args) -> int:
    from .instructor.badges import rewrite_repository

    for path in rewrite_repository(args.repository, args.root):
        print(f"rewrote {path}")
    return 0


def _student(args) -> int:
    from .instructor.student import write_student_versions

    try:
        written = write_student_versions(args.source, args.out, course_dir=args.course)
    except RuntimeError as err:  # nbgrader refused a notebook: its log says which cell
        print(f"error: {err}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    if args.course:
        print(f"nbgrader course directory: {args.course} (next: cd {args.course} && nbgrader generate_assignment hopfield)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
