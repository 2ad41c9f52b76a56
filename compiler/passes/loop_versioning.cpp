// Loop versioning on bounds checks: one test before a loop instead of a check at every access.
//
// The translator gives each memory access whose address is arithmetic a two-part check
// (translate/bounds.rs): a fast compare on a 64-bit form of the address, and on its cold side
// the exact check on the 32-bit address, which traps or rejoins with that address. The cold
// side is correct on its own, so the fast compare may fail for any reason; only its success has
// to mean "in bounds". The fast compare's branch carries `!w2n.wide_check`.
//
// For an innermost loop whose fast compares test affine functions of the iteration, this pass
// tests every compare at the first and at the last iteration the loop can run, once, before
// the loop (together with the no-wrap conditions the affine forms assume). It then versions the
// loop: one copy assumes every compare succeeds and so has no checks left, which lets LLVM
// vectorise it; the other takes the exact checks throughout, so a trap still comes at the same
// access with the same writes done before it. Every other fast compare is set to take the
// exact check, which is what the code did before this pass existed.
//
// A step may be known only at run time (a sieve's `j += i`): an address then moves one way or
// the other, and its first and last iterations are still its extremes. The test before the
// loop also bounds such a step (`boundedStep`), so that its arithmetic in 64 bits is exact, and
// where SCEV cannot count the loop for it, the pass counts it (`CountedExit`). Such a loop is
// versioned only when its fast copy has no check left, and that copy leaves on a counter of
// iterations, which LLVM can unroll; it is not vectorised, which would gather that address.
//
// All of linear memory is one object to LLVM, so the vectoriser cannot tell a loop's arrays
// apart and tests at run time that every pair of accesses, one a store, does not overlap; two
// accesses of one array element by element (`c[j]`, `c[j + 1]`) always do, so that vector code
// never runs. So the pass also groups the fast copy's accesses whose addresses move with the
// loop by one step and differ by a constant (one array), and where a group stores, the test
// before the loop also requires the bytes each group touches over all iterations, whichever way
// its step goes, to be disjoint from the others'. The fast copy's accesses then carry scoped
// `noalias` metadata saying so, which the vectoriser needs no test for. A loop whose groups overlap
// (a copy within one buffer) runs the checked copy, as a loop whose accesses leave memory does.
//
// In guard mode accesses have no checks but the fast compares are made all the same: a loop
// whose every access the test proves in bounds (and that calls nothing inlining could open up)
// cannot fault, so it may be vectorised and it loses the fences and anchors that keep guard
// mode's order (`unfenceProvenLoop`); other loops are neither, so they are not versioned.
//
// The test costs its instructions at every entry of the loop. Where it is long (it proves
// arrays disjoint), an entry running only a few iterations skips it for the exact copy.
//
// It notes the functions left with a check inside a loop (in code the fast copies do not cover),
// for the stage that splits such loops (checked_loops.cpp).

#include "contract.h"
#include "passes.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Analysis/ScalarEvolution.h"
#include "llvm/Analysis/ScalarEvolutionExpressions.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Support/Debug.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/LoopSimplify.h"
#include "llvm/Transforms/Utils/LoopUtils.h"
#include "llvm/Transforms/Utils/ScalarEvolutionExpander.h"
#include "llvm/Transforms/Utils/ValueMapper.h"

using namespace llvm;

#define DEBUG_TYPE "w2n-loop-versioning"

STATISTIC(NumLoopsVersioned, "Loops versioned on their bounds checks");
STATISTIC(NumChecksHoisted, "Checks tested once before a versioned loop");
STATISTIC(NumChecksSymbolicStep, "Of those, checks whose address steps by a run-time value");
STATISTIC(NumChecksExact, "Checks left to take the exact path");
STATISTIC(NumLoopsProven, "Versioned loops whose every access is proven in bounds");
STATISTIC(NumDisjointTests, "Pairs of arrays tested for overlap before a loop");
STATISTIC(NumLoopsUnfenced, "Guard-mode loops that lost their fences, proven in bounds");

