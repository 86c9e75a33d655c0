"""Drive the explorer as a student would: change a control, the plots and the status line follow."""
import base64
import re

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
from hopfield_lab import explorer as explorer_module  # noqa: E402
from hopfield_lab.explorer import Explorer, percentages  # noqa: E402


@pytest.fixture
def explorer(capsys):
    return Explorer(sizes=[100, 200, 300], steps=20, device="cpu")


def curve(explorer):
    return np.array(explorer.axes[0].lines[-1].get_ydata())  # the mean overlap vs time


def status_percentages(explorer):
    found = dict((what, int(pct)) for pct, what in
                 re.findall(r"(\d+) % (at a fixed point|in 2-cycles|still moving)", explorer.status.value))
    assert len(found) == 3, explorer.status.value
    return found


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
    assert explorer.last.params["n"] == 300
    assert sum(bar.get_height() > 0 for bar in explorer.axes[1].patches) > 0  # the histogram of the new run


def test_update_rule_and_its_parameter(explorer):
    explorer.controls["k"].value = 0.5
    assert "k" not in explorer.params()  # k only matters for hybrid
    explorer.controls["update"].value = "hybrid"
    assert explorer.params()["k"] == 0.5 and explorer.last.params["update"] == "hybrid"
    explorer.controls["temperature"].value = 1.5
    assert abs(explorer.last.mean_final_overlap) < 0.5  # hot: memory gone
    assert "at T = 1.5 no state is final" in explorer.status.value


def test_sliders_are_debounced():
    explorer = Explorer(sizes=[100], steps=5, device="cpu")
    assert all(getattr(c, "continuous_update", False) is False for name, c in explorer.controls.items()
               if name != "update")


def test_negative_m0_shows_bars_in_the_histogram(explorer):
    explorer.controls["m0"].value = -0.8  # probes start anti-aligned and end near -1
    assert explorer.last.mean_final_overlap < -0.5
    ax = explorer.axes[1]
    lo, hi = ax.get_xlim()
    assert lo <= -1.0 < hi
    visible = [bar for bar in ax.patches
               if bar.get_height() > 0 and lo <= bar.get_x() and bar.get_x() + bar.get_width() <= hi]
    assert visible, "no bar inside the histogram's x-range"
    assert sum(bar.get_height() * bar.get_width() for bar in visible) == pytest.approx(1.0)  # all the mass shows
    assert "mean -0." in ax.get_legend().get_texts()[0].get_text()


def test_the_student_chooses_the_steps_and_the_status_adds_up_to_100(explorer):
    explorer.set(update="hybrid", k=0.1, alpha=0.14, steps=10)  # too few steps for k = 0.1: many probes are not done
    short = status_percentages(explorer)
    assert explorer.last.params["steps"] == 10 and explorer.last.steps_run <= 10
    assert sum(short.values()) == 100
    assert short["still moving"] > 0 and short["in 2-cycles"] == 0  # a stochastic rule proves no 2-cycle
    assert "more steps" in explorer.status.value
    explorer.controls["steps"].value = 400
    long = status_percentages(explorer)
    assert sum(long.values()) == 100 and long["still moving"] < short["still moving"]


def test_set_changes_several_controls_and_runs_once(explorer, monkeypatch):
    runs = []
    real = explorer_module.simulate
    monkeypatch.setattr(explorer_module, "simulate", lambda **kw: runs.append(kw) or real(**kw))
    explorer.set(update="blocks", blocks=4, m0=0.5)
    assert len(runs) == 1 and runs[0]["blocks"] == 4 and explorer.last.params["update"] == "blocks"
    explorer.controls["m0"].value = 0.6  # the controls still react one by one afterwards
    assert len(runs) == 2


def test_percentages_add_up_to_100():
    assert percentages([1 / 3, 1 / 3, 1 / 3]) == [34, 33, 33]
    assert percentages([0.875, 0.0825, 0.0425]) == [88, 8, 4]
    assert percentages([1.0, 0.0, 0.0]) == [100, 0, 0]
    assert sum(percentages([0.27, 0.0, 0.73 + 1e-12])) == 100


@pytest.mark.parametrize("error", [RuntimeError("CUDA error: device-side assert"), ValueError("n=3 is too small"),
                                   MemoryError("out of memory"), KeyError("p")])
def test_an_exception_in_a_callback_reaches_the_status_line(explorer, monkeypatch, error):
    previous = explorer.last

    def broken(**kwargs):
        raise error

    monkeypatch.setattr(explorer_module, "simulate", broken)
    explorer.controls["alpha"].value = 0.2  # the callback runs and must not raise
    assert type(error).__name__ in explorer.status.value and "running" not in explorer.status.value
    assert explorer.last is previous  # the last good run and its plots stay


def test_static_views_get_a_picture(explorer):
    bundle = explorer._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "VBox" not in bundle["text/plain"]


def test_controls_are_wide_enough_to_use_with_a_mouse(explorer):
    grid = explorer.widget.children[0]
    assert grid.layout.grid_template_columns.startswith("repeat(2,")  # two to a row
    for name, control in explorer.controls.items():
        assert control.layout.width == "100%", name  # each fills its cell (300 to 460 px)
        assert getattr(control, "readout", True), name


def test_the_live_plot_is_a_png_even_before_pyplot_has_drawn(explorer, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.append((objs, kw)))
    explorer.controls["m0"].value = 0.7
    (bundle,), options = shown[-1]
    assert options.get("raw") and base64.b64decode(bundle["image/png"])[:4] == b"\x89PNG"


def test_a_network_too_large_for_memory_is_refused_with_the_size_that_fits(explorer, monkeypatch):
    # issue 27: the explorer says which N fits on this machine (the engine's own refusal, before allocating)
    from hopfield_lab import sizing

    monkeypatch.setattr(sizing, "memory_bytes", lambda device: 2 * sizing.run_bytes(200, 20))
    explorer.controls["n"].value = 300
    assert "ValueError" in explorer.status.value
    fits = int(re.search(r"allowed: n &lt;= (\d+)", explorer.status.value).group(1))
    assert 200 <= fits < 300 and sizing.run_bytes(fits, round(0.1 * fits)) <= 0.8 * 2 * sizing.run_bytes(200, 20)
