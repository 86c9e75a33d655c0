"""An interactive explorer: sliders for the model's parameters, plots that follow them.

    explorer = hl.explorer.Explorer()
    explorer            # in a notebook: the controls, a status line and two plots

Sliders report a value only when released (``continuous_update=False``), so dragging
starts one simulation, not fifty: that is the debounce. While a run is going the status
line says so (large N can take seconds); then it shows the run's numbers. Works with
ipywidgets 7.7 (Colab) and 8.x (JupyterLab): only widgets common to both are used.
"""
from __future__ import annotations

from matplotlib.figure import Figure

from . import plots
from .device import hardware
from .dynamics import UPDATES, simulate


class Explorer:
    """Controls for N, alpha, lambda, m0, T, the update rule (and k, blocks); plots of the overlap
    vs time and of P(m_f) for the current setting. ``update()`` runs and redraws; changing any
    control calls it. ``last`` holds the last :class:`~hopfield_lab.dynamics.Trajectory`."""

    def __init__(self, sizes: list[int] | None = None, steps: int = 60, seed: int = 0, device=None):
        import ipywidgets as w

        hw = hardware(device)
        self.device = hw.device
        sizes = sizes or {"ci": [200, 400, 800], "cpu": [250, 500, 1000, 2000, 4000],
                          "gpu": [1000, 2000, 4000, 8000, 16000, 32000]}[hw.profile]
        self.steps, self.seed = steps, seed
        slider = dict(continuous_update=False, style={"description_width": "initial"})
        self.controls = {
            "n": w.SelectionSlider(options=list(sizes), value=sizes[len(sizes) // 2], description="neurons N", **slider),
            "alpha": w.FloatSlider(value=0.12, min=0.01, max=0.30, step=0.01, description="load α", **slider),
            "lam": w.FloatSlider(value=0.0, min=0.0, max=2.0, step=0.05, description="self-coupling λ", **slider),
            "m0": w.FloatSlider(value=0.8, min=-1.0, max=1.0, step=0.05, description="initial overlap m0", **slider),
            "temperature": w.FloatSlider(value=0.0, min=0.0, max=1.5, step=0.05, description="temperature T", **slider),
            "update": w.Dropdown(options=list(UPDATES), value="sync", description="update rule"),
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
        rows = list(self.controls.values())
        self.widget = w.VBox([w.HBox(rows[:4]), w.HBox(rows[4:]), self.status, self.output])
        self.update()

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

    def _changed(self, change) -> None:
        self.update()

    def update(self) -> None:
        """Run the current setting and redraw both plots; the status line shows progress and errors."""
        params = self.params()
        self.status.value = f"<b>⏳ running</b> N = {params['n']}, α = {params['alpha']:.2f}, {params['update']} …"
        try:
            traj = simulate(steps=self.steps, seed=self.seed, device=self.device, **params)
        except (ValueError, MemoryError) as err:
            self.status.value = f"<b>⚠ {err}</b>"
            return
        self.last = traj
        for ax in self.axes:
            ax.clear()
        plots.overlap_traces(traj, ax=self.axes[0], max_probes=60)
        plots.final_overlap_histogram({f"N = {params['n']}": traj}, ax=self.axes[1])
        self.figure.tight_layout()
        self.status.value = (f"N = {params['n']}, p = {traj.params['p']}: {traj.steps_run} steps in {traj.seconds:.2f} s; "
                             f"mean m_f = {traj.mean_final_overlap:.3f}, {traj.fraction_converged:.0%} at a fixed point, "
                             f"{traj.fraction_two_cycle:.0%} in 2-cycles")
        from IPython.display import clear_output, display

        with self.output:
            clear_output(wait=True)
            display(self.figure)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
