/*
 * The inlined calls a code address is inside, from .debug_info: with its line tables the
 * compiler describes each function and, nested in it, each call LLVM inlined
 * (DW_TAG_inlined_subroutine: the callee, the code ranges it became, and the line of the call,
 * a Wasm offset). Units of DWARF version 4 in the 32-bit format, the compiler's, are read; any
 * other unit is skipped.
 */
#include <stdlib.h>

#include "debug_file.h"

enum tag { TAG_INLINED_SUBROUTINE = 0x1d, TAG_SUBPROGRAM = 0x2e };
enum attribute {
    AT_NAME = 0x03,
    AT_LOW_PC = 0x11,
    AT_HIGH_PC = 0x12,
    AT_ABSTRACT_ORIGIN = 0x31,
    AT_SPECIFICATION = 0x47,
    AT_RANGES = 0x55,
    AT_CALL_LINE = 0x59,
};
enum form {
    FORM_ADDR = 0x01,
    FORM_BLOCK2 = 0x03,
    FORM_BLOCK4 = 0x04,
    FORM_DATA2 = 0x05,
    FORM_DATA4 = 0x06,
    FORM_DATA8 = 0x07,
    FORM_STRING = 0x08,
    FORM_BLOCK = 0x09,
    FORM_BLOCK1 = 0x0a,
    FORM_DATA1 = 0x0b,
    FORM_FLAG = 0x0c,
    FORM_SDATA = 0x0d,
    FORM_STRP = 0x0e,
    FORM_UDATA = 0x0f,
    FORM_REF_ADDR = 0x10,
    FORM_REF1 = 0x11,
    FORM_REF2 = 0x12,
    FORM_REF4 = 0x13,
    FORM_REF8 = 0x14,
    FORM_REF_UDATA = 0x15,
    FORM_SEC_OFFSET = 0x17,
    FORM_EXPRLOC = 0x18,
    FORM_FLAG_PRESENT = 0x19,
    FORM_REF_SIG8 = 0x20,
};

#define MAX_ATTRIBUTES 32
#define MAX_NESTING 64

typedef struct abbreviation {
    uint64_t code;
    uint64_t tag;
    int has_children;
    unsigned count;
    uint16_t attributes[MAX_ATTRIBUTES];
    uint16_t forms[MAX_ATTRIBUTES];
} abbreviation;

/* One unit being read: its bytes, its abbreviations and the sections its values point into. */
typedef struct unit {
    const unsigned char *start; /* the unit header: references count from here */
    reader entries;
    abbreviation *abbreviations;
    size_t abbreviation_count;
    reader strings;
    reader ranges;
    uint64_t base_address;
} unit;

/* The attributes of one entry that matter here. */
typedef struct entry {
    uint64_t tag;
    int has_children;
    const char *name;
    uint64_t origin; /* unit offset of the entry that names this one, or 0 */
    uint64_t low_pc, high_pc, ranges, call_line;
    int has_low_pc, high_pc_is_offset, has_high_pc, has_ranges;
} entry;

static int read_abbreviations(reader table, unit *u) {
    size_t capacity = 64;
    u->abbreviations = malloc(capacity * sizeof *u->abbreviations);
    u->abbreviation_count = 0;
    while (u->abbreviations && !table.failed) {
        uint64_t code = read_uleb(&table);
        if (code == 0)
            return !table.failed;
        if (u->abbreviation_count == capacity) {
            capacity *= 2;
            abbreviation *grown = realloc(u->abbreviations, capacity * sizeof *grown);
            if (!grown)
                break;
            u->abbreviations = grown;
        }
        abbreviation *a = &u->abbreviations[u->abbreviation_count++];
        a->code = code;
        a->tag = read_uleb(&table);
        a->has_children = read_unsigned(&table, 1) != 0;
        a->count = 0;
        for (;;) {
            uint64_t attribute = read_uleb(&table), form = read_uleb(&table);
            if (table.failed || (attribute == 0 && form == 0))
                break;
            if (a->count == MAX_ATTRIBUTES || attribute > 0xffff || form > 0xffff)
                return 0;
            a->attributes[a->count] = (uint16_t)attribute;
            a->forms[a->count++] = (uint16_t)form;
        }
    }
    return 0;
}

