"""Play with it: controls that redraw a lesson's figure live in JupyterLab.

``play_with(draw, **controls)`` first calls ``draw`` with every control's default, as ordinary cell output: that is
what a headless run, the tests and the course's website show, so a page never depends on a live kernel. Below it
come the controls (ipywidgets); changing one calls ``draw`` again with all their values, into an output area under
the controls. Nothing waits for input, so executing a lesson top to bottom never blocks.
"""

from __future__ import annotations

from typing import Callable

__all__ = ["play_with"]


def _control(name: str, spec, label: str):
    import ipywidgets as widgets

    style = {"description_width": "initial"}
    if isinstance(spec, str):  # a text box: redrawn when the student presses Enter or leaves the box
        return widgets.Text(value=spec, description=label, continuous_update=False, style=style,
                            layout=widgets.Layout(width="32em"))
    options, default = _choices(name, spec)
    if all(isinstance(o, (int, float)) and not isinstance(o, bool) for o in options):
        return widgets.SelectionSlider(options=options, value=default, description=label, style=style,
                                       continuous_update=False)
    return widgets.Dropdown(options=options, value=default, description=label, style=style)


def _choices(name: str, spec) -> tuple[list, object]:
    """A control's spec -> (choices, default): a list (the first is the default) or ``(list, default)``."""
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], list):
        options, default = list(spec[0]), spec[1]
    elif isinstance(spec, (list, tuple)):
        options = list(spec)
        default = options[0] if options else None
    else:
        options, default = [], None
    if not options or default not in options:
        raise ValueError(f"play_with: control {name!r} must be a default string (a text box), a non-empty list of "
                         f"choices (the first is the default) or (choices, default); got {spec!r}")
    return options, default


def play_with(draw: Callable[..., None], labels: dict[str, str] | None = None, **controls):
    """Draw ``draw(**defaults)`` as ordinary output, then show one control per keyword that redraws it.

    ``controls``: name -> a list of choices (numbers make a slider, anything else a drop-down; the first is the
    default), ``(choices, default)``, or a string (a text box whose default is that string). ``labels``: name -> the
    text shown beside a control (default: the name). ``draw`` shows its figure (``plt.show()``), prints, or displays
    sound itself. The controls are displayed, not returned (nothing to keep; without ipywidgets only the default is
    drawn).
    """
    if not callable(draw):
        raise ValueError(f"play_with: draw must be a function that draws; got {type(draw).__name__}")
    if not controls:
        raise ValueError("play_with: give at least one control, e.g. n_fft=[512, 1024]")
    labels = labels or {}
    try:
        import ipywidgets as widgets
        from IPython.display import display
    except ImportError:
        widgets = None
    inputs = {} if widgets is None else {k: _control(k, v, labels.get(k, k)) for k, v in controls.items()}
    defaults = {k: (v if isinstance(v, str) else _choices(k, v)[1]) for k, v in controls.items()}
    draw(**defaults)
    if widgets is None:
        print("(install ipywidgets — pip install ipywidgets — to get the controls that redraw this figure)")
        return
    out = widgets.Output()

    def redraw(_change=None):
        with out:
            out.clear_output(wait=True)
            draw(**{k: w.value for k, w in inputs.items()})

    for w in inputs.values():
        w.observe(redraw, names="value")
    note = widgets.HTML("<i>Change a control to redraw the figure below it (live in JupyterLab; the figure above "
                        "shows the defaults).</i>")
    box = widgets.VBox([note, widgets.HBox(list(inputs.values())), out])
    display(box)
