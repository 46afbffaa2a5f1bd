// RUN: kiln-opt %s --kiln-expand-float-conversions | FileCheck %s --check-prefixes=CHECK,NATIVE
// RUN: kiln-opt %s --kiln-expand-float-conversions="f16-conversions=expand" | FileCheck %s --check-prefixes=CHECK,SOFT
// By default the module's kiln.target decides: F16C (znver3) has the
// instructions, x86-64 has not, AArch64 always has.
// RUN: kiln-opt %s --kiln-attach-target="cpu=znver3" --kiln-expand-float-conversions | FileCheck %s --check-prefixes=CHECK,NATIVE
// RUN: kiln-opt %s --kiln-attach-target="cpu=x86-64" --kiln-expand-float-conversions | FileCheck %s --check-prefixes=CHECK,SOFT
// RUN: kiln-opt %s --kiln-attach-target="triple=aarch64-linux-gnu" --kiln-expand-float-conversions | FileCheck %s --check-prefixes=CHECK,NATIVE
// RUN: kiln-opt %s --kiln-attach-target="cpu=x86-64" --kiln-expand-float-conversions="f16-conversions=native" | FileCheck %s --check-prefixes=CHECK,NATIVE
// RUN: not kiln-opt %s --kiln-expand-float-conversions="f16-conversions=soft" 2>&1 | FileCheck %s --check-prefix=BADOPT
// BADOPT: error: f16-conversions must be target, native or expand, not 'soft'

// f64 -> f16 goes through f32 rounded to odd; the last step stays a native
// truncf with F16C and becomes integer ops without.

// CHECK-LABEL: func.func @f64_to_f16
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: f64
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f64
// CHECK: %[[NEAR:.+]] = arith.truncf %[[X]] : f64 to f32
// CHECK: %[[BACK:.+]] = arith.extf %[[NEAR]] : f32 to f64
// CHECK: %[[INEXACT:.+]] = arith.cmpf one, %[[BACK]], %[[X]] : f64
// CHECK: %[[ABOVE:.+]] = arith.cmpf ogt, %[[BACK]], %[[X]] : f64
// CHECK: %[[NEG:.+]] = arith.cmpf olt, %[[X]], %[[ZERO]] : f64
// CHECK: %[[AWAY:.+]] = arith.xori %[[ABOVE]], %[[NEG]] : i1
// CHECK: %[[OVER:.+]] = arith.andi %[[INEXACT]], %[[AWAY]] : i1
// CHECK: %[[BITS:.+]] = arith.bitcast %[[NEAR]] : f32 to i32
// CHECK: %[[DEC:.+]] = arith.extui %[[OVER]] : i1 to i32
// CHECK: %[[STEPPED:.+]] = arith.subi %[[BITS]], %[[DEC]] : i32
// CHECK: %[[STICKY:.+]] = arith.extui %[[INEXACT]] : i1 to i32
// CHECK: %[[ODDBITS:.+]] = arith.ori %[[STEPPED]], %[[STICKY]] : i32
// CHECK: %[[ODD:.+]] = arith.bitcast %[[ODDBITS]] : i32 to f32
// NATIVE: %[[R:.+]] = arith.truncf %[[ODD]] : f32 to f16
// NATIVE: return %[[R]] : f16
// SOFT-NOT: arith.truncf %[[ODD]]
// SOFT: %[[U:.+]] = arith.bitcast %[[ODD]] : f32 to i32
// SOFT: %[[H:.+]] = arith.bitcast %{{.+}} : i16 to f16
// SOFT: return %[[H]] : f16
func.func @f64_to_f16(%x: f64) -> f16 {
  %0 = arith.truncf %x : f64 to f16
  return %0 : f16
}

// Vectors get splat constants; f32 -> bf16 is always expanded.

