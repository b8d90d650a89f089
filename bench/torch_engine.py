#!/usr/bin/python3
"""PyTorch peer of `bench/run engine`.

Trains the same network as jitsparse's dense engine (LeNet-5 Caffe or LeNet-300-100, PyTorch's
default initialisation, softmax cross-entropy, SGD with Nesterov momentum 0.9, lr 0.01, weight
decay 5e-4) on the same Fashion-MNIST batches, which EngineBench exports as raw files (NHWC float32
and int32 labels; transposed to NCHW here). It times only its own training loop: interpreter
start-up, `import torch`, data loading and the warm-up steps are outside the timing. It prints one
JSON line on standard output.

With --serve it stays up after the warm-up: it prints {"ready": true, ...}, then for every line N
read from standard input trains N more steps and prints {"steps": N, "seconds": ..., ...}; "quit"
or end of input stops it. EngineBench uses this to interleave PyTorch with jitsparse in short
chunks.

Needs Debian's python3-torch: run it with /usr/bin/python3 (the pyenv python3 has no torch).
Standalone: /usr/bin/python3 bench/torch_engine.py --model lenet5-caffe --steps 200
(without --features/--labels it reads Fashion-MNIST from /usr/share/datasets/fashion-mnist).
"""

import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

IMAGE_SIZE = 28
CLASSES = 10
IDX_IMAGE_HEADER = 16
IDX_LABEL_HEADER = 8
PIXEL_MAX = 255.0
CENTRE = 0.5
SPREAD = 0.5
DEFAULT_DATA_DIR = "/usr/share/datasets/fashion-mnist"
DEFAULT_POOL_BATCHES = 64


class LeNet5Caffe(nn.Module):
    """conv 5x5x20 - ReLU - maxpool 2 - conv 5x5x50 - ReLU - maxpool 2 - dense 500 - ReLU - dense 10."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 20, kernel_size=5)
        self.conv2 = nn.Conv2d(20, 50, kernel_size=5)
        self.fc3 = nn.Linear(50 * 4 * 4, 500)
        self.fc4 = nn.Linear(500, CLASSES)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc3(torch.flatten(x, 1)))
        return self.fc4(x)


class LeNet300100(nn.Module):
    """dense 784-300-100-10 with ReLU."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(IMAGE_SIZE * IMAGE_SIZE, 300)
        self.fc2 = nn.Linear(300, 100)
        self.fc3 = nn.Linear(100, CLASSES)

    def forward(self, x):
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


MODELS = {"lenet5-caffe": LeNet5Caffe, "lenet-300-100": LeNet300100}


def exported_batches(features, labels, batch):
    """The batches EngineBench wrote: NHWC float32 features and int32 labels, little-endian."""
    y = np.fromfile(labels, dtype="<i4").astype(np.int64)
    x = np.fromfile(features, dtype="<f4").reshape(y.size, IMAGE_SIZE, IMAGE_SIZE, 1)
    x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    return split(x, y, batch)


def idx_batches(data_dir, batch, count):
    """The first count batches of the training file, normalised like jitsparse's Batches."""
    with gzip.open(os.path.join(data_dir, "train-images-idx3-ubyte.gz")) as f:
        pixels = np.frombuffer(f.read(), dtype=np.uint8, offset=IDX_IMAGE_HEADER)
    with gzip.open(os.path.join(data_dir, "train-labels-idx1-ubyte.gz")) as f:
        y = np.frombuffer(f.read(), dtype=np.uint8, offset=IDX_LABEL_HEADER).astype(np.int64)
    n = batch * count
    x = pixels[: n * IMAGE_SIZE * IMAGE_SIZE].astype(np.float32)
    x = ((x / PIXEL_MAX - CENTRE) / SPREAD).reshape(n, 1, IMAGE_SIZE, IMAGE_SIZE)
    return split(x, y[:n], batch)


def split(x, y, batch):
    count = y.size // batch
    return [
        (torch.from_numpy(x[i * batch : (i + 1) * batch]), torch.from_numpy(y[i * batch : (i + 1) * batch]))
        for i in range(count)
    ]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", choices=sorted(MODELS), default="lenet5-caffe")
    p.add_argument("--steps", type=int, default=200, help="timed steps")
    p.add_argument("--warmup", type=int, default=20, help="untimed steps first")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    p.add_argument("--features", help="NHWC float32 file written by EngineBench")
    p.add_argument("--labels", help="int32 label file written by EngineBench")
    p.add_argument("--data-dir", default=DEFAULT_DATA_DIR, help="Fashion-MNIST without --features")
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--serve", action="store_true", help="time chunks of steps read from stdin")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    if a.features and a.labels:
        batches, source = exported_batches(a.features, a.labels, a.batch), "exported"
    else:
        batches, source = idx_batches(a.data_dir, a.batch, DEFAULT_POOL_BATCHES), "idx"
    model = MODELS[a.model]()
    model.train()
    opt = torch.optim.SGD(
        model.parameters(), lr=a.lr, momentum=a.momentum, nesterov=True, weight_decay=a.weight_decay
    )

    def step(i):
        x, y = batches[i % len(batches)]
        opt.zero_grad(set_to_none=True)
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        opt.step()
        # Read the loss and accuracy every step, as the jitsparse trainer does.
        (logits.argmax(1) == y).sum().item()
        return loss.item()

    loss = float("nan")
    for i in range(a.warmup):
        loss = step(i)
    if a.serve:
        return serve(a, step)
    first = None
    start = time.perf_counter()
    for i in range(a.steps):
        loss = step(a.warmup + i)
        if first is None:
            first = loss
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "model": a.model,
                "steps": a.steps,
                "warmup": a.warmup,
                "batch": a.batch,
                "seconds": seconds,
                "samples_per_s": a.steps * a.batch / seconds if seconds > 0 else float("nan"),
                "threads": torch.get_num_threads(),
                "torch": torch.__version__,
                "data": source,
                "first_loss": first,
                "last_loss": loss,
            }
        )
    )
    return 0


def serve(a, step):
    """Answers every line N of standard input with the timing of N more steps."""
    done = a.warmup
    emit({"ready": True, "model": a.model, "threads": torch.get_num_threads(), "torch": torch.__version__})
    for line in sys.stdin:
        command = line.strip()
        if command in ("", "quit"):
            break
        steps = int(command)
        start = time.perf_counter()
        loss = float("nan")
        for i in range(steps):
            loss = step(done + i)
        seconds = time.perf_counter() - start
        done += steps
        emit({"steps": steps, "seconds": seconds, "last_loss": loss})
    return 0


def emit(record):
    print(json.dumps(record), flush=True)


if __name__ == "__main__":
    sys.exit(main())
