// The stage before the standard pipeline at -O2 and -O3, for code with explicit bounds checks:
// 1. SROA, so that locals are SSA values;
// 2. loop versioning on the checks (loop_versioning.cpp);
// 3. in the functions still checking inside a loop, loop splitting: a loop whose checks test
//    an induction variable, one element at a time, against a fixed limit becomes a loop
//    without the checks for the iterations proven in bounds, with checked loops before and
//    after it (inductive range check elimination), so a trap still comes at the same iteration
//    with the same writes done. The passes before IRCE give loops the shape it needs (rotated,
//    with canonical induction variables) before unrolling reshapes their exits. InstCombine
//    runs without its fixpoint check, as in the standard pipelines: named alone, it would
//    abort the process when one round leaves more to combine.
//
// The loops left without checks can then be vectorised; the standard pipeline has no pass that
// removes such checks. Functions with no check in a loop skip step 3 (most of them).

#include "llvm-c/Core.h"
#include "llvm-c/TargetMachine.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/IR/Module.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/Format.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Transforms/Scalar/SROA.h"

#include "passes.h"

using namespace llvm;

#define DEBUG_TYPE "w2n-checked-loops"

STATISTIC(NumFunctionsSplit, "Functions whose loops were split on their remaining checks");

namespace {

// Dropping early-cse, simplifycfg, licm and indvars would save much of this step's time, but
// made loops of two benchmark programs slower (docs/architecture.md, measurements).
constexpr const char *SplitPipeline = "early-cse,simplifycfg,instcombine<no-verify-fixpoint>,loop-"
                                      "mssa(licm),loop(loop-rotate),loop(indvars),irce";

} // namespace

PreservedAnalyses w2n::SplitCheckedLoops::run(Function &function,
                                              FunctionAnalysisManager &analyses) {
  if (!checkedLoops.contains(&function))
    return PreservedAnalyses::all();
  ++NumFunctionsSplit;
  LLVM_DEBUG(dbgs() << DEBUG_TYPE ": splitting the loops of " << function.getName() << "\n");
  return passes.run(function, analyses);
}

void w2n::printStatistics(ArrayRef<const TrackingStatistic *> statistics, raw_ostream &out) {
  for (const TrackingStatistic *statistic : statistics)
    out << format("%8u %s - %s\n", statistic->getValue(), statistic->getDebugType(),
                  statistic->getDesc());
}

// The passes' own diagnostics, as LLVM's passes have them (DEBUG_TYPE, LLVM_DEBUG, STATISTIC):
// with `debug`, each pass's LLVM_DEBUG trace goes to stderr. Set from compiler/codegen.rs
// before any compile. (LLVM's `-debug-only` and `-stats` exist only in LLVM builds with
// assertions; these work with Debian's.)
extern "C" void w2n_configure_pass_diagnostics(bool debug) {
  if (debug) {
    static const char *types[] = {"w2n-loop-versioning", DEBUG_TYPE};
    DebugFlag = true;
    setCurrentDebugTypes(types, 2);
  }
}

// Prints the passes' counters on stderr, LLVM's way (value, pass, meaning).
extern "C" void w2n_report_pass_statistics() {
  w2n::printLoopVersioningStatistics(errs());
  w2n::printStatistics({&NumFunctionsSplit}, errs());
}

// Runs the stage over every function of `module`, for `machine`'s target; `guardPages` says
// that accesses are compiled for guard pages. Called from compiler/codegen.rs.
extern "C" void w2n_optimise_checked_loops(LLVMModuleRef module, LLVMTargetMachineRef machine,
                                           bool guardPages) {
  LoopAnalysisManager loopAnalyses;
  FunctionAnalysisManager functionAnalyses;
  CGSCCAnalysisManager sccAnalyses;
  ModuleAnalysisManager moduleAnalyses;
  PassBuilder builder(reinterpret_cast<TargetMachine *>(machine));
  builder.registerModuleAnalyses(moduleAnalyses);
  builder.registerCGSCCAnalyses(sccAnalyses);
  builder.registerFunctionAnalyses(functionAnalyses);
  builder.registerLoopAnalyses(loopAnalyses);
  builder.crossRegisterProxies(loopAnalyses, functionAnalyses, sccAnalyses, moduleAnalyses);

  FunctionPassManager splitPasses;
  // The pipeline is fixed text that parses; a failure would be a bug in it, caught by any test.
  if (Error error = builder.parsePassPipeline(splitPasses, SplitPipeline))
    report_fatal_error(std::move(error));
  w2n::FunctionSet checkedLoops;
  FunctionPassManager functionPasses;
  functionPasses.addPass(SROAPass(SROAOptions::PreserveCFG));
  functionPasses.addPass(w2n::VersionCheckedLoops(checkedLoops, guardPages));
  functionPasses.addPass(w2n::SplitCheckedLoops(std::move(splitPasses), checkedLoops));
  ModulePassManager modulePasses;
  modulePasses.addPass(createModuleToFunctionPassAdaptor(std::move(functionPasses)));
  modulePasses.run(*unwrap(module), moduleAnalyses);
}