namespace {

// The translator's marks (contract.h).
constexpr const char *WideCheckKind = W2N_CONTRACT_WIDE_CHECK_METADATA;
constexpr const char *GuardFenceKind = W2N_CONTRACT_GUARD_FENCE_METADATA;

// Beyond these, the endpoint tests could overflow 64 bits (they stay below 2^62): a loop that
// runs 2^32 iterations touching distinct addresses cannot stay inside a 4 GiB memory anyway. A
// step known only at run time is tested against MaxStep there.
constexpr uint64_t MaxIterations = uint64_t(1) << 32;
constexpr int64_t MaxStep = int64_t(1) << 30;
constexpr unsigned MaxUnrolledTrips = 16;
// Where the test before a loop proves arrays disjoint, an entry of the loop that runs fewer
// iterations than this takes the exact copy without it: that test is long, and so short a run is
// not vectorised anyway (measured on fft: docs/architecture.md).
constexpr uint64_t MinTestedIterations = 4;
// Beyond these, testing every pair of groups costs more before the loop than it is likely to
// save in it.
constexpr unsigned MaxAliasGroups = 8;
constexpr unsigned MaxAliasTests = 16;

// Whether `step`, a step that does not change in a loop, can be within MaxStep: a constant that
// is, or a value known only at run time, which the test before the loop bounds (`boundedStep`).
bool stepMayBeBounded(const SCEV *step) {
  auto *constant = dyn_cast<SCEVConstant>(step);
  if (!constant)
    return true;
  int64_t value = constant->getValue()->getSExtValue();
  return value > -MaxStep && value < MaxStep;
}

struct WideCheck {
  BranchInst *branch;
  // `icmp uge address, limit`: true leads to the exact check.
  Value *address;
  Value *limit;
};

// The fast compare behind `branch`, if it is one.
std::optional<WideCheck> asWideCheck(BranchInst *branch) {
  if (!branch->isConditional() || !branch->getMetadata(WideCheckKind))
    return std::nullopt;
  auto *compare = dyn_cast<ICmpInst>(branch->getCondition());
  if (!compare || compare->getPredicate() != ICmpInst::ICMP_UGE)
    return std::nullopt;
  return WideCheck{branch, compare->getOperand(0), compare->getOperand(1)};
}

// Makes `check` always take the side `exact` says, and forgets that it was a fast compare.
void settle(const WideCheck &check, bool exact) {
  if (exact)
    ++NumChecksExact;
  LLVMContext &context = check.branch->getContext();
  check.branch->setCondition(exact ? ConstantInt::getTrue(context)
                                   : ConstantInt::getFalse(context));
  check.branch->setMetadata(WideCheckKind, nullptr);
}

// A loop that leaves at its latch when a counter, stepping by a value fixed in the loop, meets
// `end`, another, and that SCEV cannot count; the pass counts it, and the versioned copy is
// taken only when the count holds (`lastIterationOf`). Two kinds:
// - A counter stepping by a constant other than ±1 until it equals `end` (`p += 16` until
//   `p == end`): SCEV gives up, since a counter that steps over the value would wrap around and
//   go on. It stops when its way to `end` (modulo 2^bits) is a multiple of the stride.
// - A counter of at most 32 bits going on while it is below `end` (or above, or up to it), with
//   a step known only at run time (`j < m` with `j += i`): the count holds when the step points
//   towards `end` and the counter does not wrap on its way.
struct CountedExit {
  // The value the latch compares, `start + step * i` at iteration i.
  const SCEVAddRecExpr *counter;
  const SCEV *end;
  // How the counter compares with `end` for the loop to go on: `ne` for the first kind.
  CmpInst::Predicate staysWhile;
};

// A fast compare whose address, at iteration i of its loop, is `start + step * i`. The step
// does not change in the loop: a constant (zero for an address the loop does not change), or a
// value known only at run time, which may then have either sign.
struct AffineCheck {
  WideCheck check;
  const SCEV *start;
  const SCEV *step;
  // The loads and stores the check covers (`collectAccesses`), and whether one of them stores.
  SmallVector<Instruction *, 4> accesses;
  bool stores;
};

// Accesses of the fast copy whose addresses differ by constants (one array), and the bytes
// they touch at an iteration: [start + low, start + high), where `start + step * i` is the
// address of the first member's fast compare at iteration i. Members share `step`, the same
// SCEV, constant or not.
struct AccessGroup {
  const SCEV *start = nullptr;
  const SCEV *step = nullptr;
  int64_t low = 0;
  int64_t high = 0;
  bool stores = false;
  SmallVector<Instruction *, 8> accesses;
  MDNode *scope = nullptr;
};

// The groups of a loop and the pairs of them (indices into `groups`) to prove disjoint: those
// where one stores.
struct AliasPlan {
  SmallVector<AccessGroup, 4> groups;
  SmallVector<std::pair<unsigned, unsigned>, 8> pairs;
};

// The constant `end` of a fast compare's limit, `usub.sat(size + 1, end)` (contract.h): every
// access it covers lies in [address, address + end).
std::optional<int64_t> accessEnd(const WideCheck &check) {
  auto *limit = dyn_cast<IntrinsicInst>(check.limit);
  if (!limit || limit->getIntrinsicID() != Intrinsic::usub_sat)
    return std::nullopt;
  auto *end = dyn_cast<ConstantInt>(limit->getArgOperand(1));
  if (!end || end->getValue().getActiveBits() > 40)
    return std::nullopt;
  return end->getSExtValue();
}

// Type-based alias tag of linear memory (contract.h).
constexpr const char *LinearMemoryTag = W2N_CONTRACT_LINEAR_MEMORY_TAG;

// Whether `access`, a load or store, is tagged as one of linear memory.
bool accessesLinearMemory(const Instruction &access) {
  MDNode *tag = access.getMetadata(LLVMContext::MD_tbaa);
  auto *type = tag && tag->getNumOperands() > 0 ? dyn_cast<MDNode>(tag->getOperand(0)) : nullptr;
  auto *name =
      type && type->getNumOperands() > 0 ? dyn_cast<MDString>(type->getOperand(0)) : nullptr;
  return name && name->getString() == LinearMemoryTag;
}

// The loads and stores whose address is the one `check` tests (the index its join block
// receives, plus a constant memory offset), into `accesses`; whether one of them stores. Other
// uses of the address are left out, so their accesses keep no metadata and may alias anything.
bool collectAccesses(const WideCheck &check, SmallVectorImpl<Instruction *> &accesses) {
  bool stores = false;
  BasicBlock *join = check.branch->getSuccessor(1);
  for (PHINode &index : join->phis()) {
    SmallVector<Value *, 4> addresses{&index};
    for (User *user : index.users()) {
      auto *add = dyn_cast<BinaryOperator>(user);
      if (add && add->getOpcode() == Instruction::Add && isa<ConstantInt>(add->getOperand(1)))
        addresses.push_back(add);
    }
    for (Value *address : addresses) {
      for (User *user : address->users()) {
        auto *pointer = dyn_cast<GetElementPtrInst>(user);
        if (!pointer || pointer->getNumIndices() != 1 || pointer->getOperand(1) != address)
          continue;
        for (User *access : pointer->users()) {
          if (auto *load = dyn_cast<LoadInst>(access)) {
            accesses.push_back(load);
          } else if (auto *store = dyn_cast<StoreInst>(access);
                     store && store->getPointerOperand() == pointer) {
            accesses.push_back(store);
            stores = true;
          }
        }
      }
    }
  }
  return stores;
}

// The loop's copy taking the exact checks, and the test choosing between the copies.
class LoopVersioner {
public:
  LoopVersioner(Function &function, FunctionAnalysisManager &analyses, bool guardPages)
      : guardPages(guardPages), loops(analyses.getResult<LoopAnalysis>(function)),
        tree(analyses.getResult<DominatorTreeAnalysis>(function)),
        evolution(analyses.getResult<ScalarEvolutionAnalysis>(function)),
        layout(function.getParent()->getDataLayout()) {}

