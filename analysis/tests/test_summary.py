"""`summary` prints three lines whose numbers come from ok cells only."""
import numpy as np

from analysis.__main__ import main

from .conftest import mv_like_excess

STATUS_OK, STATUS_DIVERGED, STATUS_PENDING, STATUS_FAILED, STATUS_NA = 1, 2, 0, 3, 4


def run_summary(path, capsys):
    assert main(["summary", str(path)]) == 0
    return capsys.readouterr().out.splitlines()


def test_three_lines_with_the_expected_numbers(results_file, capsys):
    lines = run_summary(results_file(excess=mv_like_excess, replicates=4), capsys)
    assert len(lines) == 3
    assert lines[0] == ("gmm sweep: 96 cells (0 pending, 96 ok, 0 diverged, 0 failed, "
                        "0 not_applicable)")
    # N=40, M=40: linear 0.0125*1.01 = 0.012625 and 0.0125*1.04 = 0.013; mle 0.0025 and 0.01
    assert lines[1] == ("at the largest N=40, M=40 (k=2, R=2): excess error "
                        "linear 0.0126..0.013 across d=10..40 (2 values; max/min 1.03); "
                        "mle 0.0025..0.01 across d=10..40 (2 values; max/min 4); "
                        "oracle 0.005..0.005 across d=10..40 (2 values; max/min 1)")
    # exponents: log(1.04/1.01)/log(4) = 0.021, log(4)/log(4) = 1
    assert lines[2] == ("from d=10 to d=40, linear's excess error changes by +3% while "
                        "mle's grows 4-fold (like d^0.02 vs d^1.00): linear does not track d "
                        "while mle does, as dimension-independent learning predicts")


def test_partial_file_counts_statuses_and_ignores_non_ok_values(results_file, capsys):
    status = np.ones((4, 2, 1, 3, 1, 2), dtype=np.int8)  # model, d, k, N, R, replicate
    status[0, :, 0, 0, 0, :] = STATUS_PENDING  # linear, N=10: 4 cells
    status[1, 1, 0, 2, 0, 0] = STATUS_DIVERGED  # mle, d=40, N=40, replicate 0
    status[1, 0, 0, 1, 0, 1] = STATUS_FAILED
    status[3, :, 0, :, 0, :] = STATUS_NA  # bayes: 12 cells

    def excess(model, d, N, M, replicate, **_):
        # The diverged replicate carries a huge value that must not reach the summary.
        blown = (model == "mle") & (d == 40) & (N == 40) & (replicate == 0)
        return np.where(blown, 100.0, mv_like_excess(model, d, N, M))

    lines = run_summary(results_file(excess=excess, status=status), capsys)
    assert lines[0] == ("gmm sweep: 48 cells (4 pending, 30 ok, 1 diverged, 1 failed, "
                        "12 not_applicable)")
    assert "mle 0.0025..0.01 across d=10..40" in lines[1]


def test_neutral_reading_when_linear_depends_on_d(results_file, capsys):
    def excess(model, d, N, M, **_):
        return mv_like_excess("mle", d, N, M)  # every model grows with d

    lines = run_summary(results_file(excess=excess, models=("linear", "mle"), replicates=4),
                        capsys)
    assert lines[2].endswith("linear's error depends on d here, so this sweep does not "
                             "show dimension independence")
    assert "linear's excess error grows 4-fold while mle's grows 4-fold" in lines[2]


def test_two_replicates_give_the_numbers_but_no_verdict(results_file, capsys):
    lines = run_summary(results_file(excess=mv_like_excess), capsys)
    assert lines[2] == ("from d=10 to d=40, linear's excess error changes by +3% while "
                        "mle's grows 4-fold (like d^0.02 vs d^1.00): not enough replicates to "
                        "conclude (n = 2; need ≥ 4)")


def test_missing_baseline_is_said_not_guessed(results_file, capsys):
    lines = run_summary(results_file(excess=mv_like_excess, models=("linear",)), capsys)
    assert len(lines) == 3
    assert lines[1].endswith("linear 0.0126..0.013 across d=10..40 (2 values; max/min 1.03)")
    assert lines[2] == ("from d=10 to d=40, linear's excess error changes by +3% (like d^0.02; "
                        "no baseline with a positive excess error to compare)")


def test_each_family_reads_across_d_with_the_baselines_it_has(results_file, capsys):
    """linreg compares with its oracle (never asks for mle); sphere reads the error rate."""
    lines = run_summary(results_file(excess=mv_like_excess, models=("linear", "oracle", "bayes"),
                                     family="linreg"), capsys)
    assert "mle" not in "\n".join(lines)
    assert lines[2].startswith("from d=10 to d=40, linear's excess error changes by +3% while "
                               "oracle's changes by +0%")
    lines = run_summary(results_file(excess=lambda model, d, N, M, **_: 0.3 / N + 0 * d * M,
                                     models=("linear", "softmax"), family="sphere",
                                     name="sphere.nc", bayes=0.0), capsys)
    assert lines[1].startswith("at the largest N=40, M=40 (k=2, R=2): test error linear "
                               "0.0075..0.0075")
    assert "no reading" not in lines[2]


def test_extra_sweep_axis_is_held_at_its_first_value(results_file, capsys):
    def excess(model, d, N, M, alpha, **_):
        return mv_like_excess(model, d, N, M) * alpha  # alpha=1 first: the plain numbers

    path = results_file(excess=excess, extra_axes={"alpha": (1.0, 3.0)})
    lines = run_summary(path, capsys)
    assert lines[0].startswith("gmm sweep: 96 cells (0 pending, 96 ok")
    assert lines[1].startswith("at the largest N=40, M=40 (k=2, R=2, alpha=1): excess error "
                               "linear 0.0126..0.013 across d=10..40")
