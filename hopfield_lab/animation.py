"""Movies of recall: images changing frame by frame beside a curve (the energy) that follows them.

:func:`movie` draws every frame with matplotlib and packs them into matplotlib's own
JavaScript player (``FuncAnimation.to_jshtml``: the frames embedded as PNG images, no
ffmpeg, nothing fetched from the network: the player's icon font is replaced by plain
characters). :func:`show` puts a still PNG of the key frame in the notebook first, so a
page that runs no JavaScript (GitHub, a stored output, a PDF) still shows a picture, and
then the player, which plays in JupyterLab, Colab and VS Code.

Keep movies small: a notebook stores every frame. About 30 frames of a figure a few
hundred pixels wide (``dpi`` 60 to 80) take 0.1 to 0.2 MB: the frames are stored with 64 colours.
"""
from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass
from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.animation import FuncAnimation

from ._checks import check_range
from .plots import colour

MAX_FRAMES = 60  # a notebook stores every frame: more would make it heavy

# the player's buttons use the Font Awesome icon font from a CDN; plain characters need no download
# (geometric shapes that common fonts have: the media symbols U+23EE.. are missing in many)
_ICONS = {"fa-minus": "&minus;", "fa-fast-backward": "|&#x25C0;", "fa-step-backward": "&#x25C1;",
          "fa-play fa-flip-horizontal": "&#x25C0;", "fa-pause": "||", "fa-play": "&#x25B6;",
          "fa-step-forward": "&#x25B7;", "fa-fast-forward": "&#x25B6;|", "fa-plus": "+"}


@dataclass(frozen=True)
class Movie:
    """A finished movie: ``html`` the player (self-contained), ``still`` the key frame as PNG bytes."""
    html: str
    still: bytes
    n_frames: int

    def frame_png(self, t: int) -> bytes:
        """Frame ``t`` as the player shows it (PNG bytes), read back from the embedded frames."""
        frames = re.findall(r'frames\[\d+\] = "data:image/png;base64,([^"]+)"', self.html)
        return base64.b64decode(frames[t].replace("\\\n", ""))


def _small_png(data: bytes) -> bytes:
    """The same picture with at most 64 colours (matplotlib writes 8-bit RGBA): about a third of the bytes."""
    from PIL import Image

    picture = Image.open(io.BytesIO(data)).convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    picture.save(out, format="png", optimize=True)
    return out.getvalue()


def _shrink_frames(html: str) -> str:
    def smaller(match):
        data = base64.b64decode(match.group(2).replace("\\\n", ""))
        return match.group(1) + base64.b64encode(_small_png(data)).decode("ascii") + '"'

    return re.sub(r'(frames\[\d+\] = "data:image/png;base64,)([^"]+)"', smaller, html)


def _offline(html: str) -> str:
    html = re.sub(r'<link rel="stylesheet"\s*href="https://[^"]*font-awesome[^"]*">', "", html)
    for name, text in _ICONS.items():
        html = html.replace(f'<i class="fa {name}"></i>', f"<span>{text}</span>")
    return html


def _checked(frames, shape, curves, captions, still, dpi):
    """The panels' frames as float64 arrays (T, N), the curves, and T, after the checks of :func:`movie`."""
    if not isinstance(frames, Mapping) or not frames:
        raise ValueError(f"frames={type(frames).__name__} is not allowed; give a dict label -> array (T, N)")
    stacks = {label: np.asarray(torch.as_tensor(f).detach().cpu().double()) for label, f in frames.items()}
    first = next(iter(stacks.values()))
    count = first.shape[0] if first.ndim == 2 else None
    for label, s in stacks.items():
        if s.ndim != 2 or s.shape[0] != count or s.shape[1] != shape[0] * shape[1]:
            raise ValueError(f"frames[{label!r}] has shape {s.shape}; allowed: (T, {shape[0] * shape[1]}) with the "
                             f"same T = {count} for every panel")
    check_range("number of frames", count, 1, MAX_FRAMES, integer=True)
    curves = dict(curves or {})
    for label, values in curves.items():
        if len(values) != count:
            raise ValueError(f"curves[{label!r}] has {len(values)} values; allowed: one per frame, {count}")
    if captions is not None and len(captions) != count:
        raise ValueError(f"captions has {len(captions)} entries; allowed: one per frame, {count}")
    check_range("still", still, -count, count - 1, integer=True)
    check_range("dpi", dpi, 20, 200, integer=True)
    return stacks, curves, count


