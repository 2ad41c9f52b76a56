// lld's ELF linker, run inside the compiler's process.
//
// Linking an executable through the system driver costs three processes (cc, collect2, ld)
// and bfd's start, about 28 ms for a small program: half of what -O0 takes to compile it. The
// same link in lld, already in our process with LLVM, takes a few milliseconds. lld is not
// reentrant, nor reliably run twice: link/lld.rs calls it once per process at most.

#include "lld/Common/Driver.h"
#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

LLD_HAS_DRIVER(elf)

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
    // in which case it returns to lldMain instead. Enabling installs signal handlers, which the
    // call to Disable removes again.
    llvm::CrashRecoveryContext::Enable();
    lld::Result result = lld::lldMain(argv, stream, stream, {{lld::Gnu, &lld::elf::link}});
    llvm::CrashRecoveryContext::Disable();
    stream.flush();
    *diagnostics = strdup(messages.c_str());
    *can_run_again = result.canRunAgain ? 1 : 0;
    return result.retCode;
}

extern "C" void w2n_lld_free(char *diagnostics) { free(diagnostics); }
