"""Drive the explorer as a student would: change a control, the plots follow."""
import numpy as np
import pytest

pytest.importorskip("ipywidgets")
from hopfield_lab.explorer import Explorer  # noqa: E402


@pytest.fixture
def explorer(capsys):
    return Explorer(sizes=[100, 200, 300], steps=20, device="cpu")


def curve(explorer):
    return np.array(explorer.axes[0].lines[-1].get_ydata())  # the mean overlap vs time


def test_starts_with_a_run_and_a_status(explorer):
    assert explorer.last is not None and explorer.last.params["n"] == 200
    assert "mean m_f" in explorer.status.value
    assert explorer.axes[0].get_ylabel() == "overlap m(t)"


def test_changing_a_slider_redraws_with_new_data(explorer):
    before = curve(explorer)
    explorer.controls["m0"].value = 0.3
    after = curve(explorer)
    assert explorer.last.overlaps[0, 0] == pytest.approx(0.3)
    assert not np.array_equal(before, after)
    explorer.controls["alpha"].value = 0.25
    assert explorer.last.params["p"] == 50
    explorer.controls["n"].value = 300
    assert explorer.last.final_state.shape[0] == 300
    assert len(explorer.axes[1].patches) == 1  # the histogram of the new run


def test_update_rule_and_its_parameter(explorer):
    explorer.controls["k"].value = 0.5
    assert "k" not in explorer.params()  # k only matters for hybrid
    explorer.controls["update"].value = "hybrid"
    assert explorer.params()["k"] == 0.5 and explorer.last.params["update"] == "hybrid"
    explorer.controls["temperature"].value = 1.5
    assert abs(explorer.last.mean_final_overlap) < 0.5  # hot: memory gone


def test_sliders_are_debounced():
    explorer = Explorer(sizes=[100], steps=5, device="cpu")
    assert all(getattr(c, "continuous_update", False) is False for name, c in explorer.controls.items()
               if name != "update")