  // Versions `loop` on `checks`, its fast compares, and returns the copy taking the exact
  // checks; null (and nothing changed but limits hoisted out of the loop) when none of them
  // can be tested before the loop.
  Loop *version(Loop &loop, const SmallVectorImpl<WideCheck> &checks) {
    // Only a loop with one way in and one way round qualifies. The pass leaves other loops as
    // they are: reshaping them here (one latch for an interpreter's many `continue`s) would
    // steer the standard pipeline into worse code.
    BasicBlock *preheader = loop.getLoopPreheader();
    if (!preheader || !loop.getLoopLatch())
      return nullptr;
    PredicatedScalarEvolution predicated(evolution, loop);
    // The loop runs at most as often as its latch lets it; other exits (traps among them) only
    // end it sooner, and counting them as well would only make the test longer.
    BasicBlock *latch = loop.getLoopLatch();
    const SCEV *iterations =
        latch && loop.isLoopExiting(latch)
            ? evolution.getExitCount(&loop, latch, ScalarEvolution::SymbolicMaximum)
            : evolution.getCouldNotCompute();
    if (isa<SCEVCouldNotCompute>(iterations))
      iterations = predicated.getSymbolicMaxBackedgeTakenCount();
    std::optional<CountedExit> counted;
    if (isa<SCEVCouldNotCompute>(iterations) && !(counted = countedExit(loop))) {
      LLVM_DEBUG(dbgs() << DEBUG_TYPE ": " << loop.getName() << ": no iteration count\n");
      return nullptr;
    }
    // A loop of a few iterations is unrolled whole, and its checks merge in straight-line code:
    // a test before it would cost as much as it saves.
    unsigned maxTrips = evolution.getSmallConstantMaxTripCount(&loop);
    if (maxTrips != 0 && maxTrips <= MaxUnrolledTrips) {
      LLVM_DEBUG(dbgs() << DEBUG_TYPE ": " << loop.getName() << ": at most " << maxTrips
                        << " iterations, left to unrolling\n");
      return nullptr;
    }
    SmallVector<AffineCheck, 8> hoisted;
    for (const WideCheck &check : checks) {
      if (auto affine = affineAddress(loop, predicated, check))
        hoisted.push_back(std::move(*affine));
    }
    Instruction *insertion = preheader->getTerminator();
    SCEVExpander expander(evolution, layout, "w2n.version");
    if (hoisted.empty() ||
        !canTestBefore(loop, iterations, counted, hoisted, predicated, expander)) {
      LLVM_DEBUG(dbgs() << DEBUG_TYPE ": " << loop.getName() << ": " << hoisted.size() << " of "
                        << checks.size() << " checks affine, none testable before the loop\n");
      return nullptr;
    }

    for (AffineCheck &affine : hoisted)
      affine.stores = collectAccesses(affine.check, affine.accesses);
    bool everyAccess = coversEveryAccess(loop, hoisted);
    // A run-time step makes the test longer (its bounds, and where the pass counts the loop its
    // sign and a division), and its loops are often short: such a loop is versioned only when
    // its fast copy has no check left (measured on fft: docs/architecture.md, "Measurements
    // behind the design").
    bool steppedAtRunTime =
        any_of(hoisted, [](const AffineCheck &affine) { return !isa<SCEVConstant>(affine.step); });
    bool runTimeStep = (counted && counted->staysWhile != ICmpInst::ICMP_NE) || steppedAtRunTime;
    // In guard mode the fast copy has no checks to lose, only fences, and gains by being
    // vectorised: a loop that cannot be pays the test for nothing (docs/architecture.md).
    if (guardPages && (!everyAccess || leavesEarly(loop))) {
      LLVM_DEBUG(dbgs() << DEBUG_TYPE ": " << loop.getName()
                        << ": guard mode, and a loop the vectoriser would not take\n");
      return nullptr;
    }
    if (runTimeStep && !everyAccess) {
      LLVM_DEBUG(dbgs() << DEBUG_TYPE ": " << loop.getName()
                        << ": a run-time step or count, and accesses no test covers\n");
      return nullptr;
    }
    if (everyAccess) {
      provenLoops.insert(&loop);
      ++NumLoopsProven;
    }
    // The fast copy leaves on a counter of iterations wherever the count is exact: for a counted
    // exit, and with a run-time step, whose count SCEV makes with a division by the step, so
    // that LLVM's unroller leaves the loop as it is (measured on the sieve: docs/architecture.md).
    bool leavesOnCount =
        counted ||
        (runTimeStep && loop.isLoopExiting(latch) && isa<BranchInst>(latch->getTerminator()) &&
         evolution.getExitCount(&loop, latch, ScalarEvolution::Exact) == iterations);

    // Exits of their own, and values used after the loop passed through phis there, so that
    // the copy's exits can be added to them.
    simplifyLoop(&loop, &tree, &loops, &evolution, nullptr, nullptr, /*PreserveLCSSA=*/false);
    formLCSSA(loop, tree, &loops, &evolution);

    // The preheader counts the iterations; a block of its own tests the accesses, and the
    // original loop, the fast copy, follows it.
    IRBuilder<> builder(insertion);
    Value *counts = nullptr;
    Value *lastIteration =
        counted ? lastIterationOf(*counted, expander, builder, counts)
                : builder.CreateZExtOrTrunc(expander.expandCodeFor(iterations, nullptr, insertion),
                                            builder.getInt64Ty());
    AliasPlan aliases = planAliasTests(hoisted);
    Value *isShort = nullptr;
    BasicBlock *counting = preheader;
    if (!aliases.pairs.empty()) {
      isShort = builder.CreateICmpULT(lastIteration, builder.getInt64(MinTestedIterations - 1));
      preheader = SplitBlock(counting, insertion, &tree, &loops, nullptr, "w2n.test");
    }
    Value *inBounds = testAccesses(hoisted, lastIteration, predicated, expander, builder);
    if (counts)
      inBounds = builder.CreateAnd(inBounds, counts);
    if (!aliases.pairs.empty())
      inBounds =
          builder.CreateAnd(inBounds, testDisjoint(aliases, lastIteration, expander, builder));
    BasicBlock *fastPreheader =
        SplitBlock(preheader, insertion, &tree, &loops, nullptr, "w2n.fast.ph");
    ValueToValueMapTy map;
    SmallVector<BasicBlock *, 16> exactBlocks;
    Loop *exactLoop = cloneLoopWithPreheader(fastPreheader, preheader, &loop, map, ".exact", &loops,
                                             &tree, exactBlocks);
    remapInstructionsInBlocks(exactBlocks, map);
    addExitIncomings(loop, map);
    preheader->getTerminator()->eraseFromParent();
    BranchInst *choice =
        BranchInst::Create(fastPreheader, exactLoop->getLoopPreheader(), inBounds, preheader);
    // The fast copy is the one laid out in line.
    choice->setMetadata(LLVMContext::MD_prof,
                        MDBuilder(choice->getContext()).createLikelyBranchWeights());
    if (isShort) {
      counting->getTerminator()->eraseFromParent();
      BranchInst::Create(exactLoop->getLoopPreheader(), preheader, isShort, counting);
    }

    for (const AffineCheck &affine : hoisted)
      settle(affine.check, /*exact=*/false);
    ++NumLoopsVersioned;
    NumChecksHoisted += hoisted.size();
    NumChecksSymbolicStep += count_if(
        hoisted, [](const AffineCheck &affine) { return !isa<SCEVConstant>(affine.step); });
    NumDisjointTests += aliases.pairs.size();
    LLVM_DEBUG(dbgs() << DEBUG_TYPE ": " << loop.getName() << ": versioned, " << hoisted.size()
                      << " of " << checks.size() << " checks tested before it, "
                      << aliases.pairs.size() << " overlap tests"
                      << (provenLoops.contains(&loop) ? ", every access proven" : "") << "\n");
    if (leavesOnCount)
      countIterations(loop, fastPreheader, lastIteration);
    // An address stepping by a run-time value would be gathered lane by lane, with the other
    // arrays shuffled into place around it: fft's butterfly ran 1.25 times as long vectorised
    // so (docs/architecture.md).
    if (steppedAtRunTime)
      addStringMetadataToLoop(&loop, "llvm.loop.vectorize.enable", 0);
    if (!aliases.pairs.empty())
      markDisjoint(aliases, fastPreheader);
    markNoWrap(loop);
    for (BasicBlock *block : exactBlocks) {
      if (auto *branch = dyn_cast<BranchInst>(block->getTerminator()))
        if (auto check = asWideCheck(branch))
          settle(*check, /*exact=*/true);
    }
    tree.recalculate(*preheader->getParent());
    evolution.forgetLoop(&loop);
    return exactLoop;
  }

