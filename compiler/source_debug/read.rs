//! Reading a module's DWARF with `gimli` into `SourceDebug`. Every read is checked: the first
//! error gives up on the whole of it (a half-read table could put wrong lines on code), and
//! walks of the entry tree and of types are bounded, so no input makes it recurse deeply.

use super::{
    Callee, FrameBase, Function, InlinedCall, LineRow, Member, SourceDebug, SourceFile,
    SourcePosition, SourceType, Variable, VariableLocation,
};
use crate::frontend::ModuleInfo;
use gimli::{constants, AttributeValue, EndianSlice, LittleEndian, UnitOffset};
use std::collections::HashMap;

type Slice<'a> = EndianSlice<'a, LittleEndian>;
type Dwarf<'a> = gimli::Dwarf<Slice<'a>>;
type Unit<'a> = gimli::Unit<Slice<'a>>;
type Entry<'a, 'u> = gimli::DebuggingInformationEntry<'u, 'u, Slice<'a>>;

/// The deepest nesting of entries and of types followed.
const MAX_DEPTH: u32 = 48;
/// Types read at most: more than any real program's, few enough to bound the work.
const MAX_TYPES: usize = 1 << 20;
/// `DW_OP_WASM_location`: a Wasm local (kind 0), global (1, or 3 with a fixed 4-byte index) or
/// operand stack slot (2), followed by its index.
const DW_OP_WASM_LOCATION: u8 = 0xed;

/// The module's source debug information, or `None` when it has none or it is malformed.
pub fn read(info: &ModuleInfo<'_>) -> Option<SourceDebug> {
    let section = |name: &str| {
        let bytes = info.debug_sections.iter().find(|(n, _)| *n == name).map_or(&[][..], |s| s.1);
        EndianSlice::new(bytes, LittleEndian)
    };
    if section(".debug_info").is_empty() {
        return None;
    }
    let dwarf: Dwarf<'_> =
        gimli::Dwarf::load(|id| Ok::<_, gimli::Error>(section(id.name()))).ok()?;
    let mut reader = Reader {
        dwarf: &dwarf,
        debug: SourceDebug::default(),
        files: HashMap::new(),
        unit_files: HashMap::new(),
        callees: HashMap::new(),
        types: HashMap::new(),
    };
    reader.read_units().ok()?;
    let mut debug = reader.debug;
    // Rows of different sequences interleave; at one address an end row comes first, so that
    // a sequence starting where another ends is found.
    debug.rows.sort_by_key(|row| (row.address, !row.is_end));
    debug.functions.sort_by_key(|f| f.low);
    // Two functions claiming the same code: the DWARF is not to be trusted.
    if debug.functions.windows(2).any(|pair| pair[0].high > pair[1].low) {
        return None;
    }
    (!debug.is_empty()).then_some(debug)
}

/// Whether a code address is a linker's mark for discarded code rather than code: wasm-ld
/// writes 0 (no function starts there: the section starts with the function count), -1 or -2.
fn is_tombstone(address: u64) -> bool {
    address == 0 || address >= 0xffff_fffe
}

struct Reader<'d, 'a> {
    dwarf: &'d Dwarf<'a>,
    debug: SourceDebug,
    files: HashMap<SourceFile, u32>,
    /// The unit's file table, as indices into `debug.files`.
    unit_files: HashMap<u64, u32>,
    callees: HashMap<(usize, usize), usize>,
    types: HashMap<(usize, usize), usize>,
}

/// Where an inlined call or variable is found during the walk.
#[derive(Clone, Copy)]
struct Place {
    function: Option<usize>,
    inlined: Option<usize>,
    depth: u32,
}

impl<'d, 'a> Reader<'d, 'a> {
    fn read_units(&mut self) -> gimli::Result<()> {
        let mut headers = self.dwarf.units();
        while let Some(header) = headers.next()? {
            let unit = self.dwarf.unit(header)?;
            self.unit_files.clear();
            self.read_lines(&unit)?;
            let mut tree = unit.entries_tree(None)?;
            let root = tree.root()?;
            self.walk(&unit, root, Place { function: None, inlined: None, depth: 0 })?;
        }
        Ok(())
    }

