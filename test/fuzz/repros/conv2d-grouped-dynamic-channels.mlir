// kiln-smith repro (bug 'conv2d_grouped_dynamic_channels', fixed by 28364ff): grouped NHWC conv2d (groups 17, 34 filters) of a tensor<1x1x1x?xf32>.
// Seen: compilation failed in the linalg stage (no diagnostic).
// Inputs and the numpy reference's outputs: conv2d-grouped-dynamic-channels.npz; run conv2d-grouped-dynamic-channels.py.
func.func @model(%a0: tensor<1x1x1x?xf32>) -> (tensor<1x1x1x34xf32>) {
  %v0 = kiln.neg %a0 : (tensor<1x1x1x?xf32>) -> tensor<1x1x1x?xf32>
  %v1 = kiln.constant dense<"0x014C83BEED69043E53530FBE576DC8BDEC14003D4DD3683D133E5E3E62B13ABDC8F2AE3D2221A0BC229DAEBC98CF103DC60ECA3DD50F82BEAB7E6D3E9DF22FBEBD8C04BE013F773E718015BEF0C97B3EA0F69F3E1CCA6EBE933643BED30F563E54DB74BE4FE0F3BDEEDE8F3E2C42E23D1729A1BEE54732BE661C9A3D808395BE292D1D3E2550FFBB"> : tensor<1x1x1x34xf32>
  %v2 = kiln.constant dense<"0x52EA403F0CEF5D3FC83A1F3FB0BA483FC429083FA4D5ABBDC0A298BE3BFC2E3F82D957BF2B4B27BE981ADABE43A6C0BE0382073F4F39C9BE98EFEEBEBB9079BF416C213FB609773FA5CCA2BDA43317BF21EEB6BE77A2623FFE5A65BF23CA083E360429BEFD1DB2BE925DA53E48496E3FEA69EDBE437F6D3F1C48F53E3E85C2BE307904BFC6D7363F"> : tensor<34xf32>
  %v3 = kiln.conv2d %v0, %v1, %v2 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 17 : i64, layout = #kiln.layout<nhwc>} : (tensor<1x1x1x?xf32>, tensor<1x1x1x34xf32>, tensor<34xf32>) -> tensor<1x1x1x34xf32>
  return %v3 : tensor<1x1x1x34xf32>
}