  // The fast copies whose every access of linear memory the test before them proves in
  // bounds, so that none faults.
  const SmallPtrSetImpl<Loop *> &proven() const { return provenLoops; }

private:
  // Whether `loop` has a way out other than its latch's and traps (a search's), which LLVM's
  // vectoriser does not take.
  static bool leavesEarly(Loop &loop) {
    SmallVector<BasicBlock *, 8> exits;
    loop.getUniqueExitBlocks(exits);
    return count_if(exits, [](BasicBlock *exit) {
             return !isa<UnreachableInst>(exit->getTerminator());
           }) > 1;
  }

  // Whether every load and store of linear memory in `loop` is one that a check of `hoisted`
  // covers. A call that inlining may later replace with its body (a call to a function defined
  // here, or through a table) would bring accesses no check covers.
  bool coversEveryAccess(Loop &loop, ArrayRef<AffineCheck> hoisted) {
    SmallPtrSet<Instruction *, 32> covered;
    for (const AffineCheck &affine : hoisted)
      covered.insert(affine.accesses.begin(), affine.accesses.end());
    for (BasicBlock *block : loop.blocks()) {
      for (Instruction &instruction : *block) {
        if ((isa<LoadInst>(instruction) || isa<StoreInst>(instruction)) &&
            accessesLinearMemory(instruction) && !covered.contains(&instruction))
          return false;
        if (auto *call = dyn_cast<CallBase>(&instruction)) {
          Function *callee = call->getCalledFunction();
          bool fence = call->getMetadata(GuardFenceKind);
          if (!fence && (!callee || !callee->isDeclaration()))
            return false;
        }
      }
    }
    return true;
  }

  // Whether everything the test needs can be computed before the loop.
  bool canTestBefore(Loop &loop, const SCEV *iterations, const std::optional<CountedExit> &counted,
                     ArrayRef<AffineCheck> hoisted, PredicatedScalarEvolution &predicated,
                     SCEVExpander &expander) {
    Instruction *insertion = loop.getLoopPreheader()->getTerminator();
    auto expandable = [&](const SCEV *value) {
      return expander.isSafeToExpandAt(value, insertion);
    };
    if (counted ? !expandable(counted->counter->getStart()) ||
                      !expandable(counted->counter->getStepRecurrence(evolution)) ||
                      !expandable(counted->end)
                : !expandable(iterations))
      return false;
    for (const AffineCheck &affine : hoisted) {
      if (!expandable(affine.start) || !expandable(affine.step))
        return false;
    }
    for (const SCEVPredicate *assumption :
         cast<SCEVUnionPredicate>(predicated.getPredicate()).getPredicates()) {
      if (!canTest(*assumption, insertion, expander))
        return false;
    }
    return true;
  }

  // The test that every access of `hoisted` is in bounds at the first iteration and at
  // `lastIteration`, and that the assumptions behind their affine forms hold. Between the two,
  // an address moves one way, so that with both in bounds every address between is: the
  // arithmetic is exact, since the step and the iterations are bounded.
  Value *testAccesses(ArrayRef<AffineCheck> hoisted, Value *lastIteration,
                      PredicatedScalarEvolution &predicated, SCEVExpander &expander,
                      IRBuilder<> &builder) {
    Instruction *insertion = &*builder.GetInsertPoint();
    Type *i64 = builder.getInt64Ty();
    Value *inBounds = builder.CreateICmpULT(lastIteration, builder.getInt64(MaxIterations));
    for (const AffineCheck &affine : hoisted) {
      Value *first =
          builder.CreateSExtOrTrunc(expander.expandCodeFor(affine.start, nullptr, insertion), i64);
      inBounds = builder.CreateAnd(inBounds, builder.CreateICmpULT(first, affine.check.limit));
      if (!affine.step->isZero()) {
        Value *step = boundedStep(affine.step, expander, builder, inBounds);
        Value *last = builder.CreateAdd(first, builder.CreateMul(lastIteration, step));
        inBounds = builder.CreateAnd(inBounds, builder.CreateICmpULT(last, affine.check.limit));
      }
    }
    for (const SCEVPredicate *assumption :
         cast<SCEVUnionPredicate>(predicated.getPredicate()).getPredicates())
      inBounds = builder.CreateAnd(inBounds,
                                   testAssumption(*assumption, lastIteration, expander, builder));
    return inBounds;
  }

