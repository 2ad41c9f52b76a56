// The one question about a target machine that LLVM's C API cannot answer: which features its
// CPU has, including those a `--cpu` name implies. The translator lowers some operators to a
// target's own instructions only where the target has them (compiler/codegen.rs,
// `relaxed_simd_lowering`); instruction selection would abort on the others.

#include "llvm-c/TargetMachine.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Target/TargetMachine.h"

using namespace llvm;

// Whether `machine` has every feature of `features`, a comma-separated list such as
// "+ssse3,+sse4.1".
extern "C" bool w2n_target_has_features(LLVMTargetMachineRef machine, const char *features) {
  const TargetMachine *target = reinterpret_cast<TargetMachine *>(machine);
  return target->getMCSubtargetInfo()->checkFeatures(features);
}