static const abbreviation *find_abbreviation(const unit *u, uint64_t code) {
    /* LLVM numbers them from 1 in order. */
    if (code >= 1 && code <= u->abbreviation_count && u->abbreviations[code - 1].code == code)
        return &u->abbreviations[code - 1];
    for (size_t i = 0; i < u->abbreviation_count; i++)
        if (u->abbreviations[i].code == code)
            return &u->abbreviations[i];
    return NULL;
}

/* Reads a value of `form`: the number it holds, a string's address through `text`. */
static uint64_t read_form(reader *r, const unit *u, uint64_t form, const char **text) {
    *text = NULL;
    switch (form) {
    case FORM_ADDR:
    case FORM_DATA8:
    case FORM_REF8:
    case FORM_REF_SIG8: return read_unsigned(r, 8);
    case FORM_DATA1:
    case FORM_REF1:
    case FORM_FLAG: return read_unsigned(r, 1);
    case FORM_DATA2:
    case FORM_REF2: return read_unsigned(r, 2);
    case FORM_DATA4:
    case FORM_REF4:
    case FORM_REF_ADDR:
    case FORM_SEC_OFFSET: return read_unsigned(r, 4);
    case FORM_SDATA: return (uint64_t)read_sleb(r);
    case FORM_UDATA:
    case FORM_REF_UDATA: return read_uleb(r);
    case FORM_FLAG_PRESENT: return 1;
    case FORM_STRING: *text = read_string(r); return 0;
    case FORM_STRP: {
        uint64_t offset = read_unsigned(r, 4);
        reader strings = u->strings;
        if (strings.at && offset < (uint64_t)(strings.end - strings.at)) {
            strings.at += offset;
            *text = read_string(&strings);
        }
        return offset;
    }
    case FORM_BLOCK1:
    case FORM_BLOCK2:
    case FORM_BLOCK4:
    case FORM_BLOCK:
    case FORM_EXPRLOC: {
        uint64_t length = form == FORM_BLOCK1   ? read_unsigned(r, 1)
                          : form == FORM_BLOCK2 ? read_unsigned(r, 2)
                          : form == FORM_BLOCK4 ? read_unsigned(r, 4)
                                                : read_uleb(r);
        if (has(r, length))
            r->at += length;
        return 0;
    }
    default: r->failed = 1; return 0; /* a form this reader does not know: stop the unit */
    }
}

static int read_entry(reader *r, const unit *u, entry *e) {
    uint64_t code = read_uleb(r);
    memset(e, 0, sizeof *e);
    if (code == 0 || r->failed)
        return 0;
    const abbreviation *a = find_abbreviation(u, code);
    if (!a) {
        r->failed = 1;
        return 0;
    }
    e->tag = a->tag;
    e->has_children = a->has_children;
    for (unsigned i = 0; i < a->count && !r->failed; i++) {
        const char *text;
        uint64_t value = read_form(r, u, a->forms[i], &text);
        switch (a->attributes[i]) {
        case AT_NAME: e->name = text; break;
        case AT_ABSTRACT_ORIGIN:
        case AT_SPECIFICATION: e->origin = a->forms[i] == FORM_REF_ADDR ? 0 : value; break;
        case AT_LOW_PC: e->low_pc = value, e->has_low_pc = 1; break;
        case AT_HIGH_PC:
            e->high_pc = value, e->has_high_pc = 1;
            e->high_pc_is_offset = a->forms[i] != FORM_ADDR;
            break;
        case AT_RANGES: e->ranges = value, e->has_ranges = 1; break;
        case AT_CALL_LINE: e->call_line = value; break;
        default: break;
        }
    }
    return !r->failed;
}

/* Whether the code of entry `e` covers `address`. */
static int covers(const unit *u, const entry *e, uint64_t address) {
    if (e->has_low_pc && e->has_high_pc) {
        uint64_t high = e->high_pc_is_offset ? e->low_pc + e->high_pc : e->high_pc;
        return e->low_pc <= address && address < high;
    }
    if (!e->has_ranges || !u->ranges.at || e->ranges >= (uint64_t)(u->ranges.end - u->ranges.at))
        return 0;
    reader list = sub_reader(u->ranges.at + e->ranges, u->ranges.end);
    uint64_t base = u->base_address;
    while (!list.failed) {
        uint64_t start = read_unsigned(&list, 8), end = read_unsigned(&list, 8);
        if (list.failed || (start == 0 && end == 0))
            break;
        if (start == UINT64_MAX)
            base = end;
        else if (base + start <= address && address < base + end)
            return 1;
    }
    return 0;
}