  // The groups of the accesses of `hoisted` whose addresses move with the loop (see
  // `AccessGroup`) and the pairs of them to prove disjoint; no pairs when there is nothing to
  // prove, or too much.
  AliasPlan planAliasTests(ArrayRef<AffineCheck> hoisted) {
    AliasPlan plan;
    for (const AffineCheck &affine : hoisted) {
      // An access at one address throughout is left out: LICM hoists it out of the loop, and
      // out of an outer loop, where a claim that holds for one run of this loop does not.
      std::optional<int64_t> end = accessEnd(affine.check);
      if (affine.step->isZero() || !end || affine.accesses.empty())
        continue;
      AccessGroup *group = nullptr;
      int64_t offset = 0;
      for (AccessGroup &candidate : plan.groups) {
        auto *difference =
            dyn_cast<SCEVConstant>(evolution.getMinusSCEV(affine.start, candidate.start));
        if (candidate.step == affine.step && difference &&
            difference->getAPInt().getSignificantBits() <= 32) {
          group = &candidate;
          offset = difference->getValue()->getSExtValue();
          break;
        }
      }
      if (!group) {
        group = &plan.groups.emplace_back();
        group->start = affine.start;
        group->step = affine.step;
      }
      group->low = std::min(group->low, offset);
      group->high = std::max(group->high, offset + *end);
      group->stores |= affine.stores;
      group->accesses.append(affine.accesses.begin(), affine.accesses.end());
    }
    if (plan.groups.size() > MaxAliasGroups)
      return {};
    for (unsigned first = 0; first < plan.groups.size(); first++) {
      for (unsigned second = first + 1; second < plan.groups.size(); second++) {
        if (plan.groups[first].stores || plan.groups[second].stores)
          plan.pairs.push_back({first, second});
      }
    }
    if (plan.pairs.size() > MaxAliasTests)
      return {};
    return plan;
  }

  // The test that the bytes the groups of each pair of `plan` touch, from the first iteration
  // to `lastIteration`, are disjoint. Taken with the test that those accesses are in bounds
  // (which bounds their steps), every address is below 2^33 and none of this arithmetic wraps.
  Value *testDisjoint(const AliasPlan &plan, Value *lastIteration, SCEVExpander &expander,
                      IRBuilder<> &builder) {
    Instruction *insertion = &*builder.GetInsertPoint();
    Type *i64 = builder.getInt64Ty();
    Value *zero = builder.getInt64(0);
    SmallVector<std::pair<Value *, Value *>, 4> extents;
    for (const AccessGroup &group : plan.groups) {
      Value *start =
          builder.CreateSExtOrTrunc(expander.expandCodeFor(group.start, nullptr, insertion), i64);
      Value *step = expander.expandCodeFor(group.step, nullptr, insertion);
      Value *travel = builder.CreateMul(lastIteration, step);
      Value *low = builder.CreateAdd(start, builder.getInt64(group.low));
      Value *high = builder.CreateAdd(start, builder.getInt64(group.high));
      // A step known only at run time moves the group either way.
      auto *constant = dyn_cast<SCEVConstant>(group.step);
      if (!constant) {
        low = builder.CreateAdd(low, builder.CreateBinaryIntrinsic(Intrinsic::smin, travel, zero));
        high =
            builder.CreateAdd(high, builder.CreateBinaryIntrinsic(Intrinsic::smax, travel, zero));
      } else if (constant->getAPInt().isNegative()) {
        low = builder.CreateAdd(low, travel);
      } else {
        high = builder.CreateAdd(high, travel);
      }
      extents.push_back({low, high});
    }
    Value *disjoint = builder.getTrue();
    for (auto [first, second] : plan.pairs) {
      Value *before = builder.CreateICmpSLE(extents[first].second, extents[second].first);
      Value *after = builder.CreateICmpSLE(extents[second].second, extents[first].first);
      disjoint = builder.CreateAnd(disjoint, builder.CreateOr(before, after));
    }
    return disjoint;
  }

  // Tells alias analysis that the groups of each pair of `plan`, proven disjoint before the
  // fast copy that `preheader` enters, do not alias there: a scope for each group, and a
  // declaration of each in the preheader, so that unrolling an outer loop gives each of its
  // copies scopes of its own.
  void markDisjoint(AliasPlan &plan, BasicBlock *preheader) {
    LLVMContext &context = preheader->getContext();
    MDBuilder metadata(context);
    MDNode *domain = metadata.createAnonymousAliasScopeDomain("w2n.version");
    IRBuilder<> builder(preheader->getTerminator());
    for (AccessGroup &group : plan.groups) {
      group.scope = metadata.createAnonymousAliasScope(domain);
      builder.CreateNoAliasScopeDeclaration(MDNode::get(context, {group.scope}));
    }
    for (unsigned index = 0; index < plan.groups.size(); index++) {
      SmallVector<Metadata *, 8> others;
      for (auto [first, second] : plan.pairs) {
        if (first == index || second == index)
          others.push_back(plan.groups[first == index ? second : first].scope);
      }
      MDNode *scopes = MDNode::get(context, {plan.groups[index].scope});
      MDNode *disjoint = MDNode::get(context, others);
      for (Instruction *access : plan.groups[index].accesses) {
        access->setMetadata(
            LLVMContext::MD_alias_scope,
            MDNode::concatenate(access->getMetadata(LLVMContext::MD_alias_scope), scopes));
        if (!others.empty())
          access->setMetadata(
              LLVMContext::MD_noalias,
              MDNode::concatenate(access->getMetadata(LLVMContext::MD_noalias), disjoint));
      }
    }
  }

