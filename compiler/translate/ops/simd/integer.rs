//! SIMD operators on integer lanes.

use super::super::super::func::FuncTranslator;
use super::super::super::Result;
use wasmparser::Operator;

/// Translates `op` when it belongs here; false otherwise.
pub fn translate<'a>(_t: &mut FuncTranslator<'_, '_, 'a>, _op: &Operator<'a>) -> Result<bool> {
    Ok(false)
}
