#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Peak memory and latency of a BERT-base encoder layer (768/12/3072,
batch 1) at long sequences, with flash-style attention (Kiln's default,
blocks of 128 keys) and with the scores materialized
(attention_key_block=0), and torch's latency in the same run.

    PYTHONPATH=build/python_packages python3 bench/attention_memory.py \\
        [--seqs 512,1024,2048] [--runs 3]

Each configuration runs in a fresh process: it compiles the layer, runs it
once, resets the kernel's peak-RSS mark (/proc/self/clear_refs), runs it
again and reads VmHWM, so the peak is that of a run, not of compilation.
The weights and code stay resident, so the peaks share a baseline; what
grows with the sequence is the activations (linear) and, materialized, the
12 x L x L scores (quadratic). Every Kiln result is checked against torch
(max abs error <= 1e-4 x max|ref|). Medians with min/max, in ms.
"""

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def peak_rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmHWM in /proc/self/status")


def reset_peak_rss():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def layer(seq):
    import torch
    torch.manual_seed(0)
    model = torch.nn.TransformerEncoderLayer(768, 12, 3072, batch_first=True)
    model.eval()
    x = torch.randn(1, seq, 768, generator=torch.Generator().manual_seed(1))
    return model, x


def child(args):
    """One configuration, in this process: prints a JSON line."""
    import numpy as np
    import torch
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from real_models import timed  # warms up once, then times `runs` runs
    torch.set_num_threads(args.torch_threads)
    model, x = layer(args.seq)
    with torch.no_grad():
        ref = model(x).numpy()
    result = {"seq": args.seq, "side": args.side}
    if args.side == "torch":
        with torch.no_grad():
            model(x)
            reset_peak_rss()
            t = timed(lambda: model(x), args.runs)
        result.update(ms=t, peak_mib=peak_rss_mib())
    else:
        import kiln
        with open(args.onnx, "rb") as f:
            onnx_bytes = f.read()
        t0 = time.perf_counter()
        m = kiln.compile(onnx_bytes, attention_key_block=args.key_block)
        compile_s = time.perf_counter() - t0
        xs = x.numpy()
        got = m(xs)
        err = float(np.max(np.abs(got - ref)))
        bound = 1e-4 * float(np.max(np.abs(ref)))
        if not err <= bound:
            raise SystemExit("seq %d key block %d: max abs error %g > %g" %
                             (args.seq, args.key_block, err, bound))
        reset_peak_rss()
        t = timed(lambda: m(xs), args.runs)
        result.update(ms=t, peak_mib=peak_rss_mib(), compile_s=compile_s,
                      max_abs_err=err)
    print("RESULT " + json.dumps(result), flush=True)


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seqs", default="512,1024,2048")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--torch-threads", type=int, default=2)
    ap.add_argument("--json", default="", help="write the results here")
    # Internal: run one configuration.
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--seq", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--side", help=argparse.SUPPRESS)
    ap.add_argument("--key-block", type=int, default=128,
                    help=argparse.SUPPRESS)
    ap.add_argument("--onnx", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)

    import torch
    with open("/proc/cpuinfo") as f:
        cpu = next((l.split(":", 1)[1].strip() for l in f
                    if l.startswith("model name")), "unknown CPU")
    print("CPU: %s; torch %d threads, OMP_WAIT_POLICY=%s; Kiln default "
          "threads" % (cpu, args.torch_threads, os.environ["OMP_WAIT_POLICY"]))
    print("| seq | side | latency ms (median [min, max]) | peak RSS MiB | "
          "compile s |")
    print("|---|---|---|---|---|")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for seq in [int(s) for s in args.seqs.split(",")]:
            model, x = layer(seq)
            path = os.path.join(tmp, "bert_%d.onnx" % seq)
            f = io.BytesIO()
            torch.onnx.export(model, (x,), f, opset_version=14,
                              input_names=["x"], output_names=["y"])
            with open(path, "wb") as out:
                out.write(f.getvalue())
            for side, block in [("kiln flash (block 128)", 128),
                                ("kiln scores materialized", 0),
                                ("torch", None)]:
                cmd = [sys.executable, __file__, "--child", "--seq", str(seq),
                       "--side", "torch" if block is None else "kiln",
                       "--runs", str(args.runs), "--onnx", path,
                       "--torch-threads", str(args.torch_threads)]
                if block is not None:
                    cmd += ["--key-block", str(block)]
                out = subprocess.run(cmd, capture_output=True, text=True)
                line = next((l for l in out.stdout.splitlines()
                             if l.startswith("RESULT ")), None)
                if out.returncode or not line:
                    raise SystemExit("%s at seq %d failed:\n%s" %
                                     (side, seq, out.stderr[-2000:]))
                r = json.loads(line[len("RESULT "):])
                r["side"] = side
                results.append(r)
                med, lo, hi = r["ms"]
                print("| %d | %s | %.1f [%.1f, %.1f] | %.0f | %s |" % (
                    seq, side, med, lo, hi, r["peak_mib"],
                    "%.1f" % r["compile_s"] if "compile_s" in r else "-"),
                    flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpu": cpu, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
