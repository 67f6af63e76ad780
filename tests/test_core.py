import json

import pytest
import torch

import mmutils
from mmutils.results import BarNotMet


def test_seed_everything_reproduces_numbers_and_returns_generator():
    g1 = mmutils.seed_everything(7)
    a = torch.rand(5), torch.rand(3, generator=g1)
    g2 = mmutils.seed_everything(7)
    b = torch.rand(5), torch.rand(3, generator=g2)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])


def test_get_device_is_cuda_only_when_available(monkeypatch):
    monkeypatch.delenv("MMUTILS_DEVICE", raising=False)
    assert mmutils.get_device().type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert mmutils.get_device("cpu").type == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="sees no CUDA device"):
            mmutils.get_device("cuda")


def test_environment_report_has_versions():
    report = mmutils.environment_report()
    for key in ("python", "torch", "torchvision", "torchaudio", "torch threads", "device"):
        assert report[key]


def test_report_results_prints_name_value_lines_and_passes(capsys, tmp_path, monkeypatch):
    out_file = tmp_path / "r.jsonl"
    monkeypatch.setenv("MMUTILS_RESULTS_FILE", str(out_file))
    values = mmutils.report_results({"acc": (torch.tensor(0.95), ">=", 0.9), "chance": 0.1})
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["acc: 0.95", "chance: 0.1"]
    assert lines[2] == "checks passed: 1/1"
    assert values == {"acc": pytest.approx(0.95), "chance": 0.1}
    assert json.loads(out_file.read_text())["metrics"]["chance"] == 0.1


def test_report_results_fails_a_missed_bar_after_printing_everything(capsys):
    with pytest.raises(BarNotMet, match=r"acc = 0.5 is not >= 0.9"):
        mmutils.report_results({"acc": (0.5, ">=", 0.9), "gap": (0.1, "<=", 0.2)})
    out = capsys.readouterr().out
    assert "acc: 0.5" in out and "gap: 0.1" in out and "checks passed: 1/2" in out
    with pytest.raises(BarNotMet, match="NaN"):
        mmutils.report_results({"acc": (float("nan"), ">=", 0.9)})


def _toy(seed):
    g = mmutils.seed_everything(seed)
    x = torch.randn(256, 2, generator=g)
    y = (x[:, 0] + x[:, 1] > 0).long()
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    batches = list(zip(x.split(32), y.split(32)))
    history = mmutils.fit(model, batches, lambda m, b: torch.nn.functional.cross_entropy(m(b[0]), b[1]), epochs=15,
                          lr=1e-2, metrics={"acc": lambda m: mmutils.accuracy(m(x), y)}, progress=False)
    return history


def test_fit_learns_and_records_history():
    h = _toy(0)
    assert len(h["loss"]) == 15 and len(h["acc"]) == 15
    assert h["loss"][-1] < h["loss"][0] * 0.5
    assert h.last("acc") > 0.9
    with pytest.raises(ValueError, match="no values recorded"):
        h.last("bleu")


def test_fit_is_deterministic_for_a_seed():
    assert _toy(3) == _toy(3)


def test_accuracy_and_majority_baseline():
    logits = torch.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]])
    assert mmutils.accuracy(logits, torch.tensor([0, 1, 1])) == pytest.approx(2 / 3)
    assert mmutils.accuracy(torch.tensor([1, 1]), torch.tensor([1, 0])) == 0.5
    # most frequent training label is 2; tie between 0 and 1 would go to 0
    assert mmutils.majority_baseline(torch.tensor([2, 2, 1]), torch.tensor([2, 0, 2, 1])) == 0.5
    assert mmutils.majority_baseline(torch.tensor([1, 0]), torch.tensor([0, 0, 1])) == pytest.approx(2 / 3)


def test_shuffled_batches_cover_every_row_once_per_pass_in_a_new_order():
    x, y = torch.arange(10).float()[:, None], torch.arange(10)  # (10, 1), (10,)
    batches = mmutils.ShuffledBatches(x, y, batch_size=4, generator=torch.Generator().manual_seed(0))
    assert len(batches) == 3
    passes = []
    for _ in range(2):
        got = list(batches)
        assert [len(b[1]) for b in got] == [4, 4, 2]
        assert all(torch.equal(bx[:, 0].long(), by) for bx, by in got)  # rows stay aligned across tensors
        order = torch.cat([b[1] for b in got])
        assert sorted(order.tolist()) == list(range(10))
        passes.append(order)
    assert not torch.equal(passes[0], passes[1])
    again = mmutils.ShuffledBatches(x, y, batch_size=4, generator=torch.Generator().manual_seed(0))
    assert torch.equal(torch.cat([b[1] for b in again]), passes[0])  # same generator seed, same order


