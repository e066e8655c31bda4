"""analysis.dss on multi-modal sphere sweeps (-grid_prototypes_per_class): one sentence per
pair and per P, and one figure panel per P."""
from analysis import dss, results

MODELS = ("linear", "softmax", "expkernel", "normpoly", "gd1", "gd1_kernel", "gd1_adaptive")


def multimodal_file(results_file):
    """linear's error grows with P; the others' does not (softmax gains 0.1 at P = 4 only)."""
    def excess(model, N, prototypes_per_class, replicate, **_):
        gain = 0.1 * (prototypes_per_class - 1) / 3 if model in ("linear", "gd1") else 0.0
        return (0.05 + gain) * N ** -0.5 + 0.0005 * (replicate % 2)

    return results_file(excess=excess, models=MODELS, d=(8,), k=(8,), N=(5, 10, 20, 40),
                        R=(2.0,), extra_axes={"prototypes_per_class": (1, 4)}, replicates=4,
                        M=(5, 10, 20, 40), se=0.001, bayes=0.0, family="sphere",
                        options="-family sphere\n")


def test_sentences_per_pair_and_P(results_file):
    lines = dss.multimodal_claims(results.load(multimodal_file(results_file)))
    assert len(lines) == len(dss.MULTIMODAL_PAIRS) * 2
    at = {p: f"on sphere at N=40 (d=8, prototypes_per_class={p}" for p in (1, 4)}
    (p1,) = [line for line in lines if line.startswith("softmax and linear") and at[1] in line]
    (p4,) = [line for line in lines if line.startswith("softmax beats linear") and at[4] in line]
    assert "4 paired replicates" in p4 and "0.0158" in p4  # 0.1 / sqrt(40)
    assert "not separated" in p1
    assert any(line.startswith("gd1_adaptive beats gd1 ") and at[4] in line for line in lines)


def test_one_panel_per_P(results_file):
    ((name, fig),) = dss.multimodal_figures(results.load(multimodal_file(results_file)))
    assert name == "dss_multimodal_error_vs_N"
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["d=8, prototypes_per_class=1", "d=8, prototypes_per_class=4"]
