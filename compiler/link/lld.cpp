// lld's ELF linker, run inside the compiler's process.
//
// Linking an executable through the system driver costs three processes (cc, collect2, ld)
// and bfd's start, a large share of an -O0 compile; the same link in lld, already in our
// process with LLVM, is several times faster (docs/architecture.md has the figures). lld is not
// reentrant, nor reliably run twice: link/lld.rs says when it may run again.

#include "lld/Common/Driver.h"
#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

LLD_HAS_DRIVER(elf)

// The runtime's (runtime-lib/src/fault.c), linked into the compiler.
extern "C" int w2n_reinstall_fault_handler(void);

// Links with `arguments` (argv[0] names the flavour: "ld.lld"). Returns lld's exit code; its
// messages go to a malloc'ed string in *diagnostics (free with w2n_lld_free). *can_run_again
// is 0 when lld left its state unusable (after a fatal error), so that no further link may run
// in this process.
extern "C" int w2n_lld_link(const char *const *arguments, size_t count, char **diagnostics,
                            int *can_run_again) {
  std::vector<const char *> argv(arguments, arguments + count);
  std::string messages;
  llvm::raw_string_ostream stream(messages);
  // lld ends a fatal error with an exit unless a crash recovery context is live and enabled,
  // in which case it returns to lldMain instead. Enabling installs LLVM's handlers for SIGSEGV
  // and the like, process-wide. Enabled and disabled around each link, they displaced the
  // runtime's fault handler for the link's duration, and a guard-mode module faulting in
  // another thread then met LLVM's handler, which gives up on a thread without a recovery
  // context and crashed the process. So recovery is enabled once, for good, and the runtime's
  // handler (if already installed; otherwise it comes in front when it is) is put back in front.
  static std::once_flag crash_recovery;
  std::call_once(crash_recovery, [] {
    llvm::CrashRecoveryContext::Enable();
    w2n_reinstall_fault_handler();
  });
  lld::Result result = lld::lldMain(argv, stream, stream, {{lld::Gnu, &lld::elf::link}});
  stream.flush();
  *diagnostics = strdup(messages.c_str());
  *can_run_again = result.canRunAgain ? 1 : 0;
  return result.retCode;
}

extern "C" void w2n_lld_free(char *diagnostics) { free(diagnostics); }

// lld's driver initialises every LLVM target for link-time optimisation, which wasm2native
// never asks of it (it links native objects only). Defined here, in the object that holds
// w2n_lld_link and so is always linked before lld's archives are searched, these empty
// initialisers keep the other targets' libraries out of the compiler: their code, and the
// static constructors that ran at every start (docs/architecture.md, start-up).
#define W2N_UNUSED_TARGET(T)                                                                       \
  extern "C" void LLVMInitialize##T##TargetInfo() {}                                               \
  extern "C" void LLVMInitialize##T##Target() {}                                                   \
  extern "C" void LLVMInitialize##T##TargetMC() {}                                                 \
  extern "C" void LLVMInitialize##T##AsmPrinter() {}                                               \
  extern "C" void LLVMInitialize##T##Disassembler() {}
#define W2N_UNUSED_ASM_PARSER(T)                                                                   \
  extern "C" void LLVMInitialize##T##AsmParser() {}
W2N_UNUSED_TARGET(AMDGPU)
W2N_UNUSED_TARGET(ARM)
W2N_UNUSED_TARGET(AVR)
W2N_UNUSED_TARGET(BPF)
W2N_UNUSED_TARGET(Hexagon)
W2N_UNUSED_TARGET(Lanai)
W2N_UNUSED_TARGET(LoongArch)
W2N_UNUSED_TARGET(M68k)
W2N_UNUSED_TARGET(MSP430)
W2N_UNUSED_TARGET(Mips)
W2N_UNUSED_TARGET(NVPTX)
W2N_UNUSED_TARGET(PowerPC)
W2N_UNUSED_TARGET(RISCV)
W2N_UNUSED_TARGET(Sparc)
W2N_UNUSED_TARGET(SystemZ)
W2N_UNUSED_TARGET(VE)
W2N_UNUSED_TARGET(WebAssembly)
W2N_UNUSED_TARGET(XCore)
W2N_UNUSED_TARGET(Xtensa)
W2N_UNUSED_ASM_PARSER(AMDGPU)
W2N_UNUSED_ASM_PARSER(ARM)
W2N_UNUSED_ASM_PARSER(AVR)
W2N_UNUSED_ASM_PARSER(BPF)
W2N_UNUSED_ASM_PARSER(Hexagon)
W2N_UNUSED_ASM_PARSER(Lanai)
W2N_UNUSED_ASM_PARSER(LoongArch)
W2N_UNUSED_ASM_PARSER(M68k)
W2N_UNUSED_ASM_PARSER(MSP430)
W2N_UNUSED_ASM_PARSER(Mips)
W2N_UNUSED_ASM_PARSER(PowerPC)
W2N_UNUSED_ASM_PARSER(RISCV)
W2N_UNUSED_ASM_PARSER(Sparc)
W2N_UNUSED_ASM_PARSER(SystemZ)
W2N_UNUSED_ASM_PARSER(VE)
W2N_UNUSED_ASM_PARSER(WebAssembly)
W2N_UNUSED_ASM_PARSER(Xtensa)
