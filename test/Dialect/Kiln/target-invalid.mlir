// RUN: kiln-opt %s --split-input-file --verify-diagnostics

// expected-error @+1 {{#kiln.target vector_bits must be a power of two >= 64, got 96}}
module attributes {kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver3", features = "", vector_bits = 96, vector_registers = 16>} {
}

// -----

// expected-error @+1 {{#kiln.target vector_registers must be positive, got 0}}
module attributes {kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver3", features = "", vector_bits = 256, vector_registers = 0>} {
}

// -----

// expected-error @+1 {{#kiln.target l2_cache must be positive, got -1}}
module attributes {kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver3", features = "", vector_bits = 256, vector_registers = 16, l2_cache = -1>} {
}

// -----

// expected-error @+1 {{#kiln.target needs a triple}}
module attributes {kiln.target = #kiln.target<triple = "", cpu = "znver3", features = "", vector_bits = 256, vector_registers = 16>} {
}

// -----

// expected-error @+1 {{'kiln.target' must be a #kiln.target, got "znver3"}}
module attributes {kiln.target = "znver3"} {
}

// -----

module {
  // expected-error @+1 {{'kiln.target' belongs on a builtin.module}}
  func.func @f() attributes {kiln.target = #kiln.target<triple = "x86_64-unknown-linux-gnu", cpu = "znver3", features = "", vector_bits = 256, vector_registers = 16>} {
    return
  }
}
