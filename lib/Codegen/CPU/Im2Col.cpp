//===- Im2Col.cpp - Convolutions as im2col and a matmul -------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Regular f32 2-D convolutions become a gather of the input windows into a
// column matrix and one plain linalg.matmul, which kiln-cpu-select-strategy
// then gives the packed-GEMM strategy. The layouts are chosen so that the
// filter needs no transpose, only a reshape (folded for frozen weights):
//
//   NCHW:  out[F, N*OH*OW] = filter[F, C*KH*KW] x col[C*KH*KW, N*OH*OW]
//   NHWC:  out[N*OH*OW, F] = col[N*OH*OW, KH*KW*C] x filter[KH*KW*C, F]
//
// NHWC's result already has the output's layout. NCHW's has it when the
// batch is statically 1; otherwise one transposing add of the original
// accumulator brings the batch back outside the channels.
//
//===----------------------------------------------------------------------===//

#include "kiln/Codegen/CPU/Passes.h"

#include "Kiln/IR/ElementsUtils.h"
#include "Kiln/IR/KilnOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUIM2COLPASS
#include "kiln/Codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {
/// The geometry of a conv_2d_nchw_fchw or conv_2d_nhwc_hwcf.
struct ConvGeometry {
  int64_t c, f, kh, kw, h, w, oh, ow;
  int64_t strides[2], dilations[2];

  int64_t k() const { return c * kh * kw; }
  /// A 1x1 window at stride 1: every input pixel is one row (NHWC) or
  /// column (NCHW) of the column matrix, so no gather is needed.
  bool isPointwise() const {
    return kh == 1 && kw == 1 && strides[0] == 1 && strides[1] == 1 &&
           oh == h && ow == w;
  }
};
} // namespace

/// The operands of a convolution that im2col can rewrite: on tensors, not
/// tiled into loops by a user schedule (--kiln-schedule, which replaces the
/// built-in strategy), and all ranked f32.
struct ConvOperands {
  Value input, filter, init;
  RankedTensorType inType, filterType, outType;
};

static FailureOr<ConvOperands> matchConvOperands(RewriterBase &rewriter,
                                                 linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics())
    return rewriter.notifyMatchFailure(op, "not on tensors");
  if (isInScheduleLoop(op))
    return rewriter.notifyMatchFailure(op, "transformed by a schedule");
  ConvOperands c;
  c.input = op.getDpsInputOperand(0)->get();
  c.filter = op.getDpsInputOperand(1)->get();
  c.init = op.getDpsInitOperand(0)->get();
  c.inType = dyn_cast<RankedTensorType>(c.input.getType());
  c.filterType = dyn_cast<RankedTensorType>(c.filter.getType());
  c.outType = dyn_cast<RankedTensorType>(c.init.getType());
  if (!c.inType || !c.filterType || !c.outType)
    return rewriter.notifyMatchFailure(op, "unranked operands");
  if (!llvm::all_of(TypeRange{c.inType, c.filterType, c.outType},
                    [](Type t) { return getElementTypeOrSelf(t).isF32(); }))
    return rewriter.notifyMatchFailure(op, "not f32");
  // Canonicalization can make the output's batch static (from a consumer)
  // while the input's stays dynamic; the rewrites derive one from the
  // other, so both must agree. The generic convolution handles the rest.
  if (c.inType.isDynamicDim(0) != c.outType.isDynamicDim(0))
    return rewriter.notifyMatchFailure(op, "batch static in only one of the "
                                           "input and the output");
  return c;
}

/// The rows (or columns) of input that `out` windows of `k` taps read.
static int64_t windowExtent(int64_t out, int64_t k, int64_t stride,
                            int64_t dilation) {
  return (out - 1) * stride + (k - 1) * dilation + 1;
}

