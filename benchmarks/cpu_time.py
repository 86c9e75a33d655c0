"""One run of the Fig. 2 workload, timed as CPU time of one thread (robust on a shared machine).

    OMP_NUM_THREADS=1 python benchmarks/cpu_time.py 8000 [engine|dense]

To compare two versions of the engine in one session, run it with PYTHONPATH pointing at a
checkout of each (``git worktree add /tmp/old <commit>``; ``PYTHONPATH=/tmp/old python ...``).
Prints one JSON line: the code's location, N, the algorithm, CPU seconds and the mean final overlap.
"""
import json
import sys
import time

import torch

torch.set_num_threads(1)
import hopfield_lab as hl  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
algorithm = sys.argv[2] if len(sys.argv) > 2 else "engine"
hl.simulate(500, 0.12, algorithm=algorithm)  # warm up
start = time.process_time()
traj = hl.simulate(n, 0.12, m0=0.8, steps=100, seed=0, algorithm=algorithm)
seconds = time.process_time() - start
print(json.dumps(dict(code=hl.__file__, n=n, algorithm=algorithm, cpu_seconds=round(seconds, 3),
                      m_f=round(traj.mean_final_overlap, 5))))