    fn read_lines(&mut self, unit: &Unit<'a>) -> gimli::Result<()> {
        let Some(program) = unit.line_program.clone() else { return Ok(()) };
        let mut rows = program.rows();
        let mut sequence = Vec::new();
        while let Some((_, row)) = rows.next_row()? {
            let address = row.address();
            let file = self.unit_file(unit, row.file_index())?;
            sequence.push(LineRow {
                address: address.min(u32::MAX as u64) as u32,
                file: file.unwrap_or(0),
                line: row.line().map_or(0, |l| l.get().min(u32::MAX as u64) as u32),
                column: match row.column() {
                    gimli::ColumnType::LeftEdge => 0,
                    gimli::ColumnType::Column(c) => c.get().min(u32::MAX as u64) as u32,
                },
                is_end: row.end_sequence() || file.is_none(),
            });
            if row.end_sequence() {
                // A sequence of discarded code starts at a tombstone: its rows would cover
                // live code, so they are left out.
                if !sequence.first().is_some_and(|r| is_tombstone(r.address as u64)) {
                    self.debug.rows.append(&mut sequence);
                }
                sequence.clear();
            }
        }
        Ok(())
    }

    /// Entry `index` of `unit`'s file table, as an index into `debug.files`.
    fn unit_file(&mut self, unit: &Unit<'a>, index: u64) -> gimli::Result<Option<u32>> {
        if let Some(&file) = self.unit_files.get(&index) {
            return Ok(Some(file));
        }
        let Some(program) = &unit.line_program else { return Ok(None) };
        let header = program.header();
        let Some(entry) = header.file(index) else { return Ok(None) };
        let name = self.string(unit, entry.path_name())?;
        let mut directory = match entry.directory(header) {
            Some(value) => self.string(unit, value)?,
            None => String::new(),
        };
        if !directory.starts_with('/') {
            if let Some(base) = &unit.comp_dir {
                let base = base.to_string_lossy().into_owned();
                directory = match directory.as_str() {
                    "" | "." => base,
                    _ => format!("{}/{}", base.trim_end_matches('/'), directory),
                };
            }
        }
        let file = SourceFile { directory, name };
        let next = self.debug.files.len() as u32;
        let global = *self.files.entry(file.clone()).or_insert(next);
        if global == next {
            self.debug.files.push(file);
        }
        self.unit_files.insert(index, global);
        Ok(Some(global))
    }

    fn string(&self, unit: &Unit<'a>, value: AttributeValue<Slice<'a>>) -> gimli::Result<String> {
        Ok(self.dwarf.attr_string(unit, value)?.to_string_lossy().into_owned())
    }

    fn walk(
        &mut self,
        unit: &Unit<'a>,
        node: gimli::EntriesTreeNode<'_, '_, '_, Slice<'a>>,
        place: Place,
    ) -> gimli::Result<()> {
        if place.depth > MAX_DEPTH {
            return Ok(());
        }
        let entry = node.entry().clone();
        let mut inner = Place { depth: place.depth + 1, ..place };
        match entry.tag() {
            constants::DW_TAG_subprogram => {
                inner = Place { function: self.function(unit, &entry)?, inlined: None, ..inner };
            }
            constants::DW_TAG_inlined_subroutine => {
                let Some(function) = place.function else { return Ok(()) };
                inner.inlined = self.inlined_call(unit, &entry, function, place)?;
                if inner.inlined.is_none() {
                    return Ok(());
                }
            }
            constants::DW_TAG_variable | constants::DW_TAG_formal_parameter => {
                if let (Some(function), None) = (place.function, place.inlined) {
                    self.variable(unit, &entry, function)?;
                }
                return Ok(());
            }
            constants::DW_TAG_compile_unit | constants::DW_TAG_lexical_block => {}
            _ => return Ok(()),
        }
        let mut children = node.children();
        while let Some(child) = children.next()? {
            self.walk(unit, child, inner)?;
        }
        Ok(())
    }

    /// The code ranges of `entry`, without discarded code.
    fn ranges(&self, unit: &Unit<'a>, entry: &Entry<'a, '_>) -> gimli::Result<Vec<(u32, u32)>> {
        let mut ranges = Vec::new();
        let mut iter = self.dwarf.die_ranges(unit, entry)?;
        while let Some(range) = iter.next()? {
            if !is_tombstone(range.begin) && range.begin < range.end && range.end <= u32::MAX as u64
            {
                ranges.push((range.begin as u32, range.end as u32));
            }
        }
        Ok(ranges)
    }

