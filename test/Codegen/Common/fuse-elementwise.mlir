// RUN: kiln-opt %s --kiln-fuse-elementwise | FileCheck %s

// Elementwise producers fuse into elementwise consumers...
// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[X:.+]]: tensor<16xf32>)
// CHECK: %[[R:.+]] = linalg.generic {{.*}} ins(%[[X]] : tensor<16xf32>)
// CHECK: math.exp
// CHECK: arith.addf
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
#id = affine_map<(d0) -> (d0)>
func.func @chain(%x: tensor<16xf32>) -> tensor<16xf32> {
  %e = tensor.empty() : tensor<16xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%x : tensor<16xf32>) outs(%e : tensor<16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %1 = math.exp %a : f32
    linalg.yield %1 : f32
  } -> tensor<16xf32>
  %2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%0 : tensor<16xf32>) outs(%e : tensor<16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %3 = arith.addf %a, %a : f32
    linalg.yield %3 : f32
  } -> tensor<16xf32>
  return %2 : tensor<16xf32>
}

// ...but never into a contraction, which must stay a pure matmul for the
// packed GEMM path.
// CHECK-LABEL: func.func @gelu_into_matmul
// CHECK: %[[G:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK: math.erf
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}} ins(%[[G]], %{{.+}} : tensor<8x32xf32>, tensor<16x32xf32>)
// CHECK-NOT: math.erf
#m = affine_map<(d0, d1) -> (d0, d1)>
#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (n, k)>
#out = affine_map<(m, n, k) -> (m, n)>
func.func @gelu_into_matmul(%x: tensor<8x32xf32>, %w: tensor<16x32xf32>, %c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %e = tensor.empty() : tensor<8x32xf32>
  %g = linalg.generic {indexing_maps = [#m, #m], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<8x32xf32>) outs(%e : tensor<8x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %1 = math.erf %a : f32
    linalg.yield %1 : f32
  } -> tensor<8x32xf32>
  %0 = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%g, %w : tensor<8x32xf32>, tensor<16x32xf32>) outs(%c : tensor<8x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %1 = arith.mulf %a, %b : f32
    %2 = arith.addf %acc, %1 : f32
    linalg.yield %2 : f32
  } -> tensor<8x16xf32>
  return %0 : tensor<8x16xf32>
}

// -----

// A `?` dim of an operand where another operand (here the broadcast 2x2
// constant, through a fused add) makes the loop static is cast to that
// size; the lowering asserted the equality.
// CHECK-LABEL: func.func @refine_to_loop_sizes
// CHECK-SAME: %[[A:[a-z0-9]+]]: tensor<?x?x2xf32>
// CHECK: %[[CAST:.+]] = tensor.cast %[[A]] : tensor<?x?x2xf32> to tensor<?x2x2xf32>
// CHECK: linalg.generic {{.+}} ins(%[[CAST]], %{{.+}} : tensor<?x2x2xf32>, tensor<2x2xf32>) outs(%{{.+}} : tensor<?x2x2xf32>)
func.func @refine_to_loop_sizes(%a: tensor<?x?x2xf32>, %b: tensor<2x2xf32>, %n: index) -> tensor<?x2x2xf32> {
  %e = tensor.empty(%n) : tensor<?x2x2xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%a, %b : tensor<?x?x2xf32>, tensor<2x2xf32>) outs(%e : tensor<?x2x2xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<?x2x2xf32>
  return %0 : tensor<?x2x2xf32>
}

// -----

// Operands that agree with the loop sizes are left alone.
// CHECK-LABEL: func.func @already_consistent
// CHECK-NOT: tensor.cast
// CHECK: linalg.generic
func.func @already_consistent(%a: tensor<?x2xf32>, %b: tensor<2xf32>, %n: index) -> tensor<?x2xf32> {
  %e = tensor.empty(%n) : tensor<?x2xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%a, %b : tensor<?x2xf32>, tensor<2xf32>) outs(%e : tensor<?x2xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// The fused kernel keeps the locations of the ops it came from (the compile
// report's fusion groups read them); upstream's fusion would keep only the
// consumer's.
// RUN: kiln-opt %s --kiln-fuse-elementwise --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s --check-prefix=LOC
// LOC-LABEL: func.func @keeps_locations
// LOC: linalg.generic
// LOC: math.exp
// LOC: arith.negf
// LOC: } -> tensor<8xf32> loc(fused[fused<"kiln.exp">["exp.onnx":1:1], fused<"kiln.neg">["neg.onnx":2:2]])
func.func @keeps_locations(%x: tensor<8xf32>) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %1 = math.exp %a : f32
    linalg.yield %1 : f32
  } -> tensor<8xf32> loc(fused<"kiln.exp">["exp.onnx":1:1])
  %2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%0 : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %3 = arith.negf %a : f32
    linalg.yield %3 : f32
  } -> tensor<8xf32> loc(fused<"kiln.neg">["neg.onnx":2:2])
  return %2 : tensor<8xf32>
}

// Two reductions of the same input over the same loops (int8-dynamic's min
// and max) become one with two results; the merged body is each one's own.
// CHECK-LABEL: func.func @sibling_reductions
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
// CHECK: %[[R:.+]]:2 = linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%[[X]] : tensor<4x8xf32>) outs(%{{.+}}, %{{.+}} : tensor<f32>, tensor<f32>)
// CHECK: ^bb0(%[[IN:.+]]: f32, %[[LO:.+]]: f32, %[[HI:.+]]: f32):
// CHECK: %[[MIN:.+]] = arith.minimumf %[[IN]], %[[LO]]
// CHECK: %[[MAX:.+]] = arith.maximumf %[[IN]], %[[HI]]
// CHECK: linalg.yield %[[MIN]], %[[MAX]]
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @sibling_reductions(%x: tensor<4x8xf32>) -> (tensor<f32>, tensor<f32>) {
  %inf = arith.constant 0x7F800000 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<f32>
  %lo0 = linalg.fill ins(%inf : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %hi0 = linalg.fill ins(%ninf : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %lo = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%lo0 : tensor<f32>) {
  ^bb0(%in: f32, %acc: f32):
    %m = arith.minimumf %in, %acc : f32
    linalg.yield %m : f32
  } -> tensor<f32>
  %hi = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%hi0 : tensor<f32>) {
  ^bb0(%in: f32, %acc: f32):
    %m = arith.maximumf %in, %acc : f32
    linalg.yield %m : f32
  } -> tensor<f32>
  return %lo, %hi : tensor<f32>, tensor<f32>
}

// Not merged: reductions over different loops (rows and columns), and a
// reduction whose result is used before its sibling.
// CHECK-LABEL: func.func @not_siblings
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @not_siblings(%x: tensor<4x8xf32>) -> (tensor<4xf32>, tensor<8xf32>, tensor<4xf32>) {
  %z = arith.constant 0.0 : f32
  %e4 = tensor.empty() : tensor<4xf32>
  %e8 = tensor.empty() : tensor<8xf32>
  %r0 = linalg.fill ins(%z : f32) outs(%e4 : tensor<4xf32>) -> tensor<4xf32>
  %c0 = linalg.fill ins(%z : f32) outs(%e8 : tensor<8xf32>) -> tensor<8xf32>
  %rows = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%r0 : tensor<4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %cols = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]} ins(%x : tensor<4x8xf32>) outs(%c0 : tensor<8xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  // The row sums seed the next reduction: it cannot move before them.
  %rows2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%rows : tensor<4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.maximumf %in, %acc : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %rows, %cols, %rows2 : tensor<4xf32>, tensor<8xf32>, tensor<4xf32>
}
