//===- ElementsUtils.cpp - Reading and writing frozen weights -------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Kiln/IR/ElementsUtils.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

template <typename T>
static std::optional<SmallVector<double>> readResource(ElementsAttr attr) {
  auto resource = dyn_cast<detail::DenseResourceElementsAttrBase<T>>(attr);
  if (!resource)
    return std::nullopt;
  std::optional<ArrayRef<T>> data = resource.tryGetAsArrayRef();
  if (!data || static_cast<int64_t>(data->size()) != attr.getNumElements())
    return std::nullopt;
  return SmallVector<double>(data->begin(), data->end());
}

std::optional<SmallVector<double>>
mlir::kiln::readFloatElements(ElementsAttr attr) {
  if (!isa<FloatType>(attr.getElementType()))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    SmallVector<double> values;
    values.reserve(dense.getNumElements());
    for (const APFloat &v : dense.getValues<APFloat>())
      values.push_back(v.convertToDouble());
    return values;
  }
  if (auto values = readResource<float>(attr))
    return values;
  return readResource<double>(attr);
}

template <typename T>
static ElementsAttr makeResource(RankedTensorType type, ArrayRef<double> values,
                                 StringRef blobName) {
  SmallVector<T> data(values.begin(), values.end());
  Attribute attr = detail::DenseResourceElementsAttrBase<T>::get(
      type, blobName,
      HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<T>(data)));
  return cast<ElementsAttr>(attr);
}

ElementsAttr mlir::kiln::makeFloatElements(RankedTensorType type,
                                           ArrayRef<double> values,
                                           StringRef blobName) {
  Type elementType = type.getElementType();
  bool large = type.getNumElements() > kResourceElementThreshold;
  if (large && elementType.isF32())
    return makeResource<float>(type, values, blobName);
  if (large && elementType.isF64())
    return makeResource<double>(type, values, blobName);
  const llvm::fltSemantics &sem =
      cast<FloatType>(elementType).getFloatSemantics();
  SmallVector<APFloat> elements;
  elements.reserve(values.size());
  for (double v : values) {
    APFloat f(v);
    bool lost = false;
    f.convert(sem, APFloat::rmNearestTiesToEven, &lost);
    elements.push_back(f);
  }
  return DenseElementsAttr::get(type, elements);
}

std::optional<int64_t> mlir::kiln::getRawDataBytes(ShapedType type) {
  Type element = type.getElementType();
  if (!type.hasStaticShape() || !element.isIntOrFloat() ||
      element.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  return type.getNumElements() * (element.getIntOrFloatBitWidth() / 8);
}

std::optional<ArrayRef<char>> mlir::kiln::getRawElementBytes(ElementsAttr attr) {
  std::optional<int64_t> bytes = getRawDataBytes(attr.getShapedType());
  if (!bytes)
    return std::nullopt;
  auto expected = static_cast<size_t>(*bytes);
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (dense.isSplat())
      return std::nullopt;
    ArrayRef<char> raw = dense.getRawData();
    return raw.size() == expected ? std::optional(raw) : std::nullopt;
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != expected)
      return std::nullopt;
    return blob->getData();
  }
  return std::nullopt;
}

ElementsAttr mlir::kiln::makeElementsFromBytes(RankedTensorType type,
                                               ArrayRef<char> bytes,
                                               StringRef blobName) {
  if (type.getNumElements() <= kResourceElementThreshold)
    return DenseElementsAttr::getFromRawBuffer(type, bytes);
  // 64-byte alignment lets the object's loads of packed weights be aligned.
  return DenseResourceElementsAttr::get(
      type, blobName, HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, 64));
}
