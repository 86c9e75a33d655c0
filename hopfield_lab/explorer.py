"""An interactive explorer: sliders for the model's parameters, plots that follow them.

    explorer = hl.explorer.Explorer()
    explorer            # in a notebook: the controls, a status line and two plots

Sliders report a value only when released (``continuous_update=False``), so dragging
starts one simulation, not fifty: that is the debounce. While a run is going the status
line says so (large N can take seconds); then it shows the run's numbers, or the error if
the run failed. The controls sit two to a row, each as wide as half the output, so a
slider moves in small steps under the mouse and its value stays readable beside it.

Displayed, the explorer is one output holding the live widget and a PNG of its first
figure: JupyterLab, Colab and VS Code show the widget; views without a widget manager
(GitHub, nbviewer, an untrusted notebook) show the picture instead of the widget's text.
Works with ipywidgets 7.7 (Colab) and 8.x (JupyterLab): only widgets common to both are used.
"""
from __future__ import annotations

import base64
import html
import io

from matplotlib.figure import Figure

from . import plots
from .course import WIDGET_VIEW
from .device import hardware
from .dynamics import UPDATES, simulate



def percentages(fractions: list[float]) -> list[int]:
    """Whole percentages of ``fractions`` (which add up to 1) that add up to exactly 100:
    round down, then give the missing points to the largest remainders."""
    scaled = [100 * max(0.0, f) for f in fractions]
    whole = [int(s) for s in scaled]
    by_remainder = sorted(range(len(scaled)), key=lambda i: scaled[i] - whole[i], reverse=True)
    for i in by_remainder[:max(0, 100 - sum(whole))]:
        whole[i] += 1
    return whole


def describe(traj) -> str:
    """One line on where the probes are after the run: at T = 0 the fractions at a fixed point,
    in a 2-cycle and still moving (adding up to 100 %); at T > 0 nothing is fixed."""
    params = traj.params
    head = f"N = {params['n']}, p = {params['p']}: {traj.steps_run} steps in {traj.seconds:.2f} s; mean m_f = {traj.mean_final_overlap:.3f}"
    if params.get("temperature", 0) > 0:
        return (f"{head}; at T = {params['temperature']:g} no state is final: {traj.fraction_converged:.0%} of the probes "
                f"did not change in the last step")
    fixed, cycle = traj.fraction_converged, traj.fraction_two_cycle
    fixed_pct, cycle_pct, moving_pct = percentages([fixed, cycle, 1.0 - fixed - cycle])
    line = f"{head}; {fixed_pct} % at a fixed point, {cycle_pct} % in 2-cycles, {moving_pct} % still moving"
    if traj.steps_run < params.get("steps", traj.steps_run):
        line += f" (all settled: stopped early, before {params['steps']} steps)"
    elif moving_pct:
        line += " after the last step: more steps may settle them"
    return line


