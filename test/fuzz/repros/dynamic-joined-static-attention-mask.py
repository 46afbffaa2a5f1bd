#!/usr/bin/python3
# A kiln-smith repro: compiles NAME.mlir next to this script (with the
# options below), runs it twice on the inputs in NAME.npz and prints how
# far each output is from the numpy reference stored there. A compile
# error, a crash or a large difference shows the bug.
# Run: PYTHONPATH=build/python_packages /usr/bin/python3 test/fuzz/repros/dynamic-joined-static-attention-mask.py
import os
import numpy as np
import kiln

here = os.path.dirname(os.path.abspath(__file__))
name = os.path.splitext(os.path.basename(__file__))[0]
mlir = open(os.path.join(here, name + ".mlir")).read()
data = np.load(os.path.join(here, name + ".npz"))
inputs = [data["in%d" % i] for i in range(len(data.files))
          if "in%d" % i in data.files]
wants = [data["want%d" % i] for i in range(len(data.files))
         if "want%d" % i in data.files]
m = kiln.compile(mlir, **{'opt_level': 2})
for attempt in range(2):
    outs = m.run(*inputs)
for i, (got, want) in enumerate(zip(outs, wants)):
    err = np.max(np.abs(got.astype(np.float64) - want)) if want.size else 0.0
    print("output %d: max |kiln - numpy| = %.3g (max |numpy| %.3g)"
          % (i, err, np.max(np.abs(want)) if want.size else 0.0))
