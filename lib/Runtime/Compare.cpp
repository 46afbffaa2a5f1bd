//===- Compare.cpp - Comparing host arrays with tolerances ----------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "kiln/Runtime/Compare.h"

#include "llvm/Support/raw_ostream.h"
#include <cmath>
#include <cstring>

using namespace mlir::kiln;

template <typename T> static double load(const char *p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return static_cast<double>(v);
}

double mlir::kiln::elementAsDouble(const HostArray &a, int64_t i) {
  const char *p = a.data.data() + i * HostArray::elementBytes(a.elementType);
  llvm::StringRef t = a.elementType;
  if (t == "f32")
    return load<float>(p);
  if (t == "f64")
    return load<double>(p);
  if (t == "i64")
    return load<int64_t>(p);
  if (t == "i32")
    return load<int32_t>(p);
  if (t == "i16")
    return load<int16_t>(p);
  if (t == "i8")
    return load<int8_t>(p);
  if (t == "u64")
    return static_cast<double>(load<uint64_t>(p));
  if (t == "u32")
    return load<uint32_t>(p);
  if (t == "u16")
    return load<uint16_t>(p);
  return load<uint8_t>(p); // u8, i1
}

std::string mlir::kiln::compareArrays(const HostArray &got,
                                      const HostArray &want, double rtol,
                                      double atol, llvm::StringRef name) {
  if (got.shape != want.shape)
    return (name + ": shape differs from the expected array").str();
  int64_t bad = 0, worst = -1;
  double maxErr = 0;
  for (int64_t i = 0, n = got.numElements(); i < n; ++i) {
    double g = elementAsDouble(got, i), w = elementAsDouble(want, i);
    double err = std::fabs(g - w);
    bool ok = err <= atol + rtol * std::fabs(w) ||
              (std::isnan(g) && std::isnan(w)) || g == w;
    if (!ok) {
      ++bad;
      if (worst < 0 || err > maxErr || std::isnan(err)) {
        maxErr = err;
        worst = i;
      }
    }
  }
  if (!bad)
    return "";
  std::string s;
  llvm::raw_string_ostream os(s);
  os << name << ": " << bad << " of " << got.numElements()
     << " elements differ; worst at flat index " << worst << ": got "
     << elementAsDouble(got, worst) << ", expected "
     << elementAsDouble(want, worst) << " (rtol " << rtol << ", atol " << atol
     << ")";
  return s;
}
