// @weft/kernels — AssemblyScript entry point. Compiled with `--enable simd -O3 --runtime stub`.
//
// Memory model: the JS side owns all memory above `heapBase()` and manages it as a stack
// arena (see src/wasm/runtime.ts). Every kernel takes raw byte pointers into linear memory
// and never allocates. Matrices are row-major; X is float32 [nRows, nFeatures].

export { heapBase } from "./memory";
export { logisticLossGrad, linearScores } from "./logistic";
export { adamEpoch, shuffleRows } from "./adam";
export { gramAccumulate } from "./linear";
export { columnStats, scaleColumn, fillMissing } from "./columns";
export { rowSqNorms, kmeansppPotential, kmeansLloyd, kmeansInertia, columnVarianceSum } from "./kmeans";
export {
  binMatrix, histPairs, histPairsF32, histClasses, histSub, partitionRows, treeApply, treeApplyBinned,
  addLeafValues, addToRows, boostGradients,
} from "./tree";
export { sketchColumn } from "./sketch";
export { mlpForward, mlpEpoch } from "./mlp";
export { sumF32, firstNonFiniteF32 } from "./reduce";
export { sigmoidPairs, softmaxRows } from "./proba";
export { gnbMoments, gnbJointLogLik } from "./naive-bayes";