/// `image` (4-D, spatial dims `hDim` and `hDim + 1`) cut to `needH x needW`
/// where the windows read less of it. Rows and columns past the last window
/// (the bottom and right padding of a strided convolution) must go: the
/// gather's input map must cover its input exactly, or dropping a unit
/// output dim later leaves a map whose bare window dim no longer matches
/// the input's extent.
static Value cropToWindows(RewriterBase &rewriter, Location loc, Value image,
                           int64_t hDim, int64_t needH, int64_t needW) {
  auto type = cast<RankedTensorType>(image.getType());
  if (needH >= type.getDimSize(hDim) && needW >= type.getDimSize(hDim + 1))
    return image;
  SmallVector<OpFoldResult> offsets(4, rewriter.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, image);
  SmallVector<OpFoldResult> steps(4, rewriter.getIndexAttr(1));
  sizes[hDim] = rewriter.getIndexAttr(needH);
  sizes[hDim + 1] = rewriter.getIndexAttr(needW);
  return tensor::ExtractSliceOp::create(rewriter, loc, image, offsets, sizes,
                                        steps);
}

/// A copy of `image` into a new 6-D tensor of `shape` (dynamic dims from
/// `dynamicSizes`) whose input map does the window arithmetic, so the loops
/// it lowers to have affine addresses and no per-element index math.
static Value gatherWindows(RewriterBase &rewriter, Location loc, Value image,
                           ArrayRef<int64_t> shape, AffineMap imageMap,
                           ValueRange dynamicSizes) {
  MLIRContext *ctx = rewriter.getContext();
  Value empty = tensor::EmptyOp::create(rewriter, loc, shape,
                                        rewriter.getF32Type(), dynamicSizes);
  return linalg::GenericOp::create(
             rewriter, loc, TypeRange{empty.getType()}, ValueRange{image},
             ValueRange{empty},
             ArrayRef<AffineMap>{imageMap,
                                 AffineMap::getMultiDimIdentityMap(6, ctx)},
             SmallVector<utils::IteratorType>(6,
                                              utils::IteratorType::parallel),
             [](OpBuilder &b, Location l, ValueRange args) {
               linalg::YieldOp::create(b, l, args[0]);
             })
      .getResult(0);
}

