//! The LLVM pass pipeline at -O2: LLVM's own `default<O2>`, trimmed for modules that a compiler
//! has already optimised.
//!
//! Most Wasm comes from clang or rustc at -O2 or -Os: its functions are simplified, and what our
//! translation adds is locals in memory slots, bounds checks, address arithmetic and loads of the
//! instance's fields. `default<O2>` runs its whole simplification again over that (eight rounds of
//! InstCombine among others), which took half of a compile. This pipeline keeps the passes that
//! act on what translation adds and the ones LLVM's code is better for: SROA, the inliner (a
//! module built for size leaves calls worth inlining), attribute inference (a call known not to
//! write memory lets loads move out of loops, which a bytecode interpreter needs), interprocedural
//! constant propagation (CRC-32's tables), value-range and constraint-based
//! check elimination, LICM, loop rotation and induction variables, GVN, DSE, both vectorisers and
//! unrolling. Left out are the passes that found little left to do in compiled code: the extra
//! InstCombine, jump-threading, CVP and SCCP rounds, reassociation, loop idiom recognition, memcpy
//! optimisation, tail-call elimination, loop distribution and sinking. What this saves, and what
//! each kept pass is worth, is measured in docs/architecture.md.

/// InstCombine as the standard pipelines run it: one round, no check for a fixed point (named
/// alone, it aborts the process when one round leaves more to combine).
const INSTCOMBINE: &str = "instcombine<max-iterations=1;no-verify-fixpoint>";

/// SimplifyCFG while loops are still being shaped (canonical loops kept).
const SIMPLIFY_CFG: &str = "simplifycfg<switch-range-to-icmp>";

/// SimplifyCFG closing the simplification of a function, hoisting and sinking code common to
/// both sides of a branch.
const SIMPLIFY_CFG_MERGING: &str =
    "simplifycfg<switch-range-to-icmp;hoist-common-insts;sink-common-insts>";

/// SimplifyCFG after vectorisation: switches may become lookup tables, loops lose their shape.
const SIMPLIFY_CFG_LATE: &str =
    "simplifycfg<forward-switch-cond;switch-range-to-icmp;switch-to-lookup;no-keep-loops;\
                                 hoist-common-insts;sink-common-insts>";

/// The last SimplifyCFG, which may also turn unpredictable branches into selects.
const SIMPLIFY_CFG_FINAL: &str = "simplifycfg<switch-range-to-icmp;speculate-unpredictables>";

/// The simplification of one function, run bottom-up over the call graph after inlining into it.
fn simplification() -> String {
    [
        "sroa<modify-cfg>",
        "early-cse<memssa>",
        SIMPLIFY_CFG,
        INSTCOMBINE,
        "correlated-propagation",
        "constraint-elimination",
        "loop-mssa(loop-instsimplify,loop-simplifycfg,licm<no-allowspeculation>,\
         loop-rotate<header-duplication;no-prepare-for-lto>,licm<allowspeculation>,\
         simple-loop-unswitch<no-nontrivial;trivial>)",
        SIMPLIFY_CFG,
        "loop(indvars,loop-deletion,loop-unroll-full)",
        "sroa<modify-cfg>",
        "gvn",
        INSTCOMBINE,
        "jump-threading",
        "adce",
        "dse",
        "loop-mssa(licm<allowspeculation>)",
        SIMPLIFY_CFG_MERGING,
    ]
    .join(",")
}

/// Vectorisation, unrolling and their clean-up, per function once the call graph is done;
/// `vectorise_loops` false leaves the loop vectoriser out.
fn optimisation(vectorise_loops: bool) -> String {
    let loop_vectoriser: &[&str] = match vectorise_loops {
        true => &[
            "loop-vectorize<no-interleave-forced-only;no-vectorize-forced-only>",
            "infer-alignment",
            "loop-load-elim",
        ],
        false => &[],
    };
    ["loop(loop-rotate<header-duplication;no-prepare-for-lto>)", "inject-tli-mappings"]
        .iter()
        .chain(loop_vectoriser)
        .chain(&[
            INSTCOMBINE,
            SIMPLIFY_CFG_LATE,
            "slp-vectorizer",
            "vector-combine",
            "loop-unroll<O2>",
            "sroa<preserve-cfg>",
            "infer-alignment",
            INSTCOMBINE,
            "loop-mssa(licm<allowspeculation>)",
            SIMPLIFY_CFG_FINAL,
        ])
        .copied()
        .collect::<Vec<_>>()
        .join(",")
}

/// The -O2 pipeline, as text for `run_passes`; `vectorise_loops` false leaves the loop
/// vectoriser out (see `codegen::emit`).
pub fn o2(vectorise_loops: bool) -> String {
    format!(
        "ipsccp,cgscc(devirt<4>(inline,function-attrs<skip-non-recursive-function-attrs>,\
         function<eager-inv;no-rerun>({}))),rpo-function-attrs,globaldce,function<eager-inv>({})",
        simplification(),
        optimisation(vectorise_loops)
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_loop_vectoriser_is_left_out_only_when_asked() {
        assert!(super::o2(true).contains("loop-vectorize"));
        assert!(!super::o2(false).contains("loop-vectorize"));
        assert!(super::o2(false).contains("slp-vectorizer"));
    }
}