class Explorer:
    """Controls for N, alpha, lambda, m0, T, the number of steps, the update rule (and k, blocks);
    plots of the overlap vs time and of P(m_f) for the current setting. ``update()`` runs and
    redraws; changing any control calls it. ``last`` holds the last
    :class:`~hopfield_lab.trajectory.Trajectory`."""

    def __init__(self, sizes: list[int] | None = None, steps: int = 60, seed: int = 0, device=None):
        import ipywidgets as w

        hw = hardware(device)
        self.device = hw.device
        sizes = sizes or {"ci": [200, 400, 800], "cpu": [250, 500, 1000, 2000, 4000],
                          "gpu": [1000, 2000, 4000, 8000, 16000, 32000]}[hw.profile]
        self.seed = seed
        # one control per grid cell, as wide as the cell: a long track, the value readable beside it
        style, wide = {"description_width": "130px"}, w.Layout(width="100%")
        slider = dict(continuous_update=False, style=style, layout=wide)
        self.controls = {
            "n": w.SelectionSlider(options=list(sizes), value=sizes[len(sizes) // 2], description="neurons N", **slider),
            "alpha": w.FloatSlider(value=0.12, min=0.01, max=0.30, step=0.01, description="load α", **slider),
            "lam": w.FloatSlider(value=0.0, min=0.0, max=2.0, step=0.05, description="self-coupling λ", **slider),
            "m0": w.FloatSlider(value=0.8, min=-1.0, max=1.0, step=0.05, description="initial overlap m0", **slider),
            "temperature": w.FloatSlider(value=0.0, min=0.0, max=1.5, step=0.05, description="temperature T", **slider),
            "steps": w.IntSlider(value=steps, min=10, max=max(1000, steps), step=10, description="steps", **slider),
            "update": w.Dropdown(options=list(UPDATES), value="sync", description="update rule", style=style, layout=wide),
            "k": w.FloatSlider(value=0.1, min=0.01, max=1.0, step=0.01, description="k (hybrid)", **slider),
            "blocks": w.IntSlider(value=2, min=1, max=64, description="B (blocks)", **slider),
        }
        self.status = w.HTML(value="")
        self.output = w.Output()
        self.figure = Figure(figsize=(10, 3.4), dpi=80)
        self.axes = self.figure.subplots(1, 2)
        self.last = None
        for control in self.controls.values():
            control.observe(self._changed, names="value")
        grid = w.GridBox(list(self.controls.values()),
                         layout=w.Layout(grid_template_columns="repeat(2, minmax(300px, 460px))", grid_gap="2px 24px"))
        self.widget = w.VBox([grid, self.status, self.output])
        self.update()

    @property
    def steps(self) -> int:
        return self.controls["steps"].value

    def params(self) -> dict:
        """The current setting, as keyword arguments of :func:`hopfield_lab.simulate`."""
        values = {name: control.value for name, control in self.controls.items()}
        if values["update"] != "hybrid":
            values.pop("k")
        if values["update"] != "blocks":
            values.pop("blocks")
        else:
            values["blocks"] = min(values["blocks"], values["n"])
        return values

    def set(self, **values) -> None:
        """Set several controls at once (``explorer.set(update="hybrid", k=0.1)``), then run once."""
        for control in self.controls.values():
            control.unobserve(self._changed, names="value")
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            for control in self.controls.values():
                control.observe(self._changed, names="value")
        self.update()

    def _changed(self, change) -> None:
        self.update()

    def update(self) -> None:
        """Run the current setting and redraw both plots; the status line shows progress, the
        result, or any error (the previous plots stay)."""
        params = self.params()
        self.status.value = f"<b>⏳ running</b> N = {params['n']}, α = {params['alpha']:.2f}, {params['update']} …"
        try:
            traj = simulate(seed=self.seed, device=self.device, **params)
            self._draw(traj, params)
        except Exception as err:  # a callback's exception would otherwise vanish into the log
            self.status.value = f"<b>⚠ {type(err).__name__}: {html.escape(str(err))}</b>"
            return
        self.last = traj
        self.status.value = html.escape(describe(traj))
        from IPython.display import clear_output, display

        with self.output:  # a PNG, not the Figure: its formatter exists only once pyplot has drawn
            clear_output(wait=True)
            display(self._picture(), raw=True)

    def _draw(self, traj, params: dict) -> None:
        for ax in self.axes:
            ax.clear()
        plots.overlap_traces(traj, ax=self.axes[0], max_probes=60)
        plots.final_overlap_bars(traj, ax=self.axes[1], label=f"N = {params['n']}")
        self.figure.tight_layout()

    def png(self) -> bytes:
        """The current figure as PNG bytes."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png")
        return buffer.getvalue()

    def _picture(self) -> dict:
        return {"image/png": base64.b64encode(self.png()).decode("ascii"),
                "text/plain": f"<the explorer's plots: {describe(self.last) if self.last else 'no run yet'}>"}

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """The live widget, and for views without widgets a PNG of the figure and a line of text."""
        return {**self._picture(), WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": self.widget.model_id},
                "text/plain": "Explorer (the picture shows its first setting; run the notebook to use the controls)"}
