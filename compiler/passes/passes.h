// The compiler's own LLVM passes, run before the standard pipeline at -O2 and -O3 on code whose
// memory accesses are checked (entry point: checked_loops.cpp).

#pragma once

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Support/raw_ostream.h"

namespace w2n {

// The functions that still have a bounds check inside a loop once versioning is done.
using FunctionSet = llvm::SmallPtrSet<llvm::Function *, 32>;

// Versions loops on their bounds checks (loop_versioning.cpp), and adds to `checkedLoops` each
// function it leaves with a check in a loop, its loops' checked copies aside. With
// `guardPages` (accesses that fit the guard region are not checked), it also keeps every loop
// but the fast copies proven in bounds from being vectorised.
struct VersionCheckedLoops : llvm::PassInfoMixin<VersionCheckedLoops> {
  VersionCheckedLoops(FunctionSet &checkedLoops, bool guardPages)
      : checkedLoops(checkedLoops), guardPages(guardPages) {}
  llvm::PreservedAnalyses run(llvm::Function &function, llvm::FunctionAnalysisManager &analyses);

  FunctionSet &checkedLoops;
  bool guardPages;
};

// Splits the loops of the functions in `checkedLoops` on their remaining checks
// (checked_loops.cpp); other functions are left as they are.
struct SplitCheckedLoops : llvm::PassInfoMixin<SplitCheckedLoops> {
  SplitCheckedLoops(llvm::FunctionPassManager passes, const FunctionSet &checkedLoops)
      : passes(std::move(passes)), checkedLoops(checkedLoops) {}
  llvm::PreservedAnalyses run(llvm::Function &function, llvm::FunctionAnalysisManager &analyses);

  llvm::FunctionPassManager passes;
  const FunctionSet &checkedLoops;
};

// Prints counters as LLVM's -stats does: value, pass, meaning (checked_loops.cpp).
void printStatistics(llvm::ArrayRef<const llvm::TrackingStatistic *> statistics,
                     llvm::raw_ostream &out);
// The loop versioning pass's counters (loop_versioning.cpp).
void printLoopVersioningStatistics(llvm::raw_ostream &out);

} // namespace w2n
