// What the translator (compiler/translate/, Rust) and the loop passes (this folder, C++) agree
// on, written once: the names each side marks or looks for in the IR, and the shapes it reads.
// The C++ includes this file; build.rs turns each W2N_CONTRACT_* define below into a Rust
// constant of the same name without the prefix (compiler/contract.rs), so renaming one here
// renames it on both sides. tests/golden/ checks the shapes in optimised IR.
//
// Shapes, as the translator emits them and the passes parse them:
// - A fast compare (translate/bounds.rs, `check_wide_address`): `br i1 (icmp uge %address,
//   %limit)` whose true side leads to the exact check, carrying !w2n.wide_check; `%limit` is
//   `call @llvm.usub.sat.i64(size + 1, end)` with a constant `end`, so that every access the
//   compare covers lies in [address, address + end). The exact side alone is correct, so only
//   the compare's success has to mean "in bounds".
// - A guard-mode fence or anchor (translate/guard.rs): a call of an empty `asm sideeffect`,
//   carrying !w2n.guard_fence; a fence has no operand, an anchor one (the loaded value).
// - Linear memory's accesses carry a TBAA tag whose type node is named as
//   W2N_CONTRACT_LINEAR_MEMORY_TAG says (translate/alias.rs); the instance's data is apart.

#pragma once

// Metadata kind on the branch of a fast compare.
#define W2N_CONTRACT_WIDE_CHECK_METADATA "w2n.wide_check"
// Metadata kind on guard mode's fences and anchors.
#define W2N_CONTRACT_GUARD_FENCE_METADATA "w2n.guard_fence"
// Name of the TBAA type node of linear memory's accesses.
#define W2N_CONTRACT_LINEAR_MEMORY_TAG "linear memory"
