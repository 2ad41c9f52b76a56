/*
 * The DWARF line program (versions 2 to 5) of .debug_line: the row that holds an address. Only
 * the program is run, its header skipped by its length; file names are read from version 2 to
 * 4 headers, the version of the compiler's own line tables.
 */
#include "debug_file.h"

/* The line program's opcodes (DWARF 5, section 6.2.5); their operands are read below. */
enum standard_opcode {
    LNS_COPY = 1,
    LNS_ADVANCE_PC = 2,
    LNS_ADVANCE_LINE = 3,
    LNS_SET_FILE = 4,
    LNS_CONST_ADD_PC = 8,
    LNS_FIXED_ADVANCE_PC = 9,
};
enum extended_opcode { LNE_END_SEQUENCE = 1, LNE_SET_ADDRESS = 2 };

typedef struct line_header {
    unsigned version;
    uint8_t min_instruction_length;
    int8_t line_base;
    uint8_t line_range;
    uint8_t opcode_base;
    const unsigned char *standard_lengths; /* opcode_base - 1 of them */
    reader file_names;                     /* versions 2 to 4: the header's file list */
    reader program;
} line_header;

/* Reads the header of the unit at `r`, leaving `r` at the next unit. */
static int read_line_header(reader *r, line_header *header) {
    uint64_t length = read_unsigned(r, 4);
    size_t offset_size = 4;
    if (length == 0xffffffff) {
        length = read_unsigned(r, 8);
        offset_size = 8;
    }
    if (r->failed || !has(r, length))
        return 0;
    const unsigned char *unit_end = r->at + length;
    reader unit = sub_reader(r->at, unit_end);
    r->at = unit_end;
    header->version = (unsigned)read_unsigned(&unit, 2);
    if (header->version < 2 || header->version > 5)
        return 0;
    if (header->version >= 5)
        read_unsigned(&unit, 2); /* address and segment selector sizes */
    uint64_t header_length = read_unsigned(&unit, offset_size);
    if (unit.failed || !has(&unit, header_length))
        return 0;
    const unsigned char *program = unit.at + header_length;
    header->min_instruction_length = (uint8_t)read_unsigned(&unit, 1);
    if (header->version >= 4)
        read_unsigned(&unit, 1); /* maximum operations per instruction: 1 off VLIW */
    read_unsigned(&unit, 1);     /* default_is_stmt */
    header->line_base = (int8_t)read_unsigned(&unit, 1);
    header->line_range = (uint8_t)read_unsigned(&unit, 1);
    header->opcode_base = (uint8_t)read_unsigned(&unit, 1);
    if (unit.failed || header->line_range == 0 || header->opcode_base == 0 ||
        !has(&unit, header->opcode_base - 1u))
        return 0;
    header->standard_lengths = unit.at;
    unit.at += header->opcode_base - 1;
    header->file_names = sub_reader(NULL, NULL);
    if (header->version <= 4) {
        while (!unit.failed) { /* include directories, to the empty one */
            const char *directory = read_string(&unit);
            if (!directory || !*directory)
                break;
        }
        header->file_names = sub_reader(unit.at, program);
    }
    header->program = sub_reader(program, unit_end);
    return 1;
}

/* File `index` (from 1) of a version 2 to 4 header. */
static const char *file_name(const line_header *header, uint64_t index) {
    reader r = header->file_names;
    for (uint64_t i = 1; r.at && !r.failed; i++) {
        const char *name = read_string(&r);
        if (!name || !*name)
            return NULL;
        if (i == index)
            return name;
        read_uleb(&r); /* directory, time, length */
        read_uleb(&r);
        read_uleb(&r);
    }
    return NULL;
}

typedef struct line_row {
    uint64_t address;
    uint64_t file;
    int64_t line;
} line_row;

/* Runs one unit's program; on finding the row that holds `address`, fills `found`. */
static int run_line_program(const line_header *header, uint64_t address, w2n_line *found) {
    reader r = header->program;
    line_row row = {0, 1, 1}, previous = {0};
    int previous_valid = 0;
    while (!r.failed && r.at < r.end) {
        unsigned opcode = (unsigned)read_unsigned(&r, 1);
        int emit = 0, end_sequence = 0;
        if (opcode >= header->opcode_base) {
            unsigned adjusted = opcode - header->opcode_base;
            row.address +=
                (uint64_t)(adjusted / header->line_range) * header->min_instruction_length;
            row.line += header->line_base + (int)(adjusted % header->line_range);
            emit = 1;
        } else if (opcode == 0) {
            uint64_t length = read_uleb(&r);
            if (length == 0 || !has(&r, length))
                break;
            reader extended = sub_reader(r.at, r.at + length);
            r.at += length;
            switch (read_unsigned(&extended, 1)) {
            case LNE_END_SEQUENCE: emit = end_sequence = 1; break;
            case LNE_SET_ADDRESS:
                row.address = read_unsigned(&extended, length - 1 > 8 ? 8 : length - 1);
                break;
            default: break; /* define_file, set_discriminator, vendor ones */
            }
        } else {
            switch (opcode) {
            case LNS_COPY: emit = 1; break;
            case LNS_ADVANCE_PC:
                row.address += read_uleb(&r) * header->min_instruction_length;
                break;
            case LNS_ADVANCE_LINE: row.line += read_sleb(&r); break;
            case LNS_SET_FILE: row.file = read_uleb(&r); break;
            case LNS_CONST_ADD_PC:
                row.address += (uint64_t)((255u - header->opcode_base) / header->line_range) *
                               header->min_instruction_length;
                break;
            case LNS_FIXED_ADVANCE_PC: row.address += read_unsigned(&r, 2); break;
            default: /* any other standard opcode: skip its operands */
                for (unsigned i = 0; i < header->standard_lengths[opcode - 1]; i++)
                    read_uleb(&r);
                break;
            }
        }
        if (!emit)
            continue;
        if (previous_valid && previous.address <= address && address < row.address) {
            found->line = previous.line > 0 ? (uint32_t)previous.line : 0;
            found->file = header->version <= 4 ? file_name(header, previous.file) : NULL;
            return 1;
        }
        previous = row;
        previous_valid = !end_sequence;
        if (end_sequence)
            row = (line_row){0, 1, 1};
    }
    return 0;
}

int w2n_dwarf_line(const unsigned char *file, size_t size, uint64_t address, w2n_line *row) {
    reader units = w2n_elf_section(file, size, ".debug_line");
    while (units.at && !units.failed && units.at < units.end) {
        line_header header;
        if (read_line_header(&units, &header) && run_line_program(&header, address, row))
            return 1;
    }
    return 0;
}