/* The name of the entry at unit offset `offset`, following at most a few origins. */
static const char *name_at(const unit *u, uint64_t offset) {
    for (int hops = 0; hops < 4 && offset; hops++) {
        if (offset >= (uint64_t)(u->entries.end - u->start))
            return NULL;
        reader r = sub_reader(u->start + offset, u->entries.end);
        entry e;
        if (!read_entry(&r, u, &e))
            return NULL;
        if (e.name)
            return e.name;
        offset = e.origin;
    }
    return NULL;
}

static const char *name_of(const unit *u, const entry *e) {
    return e->name ? e->name : name_at(u, e->origin);
}

/* Walks the unit's entries for the function holding `address`: 1 once found. */
static int walk_unit(unit *u, uint64_t address, w2n_inline_chain *chain) {
    reader r = u->entries;
    entry e;
    if (!read_entry(&r, u, &e)) /* the unit's own entry */
        return 0;
    u->base_address = e.low_pc;
    /* Per nesting level: whether its entry covers the address (only those are descended). */
    int inside[MAX_NESTING] = {1};
    unsigned depth = 1, found_depth = 0;
    while (depth > 0 && !r.failed && r.at < r.end) {
        if (!read_entry(&r, u, &e)) {
            if (r.failed)
                return found_depth != 0;
            depth--; /* the end of a list of children */
            if (found_depth && depth < found_depth)
                return 1;
            continue;
        }
        int here = inside[depth - 1] &&
                   (e.tag == TAG_SUBPROGRAM || e.tag == TAG_INLINED_SUBROUTINE) &&
                   covers(u, &e, address);
        if (here && e.tag == TAG_SUBPROGRAM && !found_depth) {
            chain->function = name_of(u, &e);
            chain->depth = 0;
            if (!e.has_children)
                return 1;
            found_depth = depth + 1;
        } else if (here && e.tag == TAG_INLINED_SUBROUTINE && found_depth &&
                   chain->depth < W2N_DEBUG_MAX_INLINED) {
            chain->calls[chain->depth].callee = name_of(u, &e);
            chain->calls[chain->depth].call_line = (uint32_t)e.call_line;
            chain->depth++;
        }
        if (e.has_children) {
            if (depth == MAX_NESTING)
                return found_depth != 0;
            inside[depth++] = here;
        }
    }
    return found_depth != 0;
}

int w2n_dwarf_inline_chain(const unsigned char *file, size_t size, uint64_t address,
                           w2n_inline_chain *chain) {
    reader info = w2n_elf_section(file, size, ".debug_info");
    reader abbreviations = w2n_elf_section(file, size, ".debug_abbrev");
    memset(chain, 0, sizeof *chain);
    if (!info.at || !abbreviations.at)
        return 0;
    unit u = {.strings = w2n_elf_section(file, size, ".debug_str"),
              .ranges = w2n_elf_section(file, size, ".debug_ranges")};
    while (!info.failed && info.at < info.end) {
        const unsigned char *start = info.at;
        uint64_t length = read_unsigned(&info, 4);
        if (info.failed || length >= 0xfffffff0 || !has(&info, length))
            return 0;
        reader body = sub_reader(info.at, info.at + length);
        info.at += length;
        unsigned version = (unsigned)read_unsigned(&body, 2);
        uint64_t abbreviation_offset = read_unsigned(&body, 4);
        unsigned address_size = (unsigned)read_unsigned(&body, 1);
        if (body.failed || version != 4 || address_size != 8 ||
            abbreviation_offset >= (uint64_t)(abbreviations.end - abbreviations.at))
            continue;
        u.start = start;
        u.entries = body;
        if (read_abbreviations(
                sub_reader(abbreviations.at + abbreviation_offset, abbreviations.end), &u)) {
            int found = walk_unit(&u, address, chain);
            free(u.abbreviations);
            if (found)
                return 1;
        } else {
            free(u.abbreviations);
        }
    }
    return 0;
}
