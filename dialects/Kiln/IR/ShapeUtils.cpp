//===- ShapeUtils.cpp - Shape arithmetic for Kiln ops ---------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Kiln/IR/ShapeUtils.h"

#include "llvm/Support/raw_ostream.h"
#include <algorithm>

using namespace mlir::kiln::shape;
using llvm::ArrayRef;
using llvm::SmallVector;

std::string mlir::kiln::shape::formatShape(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(
      shape, os,
      [&](int64_t d) {
        if (isDynamic(d))
          os << '?';
        else
          os << d;
      },
      "x");
  return s;
}

std::optional<SmallVector<int64_t>>
mlir::kiln::shape::broadcastShapes(ArrayRef<int64_t> lhs,
                                   ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align from the trailing dim; missing leading dims act as 1.
    int64_t a = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t b = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (a == 1) {
      result[i] = b;
    } else if (b == 1) {
      result[i] = a;
    } else if (isDynamic(a)) {
      result[i] = b;
    } else if (isDynamic(b) || a == b) {
      result[i] = a;
    } else {
      return std::nullopt;
    }
  }
  return result;
}

std::optional<int64_t> mlir::kiln::shape::normalizeAxis(int64_t axis,
                                                        int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

int64_t mlir::kiln::shape::windowOutputSize(int64_t input, int64_t kernel,
                                            int64_t stride, int64_t dilation,
                                            int64_t padBefore,
                                            int64_t padAfter, bool ceilMode) {
  if (isDynamic(input) || isDynamic(kernel))
    return kDynamic;
  int64_t span = input + padBefore + padAfter - dilation * (kernel - 1) - 1;
  if (span < 0)
    return 0;
  int64_t out = span / stride + 1;
  if (ceilMode) {
    out = (span + stride - 1) / stride + 1;
    // The last window must start inside the input or the leading padding.
    if ((out - 1) * stride >= input + padBefore)
      --out;
  }
  return out;
}

std::optional<SmallVector<int64_t>>
mlir::kiln::shape::inferReshape(ArrayRef<int64_t> input,
                                ArrayRef<int64_t> spec, std::string &error) {
  llvm::raw_string_ostream err(error);
  SmallVector<int64_t> result;
  std::optional<size_t> inferredIndex;
  bool knownProductDynamic = false;
  int64_t knownProduct = 1;
  for (auto [i, specEntry] : llvm::enumerate(spec)) {
    int64_t entry = specEntry;
    if (entry == -1) {
      if (inferredIndex) {
        err << "shape has more than one -1 entry (at " << *inferredIndex
            << " and " << i << ")";
        return std::nullopt;
      }
      inferredIndex = i;
      result.push_back(kDynamic);
      continue;
    }
    if (entry == 0) {
      if (i >= input.size()) {
        err << "shape entry " << i
            << " is 0 (copy the input dim) but the input has rank "
            << input.size();
        return std::nullopt;
      }
      entry = input[i];
    } else if (entry < 0) {
      err << "shape entry " << i << " is " << entry
          << "; entries must be positive, 0 (copy) or -1 (infer)";
      return std::nullopt;
    }
    result.push_back(entry);
    if (isDynamic(entry))
      knownProductDynamic = true;
    else
      knownProduct *= entry;
  }

  std::optional<int64_t> inputCount = staticElementCount(input);
  // Dynamic input dims copied by `0` entries cancel out: the -1 entry is then
  // the product of the input's static dims over the other static entries.
  if (inferredIndex && !inputCount) {
    bool allDynamicCopied = true;
    int64_t staticInput = 1, staticOther = 1;
    for (auto [i, d] : llvm::enumerate(input)) {
      bool copied = i < spec.size() && spec[i] == 0;
      if (isDynamic(d))
        allDynamicCopied &= copied;
      else if (!copied)
        staticInput *= d;
    }
    for (auto [i, e] : llvm::enumerate(spec))
      if (e > 0)
        staticOther *= e;
    if (allDynamicCopied && staticOther > 0 &&
        staticInput % staticOther == 0)
      result[*inferredIndex] = staticInput / staticOther;
  }
  if (inferredIndex) {
    if (inputCount && !knownProductDynamic) {
      if (knownProduct == 0 || *inputCount % knownProduct != 0) {
        err << "cannot infer the -1 entry: " << *inputCount
            << " elements do not divide into the other dims (product "
            << knownProduct << ")";
        return std::nullopt;
      }
      result[*inferredIndex] = *inputCount / knownProduct;
    }
  } else if (inputCount && !knownProductDynamic && *inputCount != knownProduct) {
    err << "input has " << *inputCount << " elements but shape "
        << formatShape(result) << " has " << knownProduct;
    return std::nullopt;
  }
  return result;
}

int64_t mlir::kiln::shape::clampSliceBound(int64_t dim, int64_t bound) {
  if (bound < 0)
    bound += dim;
  return std::clamp<int64_t>(bound, 0, dim);
}

int64_t mlir::kiln::shape::sliceSize(int64_t dim, int64_t start, int64_t end,
                                     int64_t step) {
  if (isDynamic(dim))
    return kDynamic;
  int64_t s = clampSliceBound(dim, start), e = clampSliceBound(dim, end);
  if (e <= s)
    return 0;
  return (e - s + step - 1) / step;
}

std::optional<int64_t>
mlir::kiln::shape::staticElementCount(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (isDynamic(d))
      return std::nullopt;
    n *= d;
  }
  return n;
}
