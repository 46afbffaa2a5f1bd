//===- Origins.cpp - Which kiln ops a lowered op came from ----------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Kiln/IR/Origins.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::kiln;

static bool isOriginMark(FusedLoc loc) {
  auto name = dyn_cast_or_null<StringAttr>(loc.getMetadata());
  return name && name.getValue().starts_with("kiln.");
}

Location mlir::kiln::markOrigin(Operation *op) {
  Location loc = op->getLoc();
  if (auto fused = dyn_cast<FusedLoc>(loc); fused && isOriginMark(fused))
    return loc;
  MLIRContext *ctx = op->getContext();
  return FusedLoc::get(ctx, {loc},
                       StringAttr::get(ctx, op->getName().getStringRef()));
}

/// The place a location names, without the marks: a NameLoc's name, else
/// the file:line:col, else nothing.
static void describePlace(Location loc, llvm::raw_ostream &os) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    os << name.getName().getValue();
    return;
  }
  if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    os << file.getFilename().getValue() << ":" << file.getLine() << ":"
       << file.getColumn();
    return;
  }
  if (auto fused = dyn_cast<FusedLoc>(loc); fused && !fused.getLocations().empty())
    describePlace(fused.getLocations().front(), os);
  else if (auto callSite = dyn_cast<CallSiteLoc>(loc))
    describePlace(callSite.getCallee(), os);
}

std::string Origin::describe() const {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << opName;
  std::string place;
  llvm::raw_string_ostream placeOs(place);
  describePlace(loc, placeOs);
  if (!place.empty())
    os << " (" << place << ")";
  return s;
}

static void collect(Location loc, SmallVectorImpl<Origin> &origins) {
  auto fused = dyn_cast<FusedLoc>(loc);
  if (!fused)
    return;
  if (isOriginMark(fused)) {
    Origin origin{cast<StringAttr>(fused.getMetadata()).getValue(), loc};
    if (llvm::none_of(origins,
                      [&](const Origin &o) { return o.loc == origin.loc; }))
      origins.push_back(origin);
    return;
  }
  for (Location inner : fused.getLocations())
    collect(inner, origins);
}

SmallVector<Origin> mlir::kiln::getOrigins(Location loc) {
  SmallVector<Origin> origins;
  collect(loc, origins);
  return origins;
}