  // The counted exit of `loop`, if it has one (see `CountedExit`).
  std::optional<CountedExit> countedExit(Loop &loop) {
    BasicBlock *latch = loop.getLoopLatch();
    auto *branch = latch ? dyn_cast<BranchInst>(latch->getTerminator()) : nullptr;
    if (!branch || !branch->isConditional())
      return std::nullopt;
    auto *compare = dyn_cast<ICmpInst>(branch->getCondition());
    bool staysOnTrue = loop.contains(branch->getSuccessor(0));
    if (!compare || !compare->getOperand(0)->getType()->isIntegerTy() ||
        staysOnTrue == loop.contains(branch->getSuccessor(1)))
      return std::nullopt;
    CmpInst::Predicate staysWhile =
        staysOnTrue ? compare->getPredicate() : compare->getInversePredicate();
    const SCEV *left = evolution.getSCEV(compare->getOperand(0));
    const SCEV *right = evolution.getSCEV(compare->getOperand(1));
    auto *counter = dyn_cast<SCEVAddRecExpr>(left);
    const SCEV *end = right;
    if (!counter) {
      counter = dyn_cast<SCEVAddRecExpr>(right);
      end = left;
      staysWhile = CmpInst::getSwappedPredicate(staysWhile);
    }
    if (!counter || counter->getLoop() != &loop || !counter->isAffine() ||
        !evolution.isLoopInvariant(end, &loop))
      return std::nullopt;
    if (staysWhile == ICmpInst::ICMP_NE) {
      auto *step = dyn_cast<SCEVConstant>(counter->getStepRecurrence(evolution));
      if (!step || step->getAPInt().getSignificantBits() > 32 || step->getAPInt().abs().ule(1))
        return std::nullopt;
      return CountedExit{counter, end, staysWhile};
    }
    // At most 32 bits, so that the count's arithmetic in 64 bits is exact. A constant step
    // SCEV fears could wrap (a copy's `n -= 32` while `n > 15`) counts in explicit mode only,
    // where the loops it opens up (wasi-libc's `memcpy`) lose their checks; in guard mode
    // they are short copies that paid the test for little (docs/architecture.md).
    if (ICmpInst::isRelational(staysWhile) && counter->getType()->getIntegerBitWidth() <= 32 &&
        !(guardPages && isa<SCEVConstant>(counter->getStepRecurrence(evolution))))
      return CountedExit{counter, end, staysWhile};
    return std::nullopt;
  }

  // The last iteration of a loop that leaves at `exit`, as a 64-bit value, and in `counts` the
  // condition for it to be that.
  Value *lastIterationOf(const CountedExit &exit, SCEVExpander &expander, IRBuilder<> &builder,
                         Value *&counts) {
    Instruction *insertion = &*builder.GetInsertPoint();
    Type *i64 = builder.getInt64Ty();
    const SCEV *step = exit.counter->getStepRecurrence(evolution);
    Value *start = expander.expandCodeFor(exit.counter->getStart(), nullptr, insertion);
    Value *end = expander.expandCodeFor(exit.end, nullptr, insertion);
    if (exit.staysWhile == ICmpInst::ICMP_NE) {
      // Counting up, the way is end - start; counting down, start - end; both modulo 2^bits.
      const APInt &stride = cast<SCEVConstant>(step)->getAPInt();
      Value *way =
          stride.isNegative() ? builder.CreateSub(start, end) : builder.CreateSub(end, start);
      Value *distance = builder.CreateZExt(way, i64);
      Value *magnitude = builder.getInt64(stride.abs().getZExtValue());
      counts = builder.CreateICmpEQ(builder.CreateURem(distance, magnitude), builder.getInt64(0));
      return builder.CreateUDiv(distance, magnitude);
    }
    // In 64 bits, as the counter's type reads them; `step` taken as signed either way.
    bool isSigned = ICmpInst::isSigned(exit.staysWhile);
    auto widen = [&](Value *value) {
      return isSigned ? builder.CreateSExt(value, i64) : builder.CreateZExt(value, i64);
    };
    Value *first = widen(start);
    Value *bound = widen(end);
    Value *stride = builder.CreateSExt(expander.expandCodeFor(step, nullptr, insertion), i64);
    // The loop goes on while the counter is below `bound` (counting up) or above it (down);
    // `<=` is `< end + 1`, exactly, in 64 bits.
    bool up = exit.staysWhile == ICmpInst::ICMP_SLT || exit.staysWhile == ICmpInst::ICMP_ULT ||
              exit.staysWhile == ICmpInst::ICMP_SLE || exit.staysWhile == ICmpInst::ICMP_ULE;
    if (ICmpInst::isNonStrictPredicate(exit.staysWhile))
      bound = builder.CreateAdd(bound, builder.getInt64(up ? 1 : -1));
    Value *way = up ? builder.CreateSub(bound, first) : builder.CreateSub(first, bound);
    Value *magnitude = up ? stride : builder.CreateNeg(stride);
    // A step that points away from `bound`, or zero, wraps the counter or never ends: the
    // exact copy runs. The divisor is then 1, never 0.
    Value *towards = builder.CreateICmpSGT(magnitude, builder.getInt64(0));
    Value *divisor = builder.CreateSelect(towards, magnitude, builder.getInt64(1));
    // The first iteration whose counter is no longer below the bound: ceil(max(way, 0) / step).
    Value *ahead = builder.CreateBinaryIntrinsic(Intrinsic::smax, way, builder.getInt64(0));
    Value *iterations = builder.CreateUDiv(
        builder.CreateAdd(ahead, builder.CreateSub(divisor, builder.getInt64(1))), divisor);
    // The counter moves one way from `first` to its value there; if that fits its type, it
    // wrapped at no iteration before, and each compare saw it as counted here.
    Value *last = builder.CreateAdd(first, builder.CreateMul(stride, iterations));
    unsigned bits = exit.counter->getType()->getIntegerBitWidth();
    Value *fits =
        up ? builder.CreateICmpSLE(
                 last, builder.getInt64(isSigned ? APInt::getSignedMaxValue(bits).getSExtValue()
                                                 : APInt::getMaxValue(bits).getZExtValue()))
           : builder.CreateICmpSGE(
                 last,
                 builder.getInt64(isSigned ? APInt::getSignedMinValue(bits).getSExtValue() : 0));
    counts = builder.CreateAnd(towards, fits);
    return iterations;
  }

  // Makes the latch of `loop`, known to leave after `lastIteration + 1` times round (unless
  // another exit leaves first), leave on a counter of iterations instead: SCEV, and so the
  // vectoriser and the unroller, can count those iterations at no cost, which they cannot for
  // the counter the exit compares, or not cheaply.
  void countIterations(Loop &loop, BasicBlock *preheader, Value *lastIteration) {
    BasicBlock *header = loop.getHeader();
    BasicBlock *latch = loop.getLoopLatch();
    auto *branch = cast<BranchInst>(latch->getTerminator());
    IRBuilder<> builder(&*header->getFirstInsertionPt());
    PHINode *iteration = builder.CreatePHI(builder.getInt64Ty(), 2, "w2n.iteration");
    builder.SetInsertPoint(branch);
    Value *next = builder.CreateNUWAdd(iteration, builder.getInt64(1));
    iteration->addIncoming(builder.getInt64(0), preheader);
    iteration->addIncoming(next, latch);
    bool staysOnTrue = loop.contains(branch->getSuccessor(0));
    branch->setCondition(staysOnTrue ? builder.CreateICmpNE(iteration, lastIteration)
                                     : builder.CreateICmpEQ(iteration, lastIteration));
  }