@pytest.mark.parametrize("seeded", [True, False])
def test_shuffled_batches_are_the_dataloaders_batches(seeded):
    from torch.utils.data import DataLoader, TensorDataset

    x, y = torch.randn(103, 2), torch.arange(103)  # (103, 2), (103,)
    torch.manual_seed(5)
    loader = DataLoader(TensorDataset(x, y), batch_size=10, shuffle=True,
                        generator=torch.Generator().manual_seed(0) if seeded else None)
    want = [[b[1] for b in loader] for _ in range(3)]  # three epochs
    after_loader = torch.rand(1)  # the global generator, after the loader's draws
    torch.manual_seed(5)
    batches = mmutils.ShuffledBatches(x, y, batch_size=10,
                                      generator=torch.Generator().manual_seed(0) if seeded else None)
    got = [[b[1] for b in batches] for _ in range(3)]
    assert all(torch.equal(a, b) for ea, eb in zip(want, got) for a, b in zip(ea, eb))
    assert [len(e) for e in got] == [11] * 3
    assert torch.equal(torch.rand(1), after_loader)


def test_shuffled_batches_reject_tensors_of_different_lengths():
    with pytest.raises(ValueError, match="same number of rows"):
        mmutils.ShuffledBatches(torch.zeros(3), torch.zeros(4), batch_size=2)
    with pytest.raises(ValueError, match="batch_size"):
        mmutils.ShuffledBatches(torch.zeros(3), batch_size=0)


def test_random_batches_draw_as_the_loop_written_out_and_interleave_with_the_loss():
    """fit over RandomBatches trains the very model of the hand-written loop (same draws, same updates), even when
    the loss draws from the same generator, and keeps every step's loss."""
    x, y = torch.randn(50, 4), torch.randint(0, 3, (50,))  # (50, 4), (50,)

    def noisy_loss(model, batch, g):
        xb, yb = batch
        return torch.nn.functional.cross_entropy(model(xb + 0.1 * torch.randn(xb.shape, generator=g)), yb)

    torch.manual_seed(0)
    by_hand = torch.nn.Linear(4, 3)
    optimiser, g, losses = torch.optim.Adam(by_hand.parameters(), lr=1e-2), torch.Generator().manual_seed(1), []
    for _ in range(30):
        idx = torch.randint(len(x), (8,), generator=g)
        loss = noisy_loss(by_hand, (x[idx], y[idx]), g)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    torch.manual_seed(0)
    model, g = torch.nn.Linear(4, 3), torch.Generator().manual_seed(1)
    batches = mmutils.RandomBatches(x, y, batch_size=8, steps=30, generator=g)
    assert len(batches) == 30
    history = mmutils.fit(model, batches, lambda m, b: noisy_loss(m, b, g), epochs=1, lr=1e-2, progress=False)
    assert history.steps == losses and history["loss"] == [sum(losses) / 30]
    assert torch.equal(model.weight, by_hand.weight) and torch.equal(model.bias, by_hand.bias)
    single = next(iter(mmutils.RandomBatches(x, batch_size=5, steps=1)))
    assert single.shape == (5, 4)  # one tensor: its rows, not a tuple
    with pytest.raises(ValueError, match="same number of rows"):
        mmutils.RandomBatches(torch.zeros(3), torch.zeros(4), batch_size=2, steps=1)
    with pytest.raises(ValueError, match="steps"):
        mmutils.RandomBatches(torch.zeros(3), batch_size=2, steps=0)


def test_fit_takes_sources_without_a_length_and_refuses_a_one_shot_iterator_for_several_epochs():
    from torch.utils.data import DataLoader, IterableDataset

    class Stream(IterableDataset):  # a DataLoader over it has __len__ but len() raises TypeError
        def __iter__(self):
            g = torch.Generator().manual_seed(0)
            for _ in range(4):
                yield torch.randn(3, generator=g), torch.tensor(1)

    model = torch.nn.Linear(3, 2)
    loss = lambda m, b: torch.nn.functional.cross_entropy(m(b[0]), b[1])  # noqa: E731
    history = mmutils.fit(model, DataLoader(Stream(), batch_size=2), loss, epochs=2, progress=False)
    assert len(history["loss"]) == 2 and len(history.steps) == 4
    one_shot = ((torch.randn(2, 3), torch.tensor([0, 1])) for _ in range(3))
    with pytest.raises(ValueError, match="one-shot iterator"):
        mmutils.fit(model, one_shot, loss, epochs=2, progress=False)
    assert len(mmutils.fit(model, one_shot, loss, epochs=1, progress=False).steps) == 3