    /// A subprogram with code becomes a `Function` (its index in `debug.functions`).
    fn function(&mut self, unit: &Unit<'a>, entry: &Entry<'a, '_>) -> gimli::Result<Option<usize>> {
        let ranges = self.ranges(unit, entry)?;
        let (Some(low), Some(high)) =
            (ranges.iter().map(|r| r.0).min(), ranges.iter().map(|r| r.1).max())
        else {
            return Ok(None);
        };
        let Some(callee) = self.declaration(unit, entry, 0)? else { return Ok(None) };
        let return_type = match entry.attr_value(constants::DW_AT_type)? {
            Some(AttributeValue::UnitRef(ty)) => Some(self.type_of(unit, ty, 0)?),
            _ => None,
        };
        let frame_base = match entry.attr_value(constants::DW_AT_frame_base)? {
            Some(AttributeValue::Exprloc(expression)) => {
                match wasm_location(expression.0.slice()) {
                    Some((0, index)) => Some(FrameBase::Local(index)),
                    Some((1 | 3, index)) => Some(FrameBase::Global(index)),
                    _ => None,
                }
            }
            _ => None,
        };
        self.debug.functions.push(Function {
            low,
            high,
            name: callee.name,
            declared: callee.declared,
            frame_base,
            return_type,
            variables: Vec::new(),
            inlined: Vec::new(),
        });
        Ok(Some(self.debug.functions.len() - 1))
    }

    /// The name and declaration of a subprogram, following its abstract origin or
    /// specification when it has none of its own.
    fn declaration(
        &mut self,
        unit: &Unit<'a>,
        entry: &Entry<'a, '_>,
        hops: u32,
    ) -> gimli::Result<Option<Callee>> {
        if let Some(name) = entry.attr_value(constants::DW_AT_name)? {
            let name = self.string(unit, name)?;
            return Ok(Some(Callee { name, declared: self.declared(unit, entry)? }));
        }
        for attribute in [constants::DW_AT_abstract_origin, constants::DW_AT_specification] {
            if let Some(AttributeValue::UnitRef(offset)) = entry.attr_value(attribute)? {
                if hops < 4 {
                    let origin = unit.entry(offset)?;
                    return self.declaration(unit, &origin, hops + 1);
                }
            }
        }
        Ok(None)
    }

    fn declared(
        &mut self,
        unit: &Unit<'a>,
        entry: &Entry<'a, '_>,
    ) -> gimli::Result<SourcePosition> {
        let file = match entry.attr_value(constants::DW_AT_decl_file)? {
            Some(AttributeValue::FileIndex(index)) => self.unit_file(unit, index)?,
            Some(value) => match value.udata_value() {
                Some(index) => self.unit_file(unit, index)?,
                None => None,
            },
            None => None,
        };
        let line = entry.attr_value(constants::DW_AT_decl_line)?.and_then(|v| v.udata_value());
        Ok(SourcePosition {
            file: file.unwrap_or(u32::MAX),
            line: line.unwrap_or(0).min(u32::MAX as u64) as u32,
            column: 0,
        })
    }

