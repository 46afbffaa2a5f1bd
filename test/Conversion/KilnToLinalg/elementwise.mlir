// RUN: kiln-opt %s --convert-kiln-to-linalg --split-input-file | FileCheck %s

// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK-SAME: %[[A:[a-zA-Z0-9]+]]: tensor<?x7xf32>, %[[B:[a-zA-Z0-9]+]]: tensor<7xf32>
// CHECK: %[[C0:.+]] = arith.constant 0 : index
// CHECK: %[[D:.+]] = tensor.dim %[[A]], %[[C0]]
// CHECK: %[[E:.+]] = tensor.empty(%[[D]]) : tensor<?x7xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<?x7xf32>, tensor<7xf32>) outs(%[[E]] : tensor<?x7xf32>)
// CHECK: arith.addf
func.func @add_broadcast(%a: tensor<?x7xf32>, %b: tensor<7xf32>) -> tensor<?x7xf32> {
  %0 = kiln.add %a, %b : (tensor<?x7xf32>, tensor<7xf32>) -> tensor<?x7xf32>
  return %0 : tensor<?x7xf32>
}

// -----

// A static 1 against a larger dim reads index 0.
// CHECK-DAG: #[[COL0:.+]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[ROW0:.+]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @sub_outer_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[COL0]], #[[ROW0]], {{.*}}]
// CHECK: arith.subf
func.func @sub_outer_broadcast(%a: tensor<3x1xf32>, %b: tensor<1x5xf32>) -> tensor<3x5xf32> {
  %0 = kiln.sub %a, %b : (tensor<3x1xf32>, tensor<1x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

// CHECK-LABEL: func.func @integer_ops
// CHECK: arith.muli
// CHECK: arith.divsi
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: arith.subi
// CHECK: math.absi
func.func @integer_ops(%a: tensor<4xi32>, %b: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>) {
  %0 = kiln.mul %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = kiln.div %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %2 = kiln.max %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %3 = kiln.min %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %4 = kiln.neg %a : (tensor<4xi32>) -> tensor<4xi32>
  %5 = kiln.abs %a : (tensor<4xi32>) -> tensor<4xi32>
  return %0, %1, %2, %3, %4, %5 : tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @float_ops
// CHECK: arith.mulf
// CHECK: arith.divf
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: math.powf
// CHECK: arith.negf
// CHECK: math.absf
// CHECK: math.exp
// CHECK: math.log
// CHECK: math.sqrt
// CHECK: math.rsqrt
// CHECK: math.tanh
// CHECK: math.erf
func.func @float_ops(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = kiln.mul %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = kiln.div %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = kiln.max %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %3 = kiln.min %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %4 = kiln.pow %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %5 = kiln.neg %a : (tensor<4xf32>) -> tensor<4xf32>
  %6 = kiln.abs %a : (tensor<4xf32>) -> tensor<4xf32>
  %7 = kiln.exp %a : (tensor<4xf32>) -> tensor<4xf32>
  %8 = kiln.log %a : (tensor<4xf32>) -> tensor<4xf32>
  %9 = kiln.sqrt %a : (tensor<4xf32>) -> tensor<4xf32>
  %10 = kiln.rsqrt %a : (tensor<4xf32>) -> tensor<4xf32>
  %11 = kiln.tanh %a : (tensor<4xf32>) -> tensor<4xf32>
  %12 = kiln.erf %a : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @activations
// sigmoid = 1 / (1 + exp(-x))
// CHECK: arith.negf
// CHECK: math.exp
// CHECK: arith.divf
// relu
// CHECK: arith.maximumf
// clamp 0..6
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// gelu (erf)
// CHECK: math.erf
// gelu (tanh)
// CHECK: math.tanh
func.func @activations(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = kiln.sigmoid %a : (tensor<4xf32>) -> tensor<4xf32>
  %1 = kiln.relu %a : (tensor<4xf32>) -> tensor<4xf32>
  %2 = kiln.clamp %a {min = 0.0 : f64, max = 6.0 : f64} : (tensor<4xf32>) -> tensor<4xf32>
  %3 = kiln.gelu %a : (tensor<4xf32>) -> tensor<4xf32>
  %4 = kiln.gelu %a {approximation = #kiln.gelu_approximation<tanh>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1, %2, %3, %4 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @compare_select
// CHECK: arith.cmpf olt
// CHECK: arith.cmpi sge
// CHECK: arith.select
func.func @compare_select(%a: tensor<4xf32>, %b: tensor<4xf32>, %i: tensor<4xi64>) -> (tensor<4xf32>, tensor<4xi1>) {
  %0 = kiln.compare lt, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %1 = kiln.compare ge, %i, %i : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi1>
  %2 = kiln.select %0, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %2, %1 : tensor<4xf32>, tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @casts
// CHECK: arith.fptosi {{.*}} : f32 to i32
// CHECK: arith.sitofp {{.*}} : i64 to f32
// CHECK: arith.uitofp {{.*}} : i1 to f32
// CHECK: arith.cmpf une
// CHECK: arith.extf {{.*}} : f16 to f32
func.func @casts(%f: tensor<4xf32>, %i: tensor<4xi64>, %b: tensor<4xi1>, %h: tensor<4xf16>) -> (tensor<4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi1>, tensor<4xf32>) {
  %0 = kiln.cast %f : (tensor<4xf32>) -> tensor<4xi32>
  %1 = kiln.cast %i : (tensor<4xi64>) -> tensor<4xf32>
  %2 = kiln.cast %b : (tensor<4xi1>) -> tensor<4xf32>
  %3 = kiln.cast %f : (tensor<4xf32>) -> tensor<4xi1>
  %4 = kiln.cast %h : (tensor<4xf16>) -> tensor<4xf32>
  return %0, %1, %2, %3, %4 : tensor<4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi1>, tensor<4xf32>
}

// -----

// f16 and bf16 have the same width but neither holds the other: the casts
// go through f32, which is exact for both, so only the truncf rounds.
// CHECK-LABEL: func.func @same_width_float_casts
// CHECK-SAME: %[[H:[a-zA-Z0-9]+]]: tensor<4xf16>, %[[B:[a-zA-Z0-9]+]]: tensor<4xbf16>
// CHECK: %[[HB:.+]] = linalg.generic
// CHECK-SAME: ins(%[[H]] : tensor<4xf16>)
// CHECK-NEXT: ^bb0(%[[HIN:.+]]: f16, %{{.*}}: bf16):
// CHECK-NEXT: %[[HWIDE:.+]] = arith.extf %[[HIN]] : f16 to f32
// CHECK-NEXT: %[[HNARROW:.+]] = arith.truncf %[[HWIDE]] : f32 to bf16
// CHECK-NEXT: linalg.yield %[[HNARROW]] : bf16
// CHECK: %[[BH:.+]] = linalg.generic
// CHECK-SAME: ins(%[[B]] : tensor<4xbf16>)
// CHECK-NEXT: ^bb0(%[[BIN:.+]]: bf16, %{{.*}}: f16):
// CHECK-NEXT: %[[BWIDE:.+]] = arith.extf %[[BIN]] : bf16 to f32
// CHECK-NEXT: %[[BNARROW:.+]] = arith.truncf %[[BWIDE]] : f32 to f16
// CHECK-NEXT: linalg.yield %[[BNARROW]] : f16
// CHECK: return %[[HB]], %[[BH]]
func.func @same_width_float_casts(%h: tensor<4xf16>, %b: tensor<4xbf16>) -> (tensor<4xbf16>, tensor<4xf16>) {
  %0 = kiln.cast %h : (tensor<4xf16>) -> tensor<4xbf16>
  %1 = kiln.cast %b : (tensor<4xbf16>) -> tensor<4xf16>
  return %0, %1 : tensor<4xbf16>, tensor<4xf16>
}

// -----

// CHECK-LABEL: func.func @broadcast_to
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}} : tensor<3x1xf32>) outs(%{{.*}} : tensor<2x3x5xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.+]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]]
func.func @broadcast_to(%a: tensor<3x1xf32>) -> tensor<2x3x5xf32> {
  %0 = kiln.broadcast_to %a [2, 3, 5] : (tensor<3x1xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// Rounding and trigonometry: one math op each.
// CHECK-LABEL: func.func @rounding_trigonometry
// CHECK: math.floor
// CHECK: math.ceil
// CHECK: math.roundeven
// CHECK: math.sin
// CHECK: math.cos
// CHECK: math.tan
// CHECK: math.asin
// CHECK: math.acos
// CHECK: math.atan
// CHECK: math.sinh
// CHECK: math.cosh
// CHECK: math.asinh
// CHECK: math.acosh
// CHECK: math.atanh
func.func @rounding_trigonometry(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = kiln.floor %a : (tensor<4xf32>) -> tensor<4xf32>
  %1 = kiln.ceil %a : (tensor<4xf32>) -> tensor<4xf32>
  %2 = kiln.round %a : (tensor<4xf32>) -> tensor<4xf32>
  %3 = kiln.sin %a : (tensor<4xf32>) -> tensor<4xf32>
  %4 = kiln.cos %a : (tensor<4xf32>) -> tensor<4xf32>
  %5 = kiln.tan %a : (tensor<4xf32>) -> tensor<4xf32>
  %6 = kiln.asin %a : (tensor<4xf32>) -> tensor<4xf32>
  %7 = kiln.acos %a : (tensor<4xf32>) -> tensor<4xf32>
  %8 = kiln.atan %a : (tensor<4xf32>) -> tensor<4xf32>
  %9 = kiln.sinh %a : (tensor<4xf32>) -> tensor<4xf32>
  %10 = kiln.cosh %a : (tensor<4xf32>) -> tensor<4xf32>
  %11 = kiln.asinh %a : (tensor<4xf32>) -> tensor<4xf32>
  %12 = kiln.acosh %a : (tensor<4xf32>) -> tensor<4xf32>
  %13 = kiln.atanh %a : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Remainders: float ones through remf; integer ones never divide by 0 or
// -1; the floored one adds the divisor when the signs differ.
// CHECK-LABEL: func.func @remainders
// CHECK: linalg.generic
// CHECK: ^bb0(%[[FA:.+]]: f32, %[[FB:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[FR:.+]] = arith.remf %[[FA]], %[[FB]] : f32
// CHECK: %[[SUM:.+]] = arith.addf %[[FR]], %[[FB]] : f32
// CHECK: %[[ADJ:.+]] = arith.andi
// CHECK: %[[M:.+]] = arith.select %[[ADJ]], %[[SUM]], %[[FR]] : f32
// CHECK: linalg.yield %[[M]]
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IA:.+]]: i32, %[[IB:.+]]: i32, %{{.+}}: i32):
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0 : i32
// CHECK-DAG: %[[ONE:.+]] = arith.constant 1 : i32
// CHECK-DAG: %[[MONE:.+]] = arith.constant -1 : i32
// CHECK: %[[IS0:.+]] = arith.cmpi eq, %[[IB]], %[[ZERO]] : i32
// CHECK: %[[ISM1:.+]] = arith.cmpi eq, %[[IB]], %[[MONE]] : i32
// CHECK: %[[TRIV:.+]] = arith.ori %[[IS0]], %[[ISM1]] : i1
// CHECK: %[[DIV:.+]] = arith.select %[[TRIV]], %[[ONE]], %[[IB]] : i32
// CHECK: %[[REM:.+]] = arith.remsi %[[IA]], %[[DIV]] : i32
// CHECK: %[[R:.+]] = arith.select %[[TRIV]], %[[ZERO]], %[[REM]] : i32
// CHECK: linalg.yield %[[R]]
func.func @remainders(%a: tensor<4xf32>, %b: tensor<4xf32>, %n: tensor<4xi32>, %m: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  %0 = kiln.mod %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = kiln.fmod %n, %m : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0, %1 : tensor<4xf32>, tensor<4xi32>
}
