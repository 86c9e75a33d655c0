import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from hopfield_lab import plots  # noqa: E402
from hopfield_lab.dynamics import simulate  # noqa: E402


@pytest.fixture(scope="module")
def runs():
    return {"N = 300": simulate(300, 0.1, m0=0.8, steps=20, seed=1), "N = 400": simulate(400, 0.16, m0=0.8, steps=20, seed=1)}


@pytest.fixture(autouse=True)
def close():
    yield
    plt.close("all")


def test_histogram_draws_one_step_line_and_mean_per_run(runs):
    ax = plots.final_overlap_histogram(runs)
    assert len(ax.patches) == 2 and len(ax.lines) == 2
    for line, traj in zip(ax.lines, runs.values()):
        assert line.get_xdata()[0] == pytest.approx(traj.mean_final_overlap)
    assert "P(m_f)" in ax.get_ylabel() and "m_f" in ax.get_xlabel()
    assert [t.get_text().split(":")[0] for t in ax.get_legend().get_texts()] == list(runs)


def test_converged_fraction_lines_are_fractions(runs):
    ax = plots.converged_fraction(runs)
    assert len(ax.lines) == 2
    for line, traj in zip(ax.lines, runs.values()):
        y = line.get_ydata()
        assert len(y) == traj.steps_run + 1 and 0 <= y.min() and y.max() <= 1
        assert y[-1] == pytest.approx(traj.fraction_converged)


def test_heatmap_shows_every_probe_and_step(runs):
    traj = runs["N = 400"]
    ax = plots.overlap_heatmap(traj)
    data = ax.images[0].get_array()
    assert data.shape == (traj.n_probes, traj.steps_run + 1)
    assert np.allclose(np.sort(data[:, -1]), np.sort(traj.final_overlaps.numpy()))
    assert ax.get_xlabel() == "step t"


def test_overlap_traces_and_given_axes(runs):
    fig, ax = plt.subplots()
    out = plots.overlap_traces(runs["N = 300"], ax=ax, max_probes=5)
    assert out is ax and len(ax.lines) == 6  # five probes and the mean


def test_timing_fits_the_slope_and_draws_the_guide():
    n = np.array([100, 200, 400, 800])
    ax = plots.timing({"x": n}, {"x": 1e-9 * n ** 3})
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "x (slope 3.00)" and len(ax.lines) == 2
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert labels[1] == "$\\propto n^{3}$"  # the guide names the size as the x-axis does
    ax = plots.timing({"x": n}, {"x": 1e-9 * n ** 3}, xlabel="neurons N")
    assert [t.get_text() for t in ax.get_legend().get_texts()][1] == "$\\propto N^{3}$"


def test_phase_map_and_patterns():
    values = np.arange(12.0).reshape(3, 4)
    ax = plots.phase_map([0.1, 0.2, 0.3, 0.4], [0.0, 0.5, 1.0], values, colorbar_label="mean m_f")
    assert np.array_equal(ax.collections[0].get_array().reshape(3, 4), values)
    axes = plots.patterns(torch.ones(16, 3), (4, 4), titles=["a", "b", "c"])
    assert len(axes) == 3 and axes[1].get_title() == "b"


def test_wrong_bits_traces_draw_one_line_per_probe_and_group(runs):
    traj = runs["N = 400"]
    groups = {"2-cycle": traj.two_cycle, "other": ~traj.two_cycle}
    assert traj.two_cycle.any()  # the case has both groups
    ax = plots.wrong_bits_traces(traj, groups, per_group=3)
    n_lines = sum(min(3, int(mask.sum())) for mask in groups.values())
    assert len(ax.lines) >= n_lines
    probe = int(traj.two_cycle.nonzero()[0])
    expected = (400 * (1 - traj.overlaps[:, probe]) / 2).round().numpy()
    traces = [np.asarray(line.get_ydata(), dtype=float) for line in ax.lines if len(line.get_ydata()) > 1]
    assert any(np.allclose(y, expected[:len(y)]) for y in traces)  # the probe's wrong bits, step by step
    assert ax.get_yscale() == "symlog" and ax.get_xlabel() and ax.get_ylabel()


def test_two_cycle_zoom_shows_the_alternation_of_one_probe(runs):
    traj = runs["N = 400"]
    probe = int(traj.two_cycle.nonzero()[0])
    ax = plots.two_cycle_zoom(traj, probe, last_step=15)
    y = ax.lines[0].get_ydata()
    assert len(y) == 16 and np.allclose(y, traj.overlaps[:16, probe].numpy())
    lo, hi = ax.get_ylim()
    assert lo <= float(traj.overlaps[-1, probe]) <= hi and lo <= float(traj.overlaps[-2, probe]) <= hi
