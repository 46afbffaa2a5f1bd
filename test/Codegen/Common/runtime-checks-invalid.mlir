// RUN: kiln-opt %s --kiln-runtime-checks --split-input-file --verify-diagnostics

// expected-error @below {{kiln-runtime-checks: expects a single-block function (structured control flow), found 2 blocks}}
func.func @branches(%ok: i1) {
  cf.br ^bb1
^bb1:
  return
}

// -----

// expected-error @below {{kiln-runtime-checks: a public function that is called inside the module cannot get a status result}}
func.func @callee() {
  return
}
func.func private @caller() {
  func.call @callee() : () -> ()
  return
}
