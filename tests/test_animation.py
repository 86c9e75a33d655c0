import io

import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")
from matplotlib.image import imread  # noqa: E402

from hopfield_lab import animation  # noqa: E402


def frames(count=6, n=16):
    # a 4 x 4 image filling with ink one pixel per frame
    return torch.stack([torch.where(torch.arange(n) < 2 * t, 1.0, -1.0) for t in range(count)])


def png(data):
    return imread(io.BytesIO(data), format="png")


def test_movie_embeds_every_frame_and_needs_no_network():
    film = animation.movie({"state": frames()}, (4, 4), curves={"energy": [5, 4, 3, 2, 1, 0]},
                           captions=[f"t = {t}" for t in range(6)], title="fills")
    assert film.n_frames == 6
    assert film.html.count("data:image/png;base64,") == 6
    assert "http" not in film.html and "font-awesome" not in film.html and 'class="fa ' not in film.html
    first, last, still = png(film.frame_png(0)), png(film.frame_png(5)), png(film.still)
    assert first.shape == last.shape == still.shape
    assert not np.array_equal(first, last)                      # the picture moves
    assert np.array_equal(still, last)                          # the still is the last frame by default


def test_the_still_can_be_another_frame():
    film = animation.movie({"a": frames(), "b": -frames()}, (4, 4), still=0)
    still, first, last = png(film.still), png(film.frame_png(0)), png(film.frame_png(5))
    assert np.array_equal(still, first) and not np.array_equal(still, last)


def test_show_displays_a_png_then_the_player(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    film = animation.movie({"state": frames(3)}, (4, 4))
    animation.show(film)
    assert [type(obj).__name__ for obj in shown] == ["Image", "HTML"]
    assert shown[0].data == film.still and shown[1].data == film.html


@pytest.mark.parametrize("kwargs,pattern", [
    (dict(frames={}), r"frames=dict is not allowed"),
    (dict(frames={"a": frames(), "b": frames(5)}), r"frames\['b'\] has shape \(5, 16\).*same T = 6"),
    (dict(frames={"a": frames()}, shape=(3, 3)), r"frames\['a'\] has shape \(6, 16\); allowed: \(T, 9\)"),
    (dict(frames={"a": frames(61)}), r"number of frames=61 is out of range; allowed: number of frames in \[1, 60\]"),
    (dict(curves={"E": [1, 2]}), r"curves\['E'\] has 2 values; allowed: one per frame, 6"),
    (dict(captions=["x"]), r"captions has 1 entries; allowed: one per frame, 6"),
    (dict(still=6), r"still=6 is out of range"),
    (dict(dpi=1000), r"dpi=1000 is out of range"),
])
def test_bad_input_is_refused_naming_the_parameter(kwargs, pattern):
    kwargs = {"frames": {"a": frames()}, "shape": (4, 4), **kwargs}
    with pytest.raises(ValueError, match=pattern):
        animation.movie(kwargs.pop("frames"), kwargs.pop("shape"), **kwargs)