def _curve_panel(ax, x, curves, x_label, curve_label):
    """Each curve faint in full, and bold up to the current frame with a marker (updated by the movie)."""
    lines, dots = [], []
    for i, (label, values) in enumerate(curves.items()):
        values = np.asarray(values, dtype=float)
        ax.plot(x, values, color=colour(i), lw=0.8, alpha=0.3)
        lines.append((ax.plot(x[:1], values[:1], color=colour(i), lw=1.6, label=label)[0], values))
        dots.append(ax.plot(x[:1], values[:1], "o", ms=4, color=colour(i))[0])
    ax.set_xlabel(x_label, fontsize=8)
    ax.set_ylabel(curve_label, fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, loc="best")
    return lines, dots


def movie(frames: Mapping[str, torch.Tensor | np.ndarray], shape: tuple[int, int], *,
          curves: Mapping[str, Sequence[float]] | None = None, curve_label: str = "energy E",
          x_label: str = "frame", x_values: Sequence[float] | None = None, captions: Sequence[str] | None = None,
          title: str = "", still: int = -1, interval_ms: int = 250, dpi: int = 80, panel_inches: float = 1.7,
          vmin: float = -1.0, vmax: float = 1.0, credit: str | None = None) -> Movie:
    """A movie of image panels (one per entry of ``frames``: an array (T, N), frame t reshaped to
    ``shape``) beside a plot of ``curves`` (label -> T values, drawn up to frame t with a marker),
    with ``captions[t]`` under the title. ``still``: the frame shown as the PNG (default the last).
    Grey levels: ``vmin`` white to ``vmax`` black (+1 is ink). ``credit``: a line under the figure.
    """
    stacks, curves, count = _checked(frames, shape, curves, captions, still, dpi)
    x = np.arange(count) if x_values is None else np.asarray(x_values, dtype=float)

    panels = len(stacks)
    width = panel_inches * panels + (3.4 if curves else 0.0)
    ratios = [1.0] * panels + ([3.4 / panel_inches] if curves else [])
    fig, axes = plt.subplots(1, len(ratios), figsize=(width, panel_inches + 0.9), dpi=dpi,
                             width_ratios=ratios, squeeze=False, layout="constrained")
    axes = axes[0]
    images = []
    for ax, (label, s) in zip(axes, stacks.items()):
        images.append(ax.imshow(s[0].reshape(shape), cmap="gray_r", vmin=vmin, vmax=vmax, interpolation="nearest"))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(label, fontsize=8)
    lines, dots = _curve_panel(axes[-1], x, curves, x_label, curve_label) if curves else ([], [])
    heading = fig.suptitle(title, fontsize=9)
    if credit:
        fig.supxlabel(credit, fontsize=6, color="grey")

    def draw(t: int):
        for image, s in zip(images, stacks.values()):
            image.set_data(s[t].reshape(shape))
        for (line, values), dot in zip(lines, dots):
            line.set_data(x[:t + 1], values[:t + 1])
            dot.set_data(x[t:t + 1], values[t:t + 1])
        if captions is not None:
            heading.set_text(f"{title}\n{captions[t]}" if title else captions[t])
        return images

    draw(count - 1)
    fig.canvas.draw()
    fig.set_layout_engine("none")  # the layout of the last frame serves every frame (and saves a third of the time)
    animation = FuncAnimation(fig, draw, frames=count, interval=interval_ms, blit=False)
    html = _offline(_shrink_frames(animation.to_jshtml(default_mode="once")))
    plt.close(fig)
    film = Movie(html=html, still=b"", n_frames=count)
    return Movie(html=html, still=film.frame_png(still % count), n_frames=count)


def show(film: Movie) -> None:
    """Display the still (a PNG, seen everywhere, also without JavaScript) and then the player."""
    from IPython.display import HTML, Image, display

    display(Image(data=film.still, format="png"))
    display(HTML(film.html))