/// Rewrites one convolution; `op` is a conv_2d_nchw_fchw (`nchw`) or a
/// conv_2d_nhwc_hwcf.
static LogicalResult rewriteConv(PatternRewriter &rewriter, linalg::LinalgOp op,
                                 bool nchw, DenseIntElementsAttr strides,
                                 DenseIntElementsAttr dilations) {
  FailureOr<ConvOperands> operands = matchConvOperands(rewriter, op);
  if (failed(operands))
    return failure();
  auto [input, filter, init, inType, filterType, outType] = *operands;
  // Only the batch may be dynamic: the column matrix and the window
  // arithmetic are static.
  if (!filterType.hasStaticShape() ||
      llvm::any_of(inType.getShape().drop_front(), ShapedType::isDynamic) ||
      llvm::any_of(outType.getShape().drop_front(), ShapedType::isDynamic))
    return rewriter.notifyMatchFailure(op, "dynamic non-batch dims");

  ConvGeometry g;
  ArrayRef<int64_t> in = inType.getShape(), fs = filterType.getShape(),
                    out = outType.getShape();
  if (nchw) {
    g.c = in[1], g.h = in[2], g.w = in[3];
    g.f = fs[0], g.kh = fs[2], g.kw = fs[3];
    g.oh = out[2], g.ow = out[3];
  } else {
    g.h = in[1], g.w = in[2], g.c = in[3];
    g.kh = fs[0], g.kw = fs[1], g.f = fs[3];
    g.oh = out[1], g.ow = out[2];
  }
  for (int i = 0; i < 2; ++i) {
    g.strides[i] = strides.getValues<int64_t>()[i];
    g.dilations[i] = dilations.getValues<int64_t>()[i];
  }
  int64_t batch = in[0];
  bool batchOne = batch == 1;

  Location loc = op.getLoc();
  int64_t needH = windowExtent(g.oh, g.kh, g.strides[0], g.dilations[0]);
  int64_t needW = windowExtent(g.ow, g.kw, g.strides[1], g.dilations[1]);
  input = cropToWindows(rewriter, loc, input, nchw ? 2 : 1, needH, needW);
  g.h = std::min(g.h, needH);
  g.w = std::min(g.w, needW);
  MLIRContext *ctx = rewriter.getContext();
  Type f32 = rewriter.getF32Type();
  int64_t dynOrN = ShapedType::isDynamic(batch) ? ShapedType::kDynamic : batch;
  // N * OH * OW, the matmul's pixel dim.
  int64_t pixels =
      ShapedType::isDynamic(batch) ? ShapedType::kDynamic : batch * g.oh * g.ow;
  SmallVector<Value> dynBatch;
  if (ShapedType::isDynamic(batch))
    dynBatch.push_back(tensor::DimOp::create(rewriter, loc, input, 0));

  // The filter as a matrix: a reshape, which folds for frozen weights.
  Value filterMatrix =
      nchw ? tensor::CollapseShapeOp::create(
                 rewriter, loc, RankedTensorType::get({g.f, g.k()}, f32),
                 filter, ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}})
           : tensor::CollapseShapeOp::create(
                 rewriter, loc, RankedTensorType::get({g.k(), g.f}, f32),
                 filter, ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});

  // The column matrix: NCHW [C*KH*KW, N*OH*OW], NHWC [N*OH*OW, KH*KW*C].
  Value columns;
  if (g.isPointwise() && (!nchw || batchOne)) {
    columns =
        nchw ? tensor::CollapseShapeOp::create(
                   rewriter, loc, RankedTensorType::get({g.c, pixels}, f32),
                   input, ArrayRef<ReassociationIndices>{{0, 1}, {2, 3}})
             : tensor::CollapseShapeOp::create(
                   rewriter, loc, RankedTensorType::get({pixels, g.c}, f32),
                   input, ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
  } else {
    // The innermost loop of the gather runs along the input's rows (NCHW:
    // output columns at the stride) or channels (NHWC: contiguous).
    AffineExpr d0, d1, d2, d3, d4, d5;
    bindDims(ctx, d0, d1, d2, d3, d4, d5);
    SmallVector<int64_t> shape;
    AffineMap inputMap;
    if (nchw) {
      // (c, kh, kw, n, oh, ow) -> input[n, c, oh*sh + kh*dh, ow*sw + kw*dw]
      shape = {g.c, g.kh, g.kw, dynOrN, g.oh, g.ow};
      inputMap =
          AffineMap::get(6, 0,
                         {d3, d0, d4 * g.strides[0] + d1 * g.dilations[0],
                          d5 * g.strides[1] + d2 * g.dilations[1]},
                         ctx);
    } else {
      // (n, oh, ow, kh, kw, c) -> input[n, oh*sh + kh*dh, ow*sw + kw*dw, c]
      shape = {dynOrN, g.oh, g.ow, g.kh, g.kw, g.c};
      inputMap = AffineMap::get(6, 0,
                                {d0, d1 * g.strides[0] + d3 * g.dilations[0],
                                 d2 * g.strides[1] + d4 * g.dilations[1], d5},
                                ctx);
    }
    Value gathered =
        gatherWindows(rewriter, loc, input, shape, inputMap, dynBatch);
    auto columnsType = nchw ? RankedTensorType::get({g.k(), pixels}, f32)
                            : RankedTensorType::get({pixels, g.k()}, f32);
    columns = tensor::CollapseShapeOp::create(
        rewriter, loc, columnsType, gathered,
        ArrayRef<ReassociationIndices>{{0, 1, 2}, {3, 4, 5}});
  }

  Value result;
  if (!nchw || batchOne) {
    // The accumulator and the result are the output, reshaped.
    SmallVector<ReassociationIndices> reassoc =
        nchw ? SmallVector<ReassociationIndices>{{0, 1}, {2, 3}}
             : SmallVector<ReassociationIndices>{{0, 1, 2}, {3}};
    auto accType = nchw ? RankedTensorType::get({g.f, g.oh * g.ow}, f32)
                        : RankedTensorType::get({pixels, g.f}, f32);
    Value acc =
        tensor::CollapseShapeOp::create(rewriter, loc, accType, init, reassoc);
    Value lhs = nchw ? filterMatrix : columns;
    Value rhs = nchw ? columns : filterMatrix;
    Value product =
        linalg::MatmulOp::create(rewriter, loc, TypeRange{accType},
                                 ValueRange{lhs, rhs}, ValueRange{acc})
            .getResult(0);
    result = tensor::ExpandShapeOp::create(
        rewriter, loc, outType, product, reassoc,
        tensor::getMixedSizes(rewriter, loc, init));
  } else {
    // NCHW with a batch: the product is [F][N][OH][OW]; accumulate from
    // zero and add it to the original accumulator while transposing.
    SmallVector<int64_t> productShape = {g.f, dynOrN, g.oh, g.ow};
    SmallVector<ReassociationIndices> reassoc = {{0}, {1, 2, 3}};
    auto productType = RankedTensorType::get({g.f, pixels}, f32);
    Value zero = arith::ConstantOp::create(rewriter, loc,
                                           rewriter.getF32FloatAttr(0.0f));
    Value empty =
        tensor::EmptyOp::create(rewriter, loc, productShape, f32, dynBatch);
    Value filled =
        linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);
    Value acc = tensor::CollapseShapeOp::create(rewriter, loc, productType,
                                                filled, reassoc);
    Value product = linalg::MatmulOp::create(
                        rewriter, loc, TypeRange{productType},
                        ValueRange{filterMatrix, columns}, ValueRange{acc})
                        .getResult(0);
    Value product4 = tensor::ExpandShapeOp::create(
        rewriter, loc, empty.getType(), product, reassoc,
        tensor::getMixedSizes(rewriter, loc, empty));
    AffineExpr n, f, y, x;
    bindDims(ctx, n, f, y, x);
    SmallVector<AffineMap> maps = {AffineMap::get(4, 0, {f, n, y, x}, ctx),
                                   AffineMap::getMultiDimIdentityMap(4, ctx)};
    SmallVector<utils::IteratorType> iterators(4,
                                               utils::IteratorType::parallel);
    result =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{outType}, ValueRange{product4},
            ValueRange{init}, maps, iterators,
            [](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(
                  b, l,
                  arith::AddFOp::create(b, l, args[1], args[0]).getResult());
            })
            .getResult(0);
  }
  rewriter.replaceOp(op, result);
  return success();
}

