#!/usr/bin/python3
"""The MV Fig. 1 cell (docs/reference.md) in PyTorch, the peer iclsweep is measured against.

  torch_mv.py explicit|suffstat THREADS [--tasks B --steps T --d D ...]

explicit: a straightforward implementation: N explicit tokens per task (B x N x d, float32),
the attention readout recomputed from them every step, torch.optim.SGD on the full batch.
suffstat: the same protocol on the exact sufficient statistics (m, v), as iclsweep does.
Both evaluate with the exact formula P(correct) = Phi(m^T W mu / ||W^T m||) on 20000 test
tasks and print one JSON line: seconds (end to end), accuracy per M, final training loss."""
import argparse
import json
import time

import numpy as np
import torch
from scipy.special import ndtr


def tasks(gen, count, d, k, R):
    u = torch.randn(count, k, generator=gen)
    mu = torch.zeros(count, d)
    mu[:, :k] = R * u / u.norm(dim=1, keepdim=True)
    return mu


def main():
    p = argparse.ArgumentParser()
    p.add_argument("variant", choices=["explicit", "suffstat"])
    p.add_argument("threads", type=int)
    p.add_argument("--d", type=int, default=500)
    p.add_argument("--k", type=int, default=30)
    p.add_argument("--N", type=int, default=40)
    p.add_argument("--R", type=float, default=2.0)
    p.add_argument("--tasks", type=int, default=20000)
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--eval_tasks", type=int, default=20000)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    gen = torch.Generator().manual_seed(1)
    t0 = time.perf_counter()
    mu = tasks(gen, a.tasks, a.d, a.k, a.R)
    W = torch.zeros(a.d, a.d, requires_grad=True)
    opt = torch.optim.SGD([W], lr=a.lr)
    if a.variant == "explicit":
        y = torch.randint(0, 2, (a.tasks, a.N), generator=gen).float() * 2 - 1
        X = y[:, :, None] * mu[:, None, :] + torch.randn(a.tasks, a.N, a.d, generator=gen)
        yq = torch.randint(0, 2, (a.tasks,), generator=gen).float() * 2 - 1
        xq = yq[:, None] * mu + torch.randn(a.tasks, a.d, generator=gen)
        for _ in range(a.steps):
            opt.zero_grad()
            m = (y[:, :, None] * X).mean(dim=1)          # the attention readout, from tokens
            margin = yq * ((m @ W) * xq).sum(dim=1)
            loss = torch.nn.functional.softplus(-margin).mean()
            loss.backward()
            opt.step()
    else:
        m = mu + torch.randn(a.tasks, a.d, generator=gen) / a.N ** 0.5
        v = mu + torch.randn(a.tasks, a.d, generator=gen)
        for _ in range(a.steps):
            opt.zero_grad()
            loss = torch.nn.functional.softplus(-((m @ W) * v).sum(dim=1)).mean()
            loss.backward()
            opt.step()
    Wd = W.detach().double()
    mu_t = tasks(gen, a.eval_tasks, a.d, a.k, a.R).double()
    z = torch.randn(a.eval_tasks, a.d, generator=gen).double()
    acc = {}
    A, Z = mu_t @ Wd, z @ Wd
    for M in (1, 5, 10, 20, 30, 40, 50, 100):
        q = A + Z / M ** 0.5
        acc[M] = float(np.mean(ndtr(((q * mu_t).sum(1) / q.norm(dim=1)).numpy())))
    with torch.no_grad():
        final = float(loss)
    print(json.dumps({"variant": a.variant, "seconds": time.perf_counter() - t0, "accuracy": acc, "train_loss": final}))


if __name__ == "__main__":
    main()