  // In the fast copy, the counters found not to wrap get adds that say so: indvars can then
  // widen them to 64 bits, and the vectoriser need not test them again.
  void markNoWrap(Loop &loop) {
    BasicBlock *latch = loop.getLoopLatch();
    for (PHINode &phi : loop.getHeader()->phis()) {
      if (!phi.getType()->isIntegerTy() || !noSignedWrap.count(evolution.getSCEV(&phi)))
        continue;
      auto *increment = dyn_cast<BinaryOperator>(phi.getIncomingValueForBlock(latch));
      if (increment && increment->getOpcode() == Instruction::Add &&
          (increment->getOperand(0) == &phi || increment->getOperand(1) == &phi))
        increment->setHasNoSignedWrap(true);
    }
    noSignedWrap.clear();
  }

  // Whether `testAssumption` handles `assumption`, one SCEV made to see an address as affine.
  bool canTest(const SCEVPredicate &assumption, Instruction *insertion, SCEVExpander &expander) {
    if (isa<SCEVComparePredicate>(assumption))
      return true;
    auto *noWrap = dyn_cast<SCEVWrapPredicate>(&assumption);
    if (!noWrap)
      return false;
    const SCEVAddRecExpr *counter = noWrap->getExpr();
    if (!counter->isAffine() || counter->getType()->getIntegerBitWidth() > 32)
      return false;
    const SCEV *step = counter->getStepRecurrence(evolution);
    if (!stepMayBeBounded(step))
      return false;
    return expander.isSafeToExpandAt(step, insertion) &&
           expander.isSafeToExpandAt(counter->getStart(), insertion);
  }

  // `step`, a step that does not change in the loop, sign-extended to 64 bits. A constant one
  // was found within MaxStep; for another, the test that it is goes into `valid` (and-ed with
  // what that held, if anything).
  Value *boundedStep(const SCEV *step, SCEVExpander &expander, IRBuilder<> &builder,
                     Value *&valid) {
    Value *value = builder.CreateSExtOrTrunc(
        expander.expandCodeFor(step, nullptr, &*builder.GetInsertPoint()), builder.getInt64Ty());
    if (!isa<SCEVConstant>(step)) {
      Value *within = builder.CreateAnd(builder.CreateICmpSGT(value, builder.getInt64(-MaxStep)),
                                        builder.CreateICmpSLT(value, builder.getInt64(MaxStep)));
      valid = valid ? builder.CreateAnd(valid, within) : within;
    }
    return value;
  }

  // Code testing `assumption` before the loop. SCEV's own expansion of no-wrap assumptions
  // needs the loop's exact trip count, which loops with traps have not; the last iteration
  // serves as well: the counter does not wrap when its value after that iteration fits its
  // type. That value counts too, so that the counter's add can be marked as not wrapping
  // (`markNoWrap`).
  Value *testAssumption(const SCEVPredicate &assumption, Value *lastIteration,
                        SCEVExpander &expander, IRBuilder<> &builder) {
    Instruction *insertion = &*builder.GetInsertPoint();
    if (isa<SCEVComparePredicate>(assumption))
      return builder.CreateNot(expander.expandCodeForPredicate(&assumption, insertion));
    auto *noWrap = cast<SCEVWrapPredicate>(&assumption);
    const SCEVAddRecExpr *counter = noWrap->getExpr();
    unsigned bits = counter->getType()->getIntegerBitWidth();
    bool isSigned = noWrap->getFlags() & SCEVWrapPredicate::IncrementNSSW;
    Type *i64 = builder.getInt64Ty();
    Value *valid = nullptr;
    Value *step = boundedStep(counter->getStepRecurrence(evolution), expander, builder, valid);
    Value *start = expander.expandCodeFor(counter->getStart(), nullptr, insertion);
    Value *first = isSigned ? builder.CreateSExt(start, i64) : builder.CreateZExt(start, i64);
    Value *increments = builder.CreateAdd(lastIteration, builder.getInt64(1));
    Value *last = builder.CreateAdd(first, builder.CreateMul(increments, step));
    int64_t low = isSigned ? APInt::getSignedMinValue(bits).getSExtValue() : 0;
    int64_t high = isSigned ? APInt::getSignedMaxValue(bits).getSExtValue()
                            : int64_t(APInt::getMaxValue(bits).getZExtValue());
    if (isSigned)
      noSignedWrap.insert(counter);
    Value *fits = builder.CreateAnd(builder.CreateICmpSGE(last, builder.getInt64(low)),
                                    builder.CreateICmpSLE(last, builder.getInt64(high)));
    return valid ? builder.CreateAnd(fits, valid) : fits;
  }

  // The address of `check` as an affine function of `loop`'s iterations with a step that does
  // not change in the loop (zero for an address the loop does not change), with a limit that
  // does not change in the loop either.
  std::optional<AffineCheck> affineAddress(Loop &loop, PredicatedScalarEvolution &predicated,
                                           const WideCheck &check) {
    // The limit is computed at the access from the memory's size: hoisted when the size does
    // not change in the loop.
    bool hoisted = false;
    if (!loop.makeLoopInvariant(check.limit, hoisted) || !check.address->getType()->isIntegerTy(64))
      return std::nullopt;
    const SCEV *address = evolution.getSCEV(check.address);
    if (evolution.isLoopInvariant(address, &loop))
      return AffineCheck{check, address, evolution.getZero(address->getType()), {}, false};
    const SCEVAddRecExpr *recurrence = predicated.getAsAddRec(check.address);
    if (!recurrence || recurrence->getLoop() != &loop || !recurrence->isAffine())
      return std::nullopt;
    const SCEV *step = recurrence->getStepRecurrence(evolution);
    if (!stepMayBeBounded(step))
      return std::nullopt;
    return AffineCheck{check, recurrence->getStart(), step, {}, false};
  }

