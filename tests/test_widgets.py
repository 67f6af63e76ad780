"""play_with: the default is drawn as ordinary output; each control redraws with every control's value."""

import pytest

from mmutils.widgets import play_with


def test_play_with_draws_the_defaults_then_redraws_on_change(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    calls = []
    assert play_with(lambda n_fft, hop, text: calls.append((n_fft, hop, text)), labels={"n_fft": "window"},
                    n_fft=([64, 512, 4096], 512), hop=["1/4", "1/2"], text="blue dog") is None
    (box,) = shown
    assert calls == [(512, "1/4", "blue dog")]
    slider, dropdown, textbox = box.children[1].children
    assert slider.description == "window" and list(slider.options) == [64, 512, 4096]
    assert type(slider).__name__ == "SelectionSlider" and type(dropdown).__name__ == "Dropdown"
    assert type(textbox).__name__ == "Text" and not textbox.continuous_update
    slider.value = 4096
    textbox.value = "red cow"
    assert calls[1:] == [(4096, "1/4", "blue dog"), (4096, "1/4", "red cow")]


@pytest.mark.parametrize("spec", [[], ([1, 2], 3), 5, None])
def test_play_with_rejects_a_control_it_cannot_build(spec):
    with pytest.raises(ValueError, match="play_with: control 'x'"):
        play_with(lambda x: None, x=spec)


def test_play_with_needs_a_function_and_a_control():
    with pytest.raises(ValueError, match="draw must be a function"):
        play_with("not a function", x=[1])
    with pytest.raises(ValueError, match="at least one control"):
        play_with(lambda: None)