    fn inlined_call(
        &mut self,
        unit: &Unit<'a>,
        entry: &Entry<'a, '_>,
        function: usize,
        place: Place,
    ) -> gimli::Result<Option<usize>> {
        let ranges = self.ranges(unit, entry)?;
        let Some(AttributeValue::UnitRef(origin)) =
            entry.attr_value(constants::DW_AT_abstract_origin)?
        else {
            return Ok(None);
        };
        if ranges.is_empty() {
            return Ok(None);
        }
        let key =
            (unit.header.offset().as_debug_info_offset().map_or(usize::MAX, |o| o.0), origin.0);
        let callee = match self.callees.get(&key) {
            Some(&callee) => callee,
            None => {
                let origin_entry = unit.entry(origin)?;
                let Some(callee) = self.declaration(unit, &origin_entry, 0)? else {
                    return Ok(None);
                };
                self.debug.callees.push(callee);
                self.callees.insert(key, self.debug.callees.len() - 1);
                self.debug.callees.len() - 1
            }
        };
        let file = match entry.attr_value(constants::DW_AT_call_file)? {
            Some(AttributeValue::FileIndex(index)) => self.unit_file(unit, index)?,
            Some(value) => match value.udata_value() {
                Some(index) => self.unit_file(unit, index)?,
                None => None,
            },
            None => None,
        };
        let number = |value: Option<AttributeValue<Slice<'a>>>| {
            value.and_then(|v| v.udata_value()).unwrap_or(0).min(u32::MAX as u64) as u32
        };
        let call = SourcePosition {
            file: file.unwrap_or(u32::MAX),
            line: number(entry.attr_value(constants::DW_AT_call_line)?),
            column: number(entry.attr_value(constants::DW_AT_call_column)?),
        };
        let calls = &mut self.debug.functions[function].inlined;
        calls.push(InlinedCall { ranges, parent: place.inlined, callee, call, depth: place.depth });
        Ok(Some(calls.len() - 1))
    }

    /// A variable or parameter of `function` whose location holds for the whole function.
    fn variable(
        &mut self,
        unit: &Unit<'a>,
        entry: &Entry<'a, '_>,
        function: usize,
    ) -> gimli::Result<()> {
        let Some(AttributeValue::Exprloc(expression)) =
            entry.attr_value(constants::DW_AT_location)?
        else {
            return Ok(());
        };
        let bytes = expression.0.slice();
        let location = match bytes.first() {
            Some(&op) if op == constants::DW_OP_fbreg.0 => {
                let mut rest = EndianSlice::new(&bytes[1..], LittleEndian);
                let Ok(offset) = gimli::Reader::read_sleb128(&mut rest) else { return Ok(()) };
                if !rest.is_empty() {
                    return Ok(());
                }
                VariableLocation::Frame(offset)
            }
            _ => match wasm_location(bytes) {
                Some((0, index)) => VariableLocation::Local(index),
                _ => return Ok(()),
            },
        };
        let (Some(name), Some(AttributeValue::UnitRef(ty))) =
            (entry.attr_value(constants::DW_AT_name)?, entry.attr_value(constants::DW_AT_type)?)
        else {
            return Ok(());
        };
        let name = self.string(unit, name)?;
        let type_index = self.type_of(unit, ty, 0)?;
        let declared = self.declared(unit, entry)?;
        let variables = &mut self.debug.functions[function].variables;
        let argument = (entry.tag() == constants::DW_TAG_formal_parameter)
            .then(|| variables.iter().filter(|v| v.argument.is_some()).count() as u32 + 1);
        variables.push(Variable { name, type_index, declared, location, argument });
        Ok(())
    }

    /// The type at `offset` of `unit`, as an index into `debug.types`.
    fn type_of(&mut self, unit: &Unit<'a>, offset: UnitOffset, depth: u32) -> gimli::Result<usize> {
        let key =
            (unit.header.offset().as_debug_info_offset().map_or(usize::MAX, |o| o.0), offset.0);
        if let Some(&index) = self.types.get(&key) {
            return Ok(index);
        }
        let index = self.debug.types.len();
        self.debug.types.push(SourceType::Unknown);
        if depth > MAX_DEPTH || index >= MAX_TYPES {
            return Ok(index);
        }
        // Known before its parts are read, so that a structure pointing to itself ends.
        self.types.insert(key, index);
        let entry = unit.entry(offset)?;
        let name = match entry.attr_value(constants::DW_AT_name)? {
            Some(value) => self.string(unit, value)?,
            None => String::new(),
        };
        let bytes = entry.attr_value(constants::DW_AT_byte_size)?.and_then(|v| v.udata_value());
        let target = match entry.attr_value(constants::DW_AT_type)? {
            Some(AttributeValue::UnitRef(target)) => Some(self.type_of(unit, target, depth + 1)?),
            _ => None,
        };
        let described = match (entry.tag(), target) {
            (constants::DW_TAG_base_type, _) => {
                let encoding = match entry.attr_value(constants::DW_AT_encoding)? {
                    Some(AttributeValue::Encoding(encoding)) => encoding.0,
                    _ => 0,
                };
                match bytes {
                    Some(bytes @ 1..=16) if !name.is_empty() => {
                        SourceType::Base { name, bytes, encoding }
                    }
                    _ => SourceType::Unknown,
                }
            }
            (constants::DW_TAG_enumeration_type, _) => match bytes {
                Some(bytes @ 1..=8) => SourceType::Base {
                    name: if name.is_empty() { "enum".into() } else { name },
                    bytes,
                    encoding: constants::DW_ATE_signed.0,
                },
                _ => SourceType::Unknown,
            },
            (constants::DW_TAG_pointer_type, pointee) => SourceType::Pointer { pointee },
            (constants::DW_TAG_typedef, Some(target)) if !name.is_empty() => {
                SourceType::Typedef { name, target }
            }
            (constants::DW_TAG_const_type | constants::DW_TAG_volatile_type, Some(target)) => {
                SourceType::Qualified { tag: entry.tag().0, target }
            }
            (constants::DW_TAG_array_type, Some(element)) => {
                SourceType::Array { element, count: self.array_count(unit, offset)? }
            }
            (constants::DW_TAG_structure_type | constants::DW_TAG_union_type, _) => match bytes {
                Some(bytes) => SourceType::Record {
                    name,
                    bytes,
                    is_union: entry.tag() == constants::DW_TAG_union_type,
                    members: self.members(unit, offset, depth)?,
                },
                None => SourceType::Unknown,
            },
            _ => SourceType::Unknown,
        };
        self.debug.types[index] = described;
        Ok(index)
    }

    /// The element count of the array type at `offset`: its first subrange's.
    fn array_count(&mut self, unit: &Unit<'a>, offset: UnitOffset) -> gimli::Result<Option<u64>> {
        let mut tree = unit.entries_tree(Some(offset))?;
        let mut children = tree.root()?.children();
        while let Some(child) = children.next()? {
            let entry = child.entry();
            if entry.tag() != constants::DW_TAG_subrange_type {
                continue;
            }
            let count = entry.attr_value(constants::DW_AT_count)?.and_then(|v| v.udata_value());
            let upper =
                entry.attr_value(constants::DW_AT_upper_bound)?.and_then(|v| v.udata_value());
            return Ok(count.or(upper.and_then(|u| u.checked_add(1))));
        }
        Ok(None)
    }

    fn members(
        &mut self,
        unit: &Unit<'a>,
        offset: UnitOffset,
        depth: u32,
    ) -> gimli::Result<Vec<Member>> {
        let mut found = Vec::new();
        {
            let mut tree = unit.entries_tree(Some(offset))?;
            let mut children = tree.root()?.children();
            while let Some(child) = children.next()? {
                let entry = child.entry();
                if entry.tag() != constants::DW_TAG_member {
                    continue;
                }
                let (Some(name), Some(AttributeValue::UnitRef(ty))) = (
                    entry.attr_value(constants::DW_AT_name)?,
                    entry.attr_value(constants::DW_AT_type)?,
                ) else {
                    continue;
                };
                let offset = entry
                    .attr_value(constants::DW_AT_data_member_location)?
                    .and_then(|v| v.udata_value())
                    .unwrap_or(0);
                found.push((self.string(unit, name)?, ty, offset));
            }
        }
        let mut members = Vec::with_capacity(found.len());
        for (name, ty, offset) in found {
            let type_index = self.type_of(unit, ty, depth + 1)?;
            members.push(Member { name, type_index, offset });
        }
        Ok(members)
    }
}

/// The kind and index of an expression that is one `DW_OP_WASM_location`, possibly followed by
/// `DW_OP_stack_value`.
fn wasm_location(bytes: &[u8]) -> Option<(u64, u32)> {
    let (&op, rest) = bytes.split_first()?;
    if op != DW_OP_WASM_LOCATION {
        return None;
    }
    let mut rest = EndianSlice::new(rest, LittleEndian);
    let kind = gimli::Reader::read_uleb128(&mut rest).ok()?;
    let index = match kind {
        3 => gimli::Reader::read_u32(&mut rest).ok()? as u64,
        _ => gimli::Reader::read_uleb128(&mut rest).ok()?,
    };
    let tail = rest.slice();
    if !(tail.is_empty() || tail == [constants::DW_OP_stack_value.0]) {
        return None;
    }
    Some((kind, u32::try_from(index).ok()?))
}
