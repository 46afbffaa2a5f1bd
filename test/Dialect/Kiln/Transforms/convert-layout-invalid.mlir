// RUN: kiln-opt %s --kiln-convert-layout=layout=nchwc --verify-diagnostics

// expected-error @+1 {{kiln-convert-layout: layout must be nhwc, nchw or auto, not 'nchwc'}}
module {
  func.func @f(%x: tensor<1x4x3x3xf32>, %w: tensor<4x4x1x1xf32>) -> tensor<1x4x3x3xf32> {
    %a = kiln.conv2d %x, %w : (tensor<1x4x3x3xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x3x3xf32>
    return %a : tensor<1x4x3x3xf32>
  }
}