// CHECK-LABEL: func.func @f64_to_bf16_vector
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: vector<4xf64>
// CHECK-DAG: %[[C16:.+]] = arith.constant dense<16> : vector<4xi32>
// CHECK-DAG: %[[BIAS:.+]] = arith.constant dense<32767> : vector<4xi32>
// CHECK-DAG: %[[QUIET:.+]] = arith.constant dense<64> : vector<4xi32>
// CHECK: %[[NEAR:.+]] = arith.truncf %[[X]] : vector<4xf64> to vector<4xf32>
// CHECK: %[[ODD:.+]] = arith.bitcast %{{.+}} : vector<4xi32> to vector<4xf32>
// CHECK-NOT: arith.truncf
// CHECK: %[[U:.+]] = arith.bitcast %[[ODD]] : vector<4xf32> to vector<4xi32>
// CHECK: %[[HIGH:.+]] = arith.shrui %[[U]], %[[C16]] : vector<4xi32>
// CHECK: %[[LSB:.+]] = arith.andi %[[HIGH]], %{{.+}} : vector<4xi32>
// CHECK: %[[INC:.+]] = arith.addi %[[LSB]], %[[BIAS]] : vector<4xi32>
// CHECK: %[[SUM:.+]] = arith.addi %[[U]], %[[INC]] : vector<4xi32>
// CHECK: %[[RNE:.+]] = arith.shrui %[[SUM]], %[[C16]] : vector<4xi32>
// CHECK: %[[ISNAN:.+]] = arith.cmpf uno, %[[ODD]], %[[ODD]] : vector<4xf32>
// CHECK: %[[QNAN:.+]] = arith.ori %[[HIGH]], %[[QUIET]] : vector<4xi32>
// CHECK: %[[SEL:.+]] = arith.select %[[ISNAN]], %[[QNAN]], %[[RNE]] : vector<4xi1>, vector<4xi32>
// CHECK: %[[I16:.+]] = arith.trunci %[[SEL]] : vector<4xi32> to vector<4xi16>
// CHECK: %[[R:.+]] = arith.bitcast %[[I16]] : vector<4xi16> to vector<4xbf16>
// CHECK: return %[[R]] : vector<4xbf16>
func.func @f64_to_bf16_vector(%x: vector<4xf64>) -> vector<4xbf16> {
  %0 = arith.truncf %x : vector<4xf64> to vector<4xbf16>
  return %0 : vector<4xbf16>
}

// CHECK-LABEL: func.func @bf16_to_f32
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: bf16
// CHECK-DAG: %[[C16:.+]] = arith.constant 16 : i32
// CHECK: %[[I16:.+]] = arith.bitcast %[[X]] : bf16 to i16
// CHECK: %[[I32:.+]] = arith.extui %[[I16]] : i16 to i32
// CHECK: %[[SHL:.+]] = arith.shli %[[I32]], %[[C16]] : i32
// CHECK: %[[R:.+]] = arith.bitcast %[[SHL]] : i32 to f32
// CHECK: return %[[R]] : f32
func.func @bf16_to_f32(%x: bf16) -> f32 {
  %0 = arith.extf %x : bf16 to f32
  return %0 : f32
}

// CHECK-LABEL: func.func @bf16_to_f64
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: bf16
// CHECK: %[[I16:.+]] = arith.bitcast %[[X]] : bf16 to i16
// CHECK: %[[F32:.+]] = arith.bitcast %{{.+}} : i32 to f32
// CHECK: %[[R:.+]] = arith.extf %[[F32]] : f32 to f64
// CHECK: return %[[R]] : f64
func.func @bf16_to_f64(%x: bf16) -> f64 {
  %0 = arith.extf %x : bf16 to f64
  return %0 : f64
}

// CHECK-LABEL: func.func @f16_to_f64
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: f16
// NATIVE: %[[F32:.+]] = arith.extf %[[X]] : f16 to f32
// SOFT-NOT: arith.extf %[[X]]
// SOFT: %[[I16:.+]] = arith.bitcast %[[X]] : f16 to i16
// SOFT: %[[F32:.+]] = arith.bitcast %{{.+}} : i32 to f32
// CHECK: %[[R:.+]] = arith.extf %[[F32]] : f32 to f64
// CHECK: return %[[R]] : f64
func.func @f16_to_f64(%x: f16) -> f64 {
  %0 = arith.extf %x : f16 to f64
  return %0 : f64
}

// f32 <-> f16 stays native unless f16-conversions=expand.

