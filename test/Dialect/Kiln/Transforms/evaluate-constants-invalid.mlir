// RUN: kiln-opt %s --kiln-evaluate-constants --split-input-file --verify-diagnostics | FileCheck %s

// A constant subgraph that fails when run (an index out of range) is left
// to run time, with a warning that says why and where; the other subgraphs
// are still computed (each is tried alone once the whole batch failed).
// CHECK-LABEL: func.func @out_of_range
// CHECK: %[[G:.+]] = kiln.gather
// CHECK: %[[N:.+]] = kiln.constant dense<[-1.000000e+00, -2.000000e+00]>
// CHECK: kiln.add %{{.+}}, %[[G]]
// CHECK: kiln.mul %{{.+}}, %[[N]]
func.func @out_of_range(%x: tensor<2xf32>) -> tensor<2xf32> {
  %t = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %i = kiln.constant dense<[0, 7]> : tensor<2xi64>
  // expected-warning-re @+1 {{constants left to run time: kiln_constants: {{.*}}:15:8: an index is out of range for dim 0 of the gathered tensor}}
  %g = kiln.gather %t, %i : (tensor<3xf32>, tensor<2xi64>) -> tensor<2xf32>
  %c = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %n = kiln.neg %c : (tensor<2xf32>) -> tensor<2xf32>
  %0 = kiln.add %x, %g : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %1 = kiln.mul %0, %n : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %1 : tensor<2xf32>
}