  // Both copies leave the loop for the same exit blocks: each exit's phis take from the copy
  // what they took from the original.
  void addExitIncomings(Loop &loop, ValueToValueMapTy &map) {
    SmallVector<BasicBlock *, 8> exits;
    loop.getUniqueExitBlocks(exits);
    for (BasicBlock *exit : exits) {
      for (PHINode &phi : exit->phis()) {
        unsigned count = phi.getNumIncomingValues();
        for (unsigned i = 0; i < count; i++) {
          BasicBlock *from = phi.getIncomingBlock(i);
          if (!loop.contains(from))
            continue;
          Value *value = phi.getIncomingValue(i);
          Value *mapped = map.lookup(value);
          phi.addIncoming(mapped ? mapped : value, cast<BasicBlock>(map[from]));
        }
      }
    }
  }

  SmallPtrSet<Loop *, 16> provenLoops;
  bool guardPages;
  // The counters of the loop being versioned that the test before it finds not to wrap as
  // signed values.
  SmallPtrSet<const SCEV *, 8> noSignedWrap;
  LoopInfo &loops;
  DominatorTree &tree;
  ScalarEvolution &evolution;
  const DataLayout &layout;
};

// In guard mode a store is followed by a fence that keeps it before any later access, which
// might fault, and a load by an anchor that keeps it whole and in place (compiler/translate/
// guard.rs). Nothing in `loop`, a loop proven in bounds, faults:
// both go, so that it can be vectorised and its stores combined or moved out of it, and where
// it stores, a fence at each exit keeps its stores before what follows the loop.
void unfenceProvenLoop(Loop &loop) {
  SmallVector<CallInst *, 16> fences;
  CallInst *storeFence = nullptr;
  for (BasicBlock *block : loop.blocks()) {
    for (Instruction &instruction : *block) {
      auto *call = dyn_cast<CallInst>(&instruction);
      if (!call || !call->getMetadata(GuardFenceKind))
        continue;
      fences.push_back(call);
      // An anchor has the loaded value as its operand; a store fence has none.
      if (call->arg_empty())
        storeFence = call;
    }
  }
  if (storeFence) {
    SmallVector<BasicBlock *, 8> exits;
    loop.getUniqueExitBlocks(exits);
    for (BasicBlock *exit : exits)
      storeFence->clone()->insertBefore(exit->getFirstInsertionPt());
  }
  for (CallInst *fence : fences)
    fence->eraseFromParent();
}

// Whether `function` has a conditional branch to a trap (a block ending in `unreachable`)
// inside a loop other than those of `exactCopies`.
bool hasCheckedLoop(Function &function, LoopInfo &loops,
                    const SmallPtrSetImpl<Loop *> &exactCopies) {
  for (BasicBlock &block : function) {
    Loop *loop = loops.getLoopFor(&block);
    auto *branch = dyn_cast<BranchInst>(block.getTerminator());
    if (!loop || exactCopies.contains(loop) || !branch || !branch->isConditional())
      continue;
    for (BasicBlock *successor : branch->successors()) {
      if (isa<UnreachableInst>(successor->getTerminator()))
        return true;
    }
  }
  return false;
}

} // namespace

void w2n::printLoopVersioningStatistics(raw_ostream &out) {
  printStatistics({&NumLoopsVersioned, &NumChecksHoisted, &NumChecksSymbolicStep, &NumChecksExact,
                   &NumLoopsProven, &NumDisjointTests, &NumLoopsUnfenced},
                  out);
}

PreservedAnalyses w2n::VersionCheckedLoops::run(Function &function,
                                                FunctionAnalysisManager &analyses) {
  bool any = false;
  for (BasicBlock &block : function) {
    if (auto *branch = dyn_cast<BranchInst>(block.getTerminator()))
      any |= asWideCheck(branch).has_value();
  }
  LoopInfo &loops = analyses.getResult<LoopAnalysis>(function);
  SmallPtrSet<Loop *, 16> exactCopies;
  if (!any && !guardPages) {
    if (hasCheckedLoop(function, loops, exactCopies))
      checkedLoops.insert(&function);
    return PreservedAnalyses::all();
  }

  LoopVersioner versioner(function, analyses, guardPages);
  LLVM_DEBUG(dbgs() << DEBUG_TYPE ": in " << function.getName() << "\n");
  SmallVector<Loop *, 16> innermost;
  for (Loop *loop : loops.getLoopsInPreorder()) {
    if (loop->isInnermost())
      innermost.push_back(loop);
  }
  for (Loop *loop : innermost) {
    SmallVector<WideCheck, 8> checks;
    for (BasicBlock *block : loop->blocks()) {
      if (auto *branch = dyn_cast<BranchInst>(block->getTerminator()))
        if (auto check = asWideCheck(branch))
          checks.push_back(*check);
    }
    if (Loop *exactCopy = checks.empty() ? nullptr : versioner.version(*loop, checks)) {
      exactCopies.insert(exactCopy);
      // The exact copy runs only up to a trap or over overlapping arrays: vectorising or
      // unrolling it would make more code to compile for a path that is rarely taken.
      addStringMetadataToLoop(exactCopy, "llvm.loop.vectorize.enable", 0);
      addStringMetadataToLoop(exactCopy, "llvm.loop.unroll.disable");
    }
  }
  // Whatever was not versioned takes the exact check, as unversioned code always did.
  for (BasicBlock &block : function) {
    if (auto *branch = dyn_cast<BranchInst>(block.getTerminator()))
      if (auto check = asWideCheck(branch))
        settle(*check, /*exact=*/true);
  }
  // With guard pages an access is not checked: it faults. A vector access that faults
  // part-way past the end of memory would leave undone the stores of its lanes that fit, so
  // only loops whose accesses are all proven in bounds may be vectorised.
  if (guardPages) {
    for (Loop *loop : loops.getLoopsInPreorder()) {
      if (!loop->isInnermost())
        continue;
      if (versioner.proven().contains(loop)) {
        unfenceProvenLoop(*loop);
        ++NumLoopsUnfenced;
      } else
        addStringMetadataToLoop(loop, "llvm.loop.vectorize.enable", 0);
    }
  }
  if (hasCheckedLoop(function, loops, exactCopies))
    checkedLoops.insert(&function);
  return PreservedAnalyses::none();
}