// CHECK-LABEL: func.func @f32_to_f16
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: vector<8xf32>
// NATIVE: %[[R:.+]] = arith.truncf %[[X]] : vector<8xf32> to vector<8xf16>
// NATIVE: return %[[R]]
// SOFT-DAG: %[[INF:.+]] = arith.constant dense<31744> : vector<8xi32>
// SOFT-DAG: %[[OVERFLOW:.+]] = arith.constant dense<1199566848> : vector<8xi32>
// SOFT-DAG: %[[NORMAL:.+]] = arith.constant dense<947912704> : vector<8xi32>
// SOFT-DAG: %[[FINITE:.+]] = arith.constant dense<2139095040> : vector<8xi32>
// SOFT: %[[U:.+]] = arith.bitcast %[[X]] : vector<8xf32> to vector<8xi32>
// SOFT: %[[ISNAN:.+]] = arith.cmpi ugt, %[[A:.+]], %[[FINITE]] : vector<8xi32>
// SOFT: %[[ISINF:.+]] = arith.cmpi uge, %[[A]], %[[OVERFLOW]] : vector<8xi32>
// SOFT: %[[ISNORMAL:.+]] = arith.cmpi uge, %[[A]], %[[NORMAL]] : vector<8xi32>
// SOFT: %[[S0:.+]] = arith.select %[[ISNORMAL]]
// SOFT: %[[S1:.+]] = arith.select %[[ISINF]], %[[INF]], %[[S0]]
// SOFT: %[[S2:.+]] = arith.select %[[ISNAN]], %{{.+}}, %[[S1]]
// SOFT: %[[I16:.+]] = arith.trunci %{{.+}} : vector<8xi32> to vector<8xi16>
// SOFT: %[[R:.+]] = arith.bitcast %[[I16]] : vector<8xi16> to vector<8xf16>
// SOFT: return %[[R]]
func.func @f32_to_f16(%x: vector<8xf32>) -> vector<8xf16> {
  %0 = arith.truncf %x : vector<8xf32> to vector<8xf16>
  return %0 : vector<8xf16>
}

// CHECK-LABEL: func.func @f16_to_f32
// CHECK-SAME: %[[X:[a-zA-Z0-9]+]]: f16
// NATIVE: %[[R:.+]] = arith.extf %[[X]] : f16 to f32
// NATIVE: return %[[R]]
// SOFT-DAG: %[[SCALE:.+]] = arith.constant 5.96046448E-8 : f32
// SOFT: %[[I16:.+]] = arith.bitcast %[[X]] : f16 to i16
// SOFT: %[[M:.+]] = arith.sitofp %{{.+}} : i32 to f32
// SOFT: %[[SUB:.+]] = arith.mulf %[[M]], %[[SCALE]] : f32
// SOFT: %[[R:.+]] = arith.bitcast %{{.+}} : i32 to f32
// SOFT: return %[[R]]
func.func @f16_to_f32(%x: f16) -> f32 {
  %0 = arith.extf %x : f16 to f32
  return %0 : f32
}

// Conversions the target has, or with another rounding mode, stay.

// CHECK-LABEL: func.func @untouched
// CHECK-SAME: %[[D:[a-zA-Z0-9]+]]: f64, %[[F:[a-zA-Z0-9]+]]: f32
// CHECK: %[[A:.+]] = arith.truncf %[[D]] : f64 to f32
// CHECK: %[[B:.+]] = arith.extf %[[F]] : f32 to f64
// CHECK: %[[C:.+]] = arith.truncf %[[F]] toward_zero : f32 to bf16
// CHECK: %[[E:.+]] = arith.truncf %[[D]] upward : f64 to f16
// CHECK: return %[[A]], %[[B]], %[[C]], %[[E]]
func.func @untouched(%d: f64, %f: f32) -> (f32, f64, bf16, f16) {
  %a = arith.truncf %d : f64 to f32
  %b = arith.extf %f : f32 to f64
  %c = arith.truncf %f toward_zero : f32 to bf16
  %e = arith.truncf %d upward : f64 to f16
  return %a, %b, %c, %e : f32, f64, bf16, f16
}