/// A grouped NCHW convolution at batch 1 (`linalg.conv_2d_ngchw_gfchw`:
/// input [1, G, C, H, W], filter [G, F, C, KH, KW]) as one batch_matmul over
/// the groups: [G, F, C*KH*KW] x [G, C*KH*KW, OH*OW] -> [G, F, OH*OW], which
/// the packed-GEMM strategy takes with the group as its batch dim.
static LogicalResult rewriteGroupedConv(RewriterBase &rewriter,
                                        linalg::Conv2DNgchwGfchwOp op) {
  FailureOr<ConvOperands> operands =
      matchConvOperands(rewriter, cast<linalg::LinalgOp>(op.getOperation()));
  if (failed(operands))
    return failure();
  auto [input, filter, init, inType, filterType, outType] = *operands;
  if (!inType.hasStaticShape() || !filterType.hasStaticShape() ||
      !outType.hasStaticShape() || inType.getDimSize(0) != 1)
    return rewriter.notifyMatchFailure(op, "not static at batch 1");
  ArrayRef<int64_t> in = inType.getShape(), fs = filterType.getShape(),
                    out = outType.getShape();
  int64_t groups = in[1], c = in[2], f = fs[1], kh = fs[3], kw = fs[4];
  int64_t oh = out[3], ow = out[4];
  int64_t sh = op.getStrides().getValues<int64_t>()[0];
  int64_t sw = op.getStrides().getValues<int64_t>()[1];
  int64_t dh = op.getDilations().getValues<int64_t>()[0];
  int64_t dw = op.getDilations().getValues<int64_t>()[1];
  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  Type f32 = rewriter.getF32Type();

  // The input without its batch, cut to the extent the windows read.
  Value image = tensor::CollapseShapeOp::create(
      rewriter, loc, RankedTensorType::get({groups, c, in[3], in[4]}, f32),
      input, ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
  image = cropToWindows(rewriter, loc, image, /*hDim=*/2,
                        windowExtent(oh, kh, sh, dh),
                        windowExtent(ow, kw, sw, dw));

  // (g, c, kh, kw, oh, ow) -> image[g, c, oh*sh + kh*dh, ow*sw + kw*dw]
  AffineExpr d0, d1, d2, d3, d4, d5;
  bindDims(ctx, d0, d1, d2, d3, d4, d5);
  AffineMap gather = AffineMap::get(
      6, 0, {d0, d1, d4 * sh + d2 * dh, d5 * sw + d3 * dw}, ctx);
  Value gathered = gatherWindows(rewriter, loc, image,
                                 {groups, c, kh, kw, oh, ow}, gather, {});
  int64_t k = c * kh * kw;
  Value columns = tensor::CollapseShapeOp::create(
      rewriter, loc, RankedTensorType::get({groups, k, oh * ow}, f32),
      gathered, ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}, {4, 5}});
  Value weights = tensor::CollapseShapeOp::create(
      rewriter, loc, RankedTensorType::get({groups, f, k}, f32), filter,
      ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3, 4}});
  SmallVector<ReassociationIndices> outReassoc = {{0, 1}, {2}, {3, 4}};
  auto accType = RankedTensorType::get({groups, f, oh * ow}, f32);
  Value acc =
      tensor::CollapseShapeOp::create(rewriter, loc, accType, init, outReassoc);
  Value product = linalg::BatchMatmulOp::create(
                      rewriter, loc, TypeRange{accType},
                      ValueRange{weights, columns}, ValueRange{acc})
                      .getResult(0);
  rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, outType, product,
                                                     outReassoc);
  return success();
}

namespace {
template <typename ConvOp>
struct ConvToIm2Col final : OpRewritePattern<ConvOp> {
  using OpRewritePattern<ConvOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    return rewriteConv(rewriter, cast<linalg::LinalgOp>(op.getOperation()),
                       std::is_same_v<ConvOp, linalg::Conv2DNchwFchwOp>,
                       op.getStrides(), op.getDilations());
  }
};

struct GroupedConvToIm2Col final
    : OpRewritePattern<linalg::Conv2DNgchwGfchwOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::Conv2DNgchwGfchwOp op,
                                PatternRewriter &rewriter) const override {
    return rewriteGroupedConv(rewriter, op);
  }
};

/// A collapse_shape of a constant is the constant with the new shape: the
/// same bytes. Upstream folds only `dense` constants; frozen weights are
/// `dense_resource` blobs, and the packing of the filter matrix that
/// kiln-cpu-pack-contractions folds needs to see the constant itself.
/// (Expansions are left alone: kiln-cpu-pack-contractions keeps packed
/// weights flat behind an expand_shape on purpose.)
struct FoldCollapseOfConstant final
    : OpRewritePattern<tensor::CollapseShapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::CollapseShapeOp op,
                                PatternRewriter &rewriter) const override {
    ElementsAttr source;
    if (!matchPattern(op.getSrc(), m_Constant(&source)))
      return rewriter.notifyMatchFailure(op, "source is not a constant");
    RankedTensorType type = op.getResultType();
    if (!type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic result");
    std::optional<ArrayRef<char>> bytes = getRawElementBytes(source);
    if (!bytes)
      return rewriter.notifyMatchFailure(op, "constant is not raw data");
    ElementsAttr reshaped = makeElementsFromBytes(type, *bytes, "reshaped");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, type,
                                                   cast<TypedAttr>(reshaped));
    return success();
  }
};

struct KilnCPUIm2ColPass final
    : kiln::impl::KilnCPUIm2ColPassBase<KilnCPUIm2ColPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns
        .add<ConvToIm2Col<linalg::Conv2DNchwFchwOp>,
             ConvToIm2Col<linalg::Conv2DNhwcHwcfOp>, GroupedConvToIm2Col,
             FoldCollapseOfConstant>(
            &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
